"""Reads on a replica (setting DATABASE_READ_URL): the tableros, their drill-downs and breakdowns,
the bases and the informes read from a streaming replica of the PostgreSQL server; every write,
and every other page, stays on the primary (DATABASE_URL).

- Which reads: a view marked `@from_replica` (or code inside `with read_replica():`, the
  background XLSX of a base) sends its plain SELECTs to the replica. A flush, an INSERT / UPDATE /
  DELETE, a SELECT ... FOR UPDATE and any textual SQL go to the primary even there, so the audit
  entry of a download is written on the primary in the same commit as ever.
- Reading one's own writes: a request that wrote (a flush, a DML statement; an audit entry alone
  does not count) and committed leaves the primary's WAL position (`pg_current_wal_insert_lsn()`,
  taken after the commit) in the user's session (for bearer callers, in this process, keyed by the token). While the replica
  has not replayed up to that position, that user's marked reads go to the primary; the first
  read that finds the replica caught up drops the mark. So a page right after a save always
  shows the save, however far behind the replica is, and the replica takes over as soon as it
  has it (usually at the next page).
- The replica down: the check at the first marked read of a request fails, a warning goes to
  the log (the error's class only: no statement, no values), and for DATABASE_READ_RETRY_SECONDS
  (30) every read of this process goes to the primary without trying the replica again.
- Without DATABASE_READ_URL nothing of this runs: one engine, no extra query, and the session's
  choice of engine costs one boolean test per statement.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

EXTENSION = "cemprende_lectura"
SESSION_KEY = "_lsn"  # the primary's WAL position after this user's last write
_SCOPE = "_lectura"  # g: this request (or block) may read from the replica
_CHOICE = "_lectura_motor"  # g: the engine chosen for its reads (None: the primary)
_WROTE = "_lectura_escribio"  # g: the request wrote something
_UNSET = object()

# True once any application of this process has a replica: until then the session's choice of
# engine is Flask-SQLAlchemy's own, untouched.
_any_replica = False


class Replica:
    """A replica's engine and whether it is answering, shared by the requests of one process."""

    def __init__(self, engine: Engine, retry_seconds: float):
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.down_until = 0.0
        self.failing = False
        self.lock = threading.Lock()
        self.api_marks: OrderedDict[int, str] = OrderedDict()  # token id -> LSN, bearer callers

    def is_resting(self) -> bool:
        return time.monotonic() < self.down_until

    def went_down(self, error: Exception) -> None:
        """One warning when it stops answering (not one per failed retry)."""
        with self.lock:
            already, self.failing = self.failing, True
            self.down_until = time.monotonic() + self.retry_seconds
        if not already:
            log.warning("La réplica de lectura no responde (%s): las lecturas van al servidor "
                        "principal; se vuelve a intentar cada %d s.", type(error).__name__,
                        self.retry_seconds)

    def answered(self) -> None:
        if self.failing:
            with self.lock:
                self.failing = False
            log.info("La réplica de lectura responde de nuevo: las lecturas vuelven a ella.")

    def mark_api(self, token_id: int, lsn: str) -> None:
        with self.lock:
            self.api_marks[token_id] = lsn
            self.api_marks.move_to_end(token_id)
            while len(self.api_marks) > 10_000:
                self.api_marks.popitem(last=False)


def replica(app: Flask | None = None) -> Replica | None:
    return (app or current_app).extensions.get(EXTENSION)


# ---- where the session sends a statement -----------------------------------------------------

class RoutingSession(FlaskSession):
    """Flask-SQLAlchemy's session, sending the plain SELECTs of a marked read to the replica."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if _any_replica and bind is None and not self._flushing and _plain_read(clause):
            engine = reads_engine()
            if engine is not None:
                return engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _plain_read(clause) -> bool:
    return (clause is not None and getattr(clause, "is_select", False)
            and getattr(clause, "_for_update_arg", None) is None)


def reads_engine() -> Engine | None:
    """The replica's engine when the current request (or block) reads from it; None: the primary."""
    if not has_app_context() or not g.get(_SCOPE):
        return None
    choice = g.get(_CHOICE, _UNSET)
    if choice is _UNSET:
        choice = _choose()
        setattr(g, _CHOICE, choice)
    return choice


def _pending_mark() -> str | None:
    if not has_request_context():
        return None
    token = g.get("api_token")
    if token is not None:
        found = replica()
        return found.api_marks.get(token.id) if found else None
    return session.get(SESSION_KEY)


def _drop_mark() -> None:
    token = g.get("api_token")
    if token is not None:
        found = replica()
        with found.lock:
            found.api_marks.pop(token.id, None)
    else:
        session.pop(SESSION_KEY, None)


