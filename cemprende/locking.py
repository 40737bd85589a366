"""Row locks that hold until the transaction ends, the same way on both engines.

A no-op UPDATE (`SET id = id`): PostgreSQL locks the row, SQLite takes its single writer lock
(so the reads that follow see every earlier commit and no other writer can slip in between).
Rows are locked one by one in id order, and vacancies before people, so two writers that need
the same rows always ask for them in the same order and never deadlock.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from . import lectura
from .extensions import db
from .membership import among
from .models import Participante, Vacante

BATCH = 1000
# The no-op UPDATE changes nothing: the derived results' versions (versiones) stay as they are.
NO_CHANGE = {"versiones_sin_cambio": True}


# The rows this session's transaction already locked, per table: a lock holds until the
# transaction ends, so asking again (the gate, the summary, the versions' commit hook all lock the
# same people of an import's chunk) sends nothing. Forgotten whenever a transaction or savepoint
# ends (a lock taken inside a savepoint that is rolled back is released).
HELD = "locking_filas_tomadas"


def _lock(table, ids: Iterable[int], session=None) -> None:
    session = session if session is not None else db.session
    held = session.info.setdefault(HELD, {}).setdefault(table.name, set())
    ordered = sorted({i for i in ids if i is not None} - held)
    if not ordered:
        return
    _send_locks(session, table, ordered)
    held.update(ordered)


def _send_locks(session, table, ordered: list[int]) -> None:
    if len(ordered) == 1:
        session.execute(update(table).where(table.c.id == ordered[0]).values(id=table.c.id),
                        execution_options=NO_CHANGE)
        return
    # Many rows (a chunk of an import): one statement per batch, still in id order. PostgreSQL
    # locks the rows of SELECT ... ORDER BY id FOR UPDATE in that order; SQLite's UPDATE takes
    # its single writer lock.
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        # SQLite locks the whole database for the first write of a transaction, whatever rows it
        # touches: one no-op UPDATE of the first row takes that lock for all of them.
        session.execute(update(table).where(table.c.id == ordered[0]).values(id=table.c.id),
                        execution_options=NO_CHANGE)
        return
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start:start + BATCH]
        if postgres:
            session.execute(select(table.c.id).where(among(table.c.id, batch, session))
                            .order_by(table.c.id).with_for_update())
        else:
            session.execute(update(table).where(table.c.id.in_(batch)).values(id=table.c.id),
                            execution_options=NO_CHANGE)


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Session, _transaction) -> None:
    session.info.pop(HELD, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_locks_on_rollback(session: Session, _previous) -> None:
    session.info.pop(HELD, None)


def lock_vacantes(ids: Iterable[int]) -> None:
    _lock(Vacante.__table__, ids)


def lock_participantes(ids: Iterable[int], session=None) -> None:
    _lock(Participante.__table__, ids, session)


# The session's listeners that read an INSERT statement's rows (versiones: the centres whose
# versions to bump; calidad.resumen: what new people add to its cells) register here what they do
# with the same rows, for the rows `insert_returning_ids(..., copy=True)` sends by COPY, which
# passes by no statement event: function(session, table name, rows).
COPY_FOLLOWERS: list = []


def follows_copied_rows(function):
    COPY_FOLLOWERS.append(function)
    return function


def insert_returning_ids(model, rows: list[dict], *, copy: bool = False) -> list[int]:
    """Inserts many rows of `model` (integer `id` primary key) and answers their new ids in the
    rows' order. The ids are given here: PostgreSQL takes them from the column's sequence in one
    statement (an INSERT ... RETURNING of many rows is sent as pages of one long statement each,
    which the driver parses again page after page and the server plans again: several times the
    cost of the executemany); SQLite cannot sort a multi-row RETURNING either (SQLAlchemy would
    send one INSERT per row), and there, once this transaction holds SQLite's single writer lock
    (a no-op write takes it), nobody else can insert, so the ids follow max(id).

    The rows go in one executemany or, with `copy` on PostgreSQL, by COPY (`insert_rows`; a
    fraction of the executemany's cost, which SQLAlchemy and the driver spend on each row's
    parameters): then `COPY_FOLLOWERS` are given the rows the INSERT would have shown them. Only
    for tables whose statement listeners all follow copied rows (people and actuaciones)."""
    if not rows:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, table.c.id.name)
        ids = sorted(db.session.scalars(
            select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
    else:
        db.session.execute(update(table).where(table.c.id == -1).values(id=table.c.id))
        first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
    rows = [{**row, "id": new_id} for row, new_id in zip(rows, ids)]
    copied = _copied(table, rows) if copy else None
    if copied is None:
        db.session.execute(insert(table), rows)
        return ids
    lectura.written(table.name)
    for follow in COPY_FOLLOWERS:
        follow(db.session, table.name, copied)
    return ids


def _with_defaults(table, rows: list[dict]) -> list[dict] | None:
    """The rows with the scalar defaults an INSERT would add for the columns they leave out
    (COPY adds only the server's); None when a left-out column has a Python function for default
    (an INSERT then calls it per row: only the executemany gives the same rows)."""
    missing = {}
    for column in table.columns:
        if column.key in rows[0] or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        missing[column.key] = column.default.arg
    return [{**missing, **row} for row in rows] if missing else rows


def _copied(table, rows: list[dict]) -> list[dict] | None:
    """The rows sent by COPY (with the defaults an INSERT adds) on PostgreSQL when they all name
    the same columns and no left-out column has a default to compute; otherwise None, and nothing
    is sent."""
    if (db.session.get_bind().dialect.name != "postgresql"
            or any(row.keys() != rows[0].keys() for row in rows)):
        return None
    full = _with_defaults(table, rows)
    if full is not None:
        _copy(table, full)
    return full


def _copy(table, rows: list[dict]) -> None:
    columns = list(rows[0])
    connection = db.session.connection()
    dialect = connection.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(name) for name in columns)}) "
                 "FROM STDIN")
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(statement) as copy:  # the model's own names
            for row in rows:
                copy.write_row([row[name] if process is None else process(row[name])
                                for name, process in zip(columns, processors)])


def insert_rows(table, rows: list[dict]) -> None:
    """Many rows, all naming the same columns, into a table whose INSERTs nothing listens to (audit
    entries, name words, an import's verdicts: no derived result's version reads them). On
    PostgreSQL they go by COPY on the session's connection, inside its transaction: the driver's
    executemany sends each row as a statement of its own through a pipeline, several times the
    cost for an import's hundreds of thousands of rows. Each value is bound by its column's type
    as an INSERT binds it (JSON, aware datetimes) and a column left out gets the default an INSERT
    gives it, so the rows stored are the same. COPY passes by the session's statement events,
    hence the tables it may take."""
    if rows and _copied(table, rows) is None:
        db.session.execute(insert(table), rows)
