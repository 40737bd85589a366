"""Data versions for derived results that are too costly to compute on every read.

A derived result names the tables it reads (`TABLAS`: the integrity alerts, `ALERTAS`, the
data-quality score's cells, `CALIDAD` and `PERSONAS`, and the tableros' figures, `TABLEROS`).
Its versions live in `version_datos`: one row per centre ("alertas:7") and one network row
("alertas"). Every session write to one of its tables (ORM
flush, or an INSERT/UPDATE/DELETE statement through the session) marks the session with the
centres it touches; just before its commit the session bumps those centres' counters, inside the
same transaction, as the last locks it takes (all in one sorted order, so two writers never wait
for each other). A write whose centres cannot be told (an UPDATE or DELETE statement, a row
without its centre) bumps the network row, which every part's version includes.

Which centres a write touches: the centre of each written row (before and after, when a row
changes centre), and every centre where the written rows' people have an actuación, a
verification call or their registration. A centre's part may read a person's rows in other
centres (their whole itinerary: a visit recorded after a transfer clears the alert of the
committee that approved them in the first centre), so a write about a person bumps every centre
holding rows of that person. Writes on the same person are serialised by the gate's lock on the
participant, so the centres read at commit are those of the committed itinerary.

A reader reads the counters first (one statement) and reuses a part only if it was computed under
the same (token, valor) of the network row and of its centre's row: nothing it read has changed
since, because the change and its bump commit together. The result may hold changes newer than
its version; then the next reader sees a higher version and computes again (never the other way
round). A centre without a row yet has version None: its first write creates the row (a change).

Writes that bypass the session (a raw connection, COPY) must call `bump_all` (the network rows),
except the rows `locking.insert_returning_ids(..., copy=True)` sends, which it hands to `_inserted`
(`locking.COPY_FOLLOWERS`) as an INSERT statement would.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import has_app_context
from sqlalchemy import event, inspect as sa_inspect, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .extensions import db
from .locking import follows_copied_rows, lock_participantes
from .membership import among
from .scoping import ALL_CENTRES_OPTION, current_centre_scope, set_centre_scope
from .itinerario.tipos import Tipo
from .models import (Actuacion, ActuacionItem, Centro, ComiteDecision, Cotizacion, LlamadaVerificacion,
                     Participante, ResumenDiario, ResumenMensual, Vacante, Verificador, VersionDatos)

ALERTAS = "alertas"
CALIDAD = "calidad"
PERSONAS = "calidad_personas"
TABLEROS = "tableros"
# The tableros' summaries, kept by tableros/resumen.py from the session's writes of actuaciones and
# participants (which mark the centres they touch): their own upserts add nothing to the marks.
# A DELETE or UPDATE of them (a rebuild) bumps the network row.
DERIVADAS = {TABLEROS: frozenset(m.__table__.name for m in (ResumenDiario, ResumenMensual))}
# The actuación tipos the alerts read (microfinanciamiento/alertas.py and the reference prices);
# an actuación of another tipo (a routing, a characterisation) leaves the alerts as they are.
TIPOS_ALERTAS = frozenset({Tipo.COMITE, Tipo.VISITA_ACOMPANAMIENTO, Tipo.DESEMBOLSO,
                           Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO})
TABLAS = {
    ALERTAS: frozenset(m.__table__.name for m in (Actuacion, ActuacionItem, Cotizacion,
                                                   LlamadaVerificacion)),
    # calidad/queries.py: the cells that follow the actuaciones (recorded, their documents,
    # rejected documents; its alerts are the alerts' parts, so their version holds the alerts'
    # versions too) and those that follow the people (registrations' documents, characterisation).
    CALIDAD: frozenset(m.__table__.name for m in (Actuacion, Verificador, ComiteDecision)),
    PERSONAS: frozenset(m.__table__.name for m in (Participante, Verificador)),
    # tableros/queries.py (the figures of a scope and period, kept by tableros/services.py): the
    # summaries (following the actuaciones and the participants' categories and municipality),
    # the distinct-person rows read from the actuaciones, row 9 from the vacantes, and the list
    # of centres (a centre's row has no centro_id: any write of one bumps the network). Metas,
    # vigencias and closed months are read live on every request, never kept.
    TABLEROS: frozenset(m.__table__.name for m in (Actuacion, Participante, Vacante, Centro,
                                                    ResumenDiario, ResumenMensual)),
}
MARK = "versiones_tocadas"
ALL = {ALL_CENTRES_OPTION: True}  # a writer's centres, whoever the caller: never its scope only


def parte(clave: str, centro_id: int) -> str:
    return f"{clave}:{centro_id}"


@dataclass
class Tocado:
    """What a session wrote that `clave` reads: centres, people and actuaciones (whose centre and
    person are read at commit), or `red` when the centres cannot be told."""
    red: bool = False
    centros: set = field(default_factory=set)
    participantes: set = field(default_factory=set)
    actuaciones: set = field(default_factory=set)
    items: set = field(default_factory=set)


def _relevant(clave: str, obj) -> bool:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table not in TABLAS[clave]:
        return False
    if isinstance(obj, Actuacion) and clave == ALERTAS:
        return obj.tipo is None or obj.tipo in TIPOS_ALERTAS
    return True


def _tocado(session: Session, clave: str) -> Tocado:
    return session.info.setdefault(MARK, {}).setdefault(clave, Tocado())


def _values(obj, name: str) -> list:
    """The attribute's value now and, when it changed in this flush, before."""
    state = sa_inspect(obj)
    if name not in state.attrs:
        return []
    history = state.attrs[name].load_history()  # loads an expired value (no flush: no_autoflush)
    found = [*history.added, *history.unchanged, *history.deleted]
    if not found and name in obj.__dict__:
        found = [obj.__dict__[name]]
    return found


