"""Keeps ResumenPersonas, the people cells of the data-quality score, in step with every write.

A person adds to the cell of (their centre, who registered them, the month of the registration):
one person, one more without a complete characterisation if a field of `CHARACTERISATION` is
unknown, one more registration with its document if they have a CC that is not rejected (what
calidad/queries.py's grouped SQL counts for the registrations). A write that can change that (a
person registered, moved to another centre, merged away or with a characterisation field edited;
a verifier document of a person uploaded, reviewed, moved or removed) takes the contributions of
the people it touches before and after it and adds the difference, in the same transaction, from
the session's flush events and, for INSERT/UPDATE/DELETE statements sent through the session, from
its execute event (the rows an UPDATE or DELETE reaches are read with its own WHERE first). The
people are locked first (locking.py), as the tableros' summary does, so two writers about one
person never compute their differences from the same "before".

`rebuild` recomputes the whole table (after a bulk load that bypasses the session, and once
after upgrading to migration 0042: `flask tableros-reconstruir`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import case, delete, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..sumas import add_to
from ..itinerario.dia import BOGOTA, bogota_date, year_month
from ..locking import follows_copied_rows, lock_participantes
from ..models import Participante, ResumenPersonas, Verificador
from ..scoping import ALL_CENTRES_OPTION
from ..verificadores.prefijos import PREFIJO_REGISTRO
from .queries import CHARACTERISATION

ALL = {ALL_CENTRES_OPTION: True}
# The columns whose change moves a person's contribution (an UPDATE of others leaves it alone).
PERSON_COLUMNS = frozenset({"centro_id", "creado_por_id", "creado_en", *CHARACTERISATION})
DOCUMENT_COLUMNS = frozenset({"participante_id", "prefijo", "estado_revision"})
NO_ADVISOR = 0  # the key's advisor when nobody is named (a key column cannot be NULL)
VALUES = ("personas", "sin_caracterizacion", "con_documento")
BATCH = 1000
PENDING = "calidad_resumen_pendiente"
EVERYONE = None  # the people a write touches could not be told: every person is read

Contribuciones = dict  # (centro_id, asesor_id, mes) → (personas, sin_caracterizacion, con_documento)


def _statement(ids: list[int] | None):
    p, v = Participante, Verificador
    mes = year_month(bogota_date(p.creado_en))
    asesor = func.coalesce(p.creado_por_id, NO_ADVISOR)
    incomplete = or_(*(getattr(p, name).is_(None) for name in CHARACTERISATION))
    documented = (select(v.id).where(v.participante_id == p.id, v.prefijo == PREFIJO_REGISTRO,
                                     v.estado_revision != "rechazado").exists())
    statement = (select(p.centro_id, asesor.label("asesor_id"), mes.label("mes"),
                        func.count().label("personas"),
                        func.sum(case((incomplete, 1), else_=0)).label("sin_caracterizacion"),
                        func.sum(case((documented, 1), else_=0)).label("con_documento"))
                 .where(p.centro_id.is_not(None))
                 .group_by(p.centro_id, asesor, mes))
    if ids is not None:
        statement = statement.where(p.id.in_(ids))
    return statement.execution_options(**ALL)


def contributions(ids=EVERYONE, session: Session | None = None) -> Contribuciones:
    """The cells these people (every person: None) add up to, as the database holds them now."""
    session = session or db.session
    found: Contribuciones = {}
    if ids is None:
        batches = [None]
    else:
        ordered = sorted({i for i in ids if i is not None})
        batches = [ordered[s:s + BATCH] for s in range(0, len(ordered), BATCH)]
    for batch in batches:
        for row in session.execute(_statement(batch)):
            key = (row.centro_id, row.asesor_id, row.mes)
            old = found.get(key, (0, 0, 0))
            found[key] = tuple(a + int(b or 0) for a, b in
                               zip(old, (row.personas, row.sin_caracterizacion, row.con_documento)))
    return found


def _difference(before: Contribuciones, after: Contribuciones) -> Contribuciones:
    changes = {}
    for key in before.keys() | after.keys():
        change = tuple(a - b for a, b in zip(after.get(key, (0, 0, 0)), before.get(key, (0, 0, 0))))
        if any(change):
            changes[key] = change
    return changes


def _add(session: Session, changes: Contribuciones) -> None:
    add_to(ResumenPersonas, ["centro_id", "asesor_id", "mes"], changes, VALUES, session)


def _lock(session: Session, ids) -> None:
    if ids:  # EVERYONE (None): no lock per person
        lock_participantes(ids, session)


# ---- the ORM flush ------------------------------------------------------------------------------

def _changed(obj, columns) -> bool:
    attrs = inspect(obj).attrs
    return any(name in attrs and attrs[name].history.has_changes() for name in columns)


def _people_of(obj) -> set[int]:
    """A document's person now and before this flush (a document moved to another person)."""
    state = inspect(obj)
    history = state.attrs.participante_id.history
    ids = {*history.added, *history.unchanged, *history.deleted}
    if obj.participante_id is not None:
        ids.add(obj.participante_id)
    person = obj.__dict__.get("participante")
    if person is not None and person.id is not None:
        ids.add(person.id)
    return {i for i in ids if i is not None}


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, _instances) -> None:
    ids: set[int] = set()
    new = []
    for obj in session.new:
        if isinstance(obj, Participante):
            new.append(obj)
        elif isinstance(obj, Verificador):
            new.append(obj)
            ids |= _people_of(obj)
    for obj in session.dirty:
        if isinstance(obj, Participante) and _changed(obj, PERSON_COLUMNS):
            ids.add(obj.id)
        elif isinstance(obj, Verificador) and _changed(obj, DOCUMENT_COLUMNS):
            ids |= _people_of(obj)
    for obj in session.deleted:
        if isinstance(obj, Participante):
            ids.add(obj.id)
        elif isinstance(obj, Verificador):
            ids |= _people_of(obj)
    ids.discard(None)
    if not ids and not new:
        return
    with session.no_autoflush:
        _lock(session, ids)
        before = contributions(ids, session)
    flush_context.attributes[PENDING] = (ids, new, before)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session: Session, flush_context) -> None:
    pending = flush_context.attributes.get(PENDING)
    if not pending:
        return
    ids, new, before = pending
    ids = set(ids)
    for obj in new:  # their ids (a new person's) are known now
        ids.add(obj.id if isinstance(obj, Participante) else obj.participante_id)
    ids.discard(None)
    with session.no_autoflush:
        _add(session, _difference(before, contributions(ids, session)))


