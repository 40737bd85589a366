"""Fixtures: one throwaway database per run (SQLite file or PostgreSQL database), emptied per test."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.engine import make_url

from cemprende import create_app
from cemprende.config import TestConfig
from cemprende.extensions import db, limiter
from cemprende.models import Centro, Staff
from cemprende.auth.passwords import hash_password

PASSWORD = "Clave-de-prueba-2026"

# The host's zone is neither UTC nor Bogotá, and the clock stands at an evening hour in Bogotá
# (already 1 April in UTC and in Tokyo): "today" must be Colombia's whatever the host says.
os.environ["TZ"] = "Asia/Tokyo"
time.tzset()
BOGOTA_EVENING = datetime.fromisoformat("2026-03-31T21:30:00-05:00")
TODAY = BOGOTA_EVENING.date()  # the test clock's day in Bogotá
BASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


def _create_postgres_database(url: str) -> str:
    server = make_url(url)
    name = f"cemprende_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.exit(
            f"PostgreSQL no responde en {server.render_as_string(hide_password=True)}: {error.orig}\n"
            "Inicie el servidor (pg_ctlcluster --skip-systemctl-redirect <versión> main start) "
            "o defina TEST_DATABASE_URL.", returncode=3)
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url():
    if BASE_URL.startswith("postgresql"):
        url = _create_postgres_database(BASE_URL)
        yield url
        _drop_postgres_database(url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/test.sqlite3"


@pytest.fixture(scope="session")
def upload_root():
    with tempfile.TemporaryDirectory(prefix="cemprende-docs-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
def app(database_url, upload_root):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SERVER_NAME = None
        UPLOAD_ROOT = str(upload_root)

    application = create_app(Config)
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{t}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


def stored_files(root: Path) -> list[Path]:
    """Every file in the document store, temporary ones included."""
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def bogota_evening(request):
    """Service and API tests run on the Bogotá-evening clock, ticking from there; browser tests
    (marked real_clock) keep the real one, which Chromium's cookies follow."""
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(BOGOTA_EVENING, tick=True):
        yield


@pytest.fixture(autouse=True)
def clean_state(app, upload_root):
    with app.app_context():
        _empty_tables()
    for child in upload_root.iterdir():
        shutil.rmtree(child)
    limiter.reset()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def ctx(app):
    """An application context for calling services directly, as the CLI does."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    return app.test_client


# ---- data builders ---------------------------------------------------------------------------

class Builder:
    """Creates centres and staff directly (they are set-up, not what the tests exercise)."""

    def __init__(self, app):
        self.app = app
        self._hash = None

    def centro(self, ciudad: str = "Cartagena", modalidad: str = "Cemprende") -> Centro:
        with self.app.app_context():
            centro = Centro(nombre=f"{modalidad} {ciudad}", ciudad=ciudad, departamento="Bolívar",
                            modalidad=modalidad, fecha_apertura=date(2014, 1, 1))
            db.session.add(centro)
            db.session.commit()
            db.session.refresh(centro)
            db.session.expunge(centro)
            return centro

    def staff(self, rol: str, centro: Centro | None = None, username: str | None = None,
              activo: bool = True) -> Staff:
        with self.app.app_context():
            if self._hash is None:
                self._hash = hash_password(PASSWORD)
            staff = Staff(username=username or f"{rol}.{uuid.uuid4().hex[:6]}", nombre=f"{rol} de prueba",
                          rol=rol, centro_id=centro.id if centro else None,
                          password_hash=self._hash, activo=activo)
            db.session.add(staff)
            db.session.commit()
            db.session.refresh(staff)
            db.session.expunge(staff)
            return staff


@pytest.fixture
def build(app):
    return Builder(app)


@pytest.fixture
def world(build):
    """Two centres, each with an asesor and a director; a supervisor and an admin."""
    a, b = build.centro("Cartagena"), build.centro("Ocaña", "COEE")
    return {
        "centro_a": a, "centro_b": b,
        "asesor_a": build.staff("asesor", a), "director_a": build.staff("director", a),
        "asesor_b": build.staff("asesor", b), "director_b": build.staff("director", b),
        "supervisor": build.staff("supervisor"), "admin": build.staff("admin"),
    }


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, staff: Staff, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": staff.username, "password": password,
                                       "csrf_token": token})


def api_token(client, staff: Staff) -> dict:
    response = client.post("/api/v1/tokens", json={"username": staff.username, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def person_payload(**overrides) -> dict:
    data = {
        "tipo_documento": "CC", "numero_documento": "1098765432", "nombres": "Ana María",
        "apellidos": "Pérez Rojas", "sexo": "F", "fecha_nacimiento": "1990-05-17",
        "municipio": "Ocaña", "telefono": "3001234567", "correo": None,
        "etnia": "afrodescendiente", "discapacidad": False, "desplazamiento": True,
        "tipo_poblacion": "red_unidos", "remitido_dps": True, "programa_dps": "RIE 2013",
        "consentimiento_datos": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def api(client):
    """Calls the API as a given staff member: api(staff).post(path, json=...)."""
    class Caller:
        def __init__(self, staff):
            self.headers = api_token(client, staff)

        def __getattr__(self, method):
            def call(path, **kwargs):
                return getattr(client, method)(f"/api/v1{path}", headers=self.headers, **kwargs)
            return call

    return Caller
