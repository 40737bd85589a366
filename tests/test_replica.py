"""Reads on a replica (issue 17.3): a throwaway PostgreSQL primary and a streaming replica of it
(initdb, pg_basebackup -R, pg_ctl; never the machine's shared server), each on a port of its own.

The proof that a read came from the replica: its replay is paused (pg_wal_replay_pause), so a
write made since is on the primary only; a read that misses it was served by the replica, a read
that shows it by the primary."""
from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select

from cemprende import create_app, lectura
from cemprende.config import TestConfig
from cemprende.extensions import db
from conftest import Builder, api_token, csrf_token, login, person_payload
from pgcluster import Cluster, Standby, has_replication_tools

pytestmark = pytest.mark.real_clock

MARCH = "desde=2015-03-01&hasta=2015-03-31"
LIST = f"/tableros/global/filas/1.1/personas?{MARCH}"
NARRATIVA = {"logros": "Se enrutaron más personas que en febrero.",
             "dificultades": "Conectividad intermitente en Ocaña.",
             "acciones_mejora": "Jornadas de registro los sábados.",
             "casos_destacados": "La panadería de doña Ana ya emplea a dos personas."}


@pytest.fixture(scope="module")
def servers():
    if not has_replication_tools():
        pytest.skip("pg_basebackup o initdb no están instalados (paquete postgresql): no se puede "
                    "levantar un servidor PostgreSQL propio con una réplica para probar las "
                    "lecturas en la réplica.")
    with Cluster() as primary:
        standby = Standby.of(primary)
        try:
            yield primary, standby
        finally:
            standby.destroy()


@pytest.fixture
def replica_app(servers, upload_root):
    primary, standby = servers
    name = f"replica_{int(time.time() * 1000)}"
    url = primary.create_database(name)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        DATABASE_READ_URL = standby.url(name)
        DATABASE_READ_RETRY_SECONDS = 1
        UPLOAD_ROOT = str(upload_root)

    application = create_app(Config)
    application.config["DATABASE_NAME"] = name
    with application.app_context():
        db.create_all()
    standby.wait_caught_up()
    yield application
    if not standby.running:
        standby.start()
    standby.resume_replay()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    lectura.dispose(application)


class Centre:
    """A centre with an asesor and a director, their API tokens and their signed-in browsers."""

    def __init__(self, app):
        build = Builder(app)
        self.centro = build.centro("Cartagena")
        self.asesor, self.director = build.staff("asesor", self.centro), build.staff("director", self.centro)
        self.writer, self.reader = app.test_client(), app.test_client()
        self.writer_token = api_token(self.writer, self.asesor)
        self.reader_token = api_token(self.reader, self.director)
        self.asesor_page, self.director_page = app.test_client(), app.test_client()
        assert login(self.asesor_page, self.asesor).status_code == 302
        assert login(self.director_page, self.director).status_code == 302

    def routed(self, documento: str, nombres: str) -> int:
        """A person routed in March 2015, written by the asesor through the API: row 1.1 + 1."""
        person = self.writer.post("/api/v1/participantes", headers=self.writer_token, json=person_payload(
            numero_documento=documento, nombres=nombres, remitido_dps=False, programa_dps=None))
        assert person.status_code == 201, person.get_json()
        acted = self.writer.post(f"/api/v1/participantes/{person.get_json()['id']}/actuaciones",
                                 headers=self.writer_token,
                                 json={"tipo": "enrutamiento", "fecha": "2015-03-05",
                                       "destino": "emprendimiento"})
        assert acted.status_code == 201, acted.get_json()
        return person.get_json()["id"]