def _mark_object(tocado: Tocado, obj) -> None:
    if isinstance(obj, Cotizacion):
        ids = [v for v in _values(obj, "item_id") if v is not None]
        tocado.items.update(ids)
        tocado.red = tocado.red or not ids
        return
    if isinstance(obj, (ActuacionItem, ComiteDecision)):
        ids = [v for v in _values(obj, "actuacion_id") if v is not None]
        parent = obj.__dict__.get("actuacion")
        if ids:
            tocado.actuaciones.update(ids)
        elif parent is not None and parent.centro_id is not None:
            tocado.centros.add(parent.centro_id)
            tocado.participantes.add(parent.participante_id)
        else:
            tocado.red = True
        return
    centres = _values(obj, "centro_id")
    if any(c is None for c in centres) or not centres:
        tocado.red = True
    tocado.centros.update(c for c in centres if c is not None)
    people = _values(obj, "id") if isinstance(obj, Participante) else _values(obj, "participante_id")
    tocado.participantes.update(p for p in people if p is not None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    changed = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o, include_collections=False))]
    with session.no_autoflush:
        for clave in TABLAS:
            for obj in changed:
                if _relevant(clave, obj):
                    _mark_object(_tocado(session, clave), obj)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("versiones_sin_cambio"):
        return  # a lock's no-op UPDATE (locking.py)
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if not state.is_insert:
        for clave, tables in TABLAS.items():
            if table in tables:  # which rows an UPDATE or DELETE reaches is not known here
                _tocado(state.session, clave).red = True
        return
    _inserted(state.session, table,
              state.parameters if isinstance(state.parameters, list) else [state.parameters or {}])


@follows_copied_rows
def _inserted(session: Session, table: str | None, rows: list[dict]) -> None:
    """What an INSERT of these rows marks (a statement's parameters, or rows sent by COPY)."""
    for clave, tables in TABLAS.items():
        if table not in tables:
            continue
        if clave == ALERTAS and table == Actuacion.__table__.name:
            if rows and all(r.get("tipo") is not None and r.get("tipo") not in TIPOS_ALERTAS
                            for r in rows):
                continue  # only routings and the like: the alerts do not read them
        if table in DERIVADAS.get(clave, ()):
            continue  # follows a source write of the same session, which marked its centres
        tocado = _tocado(session, clave)
        if not rows or not all(rows):
            tocado.red = True
            continue
        for row in rows:
            if table == Cotizacion.__table__.name:
                tocado.red = tocado.red or row.get("item_id") is None
                tocado.items.add(row.get("item_id"))
                continue
            if table in (ActuacionItem.__table__.name, ComiteDecision.__table__.name):
                if row.get("actuacion_id") is None:
                    tocado.red = True
                tocado.actuaciones.add(row.get("actuacion_id"))
                continue
            if row.get("centro_id") is None:
                tocado.red = True
            tocado.centros.add(row.get("centro_id"))
            key = "id" if table == Participante.__table__.name else "participante_id"
            tocado.participantes.add(row.get(key))


