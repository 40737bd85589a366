"""DPS remission imports (API.md "Importaciones"): reading, row verdicts, preview and apply as
background jobs, idempotent re-apply, an apply killed half-way, and every bad input."""
from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cemprende import jobs
from cemprende.extensions import db
from cemprende.models import Actuacion, Auditoria, Importacion, ImportacionFila, Participante
from cemprende.tableros import resumen
from conftest import PASSWORD, csrf_token, login, person_payload
from documents import image_bytes

SAMPLE = Path("/work/shared/data/remision_dps_ejemplo.csv")
HEADER = ["tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento", "sexo",
          "municipio", "telefono", "programa_dps", "fecha_remision", "ciudad_centro"]
PROJECT = Path(__file__).resolve().parent.parent


def row(numero, **overrides) -> list[str]:
    values = {"tipo_documento": "CC", "numero_documento": str(numero), "nombres": "Luz Dary",
              "apellidos": "Pérez Gómez", "fecha_nacimiento": "15/04/1985", "sexo": "F",
              "municipio": "Cartagena", "telefono": "3001112233", "programa_dps": "Red Unidos",
              "fecha_remision": "10/01/2026", "ciudad_centro": "Cartagena"}
    values.update(overrides)
    return [values[h] for h in HEADER]


def csv_bytes(rows, delimiter=",", header=HEADER, bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(caller, data: bytes, name="remision.csv", aplicar=False, tipo="remision_dps"):
    return caller.post("/importaciones", content_type="multipart/form-data", data={
        "archivo": (io.BytesIO(data), name), "tipo": tipo, "aplicar": "true" if aplicar else "false"})


def finished(caller, response) -> dict:
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "estado"} and body["estado"] == "en_cola"
    jobs.wait_for_threads()
    report = caller.get(f"/importaciones/{body['id']}").get_json()
    assert report["estado"] == "terminada", report
    return report


def errors_by_row(report) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for error in report["errores"]:
        found.setdefault(error["fila"], set()).add(error["campo"])
    return found


def counts(app) -> tuple[int, int]:
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Participante))
        remissions = db.session.scalar(select(func.count()).select_from(Actuacion)
                                       .where(Actuacion.tipo == "remision_dps"))
        db.session.rollback()
        return people, remissions


def summary_exact(app) -> bool:
    with app.app_context():
        expected, stored = resumen.contributions(), resumen.stored()
        months = resumen.by_month(expected)
        return stored == expected and resumen.stored_months() == months


# ---- the sample and the happy path ----------------------------------------------------------

def test_sample_file_previews_with_its_verdicts_and_writes_nothing(app, api, world):
    asesor = api(world["asesor_a"])  # centre A is in Cartagena
    report = finished(asesor, upload(asesor, SAMPLE.read_bytes(), "remision_dps_ejemplo.csv"))
    assert (report["tipo"], report["filas"], report["aplicada"]) == ("remision_dps", 12, False)
    # Cartagena rows 2 and 13 are new people; 3 and 9 are Cartagena's but dated after 31/03/2026.
    assert (report["validas"], report["nuevas"], report["existentes"]) == (2, 2, 0)
    errors = errors_by_row(report)
    assert errors[3] == {"fecha_remision"} and errors[9] == {"fecha_remision"}
    for fila in (4, 5, 6, 7, 8, 10, 11, 12):  # Sincelejo and Santa Marta
        assert "ciudad_centro" in errors[fila]
    assert 2 not in errors and 13 not in errors
    assert "posterior a hoy" in next(e["mensaje"] for e in report["errores"] if e["fila"] == 3)
    assert counts(app) == (0, 0)
    with app.app_context():
        verdicts = dict(db.session.execute(select(ImportacionFila.fila, ImportacionFila.veredicto)
                                           .where(ImportacionFila.importacion_id == report["id"])).all())
    assert verdicts[2] == verdicts[13] == "nueva" and verdicts[3] == "error"