# ---- statements sent through the session -------------------------------------------------------

def _set_columns(statement) -> dict:
    values = getattr(statement, "_values", None) or {}
    return {getattr(column, "key", column): value for column, value in values.items()}


def _targets(state) -> set[int] | None:
    """The people an UPDATE or DELETE of people or documents reaches (EVERYONE when it cannot be
    told: an executemany, a new person id that is not a plain value)."""
    statement = state.statement
    table = statement.table
    if isinstance(state.parameters, list) and len(state.parameters) > 1:
        return EVERYONE
    column = table.c.id if table.name == Participante.__table__.name else table.c.participante_id
    query = select(column).execution_options(**ALL)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    params = state.parameters[0] if isinstance(state.parameters, list) else state.parameters
    ids = set(state.session.scalars(query, params) if params else state.session.scalars(query))
    if state.is_update and table.name == Verificador.__table__.name:
        moved_to = _set_columns(statement).get("participante_id")
        if moved_to is not None:
            value = getattr(moved_to, "value", moved_to)
            if not isinstance(value, int):
                return EVERYONE
            ids.add(value)
    return {i for i in ids if i is not None}


def _new_people(rows: list[dict]) -> Contribuciones:
    """What people inserted by a statement add (nobody holds a document of a new person yet)."""
    found: Contribuciones = {}
    for row in rows:
        if row.get("centro_id") is None:
            continue
        moment = row.get("creado_en") or datetime.now(timezone.utc)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        key = (row["centro_id"], row.get("creado_por_id") or NO_ADVISOR,
               f"{moment.astimezone(BOGOTA):%Y-%m}")
        incomplete = int(any(row.get(name) is None for name in CHARACTERISATION))
        old = found.get(key, (0, 0, 0))
        found[key] = (old[0] + 1, old[1] + incomplete, old[2])
    return found


