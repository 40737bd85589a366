"""Run it for real (issue 14): what an attacker or an operator found from outside, each a test.

Races answer 409 never 500; hostile ids, numbers, dates, NUL bytes and markup answer 4xx (or a
sane page) never 500; logs keep no personal data; every API answer is no-store; the document
check finishes an interrupted rename instead of deleting the committed row; production refuses
to start half configured; /api/v1/salud tells whether the database answers.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from conftest import api_token, login, person_payload
from documents import pdf_bytes

from cemprende.extensions import db
from cemprende.models import Centro, Verificador

ROOT = Path(__file__).resolve().parent.parent
HUGE_ID = 2 ** 63  # one past the largest BIGINT
HUGE_NUMBER = 10 ** 25


# ---- races ----------------------------------------------------------------------------------

def _at_once(app, staff, calls):
    """Sends the (method, path, body) calls from threads released together; (status, code)."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def send(index, method, path, body):
        client = app.test_client()
        headers = api_token(client, staff)
        barrier.wait()
        response = getattr(client, method)(f"/api/v1{path}", json=body, headers=headers)
        answers[index] = (response.status_code, (response.get_json() or {}).get("error", {}).get("code"))

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_patches_of_the_same_participante_at_once_get_one_200_and_one_409(app, api, world):
    caller = api(world["asesor_a"])
    for round_ in range(4):
        person = caller.post("/participantes", json=person_payload(
            numero_documento=f"8100{round_}")).get_json()
        answers = _at_once(app, world["asesor_a"], [
            ("patch", f"/participantes/{person['id']}", {"version": person["version"], "nombres": name})
            for name in ("Ana Lucía", "Ana Sofía")])
        assert sorted(answers) == [(200, None), (409, "version_desactualizada")], answers
        assert caller.get(f"/participantes/{person['id']}").get_json()["version"] == person["version"] + 1


def test_two_patches_of_the_same_vacante_at_once_get_one_200_and_one_409(app, api, world):
    caller = api(world["asesor_a"])
    for round_ in range(4):
        vacante = caller.post("/vacantes", json={"empresa": "E", "cargo": f"C{round_}", "cupos": 2,
                                                 "fecha": "2026-03-01"}).get_json()
        answers = _at_once(app, world["asesor_a"], [
            ("patch", f"/vacantes/{vacante['id']}", {"version": vacante["version"], "cupos": cupos})
            for cupos in (3, 4)])
        assert sorted(answers) == [(200, None), (409, "version_desactualizada")], answers


def test_the_same_document_registered_twice_at_once_gets_one_201_and_one_409(app, api, world):
    caller = api(world["asesor_a"])
    for round_ in range(4):
        body = person_payload(numero_documento=f"8200{round_}")
        answers = _at_once(app, world["asesor_a"], [("post", "/participantes", body)] * 2)
        assert sorted(answers) == [(201, None), (409, "duplicado")], answers
        found = caller.get(f"/participantes?documento=8200{round_}").get_json()
        assert found["total"] == 1


# ---- easy 500s --------------------------------------------------------------------------------

def _fill(rule: str, value) -> str:
    return re.sub(r"<int:[a-z_]+>", str(value), re.sub(r"<any\(([a-z]+)[^>]*>", r"\1", rule))


@pytest.fixture
def staff_callers(app, world):
    """An API caller and a signed-in page client for the admin and for an asesor."""
    callers = {}
    for role in ("admin", "asesor_a"):
        client = app.test_client()
        headers = api_token(client, world[role])
        page_client = app.test_client()
        login(page_client, world[role])
        callers[role] = (client, headers, page_client)
    return callers


def test_ids_past_bigint_in_every_path_answer_404(app, staff_callers):
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 40
    for role, (client, headers, page_client) in staff_callers.items():
        for rule in rules:
            path = _fill(rule.rule, HUGE_ID)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if path.startswith("/api/"):
                    response = client.open(path, method=method, headers=headers, json={})
                else:
                    response = page_client.open(path, method=method, data={})
                assert response.status_code in (400, 404, 405), (role, method, path, response.status_code)


