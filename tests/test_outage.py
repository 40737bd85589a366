"""The database goes away and comes back (issue 14.7): a PostgreSQL cluster of the test's own
(never the machine's shared server) is stopped under a running app. /api/v1/salud answers 503,
the API a 503 in its error shape and the pages a Spanish 503 page (no traceback, no hang), and
once the server is back the same app serves again without a restart."""
from __future__ import annotations

import time

import pytest

from cemprende import create_app
from cemprende.auth.passwords import hash_password
from cemprende.config import TestConfig
from cemprende.extensions import db
from cemprende.models import Centro, Staff
from conftest import PASSWORD, csrf_token
from pgcluster import Cluster, binaries

pytestmark = pytest.mark.real_clock


@pytest.fixture(scope="module")
def cluster():
    if binaries() is None:
        pytest.skip("initdb no está instalado (paquete postgresql): no se puede levantar un "
                    "servidor PostgreSQL propio para detenerlo.")
    with Cluster() as running:
        yield running


@pytest.fixture
def outage_app(cluster, upload_root):
    url = cluster.create_database(f"outage_{int(time.time() * 1000)}")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_ROOT = str(upload_root)

    application = create_app(Config)
    with application.app_context():
        db.create_all()
        centro = Centro(nombre="Cemprende Caída", ciudad="Cartagena", departamento="Bolívar",
                        modalidad="Cemprende")
        db.session.add(centro)
        db.session.flush()
        db.session.add(Staff(username="asesor.caida", nombre="Asesor", rol="asesor",
                             centro_id=centro.id, password_hash=hash_password(PASSWORD), activo=True))
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if not cluster.running:
        cluster.start()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_database_outage_answers_503_and_recovers_without_restart(cluster, outage_app):
    api = outage_app.test_client()
    page = outage_app.test_client()
    token = api.post("/api/v1/tokens", json={"username": "asesor.caida", "password": PASSWORD})
    assert token.status_code == 201
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert page.post("/login", data={"username": "asesor.caida", "password": PASSWORD,
                                     "csrf_token": csrf_token(page)}).status_code == 302
    assert api.get("/api/v1/salud").status_code == 200
    assert api.get("/api/v1/participantes", headers=bearer).status_code == 200
    assert page.get("/participantes/").status_code == 200

    cluster.stop()

    salud, seconds = timed(lambda: api.get("/api/v1/salud"))
    assert salud.status_code == 503 and salud.get_json() == {"estado": "sin_base_de_datos"}
    assert seconds < 5

    listed, seconds = timed(lambda: api.get("/api/v1/participantes", headers=bearer))
    assert listed.status_code == 503, listed.get_data(as_text=True)[:300]
    error = listed.get_json()["error"]
    assert error["code"] == "base_de_datos_no_disponible"
    assert "base de datos" in error["message"]
    assert listed.headers["Retry-After"]
    assert seconds < 5

    written = api.post("/api/v1/participantes/1/actuaciones", headers=bearer,
                       json={"tipo": "caracterizacion", "fecha": "2026-03-01"})
    assert written.status_code == 503 and written.is_json

    shown, seconds = timed(lambda: page.get("/participantes/"))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 503, html[:300]
    assert "La base de datos no está disponible" in html and "Servicio no disponible" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert seconds < 5

    login_page = outage_app.test_client().get("/login")
    assert login_page.status_code in (200, 503)  # the form needs no database; never a 500

    cluster.start()

    assert api.get("/api/v1/salud").status_code == 200
    assert api.get("/api/v1/participantes", headers=bearer).status_code == 200
    assert page.get("/participantes/").status_code == 200


def test_a_database_fault_that_is_not_an_outage_stays_a_500(app):
    """A missing table (a bug, not an outage) must not hide behind a 503."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from cemprende.errorpages import database_unavailable

    assert not database_unavailable(OperationalError("SELECT 1", {}, sqlite3.OperationalError(
        "no such table: x")))
    assert database_unavailable(OperationalError("SELECT 1", {}, sqlite3.OperationalError(
        "unable to open database file")))
    assert database_unavailable(OperationalError("SELECT 1", {}, Exception("cut"),
                                                 connection_invalidated=True))
