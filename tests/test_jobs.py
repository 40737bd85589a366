"""Background jobs start only after the submitting transaction commits, on a thread or on rq."""
from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import select

from cemprende import jobs
from cemprende.extensions import db
from cemprende.models import Centro

SEEN: list[tuple[str, bool]] = []


def look_for_centre(nombre: str) -> None:
    """The job: records whether the row its request wrote is visible from where it runs."""
    found = db.session.scalar(select(Centro).where(Centro.nombre == nombre)) is not None
    SEEN.append((nombre, found))


def _add_centre(nombre: str) -> None:
    db.session.add(Centro(nombre=nombre, ciudad="Cartagena", departamento="Bolívar",
                          modalidad="Cemprende"))
    db.session.flush()


@pytest.fixture(autouse=True)
def forget_seen():
    SEEN.clear()


def test_thread_job_runs_after_commit_and_sees_the_row(app, ctx):
    _add_centre("Centro del trabajo")
    jobs.submit(f"{__name__}:look_for_centre", "Centro del trabajo")
    assert SEEN == []  # nothing starts before the commit
    db.session.commit()
    jobs.wait_for_threads()
    assert SEEN == [("Centro del trabajo", True)]


def test_rolled_back_request_starts_nothing(app, ctx):
    _add_centre("Centro deshecho")
    jobs.submit(f"{__name__}:look_for_centre", "Centro deshecho")
    db.session.rollback()
    db.session.commit()
    jobs.wait_for_threads()
    assert SEEN == []


def test_unknown_job_fails_at_submit(app, ctx):
    with pytest.raises(ValueError):
        jobs.submit(f"{__name__}:no_such_function", 1)


def test_rq_job_runs_in_a_worker(app, ctx):
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis no responde en 127.0.0.1:6379 (lo inicia .ci/run)")
    app.config.update(JOBS_REDIS_URL=url, JOBS_QUEUE=f"prueba-{uuid.uuid4().hex[:8]}")
    try:
        _add_centre("Centro en cola")
        jobs.submit(f"{__name__}:look_for_centre", "Centro en cola")
        db.session.commit()
        assert SEEN == [] and jobs.queue().count == 1  # queued, not run in the request
        jobs.work(burst=True)
        assert SEEN == [("Centro en cola", True)]
        assert jobs.queue().count == 0
    finally:
        app.config.update(JOBS_REDIS_URL=None, JOBS_QUEUE="cemprende")