def _centres(session: Session, tocado: Tocado) -> set[int]:
    """The centres a write touches: its rows' and those of every person it wrote about."""
    centres = {c for c in tocado.centros if c is not None}
    people = {p for p in tocado.participantes if p is not None}
    actuaciones = {a for a in tocado.actuaciones if a is not None}
    items = sorted(i for i in tocado.items if i is not None)
    if items:
        actuaciones.update(session.scalars(
            select(ActuacionItem.actuacion_id).where(among(ActuacionItem.id, items, session)),
            execution_options=ALL))
    actuaciones = sorted(actuaciones)
    if actuaciones:
        for row in session.execute(select(Actuacion.centro_id, Actuacion.participante_id)
                                   .where(among(Actuacion.id, actuaciones, session)),
                                   execution_options=ALL):
            centres.add(row.centro_id)
            people.add(row.participante_id)
    if people:
        ids = sorted(people)
        # A write outside the gate (a document, a call) reads its people's centres here: a
        # transfer of one of them still uncommitted would move them to a centre this bump would
        # miss. Their row locks (taken by the gate and by transfers) make it wait for that commit.
        lock_participantes(ids, session)
        statement = union(
            select(Actuacion.centro_id).where(among(Actuacion.participante_id, ids, session))
            .distinct(),
            select(LlamadaVerificacion.centro_id)
            .where(among(LlamadaVerificacion.participante_id, ids, session)).distinct(),
            select(Participante.centro_id).where(among(Participante.id, ids, session)))
        centres.update(session.scalars(statement, execution_options=ALL))
    return {c for c in centres if c is not None}


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this hook: its writes count too
    marks = session.info.get(MARK) or {}
    keys: set[str] = set()
    found: dict[tuple, set[int]] = {}  # families that touched the same rows read their centres once
    for clave, tocado in marks.items():
        if tocado.red:
            keys.add(clave)
            continue
        same = tuple(frozenset(s) for s in (tocado.centros, tocado.participantes,
                                             tocado.actuaciones, tocado.items))
        if same not in found:
            found[same] = _centres(session, tocado)
        keys.update(parte(clave, c) for c in found[same])
    session.info.pop(MARK, None)
    # The network rows first: creating a missing one locks nothing that a writer holds, and an
    # existing one is left unlocked (DO NOTHING). Then every bump in one statement, its rows in
    # one order for every writer, so no two writers wait for each other.
    _ensure(sorted({key.split(":", 1)[0] for key in keys} - keys), session)
    bump(sorted(keys), session)


def _insert(session: Session, claves: list[str], valor: int):
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return make(VersionDatos).values([{"clave": clave, "valor": valor, "token": uuid.uuid4().hex}
                                      for clave in claves])


def _ensure(claves: list[str], session: Session) -> None:
    """The network rows of these results, created (each with a fresh token) where missing: a
    part's version is read with its network row, and nothing is kept while it is missing."""
    if claves:
        session.execute(_insert(session, claves, 0).on_conflict_do_nothing(index_elements=["clave"]))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(MARK, None)


def bump(claves: str | list[str], session: Session | None = None) -> None:
    """One more version of each of `claves` (the network row of a result, or one centre's
    `parte`), in the session's transaction, in one statement (a row is created, with a new
    token, when missing). Rows are locked in the order given: give them sorted."""
    claves = [claves] if isinstance(claves, str) else claves
    if not claves:
        return
    session = session or db.session
    statement = _insert(session, claves, 1).on_conflict_do_update(
        index_elements=["clave"], set_={"valor": VersionDatos.valor + 1})
    session.execute(statement)


def bump_all(session: Session | None = None) -> None:
    """After writes that bypass the session (COPY, a raw connection): every result, every centre
    (their network rows)."""
    bump(sorted(TABLAS), session)


def renew_tokens() -> None:
    """A restored database brings its counters back to values its processes may already have
    kept results under, for other data (a backup of this same database, written to since): a
    new token on every row makes whatever any process kept stale. Committed."""
    db.session.execute(update(VersionDatos).values(token=uuid.uuid4().hex))
    db.session.commit()


