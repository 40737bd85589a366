"""Keeps ResumenDiario in step with the actuaciones.

A write that can change what a participant adds to the tableros (an actuación recorded or
annulled, a participant's categories edited) takes the participant's per-day contributions before
and after it and applies the difference, in the same transaction. `rebuild` recomputes the whole
table from the actuaciones (after a bulk load, or to check it).
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import ResumenDiario, ResumenMensual
from . import queries
from .registry import FILAS, ActivosRuta, Enrutados

SUMMARISED = queries.summarised(list(FILAS))


def contributions(participante_id: int | None = None, filas=SUMMARISED) -> queries.PorDia:
    return queries.per_day(filas, participante_id)


def rows_moved_by(tipo: str | None) -> list:
    """The summarised rows an actuación of this tipo can change; None: a participant's categories."""
    if tipo is None:
        return [f for f in SUMMARISED if isinstance(f.calculo, Enrutados)]
    return [f for f in SUMMARISED
            if (isinstance(f.calculo, Enrutados) and tipo == "enrutamiento")
            or (isinstance(f.calculo, ActivosRuta) and tipo in ("ingreso_ruta", "desistimiento"))
            or getattr(f.calculo, "tipo", None) == tipo]


def by_month(changes: queries.PorDia) -> queries.PorDia:
    months: queries.PorDia = {}
    for (code, day, centro), value in changes.items():
        key = (code, day.replace(day=1), centro)
        months[key] = months.get(key, 0) + value
    return {key: value for key, value in months.items() if value}  # route deltas may net out


def _upsert(model, day_column: str, changes: queries.PorDia) -> None:
    """Adds the changes to the stored values (INSERT … ON CONFLICT DO UPDATE, atomic per row)."""
    if not changes:  # days that change can still net out over their month
        return
    dialect = db.session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"codigo": c, day_column: d, "centro_id": centro, "valor": v}
            for (c, d, centro), v in sorted(changes.items())]  # one order: no deadlocks
    statement = make(model).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["codigo", day_column, "centro_id"],
        set_={"valor": model.valor + statement.excluded.valor})
    db.session.execute(statement)


def _add(changes: queries.PorDia) -> None:
    if changes:
        _upsert(ResumenDiario, "fecha", changes)
        _upsert(ResumenMensual, "mes", by_month(changes))


@contextmanager
def tracking(participante_id: int, tipo: str | None = None):
    """Around a write to one participant (an actuación of `tipo`, or with no tipo an edit of the
    participant): applies to the summary what the write changed."""
    filas = rows_moved_by(tipo)
    if not filas:
        yield
        return
    db.session.flush()
    before = contributions(participante_id, filas)
    yield
    db.session.flush()
    after = contributions(participante_id, filas)
    keys = before.keys() | after.keys()
    _add({key: after.get(key, 0) - before.get(key, 0) for key in keys
          if after.get(key, 0) != before.get(key, 0)})


def rebuild() -> int:
    """Recomputes the whole summary from the actuaciones; returns how many rows it holds."""
    db.session.execute(delete(ResumenDiario))
    db.session.execute(delete(ResumenMensual))
    days = contributions()
    for model, column, values in ((ResumenDiario, "fecha", days), (ResumenMensual, "mes", by_month(days))):
        rows = [{"codigo": c, column: d, "centro_id": centro, "valor": v}
                for (c, d, centro), v in values.items()]
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(model), rows[start:start + 20_000])
    return len(days)


def stored() -> queries.PorDia:
    return {(r.codigo, r.fecha, r.centro_id): r.valor
            for r in db.session.scalars(select(ResumenDiario)) if r.valor}


def stored_months() -> queries.PorDia:
    return {(r.codigo, r.mes, r.centro_id): r.valor
            for r in db.session.scalars(select(ResumenMensual)) if r.valor}
