"""Fixtures: one throwaway database per run (SQLite file or PostgreSQL database), emptied per test."""
from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import event
from sqlalchemy.engine import make_url

from cemprende import create_app, jobs
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
        # The audit trail refuses DELETE except while a retention run is flagged (as
        # `flask auditoria-retencion` does); TRUNCATE on PostgreSQL fires no row trigger.
        db.session.execute(sa.text("INSERT INTO auditoria_retencion (en, antes_de, filas, por, en_curso)"
                                   " VALUES (CURRENT_TIMESTAMP, CURRENT_DATE, 0, 'tests', 1)"))
        db.session.execute(sa.text("DELETE FROM auditoria"))
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


def empty_database_and_store(app, upload_root) -> None:
    # A background job an earlier test started and did not wait for must not finish inside this
    # one (ids are reused once the tables are emptied: it would touch this test's rows and files).
    jobs.wait_for_threads()
    with app.app_context():
        _empty_tables()
    for child in upload_root.iterdir():
        shutil.rmtree(child)


@pytest.fixture(autouse=True)
def clean_state(app, upload_root):
    empty_database_and_store(app, upload_root)
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


def post_at_once(app, calls) -> list[tuple[int, str | None]]:
    """Posts (staff, path, body) to the API from threads released together (a real race, each
    with its own client and token); answers (status, error code) in the order given."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def send(index, staff, path, body):
        client = app.test_client()
        headers = api_token(client, staff)
        barrier.wait()
        response = client.post(f"/api/v1{path}", json=body, headers=headers)
        answers[index] = (response.status_code,
                          (response.get_json() or {}).get("error", {}).get("code"))

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


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


# ---- itineraries through the API, shared by the tablero and process tests -------------------

MARCH = "desde=2015-03-01&hasta=2015-03-31"
NONE = dict(discapacidad=False, desplazamiento=False)
_documents = itertools.count(70_000_000)


class Centre:
    """Builds people and itineraries in one centre through the API (a caller from `api`)."""

    def __init__(self, caller):
        self.caller = caller

    def person(self, **fields):
        fields.setdefault("remitido_dps", False)
        if fields["remitido_dps"]:
            fields.setdefault("programa_dps", "RIE 2013")
        else:
            fields.setdefault("programa_dps", None)
        body = person_payload(numero_documento=str(next(_documents)), **fields)
        response = self.caller.post("/participantes", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def act(self, person_id, tipo, fecha, **fields):
        response = self.caller.post(f"/participantes/{person_id}/actuaciones",
                                    json={"tipo": tipo, "fecha": fecha, **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def annul(self, actuacion_id):
        response = self.caller.post(f"/actuaciones/{actuacion_id}/anular", json={"motivo": "Error de digitación"})
        assert response.status_code == 200

    def vacante(self, cupos, fecha):
        return self.caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": cupos,
                                                   "fecha": fecha}).get_json()["id"]


@pytest.fixture
def centre(api):
    """centre(staff): a Centre that records as that staff member."""
    return lambda staff: Centre(api(staff))


def build_routing_scenario(a: Centre) -> None:
    """March 2015 routings; test_tableros.ROUTING_EXPECTED holds the figures they give."""
    # P1: first routing in the period, double condition (disability and displacement).
    p1 = a.person(sexo="F", etnia="afrodescendiente", tipo_poblacion="red_unidos",
                  discapacidad=True, desplazamiento=True)
    a.act(p1, "enrutamiento", "2015-03-05", destino="emprendimiento")
    # P2: first routed in February, re-routed in March: not new in March.
    p2 = a.person(sexo="F", etnia="ninguno", tipo_poblacion="sisben", **NONE)
    a.act(p2, "enrutamiento", "2015-02-20", destino="emprendimiento")
    a.act(p2, "enrutamiento", "2015-03-10", destino="empleabilidad")
    # P3: DPS, on the last day of the period (hasta is inclusive).
    p3 = a.person(remitido_dps=True, sexo="M", etnia="raizal", tipo_poblacion="sisben", **NONE)
    a.act(p3, "enrutamiento", "2015-03-31", destino="empleabilidad")
    # P4: DPS, on the first day (desde is inclusive), every category unknown.
    p4 = a.person(remitido_dps=True, sexo=None, etnia=None, tipo_poblacion=None,
                  discapacidad=None, desplazamiento=None)
    a.act(p4, "enrutamiento", "2015-03-01", destino="emprendimiento")
    # P5: routed the day after the cut.
    p5 = a.person(sexo="M", etnia="ninguno", tipo_poblacion="sisben", **NONE)
    a.act(p5, "enrutamiento", "2015-04-01", destino="emprendimiento")
    # P6: an annulled routing first; the valid one (empleabilidad) is the first that counts.
    p6 = a.person(sexo="I", etnia="indigena", tipo_poblacion="otros_vulnerables",
                  discapacidad=False, desplazamiento=True)
    a.annul(a.act(p6, "enrutamiento", "2015-03-15", destino="emprendimiento"))
    a.act(p6, "enrutamiento", "2015-03-20", destino="empleabilidad")
    # P7: its only earlier routing (February) was annulled, so March is its first.
    p7 = a.person(sexo="M", etnia="ninguno", tipo_poblacion="no_vulnerables",
                  discapacidad=True, desplazamiento=False)
    a.annul(a.act(p7, "enrutamiento", "2015-02-10", destino="empleabilidad"))
    a.act(p7, "enrutamiento", "2015-03-12", destino="emprendimiento")
    # P8: recorded today, dated in March.
    p8 = a.person(sexo="F", etnia="rrom", tipo_poblacion="red_unidos", **NONE)
    a.act(p8, "enrutamiento", "2015-03-25", destino="empleabilidad")
    # P9: two routings the same day: the one typed first decides the destino.
    p9 = a.person(sexo="F", etnia="ninguno", tipo_poblacion="sisben", **NONE)
    a.act(p9, "enrutamiento", "2015-03-18", destino="emprendimiento")
    a.act(p9, "enrutamiento", "2015-03-18", destino="empleabilidad")


def build_services_scenario(a: Centre) -> None:
    """March 2015 services; test_tableros.SERVICES_EXPECTED and MICRO_EXPECTED hold the figures."""
    q1 = a.person(**NONE)
    q2 = a.person(**NONE)
    # 2.x: distinct persons per destino; annulled and out-of-period referrals do not count.
    a.act(q1, "referenciacion", "2015-03-02", destino="terceros", programa="Fundación")
    a.act(q1, "referenciacion", "2015-03-09", destino="terceros", programa="Fundación")
    a.act(q1, "referenciacion", "2015-03-09", destino="dps", programa="Mi Negocio")
    a.act(q2, "referenciacion", "2015-03-03", destino="terceros", programa="Fundación")
    a.annul(a.act(q2, "referenciacion", "2015-03-04", destino="gobierno_local", programa="Alcaldía"))
    a.act(q2, "referenciacion", "2015-02-28", destino="gobierno_nacional", programa="SENA")
    a.act(q2, "referenciacion", "2015-03-31", destino="otras_entidades_nacionales", programa="Bancóldex")
    a.act(q2, "referenciacion", "2015-03-01", destino="otros", programa="Cooperativa")
    # Empleabilidad.
    a.act(q1, "capacitacion_fis", "2015-03-02", curso="Servicio al cliente")
    a.act(q1, "capacitacion_fis", "2015-03-16", curso="Entrevista")
    a.act(q2, "capacitacion_fis", "2015-03-16", curso="Entrevista")
    a.act(q1, "hoja_de_vida", "2015-03-03", plataforma="spe", codigo="123")
    v1 = a.vacante(3, "2015-03-10")
    a.vacante(5, "2015-02-15")
    v3 = a.vacante(2, "2015-03-31")
    a.act(q1, "remision_seleccion", "2015-03-11", vacante_id=v1)
    a.act(q2, "remision_seleccion", "2015-03-12", vacante_id=v1)
    a.act(q1, "colocacion", "2015-03-20", vacante_id=v1)
    a.act(q2, "remision_seleccion", "2015-03-31", vacante_id=v3)
    a.annul(a.act(q2, "colocacion", "2015-03-31", vacante_id=v3))
    # Emprendimiento.
    a.act(q1, "perfil_proyecto", "2015-03-04", nombre_negocio="Tienda", sector="Comercio")
    a.act(q2, "perfil_proyecto", "2015-03-05", nombre_negocio="Taller", sector="Servicios")
    a.act(q2, "perfil_proyecto", "2015-02-05", nombre_negocio="Taller", sector="Servicios")
    # One financiación per business plan: q1's second plan (the only one in the period) gets the
    # second financiación; the earlier plans are February's.
    a.act(q1, "plan_negocio", "2015-02-25", nombre_negocio="Tienda", valor_solicitado=2_000_001)
    a.act(q2, "plan_negocio", "2015-02-10", nombre_negocio="Taller", valor_solicitado=1_500_000)
    a.act(q1, "financiacion", "2015-03-05", modalidad="directo", valor=2_000_001)
    a.act(q1, "plan_negocio", "2015-03-06", nombre_negocio="Tienda", valor_solicitado=2_500_000)
    a.act(q1, "financiacion", "2015-03-08", modalidad="referenciacion", valor=500_000)
    a.act(q2, "financiacion", "2015-03-09", modalidad="referenciacion", valor=500_000)
    a.act(q1, "plan_implementado", "2015-03-25")
    a.act(q1, "fortalecimiento_sede", "2015-03-10", tema="Costos")
    a.act(q2, "fortalecimiento_sede", "2015-03-11", tema="Mercadeo")
    a.act(q2, "formalizacion", "2015-03-12", registro="Matrícula mercantil")
    a.act(q1, "empleo_generado", "2015-03-26", autoempleos=1, directos=2)
    a.act(q2, "empleo_generado", "2015-03-27", autoempleos=1, directos=0)
    # Microcapitalización. Visits: only the follow-up (seguimiento) ones count in 17.1 and M6.
    a.act(q1, "visita_acompanamiento", "2015-03-01", clase="diagnostico")
    a.act(q1, "plan_ajustado", "2015-03-02", valor=2_000_001)
    a.act(q1, "comite", "2015-03-05", decision="aprobado", valor=2_000_001, acta="ACA-1")
    a.act(q1, "desembolso", "2015-03-10", valor=1_200_001, proveedor="Almacén")
    a.act(q1, "desembolso", "2015-03-20", valor=800_000, proveedor="Almacén")
    a.act(q1, "visita_acompanamiento", "2015-03-28", clase="seguimiento")
    a.act(q2, "visita_acompanamiento", "2015-02-15", clase="diagnostico")
    a.act(q2, "plan_ajustado", "2015-02-20", valor=1_500_000)
    a.act(q2, "visita_acompanamiento", "2015-03-02", clase="diagnostico")
    a.act(q2, "comite", "2015-03-03", decision="rechazado", valor=1_500_000, acta="ACA-1")
    a.act(q2, "plan_ajustado", "2015-03-06", valor=1_000_000)
    a.act(q2, "comite", "2015-03-08", decision="aprobado", valor=1_000_000, acta="ACA-2")
    a.act(q2, "desembolso", "2015-04-02", valor=1_000_000, proveedor="Almacén")


class Statements:
    """The SQL statements the app sends while active (a `with` block)."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.sent: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.sent.append(statement)

    def touching(self, *tables: str) -> list[str]:
        flat = [" ".join(s.replace('"', "").split()) for s in self.sent]
        return [s for s in flat if any(f"FROM {t}" in s or f"JOIN {t}" in s for t in tables)]


# Advisors of centres A and B recording through the API (a test module may name its own).
@pytest.fixture
def a(api, world):
    return Centre(api(world["asesor_a"]))


@pytest.fixture
def b(api, world):
    return Centre(api(world["asesor_b"]))
