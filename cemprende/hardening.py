"""What every request and every log line gets, whatever route it reaches: ids that fit the
database, no control characters in any text sent, and logs without personal data (no SQL
parameters, no driver DETAIL with the values, no query strings in access logs)."""
from __future__ import annotations

import logging
import re
import traceback

from flask import request
from sqlalchemy.exc import DBAPIError, StatementError
from werkzeug.routing import IntegerConverter

from .errors import ValidationFailed

MAX_ID = 2 ** 63 - 1  # the largest BIGINT; a path id beyond it names nothing
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # line breaks and tabs are text
CONTROL_MESSAGE = "No use caracteres de control."


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past BIGINT does not match (404), never reaches SQL."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _bad_strings(value, path: str):
    if isinstance(value, str):
        if CONTROL.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if CONTROL.search(str(key)):
                yield name
            yield from _bad_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield from _bad_strings(item, f"{path}[{index}]")


def refuse_control_characters() -> None:
    """A NUL (which PostgreSQL cannot store) or another control character in a query string, a
    form field or any string of a JSON body: 422 naming the field, before any view runs."""
    fields: dict[str, str] = {}
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            name = name or ""  # a multipart part without a name is parsed with name None
            if CONTROL.search(name) or any(CONTROL.search(v) for v in values):
                fields[CONTROL.sub("?", name)] = CONTROL_MESSAGE
    if request.is_json:
        data = request.get_json(silent=True)
        for name in _bad_strings(data, ""):
            fields[CONTROL.sub("?", name) or "cuerpo"] = CONTROL_MESSAGE
    if fields:
        raise ValidationFailed(fields, "El envío contiene caracteres de control.")


# ---- logs ------------------------------------------------------------------------------------

def _database_error_summary(error: StatementError) -> str:
    """The error's class, the statement (placeholders, never values) and, from the driver, only
    what names no value: PostgreSQL's SQLSTATE and the constraint, table and column names."""
    orig = error.orig
    parts = [f"{type(error).__name__}: ({type(orig).__module__}.{type(orig).__name__})"]
    diag = getattr(orig, "diag", None)
    if diag is not None:
        parts.append(f"sqlstate={getattr(orig, 'sqlstate', None)}")
        for attribute in ("constraint_name", "table_name", "column_name"):
            if getattr(diag, attribute, None):
                parts.append(f"{attribute}={getattr(diag, attribute)}")
    elif isinstance(error, DBAPIError) and type(orig).__module__.startswith("sqlite3"):
        # SQLite's messages name tables, columns and syntax, never the values bound.
        parts.append(str(orig))
    parts.append(f"[SQL: {error.statement}]")
    return " ".join(parts)


class SqlRedactingFilter(logging.Filter):
    """A logged database error keeps its traceback and statement, drops the parameters and the
    driver's message (PostgreSQL's DETAIL repeats the values of a broken unique key)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], StatementError):
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(record.exc_info[2]))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{_database_error_summary(error)}"
            record.exc_info = None
        return True


QUERY = re.compile(r"\?[^\s\"]*")


class QueryStringFilter(logging.Filter):
    """Access-log lines without query strings (`?documento=`, `?q=` carry personal data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(QUERY.sub("", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = QUERY.sub("", record.msg)
        return True


def install_log_filters() -> None:
    for name in ("cemprende", "flask.app"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, SqlRedactingFilter) for f in logger.filters):
            logger.addFilter(SqlRedactingFilter())
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryStringFilter) for f in werkzeug.filters):
        werkzeug.addFilter(QueryStringFilter())


def register(app) -> None:
    """Before any blueprint: the id converter must be in place when routes are added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)
    install_log_filters()
