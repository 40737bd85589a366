"""A write that waits too long for a lock another transaction holds answers 409 and writes
nothing (SQLite: the busy timeout; PostgreSQL: lock_timeout), on both engines, never a 500."""
import sqlite3
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from cemprende.extensions import db
from cemprende.models import Actuacion

from conftest import MARCH


@pytest.fixture
def short_lock_wait(app):
    """Connections opened from now on give up a lock wait after 300 ms."""
    before = app.config["DATABASE_LOCK_TIMEOUT_MS"]
    app.config["DATABASE_LOCK_TIMEOUT_MS"] = 300
    with app.app_context():
        db.engine.dispose()
    yield
    app.config["DATABASE_LOCK_TIMEOUT_MS"] = before
    with app.app_context():
        db.engine.dispose()


@contextmanager
def held_by_another_transaction(app, participante_id: int):
    """Another connection holds the lock a write for this person needs, until the block ends."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the database's write lock
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as other:
            other.execute(sa.text("SELECT id FROM participante WHERE id = :id FOR UPDATE"),
                          {"id": participante_id})
            yield
            other.rollback()
    finally:
        engine.dispose()


def test_a_write_blocked_past_the_lock_timeout_is_a_409_and_writes_nothing(app, api, world, centre,
                                                                            short_lock_wait):
    a = centre(world["asesor_a"])
    person = a.person()
    caller = api(world["asesor_a"])
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Actuacion))
        db.session.remove()
    with held_by_another_transaction(app, person):
        response = caller.post(f"/participantes/{person}/actuaciones",
                               json={"tipo": "enrutamiento", "fecha": "2015-03-10", "destino": "empleabilidad"})
    assert response.status_code == 409, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "operacion_concurrente"
    assert "Intente de nuevo" in error["message"] and "no se guardó nada" in error["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Actuacion)) == before
        db.session.remove()
    # The lock released, the same request goes through.
    again = caller.post(f"/participantes/{person}/actuaciones",
                        json={"tipo": "enrutamiento", "fecha": "2015-03-10", "destino": "empleabilidad"})
    assert again.status_code == 201, again.get_json()
    assert caller.get(f"/tableros/global?{MARCH}").status_code == 200