def _choose() -> Engine | None:
    found = replica()
    if found is None or found.is_resting():
        return None
    mark = _pending_mark()
    # Replayed up to the mark (or promoted, so no longer replaying: it has what it has).
    check = (sa.text("SELECT pg_last_wal_replay_lsn() IS NULL "
                     "OR pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)").bindparams(lsn=mark)
             if mark else sa.text("SELECT true"))
    for attempt in (1, 2):  # a pooled connection the replica's restart cut: once more, afresh
        try:
            with found.engine.connect() as connection:
                caught_up = bool(connection.scalar(check))
            break
        except sa.exc.DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                found.went_down(error)
                return None
    found.answered()
    if not caught_up:
        return None  # this user's last write is not there yet
    if mark:
        _drop_mark()
    return found.engine


@contextmanager
def read_replica(engine: Engine | None | object = _UNSET) -> Iterator[None]:
    """The block's plain reads go to the replica (when there is one and it is up). `engine`:
    the choice already made by a request, carried into a context of its own (a streamed file)."""
    if not has_app_context():
        yield
        return
    before = (g.get(_SCOPE), g.get(_CHOICE, _UNSET))
    setattr(g, _SCOPE, True)
    if engine is not _UNSET:
        setattr(g, _CHOICE, engine)
    else:
        g.pop(_CHOICE, None)
    try:
        yield
    finally:
        setattr(g, _SCOPE, before[0])
        if before[1] is _UNSET:
            g.pop(_CHOICE, None)
        else:
            setattr(g, _CHOICE, before[1])


def from_replica(view: Callable) -> Callable:
    """A read-only view (tablero, drill-down, base, informe): its reads may come from the replica.
    The mark lasts to the end of the request, so a body streamed after the view returns reads
    from the same server."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if _any_replica:
            setattr(g, _SCOPE, True)
        return view(*args, **kwargs)
    return wrapper


def carried() -> Callable[[], object]:
    """For a body streamed in an application context of its own: a factory of the context manager
    that reads from the server this request reads from."""
    if not _any_replica or not has_app_context() or not g.get(_SCOPE):
        return _nothing
    engine = reads_engine()
    return lambda: read_replica(engine)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# ---- reading one's own writes -----------------------------------------------------------------

# Writes no marked page reads back: the audit entry of a download must not send the reader's
# next pages to the primary.
NOT_READ_BACK = frozenset({"auditoria"})


def _read_back(instance) -> bool:
    return getattr(instance, "__tablename__", None) not in NOT_READ_BACK


@event.listens_for(RoutingSession, "after_flush")
def _flushed(session_, _flush_context) -> None:
    # after_flush still sees what the flush wrote in new / dirty / deleted.
    if _any_replica and has_request_context() and not g.get(_WROTE) and (
            any(_read_back(o) for o in session_.new) or any(_read_back(o) for o in session_.deleted)
            or any(_read_back(o) and session_.is_modified(o) for o in session_.dirty)):
        setattr(g, _WROTE, True)


@event.listens_for(RoutingSession, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:
        table = getattr(state.statement, "table", None)  # DML; textual SQL may write anything
        written(getattr(table, "name", None))


def written(table: str | None) -> None:
    """This request wrote into `table` (a statement, or rows sent by COPY: locking.py)."""
    if _any_replica and has_request_context() and table not in NOT_READ_BACK:
        setattr(g, _WROTE, True)


def _remember_write(response):
    """After the request's commit (this hook runs after the one that commits): the primary's WAL
    position, for this user's next reads."""
    if not g.get(_WROTE) or response.status_code >= 400:
        return response
    primary = current_app.extensions["sqlalchemy"].engine  # extensions.py imports this module
    try:
        with primary.connect() as connection:
            lsn = connection.scalar(sa.text("SELECT pg_current_wal_insert_lsn()::text"))
    except sa.exc.DBAPIError:
        return response  # the primary is away: this request's answer says so already
    token = g.get("api_token")
    if token is not None:
        replica().mark_api(token.id, lsn)
    elif request.blueprint != "api":  # a token's creation sets no cookie
        session[SESSION_KEY] = lsn
    return response


# ---- set-up -------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Creates the replica's engine when DATABASE_READ_URL is set; nothing otherwise. Call right
    after db.init_app, before the hook that commits each request is added (so this one runs
    after it)."""
    global _any_replica
    url = app.config.get("DATABASE_READ_URL")
    if not url:
        return
    primary = app.config["SQLALCHEMY_DATABASE_URI"]
    if not (url.startswith("postgresql") and primary.startswith("postgresql")):
        raise RuntimeError("DATABASE_READ_URL (réplica de lectura) solo se admite con PostgreSQL "
                           "en DATABASE_URL y en la réplica.")
    options = {key: value for key, value in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items()
               if key != "pool_pre_ping"}  # the check of each request is the ping
    connect_args = {**options.pop("connect_args", {}),
                    "connect_timeout": app.config.get("DATABASE_READ_CONNECT_TIMEOUT", 3)}
    engine = sa.create_engine(url, connect_args=connect_args, **options)
    app.extensions[EXTENSION] = Replica(engine, app.config.get("DATABASE_READ_RETRY_SECONDS", 30))
    app.after_request(_remember_write)
    _any_replica = True


def dispose(app: Flask) -> None:
    found = replica(app)
    if found is not None:
        found.engine.dispose()
