"""Row locks that hold until the transaction ends, the same way on both engines.

A no-op UPDATE (`SET id = id`): PostgreSQL locks the row, SQLite takes its single writer lock
(so the reads that follow see every earlier commit and no other writer can slip in between).
Rows are locked one by one in id order, and vacancies before people, so two writers that need
the same rows always ask for them in the same order and never deadlock.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, update

from .extensions import db
from .models import Participante, Vacante

BATCH = 1000
# The no-op UPDATE changes nothing: the derived results' versions (versiones) stay as they are.
NO_CHANGE = {"versiones_sin_cambio": True}


def _lock(table, ids: Iterable[int], session=None) -> None:
    session = session if session is not None else db.session
    ordered = sorted({i for i in ids if i is not None})
    if not ordered:
        return
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
            session.execute(select(table.c.id).where(table.c.id.in_(batch))
                            .order_by(table.c.id).with_for_update())
        else:
            session.execute(update(table).where(table.c.id.in_(batch)).values(id=table.c.id),
                            execution_options=NO_CHANGE)


def lock_vacantes(ids: Iterable[int]) -> None:
    _lock(Vacante.__table__, ids)


def lock_participantes(ids: Iterable[int], session=None) -> None:
    _lock(Participante.__table__, ids, session)


def insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Inserts many rows of `model` (integer `id` primary key) and answers their new ids in the
    rows' order. PostgreSQL: INSERT ... RETURNING, sorted by parameter order. SQLite cannot sort
    a multi-row RETURNING, so SQLAlchemy would send one INSERT per row; there, once this
    transaction holds SQLite's single writer lock (a no-op write takes it), nobody else can
    insert, so the ids are given here from max(id) + 1 and the rows go in one executemany."""
    if not rows:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name != "sqlite":
        return list(db.session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), rows,
            execution_options={"insertmanyvalues_page_size": 100}).all())
    db.session.execute(update(table).where(table.c.id == -1).values(id=table.c.id))
    first = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    db.session.execute(insert(table), [{**row, "id": new_id} for row, new_id in zip(rows, ids)])
    return ids