def row_1_1(client, headers) -> int:
    response = client.get(f"/api/v1/tableros/global?{MARCH}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return next(f["resultado"] for f in response.get_json()["filas"] if f["codigo"] == "1.1")


def on_replica(standby, app, statement: str):
    return standby.sql(statement, app.config["DATABASE_NAME"])


def test_tablero_from_the_replica_and_a_save_visible_at_once_to_whoever_made_it(servers, replica_app):
    _, standby = servers
    c = Centre(replica_app)
    c.routed("70000001", "Ana María")
    standby.wait_caught_up()
    assert row_1_1(c.reader, c.reader_token) == 1
    assert "Ana María" in c.director_page.get(LIST).get_data(as_text=True)

    standby.pause_replay()
    c.routed("70000002", "Carla")  # on the primary only
    assert on_replica(standby, replica_app, "SELECT count(*) FROM participante") == 1

    # The director wrote nothing since: the tablero (API and page) and its list come from the
    # replica, which has not replayed the second routing.
    assert row_1_1(c.reader, c.reader_token) == 1
    page = c.director_page.get(f"/tableros/?{MARCH}&indicador=1.1")
    assert page.status_code == 200
    listing = c.director_page.get(LIST).get_data(as_text=True)
    assert "Ana María" in listing and "Carla" not in listing
    # The asesor who wrote it reads from the primary until the replica has it.
    assert row_1_1(c.writer, c.writer_token) == 2

    # A registration through the pages: visible at once on the page after it, and on the
    # asesor's next tablero pages, though the replica still lacks it.
    data = person_payload(numero_documento="70000003", nombres="Beatriz", apellidos="Úsuga Mena",
                          consentimiento_datos="y", discapacidad="no", desplazamiento="no",
                          remitido_dps="y", correo="")
    data["csrf_token"] = csrf_token(c.asesor_page, "/participantes/nuevo")
    saved = c.asesor_page.post("/participantes/nuevo", data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    shown = c.asesor_page.get(saved.location)
    assert shown.status_code == 200 and "Beatriz Úsuga Mena" in shown.get_data(as_text=True)
    assert "Carla" in c.asesor_page.get(LIST).get_data(as_text=True)  # the primary's list
    assert on_replica(standby, replica_app,
                      "SELECT count(*) FROM participante WHERE nombres = 'Beatriz'") == 0

    standby.resume_replay()
    standby.wait_caught_up()
    assert row_1_1(c.reader, c.reader_token) == 2
    assert "Carla" in c.director_page.get(LIST).get_data(as_text=True)
    # Caught up, the writer's mark is dropped: its reads are the replica's again.
    assert row_1_1(c.writer, c.writer_token) == 2
    standby.pause_replay()
    c.routed("70000004", "Diana")
    assert row_1_1(c.writer, c.writer_token) == 3  # its own write: the primary
    assert row_1_1(c.reader, c.reader_token) == 2  # the replica


def test_downloads_read_from_the_replica_and_are_audited_on_the_primary(servers, replica_app):
    _, standby = servers
    c = Centre(replica_app)
    c.routed("70000011", "Ana María")
    standby.wait_caught_up()
    c.director_page.get(LIST)  # drops the login's mark, the replica having it
    standby.pause_replay()
    c.routed("70000012", "Carla")

    audited = "SELECT count(*) FROM auditoria WHERE accion = 'descargar'"
    with replica_app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(db.metadata.tables["auditoria"])
                                   .where(db.metadata.tables["auditoria"].c.accion == "descargar"))
    lista = c.director_page.get(LIST.replace("/personas?", "/personas.csv?"))
    assert lista.status_code == 200
    text = lista.get_data(as_text=True)
    assert "Ana María" in text and "Carla" not in text  # rows from the replica
    base = c.director_page.get(f"/bases/participantes.csv?{MARCH}")
    assert base.status_code == 200
    text = base.get_data(as_text=True)
    assert "70000011" in text and "70000012" not in text
    api_base = c.reader.get(f"/api/v1/bases/participantes.csv?{MARCH}", headers=c.reader_token)
    assert api_base.status_code == 200 and "70000012" not in api_base.get_data(as_text=True)
    # The three downloads are in the primary's audit trail, which the paused replica lacks.
    with replica_app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(db.metadata.tables["auditoria"])
                                  .where(db.metadata.tables["auditoria"].c.accion == "descargar"))
    assert after - before == 3
    assert on_replica(standby, replica_app, audited) == 0

    # An informe generated through the pages: the page after it (a marked read) shows it at once,
    # its PDF is audited on the primary; a reader who wrote nothing reads the replica, which
    # has not replayed it yet.
    token = csrf_token(c.director_page, "/informes/nuevo")
    done = c.director_page.post("/informes/nuevo", data={"csrf_token": token, "tipo": "tecnico",
                                                          "mes": "2015-03", **NARRATIVA})
    assert done.status_code == 303, done.get_data(as_text=True)[:500]
    detalle = c.director_page.get(done.location)
    assert detalle.status_code == 200 and "Jornadas de registro los sábados." in detalle.get_data(as_text=True)
    informe_id = int(done.location.rstrip("/").rsplit("/", 1)[1])
    assert c.director_page.get(f"/informes/{informe_id}.pdf").status_code == 200
    assert c.reader.get(f"/api/v1/informes/{informe_id}", headers=c.reader_token).status_code == 404
    with replica_app.app_context():
        table = db.metadata.tables["auditoria"]
        assert db.session.scalar(select(db.func.count()).select_from(table).where(
            table.c.accion == "exportar", table.c.entidad_id == informe_id)) == 1
    standby.resume_replay()
    standby.wait_caught_up()
    assert c.reader.get(f"/api/v1/informes/{informe_id}", headers=c.reader_token).status_code == 200