@follows_copied_rows
def _copied_rows(session: Session, table: str, rows: list[dict]) -> None:
    """People sent by COPY (locking.insert_returning_ids) add what their rows say, as an INSERT
    statement of them does below; documents never go that way."""
    if table == Verificador.__table__.name:
        raise NotImplementedError("Documents sent by COPY are not followed by the cells.")
    if table == Participante.__table__.name:
        _add(session, _new_people(rows))


@event.listens_for(Session, "do_orm_execute")
def _statement_write(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    person = name == Participante.__table__.name
    if not person and name != Verificador.__table__.name:
        return None
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    if state.is_update:
        columns = set(_set_columns(state.statement)) | {k for r in rows for k in r}
        if not columns & (PERSON_COLUMNS if person else DOCUMENT_COLUMNS):
            return None  # a lock's no-op UPDATE, an answer of the DPS: nothing the cells read
    session = state.session
    if state.is_insert and person:
        if _set_columns(state.statement):
            ids = EVERYONE  # INSERT … VALUES written into the statement: read everyone
        else:  # what they add is in the rows themselves
            _add(session, _new_people(rows))
            return None
    elif state.is_insert:
        ids = {r.get("participante_id") for r in rows} - {None}
        if _set_columns(state.statement):
            ids = EVERYONE
    else:
        ids = _targets(state)
    _lock(session, ids)
    before = contributions(ids, session)
    result = state.invoke_statement()
    if result.returns_rows:
        frozen = result.freeze()  # its rows (a RETURNING) stay for the caller
        _add(session, _difference(before, contributions(ids, session)))
        return frozen()
    _add(session, _difference(before, contributions(ids, session)))
    return result  # its rowcount stays for the caller


# ---- the whole table ----------------------------------------------------------------------------

def rebuild() -> int:
    """Recomputes the whole table from the people and their documents; answers its rows."""
    db.session.execute(delete(ResumenPersonas))
    rows = [{"centro_id": c, "asesor_id": a, "mes": m, **dict(zip(VALUES, values))}
            for (c, a, m), values in sorted(contributions().items())]
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(ResumenPersonas), rows[start:start + 20_000])
    return len(rows)


def stored() -> Contribuciones:
    return {(r.centro_id, r.asesor_id, r.mes): tuple(getattr(r, n) for n in VALUES)
            for r in db.session.scalars(select(ResumenPersonas).execution_options(**ALL))
            if any(getattr(r, n) for n in VALUES)}


def wrong() -> set:
    """The keys where the table differs from a recomputation (empty: it is right)."""
    expected, kept = contributions(), stored()
    return {k for k in expected.keys() | kept.keys() if expected.get(k) != kept.get(k)}


def whole_months(desde: date, hasta: date) -> bool:
    return desde.day == 1 and (hasta + timedelta(days=1)).day == 1


def cells(centro_id: int | None, desde: date, hasta: date):
    """(centro_id, asesor_id or None, mes) → (personas, sin_caracterizacion, con_documento)
    for the whole months desde..hasta, as stored."""
    r = ResumenPersonas
    statement = (select(r.centro_id, r.asesor_id, r.mes, r.personas, r.sin_caracterizacion,
                        r.con_documento)
                 .where(r.mes >= f"{desde:%Y-%m}", r.mes <= f"{hasta:%Y-%m}", r.personas != 0)
                 .execution_options(**ALL))
    if centro_id is not None:
        statement = statement.where(r.centro_id == centro_id)
    return {(row.centro_id, row.asesor_id or None, row.mes):
            (row.personas, row.sin_caracterizacion, row.con_documento)
            for row in db.session.execute(statement)}