def test_apply_creates_people_without_consent_and_one_remission_each_then_reapply_writes_nothing(
        app, api, world):
    asesor = api(world["asesor_a"])
    report = finished(asesor, upload(asesor, SAMPLE.read_bytes(), aplicar=True))
    assert report["aplicada"] is True and report["nuevas"] == 2 and report["personas_nuevas"] == 2
    assert counts(app) == (2, 2)
    with app.app_context():
        people = db.session.scalars(select(Participante).order_by(Participante.numero_documento)).all()
        assert [p.numero_documento for p in people] == ["1105984624", "1176769224"]
        assert all(p.consentimiento_datos is False and p.remitido_dps for p in people)
        assert {p.programa_dps for p in people} == {"Familias en Acción", "Jóvenes en Acción"}
        remision = db.session.scalar(select(Actuacion).where(Actuacion.participante_id == people[0].id))
        assert (remision.tipo, remision.fecha, remision.datos) == (
            "remision_dps", date(2026, 2, 2),
            {"programa": "Familias en Acción", "importacion_id": report["id"]})  # never "late"
        audits = db.session.scalars(select(Auditoria).where(Auditoria.entidad == "importacion")).all()
        assert {a.accion for a in audits} >= {"importar", "aplicar_terminada"}
        for entry in audits:  # no personal data in the import's audit entries
            text = f"{entry.detalle} {entry.antes} {entry.despues}"
            assert "1105984624" not in text and "Gómez" not in text
    # Applied: the stored file is no longer needed.
    assert not list((Path(app.config["UPLOAD_ROOT"]) / "importaciones").glob("*[0-9a-f]"))
    assert summary_exact(app)

    again = finished(asesor, upload(asesor, SAMPLE.read_bytes(), aplicar=True))
    assert again["id"] != report["id"]
    assert (again["nuevas"], again["existentes"], again["personas_nuevas"]) == (0, 2, 0)
    assert counts(app) == (2, 2)
    # The people it created are the centre's: the API shows them, still without consent.
    listed = asesor.get("/participantes").get_json()["items"]
    assert {p["consentimiento_datos"] for p in listed} == {False}


def test_registration_through_the_api_still_needs_consent(app, api, world):
    response = api(world["asesor_a"]).post("/participantes", json=person_payload(
        consentimiento_datos=False))
    assert response.status_code == 422
    assert counts(app) == (0, 0)


def test_preview_then_apply_the_same_import(app, api, world, upload_root):
    asesor = api(world["asesor_a"])
    preview = finished(asesor, upload(asesor, csv_bytes([row(111222333), row(444555666)])))
    assert preview["nuevas"] == 2 and counts(app) == (0, 0)
    assert len(list((upload_root / "importaciones").glob("*[0-9a-f]"))) == 1  # kept for the apply
    response = asesor.post(f"/importaciones/{preview['id']}/aplicar")
    assert response.status_code == 202
    jobs.wait_for_threads()
    applied = asesor.get(f"/importaciones/{preview['id']}").get_json()
    assert applied["aplicada"] and applied["nuevas"] == 2
    assert counts(app) == (2, 2)
    assert asesor.post(f"/importaciones/{preview['id']}/aplicar").status_code == 409


# ---- reading ----------------------------------------------------------------------------------

def test_semicolon_csv_with_bom_loose_headers_and_iso_dates(app, api, world):
    header = ["Tipo Documento", "NÚMERO_DOCUMENTO", "Nombres", "Apellidos", "Fecha de nacimiento"
              .replace(" de ", " "), "Sexo", "Municipio", "Teléfono", "Programa DPS",
              "Fecha_Remisión", "ciudad centro"]
    data = csv_bytes([row("1.234.567-890", fecha_remision="2026-01-15", fecha_nacimiento="1985-04-15"),
                      row(98765432)], delimiter=";", header=header, bom=True)
    asesor = api(world["asesor_a"])
    report = finished(asesor, upload(asesor, data))
    assert (report["filas"], report["validas"], report["errores"]) == (2, 2, [])
    finished(asesor, upload(asesor, data, aplicar=True))
    with app.app_context():
        assert db.session.scalar(select(Participante.numero_documento)
                                 .where(Participante.fecha_nacimiento == date(1985, 4, 15))
                                 .order_by(Participante.numero_documento)) == "1234567890"


def test_xlsx_with_date_cells_and_a_formula_cell(app, api, world):
    rows = [row(11223344, fecha_remision=date(2026, 1, 20)),
            row(55667788, nombres="=HYPERLINK(\"http://x\")"),
            row(99887766, telefono="+573001112233")]
    rows[0][4] = date(1980, 1, 2)
    asesor = api(world["asesor_a"])
    report = finished(asesor, upload(asesor, xlsx_bytes(rows), "lista.xlsx"))
    assert report["validas"] == 1
    errors = errors_by_row(report)
    assert errors == {3: {"nombres"}, 4: {"telefono"}}
    assert "fórmula" in report["errores"][0]["mensaje"]
    finished(asesor, upload(asesor, xlsx_bytes(rows), "lista.xlsx", aplicar=True))
    with app.app_context():
        person = db.session.scalar(select(Participante))
        assert (person.numero_documento, person.fecha_nacimiento) == ("11223344", date(1980, 1, 2))