def current(clave: str) -> tuple[str, int] | None:
    """The committed version of one row the session sees now; None when there is none."""
    row = db.session.execute(select(VersionDatos.token, VersionDatos.valor)
                             .where(VersionDatos.clave == clave)).first()
    return (row.token, row.valor) if row else None


def family(*claves: str) -> dict[str, tuple[str, int]]:
    """Every version row of these results (network and centres), read in one statement so they
    are of one moment: {"alertas": (token, valor), "alertas:7": ..., ...}."""
    rows = db.session.execute(select(VersionDatos.clave, VersionDatos.token, VersionDatos.valor)
                              .where(or_(*(VersionDatos.clave == c for c in claves),
                                         *(VersionDatos.clave.like(f"{c}:%") for c in claves))))
    return {row.clave: (row.token, row.valor) for row in rows}


def _writing(claves) -> bool:
    """This session holds uncommitted writes the result reads: its own view, not cached."""
    session = db.session()
    marks = session.info.get(MARK) or {}
    return any(c in marks for c in claves) or any(
        _relevant(c, o) for c in claves for o in (*session.new, *session.dirty, *session.deleted))


@contextmanager
def _whole_network():
    """A part is the same whoever asks (it is kept and served to every caller): computed without
    the caller's centre scope (scoping.py), its rules read each person's whole itinerary. The
    callers filter what they show (a director asks for the own centre's part only)."""
    if not has_app_context():
        yield
        return
    scope = current_centre_scope()
    set_centre_scope(None)
    try:
        yield
    finally:
        set_centre_scope(scope)


class Partes:
    """A network result kept as one part per centre, each with the versions it was computed
    under (the network rows of `claves` and the centre's rows): a write in one centre recomputes
    that centre's part only. Per (engine, key, centre); least recently used out beyond `size`.
    One per process (each worker keeps its own)."""

    # More centres than this to recompute: one network computation, split by centre, is cheaper.
    NETWORK_FROM = 3

    def __init__(self, *claves: str, size: int = 4096):
        self.claves, self.size = claves, size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def _version(self, versions: dict, centro_id: int | None):
        if centro_id is None:  # the whole network: every row of the family
            return tuple(sorted(versions.items()))
        return tuple((versions[c], versions.get(parte(c, centro_id))) for c in self.claves)

    def get(self, key, centros, one, network) -> dict:
        """{centre: part} for every centre of `centros`. `one(centre)` computes one part;
        `network()` all of them ({centre: part}, centres without data may be missing: then
        `one` is not asked, the caller's empty part stands)."""
        centros = list(centros)
        if _writing(self.claves):
            with _whole_network():
                found = network()
            return {c: found.get(c) for c in centros}
        versions = family(*self.claves)
        if any(c not in versions for c in self.claves):  # written without a counter: no reuse
            with _whole_network():
                found = network()
            return {c: found.get(c) for c in centros}
        url = str(db.engine.url)
        result, missing = {}, []
        with self.lock:
            for c in centros:
                found = self.items.get((url, key, c))
                if found and found[0] == self._version(versions, c):
                    self.items.move_to_end((url, key, c))
                    result[c] = found[1]
                else:
                    missing.append(c)
        if not missing:
            return result
        with _whole_network():
            if len(missing) >= self.NETWORK_FROM:
                computed = network()  # read after the versions: at least as new as them
                computed = {c: computed.get(c) for c in missing}
            else:
                computed = {c: one(c) for c in missing}
        if _writing(self.claves):  # the computation flushed this session's own writes
            return {**result, **computed}
        with self.lock:
            for c, value in computed.items():
                self.items[(url, key, c)] = (self._version(versions, c), value)
                self.items.move_to_end((url, key, c))
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return {**result, **computed}

    def whole(self, key, compute):
        """A result that reads the whole network (a network-wide average): recomputed after any
        write in any centre."""
        if _writing(self.claves):
            with _whole_network():
                return compute()
        versions = family(*self.claves)
        if any(c not in versions for c in self.claves):
            with _whole_network():
                return compute()
        version, full = self._version(versions, None), (str(db.engine.url), key, None)
        with self.lock:
            found = self.items.get(full)
            if found and found[0] == version:
                self.items.move_to_end(full)
                return found[1]
        with _whole_network():
            value = compute()
        if _writing(self.claves):
            return value
        with self.lock:
            self.items[full] = (version, value)
            self.items.move_to_end(full)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value
