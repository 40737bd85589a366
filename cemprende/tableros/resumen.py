"""Keeps ResumenDiario, ResumenMensual, ResumenMunicipio and ResumenMunicipioDiario in step with
the actuaciones.

A write that can change what a participant adds to the tableros (an actuación recorded or
annulled, a participant's categories edited) takes the participant's per-day contributions before
and after it and applies the difference, in the same transaction, from the session's flush events. `rebuild` recomputes the whole
table from the actuaciones (after a bulk load, or to check it).

The contributions are read by municipio (the person's current one), then added up for
ResumenDiario/ResumenMensual and, for the rows a breakdown by municipio reads, kept per month and
municipio in ResumenMunicipio and per day and municipio in ResumenMunicipioDiario (the loose
days of a period that cuts a month): so an edit of a person's municipality (or an administrator's
mapping of its spelling, which bypasses the flush: `following`) moves their contributions from
the old key to the new one as a before/after difference like any other. The key's centre is the
one that recorded each actuación, so a traslado moves nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from ..calidad import resumen as calidad_resumen
from ..extensions import db
from ..sumas import add_to
from ..locking import lock_participantes
from ..models import (Actuacion, Participante, ResumenDiario, ResumenMensual, ResumenMunicipio,
                      ResumenMunicipioDiario)
from . import queries
from .registry import FILAS, ActivosRuta, Conteo, Enrutados, Personas
from ..itinerario.tipos import Tipo

SUMMARISED = queries.summarised(list(FILAS))
# The summarised rows a breakdown can read by municipio (those that count people or records).
BY_MUNICIPIO = [f for f in SUMMARISED if isinstance(f.calculo, (Enrutados, Personas, ActivosRuta, Conteo))]
CODES_BY_MUNICIPIO = frozenset(f.codigo for f in BY_MUNICIPIO)
# A touched participant's marker (beside the tipos written): their municipality changed.
MUNICIPIO = "*municipio"


def contributions(participante_id: int | None = None, filas=SUMMARISED) -> queries.PorDia:
    return queries.per_day(filas, participante_id)


def contributions_by_municipio() -> queries.PorDia:
    """What ResumenMunicipio must hold: (codigo, mes, centro_id, municipio, subregion) → value."""
    return queries.per_day(BY_MUNICIPIO, None, queries.POR_MES_Y_MUNICIPIO)


def contributions_by_municipio_per_day() -> queries.PorDia:
    """What ResumenMunicipioDiario must hold: (codigo, fecha, centro_id, municipio, subregion) → value."""
    return queries.per_day(BY_MUNICIPIO, None, queries.POR_DIA_Y_MUNICIPIO)


def places_by_month(changes: queries.PorDia) -> queries.PorDia:
    """Per-day-and-municipio values folded to their months (ResumenMunicipio's keys)."""
    months: queries.PorDia = {}
    for (code, day, centro, municipio, subregion), value in changes.items():
        key = (code, day.replace(day=1), centro, municipio, subregion)
        months[key] = months.get(key, 0) + value
    return {key: value for key, value in months.items() if value}  # route deltas may net out


def rows_moved_by(tipo: str | None) -> list:
    """The summarised rows an actuación of this tipo can change; None: a participant's
    categories; MUNICIPIO: their municipality (every row kept by municipio)."""
    if tipo == MUNICIPIO:
        return list(BY_MUNICIPIO)
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


def _add(changes: queries.PorDia) -> None:
    if changes:
        add_to(ResumenDiario, ["codigo", "fecha", "centro_id"], changes)
        add_to(ResumenMensual, ["codigo", "mes", "centro_id"], by_month(changes))


PLACE_KEY = ["codigo", "mes", "centro_id", "municipio", "subregion"]
PLACE_DAY_KEY = ["codigo", "fecha", "centro_id", "municipio", "subregion"]


def _upsert_by_municipio(changes: queries.PorDia) -> None:
    """Per day and municipio to ResumenMunicipioDiario, folded to months to ResumenMunicipio."""
    add_to(ResumenMunicipio, PLACE_KEY, places_by_month(changes))
    add_to(ResumenMunicipioDiario, PLACE_DAY_KEY, changes)


def _read(participantes, filas) -> queries.PorDia:
    """The participants' contributions per day and municipio (their current one)."""
    return queries.per_day(filas, participantes, queries.POR_DIA_Y_MUNICIPIO)


def _difference(pairs) -> queries.PorDia:
    """The sum of after - before over (before, after) pairs (one pair per group of people)."""
    total: queries.PorDia = {}
    for before, after in pairs:
        for key in before.keys() | after.keys():
            total[key] = total.get(key, 0) + after.get(key, 0) - before.get(key, 0)
    return total


def _apply(pairs) -> None:
    """Adds the difference of every (before, after) pair in one upsert per table, in one key
    order (a flush's groups of people applied one by one would lock summary rows in an order
    that another transaction could cross): summed over municipios to the daily and monthly
    summary, per month and municipio to ResumenMunicipio and per day and municipio to
    ResumenMunicipioDiario for its rows (a person who changed municipality nets out of the
    first two and moves within the others)."""
    days: queries.PorDia = {}
    places: queries.PorDia = {}
    for key, change in _difference(pairs).items():
        if not change:
            continue
        code, day, centro, _municipio, _subregion = key
        days[(code, day, centro)] = days.get((code, day, centro), 0) + change
        if code.partition(queries.SEPARATOR)[0] in CODES_BY_MUNICIPIO:
            places[key] = change
    _add({key: value for key, value in days.items() if value})
    _upsert_by_municipio(places)


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
            tipos = touched.setdefault(obj.id, set())
            tipos.add(None)
            attrs = inspect(obj).attrs
            if attrs.municipio_oficial.history.has_changes() or attrs.subregion.history.has_changes():
                tipos.add(MUNICIPIO)
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
            pending.append((participantes, filas, _read(participantes, filas)))


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session: Session, flush_context) -> None:
    # Kept on this flush's own context: a flush that stops half-way leaves nothing behind.
    pending = flush_context.attributes.get(PENDING)
    if not pending:
        return
    with session.no_autoflush:
        _apply([(before, _read(participantes, filas)) for participantes, filas, before in pending])