def _truncated_xlsx() -> bytes:
    whole = xlsx_bytes([row(n) for n in range(10_000_000, 10_000_400)])
    return whole[: len(whole) // 2]


BAD_FILES = {
    "png renamed": (lambda: image_bytes(), "lista.csv", 415, "no es CSV ni XLSX"),
    "empty": (lambda: b"", "vacio.csv", 400, "vacío"),
    "only header": (lambda: csv_bytes([]), "solo.csv", 400, "no tiene filas"),
    "missing columns": (lambda: csv_bytes([["CC", "123", "Ana"]],
                                          header=["tipo_documento", "numero_documento", "nombres"]),
                        "faltan.csv", 400, "apellidos, fecha_nacimiento, municipio"),
    "truncated xlsx": (_truncated_xlsx, "cortado.xlsx", 400, "dañado o incompleto"),
    "latin-1 csv": (lambda: csv_bytes([row(12345678, nombres="Ñoño")]).decode().encode("latin-1"),
                    "latin.csv", 400, "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_unreadable_files_are_refused_at_once_and_nothing_is_written(app, api, world, upload_root,
                                                                      case):
    make, name, status, words = BAD_FILES[case]
    asesor = api(world["asesor_a"])
    response = upload(asesor, make(), name)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]["message"]
    jobs.wait_for_threads()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Importacion)) == 0
        assert not db.session.scalars(select(Auditoria).where(Auditoria.accion == "importar")).all()
    assert not [p for p in upload_root.rglob("*") if p.is_file()]


def test_oversize_and_too_many_rows_are_413(app, api, world, upload_root):
    asesor = api(world["asesor_a"])
    data = csv_bytes([row(20_000_000 + n) for n in range(30)])
    app.config.update(IMPORTACION_MAX_BYTES=1024)
    try:
        response = upload(asesor, data)
        assert response.status_code == 413 and "MB" in response.get_json()["error"]["message"]
    finally:
        app.config.update(IMPORTACION_MAX_BYTES=50 * 1024 * 1024)
    app.config.update(IMPORTACION_MAX_FILAS=20)
    try:
        response = upload(asesor, data)
        assert response.status_code == 413 and "más de 20 filas" in response.get_json()["error"]["message"]
    finally:
        app.config.update(IMPORTACION_MAX_FILAS=200_000)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Importacion)) == 0
    assert not [p for p in upload_root.rglob("*") if p.is_file()]


# ---- row verdicts -----------------------------------------------------------------------------

def test_row_errors_and_avisos(app, api, world):
    asesor_a, asesor_b = api(world["asesor_a"]), api(world["asesor_b"])
    here = asesor_a.post("/participantes", json=person_payload(
        numero_documento="30303030", municipio="Cartagena", remitido_dps=False,
        programa_dps=None)).get_json()
    asesor_a.post(f"/participantes/{here['id']}/actuaciones", json={
        "tipo": "remision_dps", "fecha": "2026-01-10", "programa": "Red Unidos"})
    asesor_b.post("/participantes", json=person_payload(numero_documento="40404040"))
    rows = [
        row(30303030, nombres="Ana María", apellidos="Pérez Rojas", fecha_nacimiento="17/05/1990",
            telefono="3001234567"),                                   # 2: existente, aviso
        row(30303030, programa_dps="Familias en Acción"),             # 3: duplicate in file
        row(40404040),                                                # 4: other centre
        row(50505050, fecha_remision="01/04/2026"),                   # 5: tomorrow in Bogotá
        row(60606060, fecha_nacimiento="31/02/1990"),                 # 6: impossible date
        row("12AB", tipo_documento="CC"),                             # 7: bad document
        row(70707070, ciudad_centro="Ocaña"),                         # 8: not this centre's city
        row(80808080, nombres="@Juan"),                               # 9: formula start
        row(90909090),                                                # 10: fine
    ]
    rows[1][1] = "30.303.030"  # the same document, written differently
    rows[0][2], rows[0][3], rows[0][6] = "Ana María", "Pérez Rojas", "Ocaña"
    report = finished(asesor_a, upload(asesor_a, csv_bytes(rows)))
    errors = errors_by_row(report)
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert errors[2] == errors[3] == {"numero_documento"}  # every occurrence of the repeated one
    other = next(e["mensaje"] for e in report["errores"] if e["fila"] == 4)
    assert world["centro_b"].nombre in other
    assert errors[5] == {"fecha_remision"} and errors[6] == {"fecha_nacimiento"}
    assert errors[7] == {"numero_documento"} and errors[8] == {"ciudad_centro"}
    assert errors[9] == {"nombres"}
    assert (report["validas"], report["nuevas"]) == (1, 1)

    # Without the repeated row, row 2 is the stored person: its remission is there already and
    # its differing municipio is an aviso, never written.
    report = finished(asesor_a, upload(asesor_a, csv_bytes([rows[0], rows[8]]), aplicar=True))
    assert (report["existentes"], report["nuevas"]) == (1, 1)
    assert report["avisos"] == [{"fila": 2, "campo": "municipio", "mensaje":
                                 "Datos distintos de los registrados (municipio); no se cambiaron."}]
    with app.app_context():
        assert db.session.get(Participante, here["id"]).municipio == "Cartagena"
        assert db.session.scalar(select(func.count()).select_from(Participante)
                                 .where(Participante.numero_documento == "40404040")) == 1


def test_errores_csv_goes_through_the_export_writer(app, api, world):
    asesor = api(world["asesor_a"])
    report = finished(asesor, upload(asesor, csv_bytes([row(80808080, nombres="=1+1"), row(123)])))
    response = asesor.get(f"/importaciones/{report['id']}/errores.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffFila;Campo;Mensaje")
    lines = text.splitlines()
    assert len(lines) == 2 and lines[1].startswith("2;nombres;")
    assert lines[1].endswith(";'=1+1 Pérez Gómez")  # the name is quoted, never a formula