BAD_VALUES = [str(HUGE_ID), str(HUGE_NUMBER), "x\x00y", "0001-01-01", "9999-12-31", "<b>&amp;%"]
QUERY_NAMES = ["page", "per_page", "centro_id", "participante_id", "vacante_id", "q", "documento",
               "estado", "tipo", "desde", "hasta", "vencidas", "indicador", "prefijo", "origen_id",
               "vigencia_id", "revision", "ruta", "nivel"]

ID_NAMES = ["centro_id", "participante_id", "vacante_id", "vigencia_id", "origen_id", "page", "per_page"]


def test_every_get_route_survives_hostile_query_values(app, staff_callers):
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    failures = []
    for role, (client, headers, page_client) in staff_callers.items():
        for rule in rules:
            path = _fill(rule.rule, 1)
            for value in BAD_VALUES if role == "admin" else []:
                query = {name: value for name in QUERY_NAMES}
                if path.startswith("/api/"):
                    response = client.get(path, query_string=query, headers=headers)
                else:
                    response = page_client.get(path, query_string=query)
                if response.status_code >= 500:
                    failures.append((role, path, value, response.status_code))
            for query in ({name: str(HUGE_NUMBER) for name in ID_NAMES[:-2]},
                          {name: str(HUGE_NUMBER) for name in ID_NAMES[-2:]}):  # no date refused first
                if path.startswith("/api/"):
                    response = client.get(path, query_string=query, headers=headers)
                else:
                    response = page_client.get(path, query_string=query)
                if response.status_code >= 500:
                    failures.append((role, path, query, response.status_code))
    assert not failures, failures


@pytest.mark.parametrize("cut", ["0001-01-01", "9999-12-31"])
def test_extreme_cut_dates_answer_422_naming_the_field(api, staff_callers, world, cut):
    caller = api(world["admin"])
    for nombre in ("global", "microcapitalizacion"):
        for field in ("hasta", "desde"):
            response = caller.get(f"/tableros/{nombre}?{field}={cut}")
            assert response.status_code == 422, (field, cut, response.status_code)
            assert field in response.get_json()["error"]["fields"]
    page = staff_callers["admin"][2]
    for path in ("/tableros/", "/tableros/global.pdf", "/tableros/tableros.xlsx"):
        assert page.get(f"{path}?hasta={cut}").status_code == 422, path


def test_integers_of_ten_to_the_25_answer_422_with_the_field(api, world):
    caller = api(world["asesor_a"])
    response = caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": HUGE_NUMBER,
                                              "fecha": "2026-03-01"})
    assert response.status_code == 422
    assert "cupos" in response.get_json()["error"]["fields"]
    # Past a PostgreSQL INTEGER too, not only past BIGINT.
    response = caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 2 ** 31,
                                              "fecha": "2026-03-01"})
    assert response.status_code == 422 and "cupos" in response.get_json()["error"]["fields"]
    person = caller.post("/participantes", json=person_payload()).get_json()
    for body in ({"tipo": "plan_negocio", "fecha": "2026-03-01", "valor_solicitado": HUGE_NUMBER},
                 {"tipo": "remision_seleccion", "fecha": "2026-03-01", "vacante_id": HUGE_NUMBER}):
        response = caller.post(f"/participantes/{person['id']}/actuaciones", json=body)
        assert response.status_code == 422, (body, response.get_json())
    response = caller.patch(f"/participantes/{person['id']}", json={"version": HUGE_NUMBER})
    assert response.status_code in (409, 422)
    response = caller.post("/participantes", json=person_payload(numero_documento="5550001",
                                                                 centro_id=HUGE_NUMBER))
    assert response.status_code in (404, 422), response.get_json()


