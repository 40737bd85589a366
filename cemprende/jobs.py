"""Background jobs: on a Redis queue (rq) when `JOBS_REDIS_URL` is set, else on a thread of this
process (the embedded set-up).

A job is a dotted path to a module-level function and plain, JSON-like arguments (ids, not ORM
objects). It runs inside an application context, commits its own work and keeps its own state
(progress, result) in the row of whatever it is working for: an import, an export file.
`submit` starts it only once the caller's transaction has committed, so the row the job reads is
there when it starts and a rolled-back request starts nothing.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)

_PENDING = "cemprende_jobs_after_commit"
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def submit(target: str, *args) -> None:
    """Run `target(*args)` in the background once the current transaction commits."""
    _resolve(target)  # a typo fails here, in the request, not later in a worker
    db.session.info.setdefault(_PENDING, []).append((target, args))


def backend() -> str:
    configured = current_app.config.get("JOBS_BACKEND")
    if configured:
        return configured
    return "rq" if current_app.config.get("JOBS_REDIS_URL") else "thread"


def execute(target: str, args) -> None:
    """Entry point of a job, in whichever process runs it (needs an application context)."""
    try:
        _resolve(target)(*args)
        db.session.commit()
    except Exception:
        db.session.rollback()
        # The job's own code records what failed on its row; the log names the job only, since
        # arguments and SQL parameters may carry personal data.
        log.error("El trabajo %s falló", target, exc_info=True)
        raise
    finally:
        db.session.remove()


def wait_for_threads(timeout: float = 60.0) -> None:
    """Join the thread jobs started so far (tests and CLI commands that must see the result)."""
    with _threads_lock:
        started = list(_threads)
    for thread in started:
        thread.join(timeout)


def queue():
    """The rq queue of this application (only with the rq backend)."""
    from redis import Redis  # optional dependency of the rq backend only
    from rq import Queue

    connection = Redis.from_url(current_app.config["JOBS_REDIS_URL"])
    return Queue(current_app.config.get("JOBS_QUEUE", "cemprende"), connection=connection)


def work(burst: bool = False) -> None:
    """Run an rq worker in this process (`flask jobs-worker`); jobs share its app context."""
    from rq import SimpleWorker

    jobs_queue = queue()
    SimpleWorker([jobs_queue], connection=jobs_queue.connection).work(burst=burst)


def _resolve(target: str) -> Callable:
    module_name, _, function_name = target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name, None)
    if not callable(function):
        raise ValueError(f"Trabajo desconocido: {target}")
    return function


def _start(target: str, args) -> None:
    mode = backend()
    if mode == "rq":
        timeout = current_app.config.get("JOBS_TIMEOUT_SECONDS", 3600)
        queue().enqueue_call(execute_in_worker, args=(target, list(args)),
                             timeout=timeout, result_ttl=3600, failure_ttl=86400)
    else:
        app = current_app._get_current_object()
        thread = threading.Thread(target=_run_in_thread, args=(app, target, args), daemon=True,
                                  name=f"trabajo:{target}")
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            _threads.append(thread)
        thread.start()


def execute_in_worker(target: str, args) -> None:
    execute(target, args)


def _run_in_thread(app, target: str, args) -> None:
    with app.app_context():
        try:
            execute(target, args)
        except Exception:  # nosec B110
            pass  # already logged and recorded by execute and the job itself (bandit B110)


@sa.event.listens_for(Session, "after_commit")
def _start_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for target, args in pending or ():
        try:
            _start(target, args)
        except Exception:
            log.error("No se pudo iniciar el trabajo %s", target, exc_info=True)


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