@contextmanager
def following(touched: dict[int, set[str | None]]):
    """For writes that bypass the ORM flush (bulk INSERTs of a batch): the same difference the
    flush listeners apply, participant id → tipos written (None: the person changed), taken
    before and after the block, in the same transaction."""
    lock_participantes(touched)
    groups = _groups(touched)
    before = [_read(participantes, filas) for participantes, filas in groups]
    yield
    _apply([(earlier, _read(participantes, filas)) for (participantes, filas), earlier in zip(groups, before)])


def rebuild() -> int:
    """Recomputes the whole summary from the actuaciones; returns how many rows it holds."""
    db.session.execute(delete(ResumenDiario))
    db.session.execute(delete(ResumenMensual))
    days = contributions()
    for model, column, values in ((ResumenDiario, "fecha", days), (ResumenMensual, "mes", by_month(days))):
        rows = [{"codigo": c, column: d, "centro_id": centro, "valor": v}
                for (c, d, centro), v in values.items()]
        _insert(model, rows)
    rebuild_by_municipio()
    calidad_resumen.rebuild()  # the data-quality score's people cells (calidad/resumen.py)
    return len(days)


def rebuild_by_municipio() -> int:
    """Recomputes ResumenMunicipio and ResumenMunicipioDiario alone (after a bulk change of
    people's municipalities that bypassed the flush): the per-day values once, folded to months;
    returns how many monthly rows it holds."""
    db.session.execute(delete(ResumenMunicipio))
    db.session.execute(delete(ResumenMunicipioDiario))
    days = contributions_by_municipio_per_day()
    _insert(ResumenMunicipioDiario, [dict(zip(PLACE_DAY_KEY, key), valor=v) for key, v in days.items()])
    rows = [dict(zip(PLACE_KEY, key), valor=v) for key, v in places_by_month(days).items()]
    _insert(ResumenMunicipio, rows)
    return len(rows)


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(model), rows[start:start + 20_000])


def stored() -> queries.PorDia:
    return {(r.codigo, r.fecha, r.centro_id): r.valor
            for r in db.session.scalars(select(ResumenDiario)) if r.valor}


def stored_months() -> queries.PorDia:
    return {(r.codigo, r.mes, r.centro_id): r.valor
            for r in db.session.scalars(select(ResumenMensual)) if r.valor}



def stored_by_municipio() -> queries.PorDia:
    return {(r.codigo, r.mes, r.centro_id, r.municipio, r.subregion): r.valor
            for r in db.session.scalars(select(ResumenMunicipio)) if r.valor}


def stored_by_municipio_per_day() -> queries.PorDia:
    # Plain rows, not ORM objects: millions of them on a big installation (the check holds them all).
    d = ResumenMunicipioDiario
    return {(codigo, fecha, centro, municipio, subregion): valor
            for codigo, fecha, centro, municipio, subregion, valor
            in db.session.execute(select(d.codigo, d.fecha, d.centro_id, d.municipio, d.subregion, d.valor))
            if valor}