def test_nul_bytes_in_text_answer_422_naming_the_field(api, world):
    caller = api(world["asesor_a"])
    response = caller.post("/participantes", json=person_payload(nombres="Ana\x00María"))
    assert response.status_code == 422
    assert "nombres" in response.get_json()["error"]["fields"]
    person = caller.post("/participantes", json=person_payload()).get_json()
    response = caller.post(f"/participantes/{person['id']}/actuaciones", json={
        "tipo": "caracterizacion", "fecha": "2026-03-01", "observaciones": "uno\x00dos"})
    assert response.status_code == 422, response.get_json()
    assert caller.get(f"/participantes?q=an\x00a").status_code == 422
    assert caller.get(f"/participantes?documento=1\x000").status_code == 422
    response = caller.patch(f"/participantes/{person['id']}", json={"version": 1, "municipio": "O\x07caña"})
    assert response.status_code == 422 and "municipio" in response.get_json()["error"]["fields"]


def test_nul_bytes_in_a_page_form_answer_a_page_not_a_500(app, world):
    page = app.test_client()
    login(page, world["asesor_a"])
    assert page.get("/participantes/?q=a\x00b").status_code == 422
    html = page.get("/participantes/nuevo").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {k: ("" if v is None else str(v)) for k, v in person_payload(nombres="A\x00B").items()}
    data["csrf_token"] = token
    assert page.post("/participantes/nuevo", data=data).status_code == 422


def test_markup_in_a_centre_name_prints_in_the_tablero_pdf(app, world, staff_callers):
    with app.app_context():
        centro = db.session.get(Centro, world["centro_a"].id)
        centro.nombre = "Cemprende <Cartagena> & Bolívar"
        db.session.commit()
    page = staff_callers["admin"][2]
    for query in (f"centro_id={world['centro_a'].id}", ""):
        response = page.get(f"/tableros/tableros.pdf?{query}")
        assert response.status_code == 200, query
        content = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        if query:
            assert "Cemprende <Cartagena> & Bolívar" in content


# ---- personal data in logs ----------------------------------------------------------------------

def test_a_failing_statement_logs_no_parameter_values(app, api, world, monkeypatch, caplog):
    from cemprende.participantes import services

    def broken_index(person):
        db.session.execute(text("SELECT * FROM tabla_que_no_existe WHERE documento = :d"),
                           {"d": person.numero_documento})

    monkeypatch.setattr(services, "_index_name", broken_index)
    caller = api(world["asesor_a"])
    with caplog.at_level(logging.INFO):
        response = caller.post("/participantes", json=person_payload(numero_documento="5566778899"))
    assert response.status_code == 500
    logged = "\n".join(
        record.getMessage() + (record.exc_text or "")
        + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records)
    assert "tabla_que_no_existe" in logged  # the error is logged, with its statement
    assert "5566778899" not in logged


def test_a_unique_violation_detail_is_not_logged(app, world, caplog):
    """PostgreSQL puts the duplicated values in the error's DETAIL; the log filter drops them."""
    from cemprende.hardening import SqlRedactingFilter

    with app.app_context():
        try:
            db.session.execute(text("INSERT INTO centro (nombre, ciudad, departamento, modalidad, activo,"
                                    " version) VALUES (:n, 'x', 'y', 'COEE', true, 1)"),
                               {"n": world["centro_a"].nombre})
        except Exception as error:  # noqa: BLE001
            caught = error
        db.session.rollback()
    record = logging.LogRecord("cemprende", logging.ERROR, __file__, 1, "fallo", None,
                               (type(caught), caught, caught.__traceback__))
    SqlRedactingFilter().filter(record)
    assert record.exc_info is None
    assert world["centro_a"].nombre not in record.exc_text
    assert "INSERT INTO centro" in record.exc_text


def test_the_development_server_access_log_drops_query_strings(app, world, caplog):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/login?documento=1098765432&q=ana+perez").read()
    finally:
        server.shutdown()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /login" in line for line in lines), lines
    assert not any("1098765432" in line or "ana" in line for line in lines), lines


