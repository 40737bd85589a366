"""`column IN (many values)` for the batch paths (an import's chunk of a thousand people).

SQLAlchemy expands an IN list into one bound parameter per value, so every chunk sends a new,
long statement text: SQLAlchemy renders it, psycopg parses it again (it keeps no statement longer
than 4 KB) and PostgreSQL plans it again, a few milliseconds per list. On PostgreSQL the values go
as one array parameter instead (`column = ANY(:values)`, the same index scan and the same rows),
so the text stays the same whatever the list; SQLite keeps the IN list.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from .extensions import db


def among(column, values: Iterable, session=None):
    """The condition `column IN values` for the session's engine (`db.session` when not given)."""
    values = list(values)
    session = session if session is not None else db.session
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
