"""Keeps ResumenDiario in step with the actuaciones.

A write that can change what a participant adds to the tableros (an actuación recorded or
annulled, a participant's categories edited) takes the participant's per-day contributions before
and after it and applies the difference, in the same transaction, from the session's flush events. `rebuild` recomputes the whole
table from the actuaciones (after a bulk load, or to check it).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import delete, event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..extensions import db
from ..locking import lock_participantes
from ..models import Actuacion, Participante, ResumenDiario, ResumenMensual
from . import queries
from .registry import FILAS, ActivosRuta, Enrutados
from ..itinerario.tipos import Tipo

SUMMARISED = queries.summarised(list(FILAS))


def contributions(participante_id: int | None = None, filas=SUMMARISED) -> queries.PorDia:
    return queries.per_day(filas, participante_id)


def rows_moved_by(tipo: str | None) -> list:
    """The summarised rows an actuación of this tipo can change; None: a participant's categories."""
    if tipo is None:
        return [f for f in SUMMARISED if isinstance(f.calculo, Enrutados)]
    return [f for f in SUMMARISED
            if (isinstance(f.calculo, Enrutados) and tipo == Tipo.ENRUTAMIENTO)
            or (isinstance(f.calculo, ActivosRuta) and tipo in (Tipo.INGRESO_RUTA, Tipo.DESISTIMIENTO))
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


# ---- the summary follows every write of the session --------------------------------------------
# Before a flush writes actuaciones (new or annulled) or changes a participant, the participants'
# contributions are read as the database still has them; after it, again, and the difference is
# applied in the same transaction. So no write path (the gate, an edit of a person's categories,
# an import) has to remember it. Bulk fills that bypass the ORM rebuild the summary afterwards.

PENDING = "resumen_pendiente"


def _touched(session: Session) -> dict[int, set[str | None]]:
    """participante_id → the tipos written for them in this flush (None: the person changed)."""
    touched: dict[int, set[str | None]] = {}
    new = session.new  # built anew on every access: read once (a flush may hold thousands)
    for obj in (*new, *session.dirty):
        if isinstance(obj, Actuacion) and obj.participante_id is not None:
            if obj in new or session.is_modified(obj, include_collections=False):
                touched.setdefault(obj.participante_id, set()).add(obj.tipo)
        elif (isinstance(obj, Participante) and obj not in new
              and session.is_modified(obj, include_collections=False)):
            touched.setdefault(obj.id, set()).add(None)
    return touched


def _rows_for(tipos: set[str | None]) -> list:
    return _rows_for_tipos(frozenset(tipos))


@lru_cache(maxsize=256)
def _rows_for_tipos(tipos: frozenset) -> list:
    found = {}
    for tipo in sorted(tipos, key=str):
        found.update({f.codigo: f for f in rows_moved_by(tipo)})
    return list(found.values())


BATCH = 1000  # participants per grouped query: an import's chunk is one or two queries, not one per person


def _groups(touched: dict[int, set[str | None]]) -> list[tuple[list[int], list]]:
    """The touched participants grouped by the rows their writes can move, in batches: the
    contributions are sums over people, so one grouped query per batch gives the same difference
    as one query per person."""
    by_rows: dict[tuple[str, ...], tuple[list[int], list]] = {}
    for participante_id, tipos in sorted(touched.items()):
        filas = _rows_for(tipos)
        if filas:
            codes = tuple(sorted(f.codigo for f in filas))
            by_rows.setdefault(codes, ([], filas))[0].append(participante_id)
    groups = []
    for ids, filas in by_rows.values():
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            groups.append((batch[0] if len(batch) == 1 else batch, filas))
    return groups


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, _instances) -> None:
    touched = _touched(session)
    if not touched:
        return
    pending = flush_context.attributes.setdefault(PENDING, [])
    with session.no_autoflush:
        # Whoever else writes for these people waits: "before" stays true until the commit.
        lock_participantes(touched)
        for participantes, filas in _groups(touched):
            pending.append((participantes, filas, queries.per_day(filas, participantes)))


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session: Session, flush_context) -> None:
    # Kept on this flush's own context: a flush that stops half-way leaves nothing behind.
    pending = flush_context.attributes.get(PENDING)
    if not pending:
        return
    with session.no_autoflush:
        for participantes, filas, before in pending:
            after = queries.per_day(filas, participantes)
            _add({key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()
                  if after.get(key, 0) != before.get(key, 0)})


@contextmanager
def following(touched: dict[int, set[str | None]]):
    """For writes that bypass the ORM flush (bulk INSERTs of a batch): the same difference the
    flush listeners apply, participant id → tipos written (None: the person changed), taken
    before and after the block, in the same transaction."""
    lock_participantes(touched)
    groups = _groups(touched)
    before = [queries.per_day(filas, participantes) for participantes, filas in groups]
    yield
    for (participantes, filas), earlier in zip(groups, before):
        after = queries.per_day(filas, participantes)
        _add({key: after.get(key, 0) - earlier.get(key, 0) for key in earlier.keys() | after.keys()
              if after.get(key, 0) != earlier.get(key, 0)})


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