def test_roles_and_centres(app, api, world):
    asesor_a = api(world["asesor_a"])
    report = finished(asesor_a, upload(asesor_a, csv_bytes([row(123456)])))
    assert api(world["asesor_b"]).get(f"/importaciones/{report['id']}").status_code == 404
    assert api(world["director_b"]).get(f"/importaciones/{report['id']}/errores.csv").status_code == 404
    assert api(world["director_a"]).get(f"/importaciones/{report['id']}").status_code == 200
    assert api(world["supervisor"]).get(f"/importaciones/{report['id']}").status_code == 403
    assert upload(api(world["supervisor"]), csv_bytes([row(1234)])).status_code == 403
    assert [i["id"] for i in api(world["director_a"]).get("/importaciones").get_json()["items"]] == [report["id"]]
    assert api(world["asesor_b"]).get("/importaciones").get_json()["items"] == []
    admin = api(world["admin"])
    assert upload(admin, csv_bytes([row(1234)])).status_code == 422  # which centre?
    response = admin.post("/importaciones", content_type="multipart/form-data", data={
        "archivo": (io.BytesIO(csv_bytes([row(1234)])), "a.csv"), "tipo": "remision_dps",
        "centro_id": str(world["centro_a"].id)})
    assert response.status_code == 202
    legado = upload(asesor_a, csv_bytes([row(1234)]), tipo="legado")
    # A legacy base needs its column mapping (tests/test_importacion_legado.py).
    assert legado.status_code == 400 and legado.get_json()["error"]["code"] == "mapeo_invalido"
    jobs.wait_for_threads()


def test_remission_of_an_existing_routed_person_keeps_the_summary_exact(app, api, world, centre):
    a = centre(world["asesor_a"])
    routed = a.person(remitido_dps=False, municipio="Cartagena")
    a.act(routed, "caracterizacion", "2026-01-05")
    a.act(routed, "enrutamiento", "2026-01-06", destino="empleabilidad")
    with app.app_context():
        numero = db.session.get(Participante, routed).numero_documento
    asesor = api(world["asesor_a"])
    rows = [row(numero, nombres="Ana María", apellidos="Pérez Rojas", fecha_nacimiento="17/05/1990",
                municipio="Ocaña", telefono="3001234567")] + [row(31000000 + n) for n in range(5)]
    report = finished(asesor, upload(asesor, csv_bytes(rows), aplicar=True))
    assert report["nuevas"] == 6 and report["personas_nuevas"] == 5
    with app.app_context():
        assert db.session.get(Participante, routed).remitido_dps is True  # rows 1.2 and 1.6 move
    assert summary_exact(app)
    result = app.test_cli_runner().invoke(args=["tableros-reconstruir", "--verificar"])
    assert result.exit_code == 0, result.output


# ---- an apply killed half-way --------------------------------------------------------------

@pytest.mark.real_clock
def test_worker_killed_mid_apply_is_interrumpida_and_the_next_apply_completes_it(
        app, api, world, database_url, upload_root):
    total = 1500
    data = csv_bytes([row(40_000_000 + n, nombres=f"Persona {n}") for n in range(total)])
    asesor = api(world["asesor_a"])
    preview = finished(asesor, upload(asesor, data))
    assert preview["nuevas"] == total
    env = {**os.environ, "DATABASE_URL": database_url, "UPLOAD_ROOT": str(upload_root),
           "IMPORTACION_LOTE": "100", "FLASK_APP": "wsgi"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "importaciones-aplicar",
                               str(preview["id"])], cwd=PROJECT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if counts(app)[1] >= 100:
                break
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    people, remissions = counts(app)
    assert 100 <= remissions < total and people == remissions  # whole chunks only
    app.config.update(IMPORTACION_LATIDO_SEGUNDOS=1)
    try:
        time.sleep(1.2)
        report = asesor.get(f"/importaciones/{preview['id']}").get_json()
        assert report["estado"] == "interrumpida" and report["aplicada"] is False
        # Applying the same file again completes that import, without duplicating anything.
        again = upload(asesor, data, aplicar=True)
        assert again.get_json()["id"] == preview["id"]
        jobs.wait_for_threads()
    finally:
        app.config.update(IMPORTACION_LATIDO_SEGUNDOS=120)
    report = asesor.get(f"/importaciones/{preview['id']}").get_json()
    assert report["estado"] == "terminada" and report["aplicada"] is True
    assert report["nuevas"] + report["existentes"] == total
    assert report["existentes"] == remissions
    assert counts(app) == (total, total)
    assert summary_exact(app)


# ---- pages ------------------------------------------------------------------------------------

