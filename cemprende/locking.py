"""Row locks that hold until the transaction ends, the same way on both engines.

A no-op UPDATE (`SET id = id`): PostgreSQL locks the row, SQLite takes its single writer lock
(so the reads that follow see every earlier commit and no other writer can slip in between).
Rows are locked one by one in id order, and vacancies before people, so two writers that need
the same rows always ask for them in the same order and never deadlock.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from .extensions import db
from .models import Participante, Vacante


def _lock(table, ids: Iterable[int]) -> None:
    for row_id in sorted({i for i in ids if i is not None}):
        db.session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))


def lock_vacantes(ids: Iterable[int]) -> None:
    _lock(Vacante.__table__, ids)


def lock_participantes(ids: Iterable[int]) -> None:
    _lock(Participante.__table__, ids)