def test_replica_down_reads_fall_back_to_the_primary_with_a_warning(servers, replica_app, caplog):
    _, standby = servers
    c = Centre(replica_app)
    c.routed("70000021", "Ana María")
    standby.wait_caught_up()
    assert row_1_1(c.reader, c.reader_token) == 1

    standby.stop()
    c.routed("70000022", "Carla")
    with caplog.at_level(logging.WARNING, logger="cemprende.lectura"):
        started = time.monotonic()
        assert row_1_1(c.reader, c.reader_token) == 2  # the primary's figure
        page = c.director_page.get(LIST)
        assert page.status_code == 200 and "Carla" in page.get_data(as_text=True)
        assert time.monotonic() - started < 5
    warnings = [r for r in caplog.records if r.name == "cemprende.lectura"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    message = warnings[0].getMessage()
    assert "réplica de lectura no responde" in message and "servidor principal" in message
    assert "Carla" not in message and "70000022" not in message

    # Back up: after DATABASE_READ_RETRY_SECONDS the replica serves again, which the log says.
    standby.start()
    standby.wait_caught_up()
    time.sleep(1.2)
    standby.pause_replay()
    c.routed("70000023", "Diana")
    with caplog.at_level(logging.INFO, logger="cemprende.lectura"):
        assert row_1_1(c.reader, c.reader_token) == 2  # the replica, paused before Diana
    assert "responde de nuevo" in caplog.records[-1].getMessage()


def test_without_database_read_url_one_engine_serves_everything(app):
    """The default (no DATABASE_READ_URL) is as before: no replica engine, every read on the one
    database, marked views included."""
    assert app.config["DATABASE_READ_URL"] is None
    assert lectura.replica(app) is None
    assert lectura._remember_write not in app.after_request_funcs[None]  # no query after writes
    with app.test_request_context("/tableros/"):
        assert list(db.engines) == [None]
        with lectura.read_replica():
            assert lectura.reads_engine() is None
            assert db.session.get_bind(clause=select(1)) is db.engine


def test_database_read_url_needs_postgresql():
    with pytest.raises(RuntimeError, match="solo se admite con PostgreSQL"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DATABASE_READ_URL": "sqlite://",
                    "TESTING": True, "SECRET_KEY": "x" * 40})