def test_pages_upload_preview_apply_without_javascript(app, client, world):
    login(client, world["asesor_a"])
    token = csrf_token(client, "/importaciones/")
    response = client.post("/importaciones/", data={
        "csrf_token": token, "tipo": "remision_dps",
        "archivo": (io.BytesIO(SAMPLE.read_bytes()), "remision_dps_ejemplo.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    jobs.wait_for_threads()
    page = client.get(response.location).get_data(as_text=True)
    assert "Terminada" in page and "Persona nueva" in page and "Aplicar" in page
    filtered = client.get(response.location + "?veredicto=nueva").get_data(as_text=True)
    assert filtered.count("veredicto-nueva") == 2 and "veredicto-error" not in filtered
    importacion_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    # Without the confirmation nothing is applied.
    client.post(f"/importaciones/{importacion_id}/aplicar", data={"csrf_token": token})
    jobs.wait_for_threads()
    assert counts(app) == (0, 0)
    client.post(f"/importaciones/{importacion_id}/aplicar",
                data={"csrf_token": token, "confirmo": "y"})
    jobs.wait_for_threads()
    assert counts(app) == (2, 2)
    page = client.get(f"/importaciones/{importacion_id}").get_data(as_text=True)
    assert "Aplicada" in page and "Remisiones registradas" in page and "errores.csv" in page
    listing = client.get("/importaciones/").get_data(as_text=True)
    assert "remision_dps_ejemplo.csv" in listing
    bad = client.post("/importaciones/", data={
        "csrf_token": token, "tipo": "remision_dps", "archivo": (io.BytesIO(b""), "v.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "vacío" in bad.get_data(as_text=True)


@pytest.mark.real_clock
def test_browser_upload_preview_apply_report(app, world):
    from test_browser import CHROMIUM_ARGS  # noqa: F401  (the same Chromium set-up)
    playwright_api = pytest.importorskip("playwright.sync_api")
    import shutil
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    sample = PROJECT / "test-artifacts" / "remision_dps_ejemplo.csv"
    sample.parent.mkdir(exist_ok=True)
    sample.write_bytes(SAMPLE.read_bytes())
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", world["asesor_a"].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url("**/mi-trabajo")
            page.click("nav >> text=Importaciones")
            assert "Aún no hay importaciones" in page.content()
            page.set_input_files("input[name=archivo]", str(sample))
            page.click("main button[type=submit]")
            page.wait_for_selector("#filas", timeout=30_000)  # polled until the preview is ready
            assert "Vista previa" in page.content() or "vista previa" in page.content()
            assert page.locator("tr.veredicto-nueva").count() >= 2
            page.select_option("select[name=veredicto]", "error")
            page.click("text=Filtrar")
            assert page.locator("tr.veredicto-nueva").count() == 0
            page.check("input[name=confirmo]")
            page.click("text=Aplicar")
            page.wait_for_selector("text=Remisiones registradas", timeout=30_000)
            assert "Aplicada" in page.content()
            page.screenshot(path=str(PROJECT / "test-artifacts" / "importacion-aplicada.png"),
                            full_page=True)
            browser.close()
    finally:
        server.shutdown()
    people, remissions = counts(app)
    assert people == remissions >= 2


# ---- the gate's batch form --------------------------------------------------------------------

SEQUENCE = [
    {"tipo": "enrutamiento", "fecha": "2026-01-04", "destino": "emprendimiento"},
    {"tipo": "caracterizacion", "fecha": "2026-01-05"},
    {"tipo": "enrutamiento", "fecha": "2026-01-06", "destino": "emprendimiento"},
    {"tipo": "plan_negocio", "fecha": "2026-01-08", "nombre_negocio": "Panadería",
     "valor_solicitado": 500_000},
    {"tipo": "plan_negocio", "fecha": "2026-01-09", "nombre_negocio": "Otra",
     "valor_solicitado": 9},
    {"tipo": "ingreso_ruta", "fecha": "2026-01-07", "ruta": "emprende"},
    {"tipo": "ingreso_ruta", "fecha": "2026-01-08", "ruta": "emprende"},  # refused: seen in batch
    {"tipo": "no_existe", "fecha": "2026-01-09"},
    {"tipo": "caracterizacion", "fecha": "2026-04-09"},  # after today in Bogotá
    {"tipo": "remision_dps", "fecha": "2026-01-10", "programa": "Red Unidos"},
]


def test_register_many_judges_and_writes_as_register_does(app, api, world, ctx):
    from cemprende.errors import DomainError
    from cemprende.itinerario import services as itinerario
    from cemprende.models import Staff

    asesor = api(world["asesor_a"])
    one, many = (asesor.post("/participantes", json=person_payload(
        numero_documento=n, remitido_dps=False, programa_dps=None)).get_json()["id"]
        for n in ("61000001", "61000002"))
    actor = db.session.get(Staff, world["asesor_a"].id)
    singly = []
    for data in SEQUENCE:
        try:
            itinerario.register(actor, one, dict(data))
            db.session.commit()
            singly.append("ok")
        except DomainError as error:
            db.session.rollback()
            singly.append(error.code)
    person = db.session.get(Participante, many)
    batch = itinerario.register_many(actor, [(person, dict(d)) for d in SEQUENCE])
    db.session.commit()
    assert [r.code if isinstance(r, DomainError) else "ok" for r in batch] == singly
    assert "ok" in singly and "ruta_actual" in singly and "validacion" in singly

    def shape(participante_id):
        return [(a.tipo, a.fecha, a.categoria, a.valor, a.datos)
                for a in itinerario.whole_itinerary(participante_id)]

    assert shape(one) == shape(many)
    assert (db.session.get(Participante, one).remitido_dps, db.session.get(Participante, many)
            .remitido_dps) == (True, True)
    db.session.rollback()
    assert summary_exact(app)


def test_a_remission_dated_in_a_closed_month_is_refused_at_the_import_door(app, api, world):
    """The month close reaches the import too: a row dated in a closed month is an error row
    (periodo_cerrado's message), the others are applied."""
    closed = api(world["director_a"]).post("/cierres", json={"centro_id": world["centro_a"].id,
                                                             "mes": "2026-02"})
    assert closed.status_code == 201, closed.get_json()
    asesor = api(world["asesor_a"])
    report = finished(asesor, upload(asesor, csv_bytes([
        row(70000001, fecha_remision="10/02/2026"), row(70000002, fecha_remision="10/01/2026")]),
        aplicar=True))
    assert report["nuevas"] == 1
    messages = [e["mensaje"] for e in report["errores"] if e["fila"] == 2]
    assert messages and "febrero de 2026 está cerrado" in messages[0]
    with app.app_context():
        remissions = db.session.scalars(select(Actuacion.fecha).where(
            Actuacion.tipo == "remision_dps")).all()
    assert remissions == [date(2026, 1, 10)]
    assert counts(app)[0] == 1  # the refused row created nobody either


def test_an_applied_import_retiring_its_file_never_takes_it_from_a_new_upload_of_it(app):
    """The finished import asks whether another upload still needs the file only once the file
    has left its place; an upload committing around that moment keeps it, whatever the order."""
    import hashlib

    from sqlalchemy import text

    from cemprende.importaciones import archivo

    data = b"tipo_documento;numero_documento\nCC;1001\n"
    sha256 = hashlib.sha256(data).hexdigest()
    with app.app_context():
        path = archivo.path_of(sha256)
        db.session.execute(text("SELECT 1"))
        archivo.stage(db.session, sha256, data)
        db.session.commit()
        assert path.read_bytes() == data
        # A second upload of the same file, staged while the file is still in place, commits
        # after the finished import has retired it: the upload's own copy takes its place.
        db.session.execute(text("SELECT 1"))
        archivo.stage(db.session, sha256, data)
        archivo.retire(sha256, lambda: False)
        assert not path.exists()
        db.session.commit()
        assert path.read_bytes() == data
        # An upload committed before the question: the file goes back.
        archivo.retire(sha256, lambda: True)
        assert path.read_bytes() == data
        archivo.retire(sha256, lambda: False)
        assert not path.exists() and not list(path.parent.glob(f"{sha256}*"))


def test_reapplying_an_applied_file_sends_no_write_to_people_or_actuaciones(app, api, world):
    """Re-applying: every row is found already recorded in one look per chunk (the people read as
    plain rows, never as objects the gate would need), and nothing but the new import's own
    report is written; a row the first apply did not write (new in this file) is still applied."""
    from conftest import Statements

    asesor = api(world["asesor_a"])
    first = csv_bytes([row(10_000_001), row(10_000_002, programa_dps="Familias en Acción")])
    assert finished(asesor, upload(asesor, first, aplicar=True))["nuevas"] == 2
    audits = lambda: counts(app) + (  # noqa: E731
        _audit_count(app, "participante"), _audit_count(app, "actuacion"))
    before = audits()
    with Statements(app) as sent:
        again = finished(asesor, upload(asesor, first, aplicar=True))
    assert (again["nuevas"], again["existentes"], again["con_error"]) == (0, 2, 0)
    assert audits() == before
    flat = [" ".join(s.replace('"', "").split()).upper() for s in sent.sent]
    for table in ("PARTICIPANTE", "PARTICIPANTE_PALABRA", "ACTUACION", "RESUMEN_DIARIO"):
        assert not [s for s in flat if s.startswith((f"INSERT INTO {table} ",
                                                     f"UPDATE {table} ", f"DELETE FROM {table} "))]
    # the people were read once per chunk as columns, not loaded with their centre (the ORM join)
    assert not [s for s in flat if "FROM PARTICIPANTE LEFT OUTER JOIN CENTRO" in s]

    # The same rows plus one more: the recorded ones stay as they are, the new one is applied.
    more = csv_bytes([row(10_000_001), row(10_000_002, programa_dps="Familias en Acción"),
                      row(10_000_003)])
    third = finished(asesor, upload(asesor, more, aplicar=True))
    assert (third["nuevas"], third["existentes"], third["personas_nuevas"]) == (1, 2, 1)
    assert counts(app)[:2] == (before[0] + 1, before[1] + 1)


def _audit_count(app, entidad: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(Auditoria)
                                  .where(Auditoria.entidad == entidad))
        db.session.rollback()
        return found


def test_the_import_field_checker_answers_exactly_what_check_fields_answers():
    """The import checks each row's person fields with `participantes.field_checker` (the fields a
    row does not name checked once): same values, same errors in the same order, for valid rows,
    minors, and every field wrong in turn."""
    from datetime import timedelta

    from cemprende.errors import ValidationFailed
    from cemprende.importaciones.services import PERSON_FIELDS
    from cemprende.participantes import services as participantes
    from conftest import TODAY

    base = {"tipo_documento": "CC", "numero_documento": "1098765432", "nombres": "Luz  Dary",
            "apellidos": "Pérez", "fecha_nacimiento": date(1985, 4, 15), "sexo": "F",
            "municipio": "Cartagena", "telefono": "300 111 2233"}
    variants = [{}, {"sexo": None, "telefono": None}, {"tipo_documento": "PA", "numero_documento": "AB123"},
                {"tipo_documento": "XX"}, {"numero_documento": "12"}, {"numero_documento": None},
                {"nombres": None}, {"nombres": "x" * 101}, {"apellidos": "a\x07b"},
                {"sexo": "Z"}, {"fecha_nacimiento": None},
                {"fecha_nacimiento": TODAY + timedelta(days=1)},
                {"fecha_nacimiento": TODAY.replace(year=TODAY.year - 16)},  # a minor
                {"fecha_nacimiento": TODAY.replace(year=TODAY.year - 10)},  # too young
                {"fecha_nacimiento": TODAY.replace(year=TODAY.year - 18)},  # 18 today
                {"fecha_nacimiento": date(1900, 1, 1)}, {"municipio": None},
                {"telefono": "12ab"}, {"nombres": None, "telefono": "1", "sexo": "Q"}]
    check = participantes.field_checker(PERSON_FIELDS, TODAY)

    def outcome(function, data):
        try:
            answer = function(dict(data))
            return "ok", list(answer.items())
        except ValidationFailed as error:
            return "error", list(error.fields.items())

    for variant in variants:
        data = {**base, **variant}
        expected = outcome(lambda d: participantes.check_fields(d, TODAY), data)
        assert outcome(check, data) == expected, variant
    assert outcome(check, base)[0] == "ok"


def test_bulk_audit_entries_are_stored_as_one_by_one_inserts_store_them(app, ctx, world):
    """`audit.record_many` (COPY on PostgreSQL) keeps the same values an INSERT binds: JSON with
    dates turned to text, a missing `antes`, the aware timestamp, the truncated detail."""
    from sqlalchemy import insert

    from cemprende import audit
    from cemprende.models import Staff

    actor = db.session.get(Staff, world["asesor_a"].id)
    despues = {"fecha_nacimiento": date(1990, 1, 2), "nombres": "Ana", "n": 3}
    audit.record_many("crear", actor=actor, entidad="participante", centro_id=7,
                      entries=[(41, None, despues), (42, {"a": [1, None]}, None)],
                      detalle="x" * 400)
    bulk = db.session.scalars(select(Auditoria).where(Auditoria.entidad_id.in_((41, 42)))
                              .order_by(Auditoria.entidad_id)).all()
    db.session.execute(insert(Auditoria), [
        {"en": bulk[0].en, "accion": "crear", "staff_id": actor.id, "username": actor.username,
         "entidad": "participante", "centro_id": 7, "detalle": "x" * 300, "entidad_id": 51,
         "antes": None, "despues": audit.redact(despues)}])
    single = db.session.scalars(select(Auditoria).where(Auditoria.entidad_id == 51)).one()
    columns = ("en", "accion", "staff_id", "username", "entidad", "centro_id", "detalle", "antes",
               "despues", "ip", "request_id")
    assert ({c: getattr(bulk[0], c) for c in columns}
            == {c: getattr(single, c) for c in columns})
    assert bulk[0].despues == {"fecha_nacimiento": "1990-01-02", "nombres": "Ana", "n": 3}
    assert (bulk[1].antes, bulk[1].despues) == ({"a": [1, None]}, None)
    assert bulk[0].en.tzinfo is not None
    db.session.rollback()


def test_people_and_actuaciones_sent_by_copy_are_stored_and_followed_as_an_insert(app, ctx, world):
    """`insert_returning_ids(..., copy=True)` (COPY on PostgreSQL, the import's people and
    actuaciones) stores the rows an executemany INSERT stores, the left-out columns' defaults
    included, and marks the same data versions and data-quality cells as the INSERT statement."""
    from datetime import UTC, datetime

    from cemprende import versiones
    from cemprende.locking import insert_returning_ids
    from cemprende.models import ResumenPersonas, Staff

    actor = db.session.get(Staff, world["asesor_a"].id)
    now = datetime.now(UTC)

    def person(n):
        return {"centro_id": actor.centro_id, "tipo_documento": "CC",
                "numero_documento": str(n), "nombres": "Ana", "apellidos": "Pérez",
                "nombre_busqueda": "ana perez", "fecha_nacimiento": date(1990, 1, 1),
                "municipio": "Cartagena", "consentimiento_datos": False,
                "consentimiento_en": now, "consentimiento_version": "pendiente",
                "creado_por_id": actor.id, "creado_en": now, "actualizado_en": now,
                "version": 1}

    def actuacion(participante_id, tipo):
        return {"participante_id": participante_id, "centro_id": actor.centro_id,
                "asesor_id": actor.id, "tipo": tipo, "fecha": date(2026, 1, 5),
                "datos": {"programa": "Red Unidos", "importacion_id": 3}, "creado_en": now}

    def stored(model, ids):
        columns = [c.key for c in model.__table__.columns
                   if c.key not in ("id", "numero_documento", "participante_id")]
        return [tuple(getattr(row, c) for c in columns) for row in db.session.scalars(
            select(model).where(model.id.in_(ids)).order_by(model.id))]

    def cells_now():
        r = ResumenPersonas
        for row in db.session.execute(select(r.centro_id, r.asesor_id, r.mes, r.personas,
                                             r.sin_caracterizacion)):
            yield tuple(row[:3]), tuple(row[3:])

    def write(copy, first):
        db.session.info.pop(versiones.MARK, None)
        cells = dict(cells_now())
        people = insert_returning_ids(Participante, [person(first), person(first + 1)], copy=copy)
        actuaciones = insert_returning_ids(
            Actuacion, [actuacion(people[0], "remision_dps"), actuacion(people[1], "comite")],
            copy=copy)
        marks = {clave: (t.red, t.centros, t.participantes - set(people))
                 for clave, t in db.session.info[versiones.MARK].items()}
        after = dict(cells_now())
        added = {k: tuple(a - b for a, b in zip(v, cells.get(k, (0, 0)))) for k, v in after.items()}
        rows = (stored(Participante, people), stored(Actuacion, actuaciones))
        return rows, marks, {k: v for k, v in added.items() if any(v)}

    copied = write(True, 71_000_001)
    inserted = write(False, 71_000_011)
    assert copied == inserted
    assert copied[1]  # versions marked (the centre's parts) and cells added
    assert copied[2]
    db.session.rollback()


def test_among_reads_the_rows_in_reads(app, ctx, world):
    """`membership.among` (an array parameter on PostgreSQL) finds the rows IN finds."""
    from cemprende.membership import among

    ids = sorted(db.session.scalars(select(Participante.id)))[:3] + [-5]
    numeros = list(db.session.scalars(select(Participante.numero_documento)))[:2] + ["x"]
    for column, values in ((Participante.id, ids), (Participante.numero_documento, numeros),
                           (Participante.id, [])):
        assert (sorted(db.session.scalars(select(Participante.id).where(among(column, values))))
                == sorted(db.session.scalars(select(Participante.id).where(column.in_(values)))))


def test_a_row_lock_already_held_is_not_asked_again_until_the_transaction_ends(app, ctx, world):
    from conftest import Statements

    from cemprende.locking import lock_participantes
    from cemprende.participantes import services as participantes
    from cemprende.models import Staff

    actor = db.session.get(Staff, world["asesor_a"].id)
    people = participantes.register_unconsented(actor, actor.centro_id, [
        {"tipo_documento": "CC", "numero_documento": str(n), "nombres": "Ana",
         "apellidos": "Pérez", "fecha_nacimiento": date(1990, 1, 1), "municipio": "Cartagena"}
        for n in (70_000_001, 70_000_002)])
    db.session.commit()
    ids = [p.id for p in people]
    with Statements(app) as sent:
        lock_participantes(ids[:1])
        lock_participantes(ids)  # only the second person is new to this transaction
        lock_participantes(reversed(ids))
    assert len(sent.sent) == 2
    db.session.rollback()
    with Statements(app) as sent:
        lock_participantes(ids)  # a new transaction holds nothing yet
    assert len(sent.sent) == 1
    db.session.rollback()


def test_an_import_job_thaws_only_what_it_froze(app, api, world):
    """The job keeps its rows out of the collector's full passes and thaws them at its end, but in
    a process whose objects were frozen before it (gunicorn's post_worker_init), it leaves the
    collector as it found it: its end must not thaw the worker's objects."""
    import gc

    asesor = api(world["asesor_a"])
    gc.unfreeze()
    finished(asesor, upload(asesor, csv_bytes([row(71000001)]), aplicar=True))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        report = finished(asesor, upload(asesor, csv_bytes([row(71000002)]), aplicar=True))
        assert report["nuevas"] == 1
        # (objects the job itself freed leave the count: it only drops by those few)
        assert gc.get_freeze_count() > 0.9 * frozen
    finally:
        gc.unfreeze()
