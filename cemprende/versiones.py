"""Data versions for derived results that are too costly to compute on every read.

A derived result (today: the integrity alerts, `ALERTAS`) names the tables it reads. Every
session write to one of them (ORM flush, or an INSERT/UPDATE/DELETE statement through the
session) marks the session; just before its commit the session bumps the result's counter in
`version_datos`, inside the same transaction, as the last lock it takes (so a writer never waits
for another lock while holding it). A reader reads the counter first and reuses a result only if it
was computed under the same (token, valor): nothing it read has changed since, because the change
and its bump commit together. The result may hold changes newer than its version; then the next
reader sees a higher version and computes again (never the other way round).

Writes that bypass the session (a raw connection, COPY) must call `bump` themselves.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .extensions import db
from .itinerario.tipos import Tipo
from .models import Actuacion, ActuacionItem, Cotizacion, LlamadaVerificacion, VersionDatos

ALERTAS = "alertas"
# The actuación tipos the alerts read (microfinanciamiento/alertas.py and the reference prices);
# an actuación of another tipo (a routing, a characterisation) leaves the alerts as they are.
TIPOS_ALERTAS = frozenset({Tipo.COMITE, Tipo.VISITA_ACOMPANAMIENTO, Tipo.DESEMBOLSO,
                           Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO})
TABLAS = {ALERTAS: frozenset(m.__table__.name for m in (Actuacion, ActuacionItem, Cotizacion,
                                                         LlamadaVerificacion))}
MARK = "versiones_tocadas"


def _relevant(clave: str, obj) -> bool:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table not in TABLAS[clave]:
        return False
    if isinstance(obj, Actuacion) and clave == ALERTAS:
        return obj.tipo is None or obj.tipo in TIPOS_ALERTAS
    return True


def _mark(session: Session, clave: str) -> None:
    session.info.setdefault(MARK, set()).add(clave)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    changed = [*session.new, *session.deleted,
               *(o for o in session.dirty if session.is_modified(o, include_collections=False))]
    for clave in TABLAS:
        if any(_relevant(clave, obj) for obj in changed):
            _mark(session, clave)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    for clave, tables in TABLAS.items():
        if table not in tables:
            continue
        if clave == ALERTAS and table == Actuacion.__table__.name and state.is_insert:
            rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
            if rows and all(r.get("tipo") is not None and r.get("tipo") not in TIPOS_ALERTAS
                            for r in rows):
                continue  # only routings and the like: the alerts do not read them
        _mark(state.session, clave)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this hook: its writes count too
    claves = session.info.pop(MARK, None)
    for clave in sorted(claves or ()):
        bump(clave, session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(MARK, None)


def bump(clave: str, session: Session | None = None) -> None:
    """One more version of `clave`, in the session's transaction (the row is created, with a new
    token, when missing)."""
    session = session or db.session
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = make(VersionDatos).values(clave=clave, valor=1, token=uuid.uuid4().hex)
    statement = statement.on_conflict_do_update(index_elements=["clave"],
                                                set_={"valor": VersionDatos.valor + 1})
    session.execute(statement)


def current(clave: str) -> tuple[str, int] | None:
    """The committed version the session sees now; None when there is none (then nothing may be
    cached: the data may have been written without a counter)."""
    row = db.session.execute(select(VersionDatos.token, VersionDatos.valor)
                             .where(VersionDatos.clave == clave)).first()
    return (row.token, row.valor) if row else None


class Cache:
    """Results per (engine, key), each with the version it was computed under; least recently
    used out beyond `size`. One per process (each worker keeps its own)."""

    def __init__(self, clave: str, size: int = 64):
        self.clave, self.size = clave, size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def _writing(self) -> bool:
        """This session holds uncommitted writes the result reads: its own view, not cached."""
        session = db.session()
        return self.clave in session.info.get(MARK, ()) or any(
            _relevant(self.clave, o) for o in (*session.new, *session.dirty, *session.deleted))

    def get_or_compute(self, key, compute):
        if self._writing():
            return compute()
        version = current(self.clave)
        if version is None:
            return compute()
        full = (str(db.engine.url), key)
        with self.lock:
            found = self.items.get(full)
            if found and found[0] == version:
                self.items.move_to_end(full)
                return found[1]
        value = compute()  # read after the version: at least as new as it
        if self._writing():  # the computation flushed this session's own writes
            return value
        with self.lock:
            self.items[full] = (version, value)
            self.items.move_to_end(full)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value