def _load_gunicorn_conf(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    return namespace


def test_gunicorn_config_workers_timeouts_and_an_access_log_without_query(monkeypatch):
    conf = _load_gunicorn_conf(monkeypatch)
    assert conf["workers"] == (os.cpu_count() or 1) * 2 + 1
    assert conf["timeout"] >= 30 and conf["graceful_timeout"] >= 10
    assert "%(U)s" in conf["access_log_format"]
    assert "%(r)s" not in conf["access_log_format"] and "%(q)s" not in conf["access_log_format"]
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert _load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


# ---- cache -----------------------------------------------------------------------------------------

def test_every_api_answer_is_no_store(client, api, world):
    caller = api(world["asesor_a"])
    answers = [
        caller.get("/participantes"),                   # a bearer caller, no session
        caller.get(f"/participantes/{HUGE_ID - 1}"),     # an error
        client.get("/api/v1/participantes"),             # 401
        client.post("/api/v1/tokens", json={"username": world["asesor_a"].username, "password": "x"}),
        client.post("/api/v1/tokens", json={"username": world["asesor_a"].username,
                                            "password": "Clave-de-prueba-2026"}),
        client.get("/api/v1/salud"),
        client.get("/api/v1/no-existe"),
    ]
    for response in answers:
        assert response.headers.get("Cache-Control") == "no-store", (response.request.path, response.status_code)


# ---- verificadores-check after a crash -----------------------------------------------------------

def test_check_fix_finishes_a_rename_cut_off_after_the_commit(app, api, world, upload_root, monkeypatch):
    from cemprende.verificadores import storage

    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()
    content = pdf_bytes("cedula")
    # The process dies right after the commit: the row is in, the file still under its .part name.
    monkeypatch.setattr(storage.LocalPendingFile, "publish", lambda self: None)
    response = caller.post("/verificadores", data={"participante_id": str(person["id"]), "prefijo": "CC",
                                                   "archivo": (io.BytesIO(content), "cedula.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["vinculados"] == 1, response.get_json()
    monkeypatch.undo()
    parts = list((upload_root / ".tmp").glob("*.part"))
    assert len(parts) == 1
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["verificadores-check"])
    assert listed.exit_code == 1 and "que se pueden completar: 1" in listed.output, listed.output
    fixed = runner.invoke(args=["verificadores-check", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "Filas sin archivo: 0" in fixed.output, fixed.output
    with app.app_context():
        row = db.session.scalars(select(Verificador)).one()
        stored = upload_root / row.clave
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == row.sha256
    assert not list((upload_root / ".tmp").glob("*.part"))
    assert runner.invoke(args=["verificadores-check"]).exit_code == 0
    assert caller.get(f"/verificadores/{row.id}/archivo").data == content


def test_a_part_file_left_by_a_killed_upload_is_reported_at_once(app, upload_root):
    from cemprende.verificadores.storage import get_storage

    with app.app_context():
        get_storage().save(f"1/CC/{'a' * 64}", b"%PDF-1.4 half")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verificadores-check"])
    assert result.exit_code == 1, result.output
    assert "Temporales" in result.output and ".part" in result.output
    # A young one may be an upload in progress: --fix keeps it, and says so.
    fixed = runner.invoke(args=["verificadores-check", "--fix"])
    assert len(list((upload_root / ".tmp").glob("*.part"))) == 1, fixed.output


# ---- production ------------------------------------------------------------------------------------

def _start_app(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DATABASE_URL", "UPLOAD_ROOT", "RATELIMIT_STORAGE_URI",
                          "WEB_CONCURRENCY", "CEMPRENDE_WORKERS"}}
    clean.update(env, CEMPRENDE_ENV="production")
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_half_configured(tmp_path):
    good = {"SECRET_KEY": "k" * 20 + "9f3a1c7e5b2d4a6c8e0f", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            "UPLOAD_ROOT": str(tmp_path)}
    assert _start_app(good).returncode == 0, _start_app(good).stderr
    for missing, word in (("SECRET_KEY", "SECRET_KEY"), ("DATABASE_URL", "DATABASE_URL"),
                          ("UPLOAD_ROOT", "UPLOAD_ROOT")):
        result = _start_app({k: v for k, v in good.items() if k != missing})
        assert result.returncode != 0 and word in result.stderr, (missing, result.stderr[-500:])
    weak = _start_app(dict(good, SECRET_KEY="changeme"))
    assert weak.returncode != 0 and "SECRET_KEY" in weak.stderr
    several = _start_app(dict(good, WEB_CONCURRENCY="4"))
    assert several.returncode != 0 and "RATELIMIT_STORAGE_URI" in several.stderr
    shared = _start_app(dict(good, WEB_CONCURRENCY="4", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379"))
    assert shared.returncode == 0, shared.stderr


def test_salud_answers_ok_without_auth_and_503_without_database(app, client, monkeypatch):
    response = client.get("/api/v1/salud")
    assert response.status_code == 200
    assert response.get_json() == {"estado": "ok"}
    # Not behind the login throttle: many calls in a row all answer.
    assert all(client.get("/api/v1/salud").status_code == 200 for _ in range(30))

    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/api/v1/salud")
    assert response.status_code == 503
    assert response.get_json() == {"estado": "sin_base_de_datos"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_with_the_repo_config_and_logs_no_query(tmp_path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    port = _free_port()
    database = tmp_path / "g.sqlite3"
    env = dict(os.environ, CEMPRENDE_ENV="production", SECRET_KEY="s" * 16 + "1d2c3b4a5f6e7d8c9b0a",
               DATABASE_URL=f"sqlite:///{database}", UPLOAD_ROOT=str(tmp_path), WEB_CONCURRENCY="1",
               GUNICORN_BIND=f"127.0.0.1:{port}")
    process = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(100):
            try:
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/salud?documento=1098765432", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "GET /api/v1/salud" in output, output
    assert "1098765432" not in output, output


# ---- audit rows append-only at the database level ---------------------------------------------------

def test_audit_rows_refuse_update_and_delete_by_raw_sql(app, api, world):
    api(world["asesor_a"]).post("/participantes", json=person_payload())
    with app.app_context():
        count = db.session.scalar(text("SELECT count(*) FROM auditoria"))
        assert count >= 2  # the token's login and the registration
        for statement in ("UPDATE auditoria SET detalle = 'cambiado'", "DELETE FROM auditoria",
                          f"DELETE FROM auditoria WHERE id = (SELECT min(id) FROM auditoria)"):
            with pytest.raises(Exception, match="auditoria"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM auditoria")) == count
        assert db.session.scalar(text("SELECT count(*) FROM auditoria WHERE detalle = 'cambiado'")) == 0


def test_the_retention_command_is_the_one_way_to_delete_and_is_recorded(app, api, world):
    from datetime import UTC, datetime

    from cemprende.models import Auditoria, AuditoriaRetencion

    api(world["asesor_a"]).post("/participantes", json=person_payload())
    with app.app_context():
        db.session.add(Auditoria(accion="login", username="antiguo", en=datetime(2020, 5, 1, tzinfo=UTC)))
        db.session.commit()
        before = db.session.scalar(text("SELECT count(*) FROM auditoria"))
    runner = app.test_cli_runner()
    too_recent = runner.invoke(args=["auditoria-retencion", "--antes-de", "2026-01-01"])
    assert too_recent.exit_code != 0 and "365" in too_recent.output
    result = runner.invoke(args=["auditoria-retencion", "--antes-de", "2021-01-01", "--por", "admin"])
    assert result.exit_code == 0, result.output
    assert "1 registros" in result.output
    with app.app_context():
        run = db.session.scalars(select(AuditoriaRetencion)).one()
        assert (run.filas, run.por, run.en_curso) == (1, "admin", False)
        assert db.session.scalar(text("SELECT count(*) FROM auditoria WHERE username = 'antiguo'")) == 0
        # before - 1 deleted + 1 entry recording the run itself
        assert db.session.scalar(text("SELECT count(*) FROM auditoria")) == before
        with pytest.raises(Exception, match="auditoria"):
            db.session.execute(text("DELETE FROM auditoria"))
        db.session.rollback()
