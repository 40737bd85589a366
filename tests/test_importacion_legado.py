"""Legacy bases (`tipo=legado`, issue 13 item 4): a centre's old spreadsheet read through a column
mapping, previewed as a dry run through the gate, applied in person-and-fecha order with the
original fechas, refused rows with the rule's code, reruns that create nothing, bad input."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cemprende import jobs
from cemprende.extensions import db
from cemprende.models import Actuacion, Auditoria, Importacion, ImportacionFila, Participante
from conftest import csrf_token, login

DATA = Path(__file__).resolve().parent.parent / "cemprende" / "data" / "legado"
EJEMPLO_CSV = DATA / "ejemplo_base_legada.csv"
EJEMPLO_MAPEO = DATA / "ejemplo_mapeo.json"


def ejemplo_rows() -> tuple[list[str], list[list[str]]]:
    with open(EJEMPLO_CSV, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], rows[1:]


def csv_bytes(header, rows, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mapeo_bytes(**changes) -> bytes:
    mapping = json.loads(EJEMPLO_MAPEO.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            mapping["columnas"].pop(key, None)
        else:
            mapping["columnas"][key] = value
    return json.dumps(mapping).encode("utf-8")


def upload(caller, data: bytes, mapeo: bytes | None = None, aplicar=False, name="base.csv",
           autorizacion=None):
    form = {"archivo": (io.BytesIO(data), name), "tipo": "legado",
            "aplicar": "true" if aplicar else "false"}
    if mapeo is not None:
        form["mapeo"] = (io.BytesIO(mapeo), "mapeo.json")
    if autorizacion is not None:
        form["autorizacion_datos"] = "true" if autorizacion else "false"
    return caller.post("/importaciones", content_type="multipart/form-data", data=form)


def finished(caller, response) -> dict:
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    jobs.wait_for_threads()
    report = caller.get(f"/importaciones/{body['id']}").get_json()
    assert report["estado"] == "terminada", report
    return report


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Participante)),
                db.session.scalar(select(func.count()).select_from(Actuacion)))


def errors_of(report) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for error in report["errores"]:
        found.setdefault(error["fila"], []).append(error)
    return found


# ---- the example -----------------------------------------------------------------------------

EXPECTED_ERRORS = {14: ("sin_plan_ajustado", "Actividad"), 15: ("tipo_desconocido", "Actividad")}


def _check_example_report(report) -> None:
    assert (report["tipo"], report["filas"], report["validas"], report["nuevas"],
            report["personas_nuevas"], report["con_error"], report["existentes"]) == (
        "legado", 14, 12, 12, 3, 2, 0), report
    errors = errors_of(report)
    assert {fila: (e[0]["codigo"], e[0]["campo"]) for fila, e in errors.items()} == EXPECTED_ERRORS
    assert "plan ajustado" in errors[14][0]["mensaje"]
    assert [(a["fila"], a["campo"]) for a in report["avisos"]] == [(11, "Celular")]


def test_example_previews_through_the_gate_and_writes_nothing(app, api, world):
    caller = api(world["asesor_a"])
    report = finished(caller, upload(caller, EJEMPLO_CSV.read_bytes(),
                                     EJEMPLO_MAPEO.read_bytes()))
    _check_example_report(report)
    assert report["aplicada"] is False
    assert counts(app) == (0, 0)


def test_example_applies_in_person_and_fecha_order_with_original_fechas_then_reruns_nothing(
        app, api, world):
    caller = api(world["asesor_a"])
    before_audit = _audit_count(app)
    report = finished(caller, upload(caller, EJEMPLO_CSV.read_bytes(),
                                     EJEMPLO_MAPEO.read_bytes(), aplicar=True))
    _check_example_report(report)
    assert report["aplicada"] is True
    assert counts(app) == (3, 12)
    with app.app_context():
        luz = db.session.scalar(select(Participante).where(
            Participante.numero_documento == "45678123"))
        assert luz.consentimiento_datos is True and luz.telefono == "3004567812"
        assert luz.consentimiento_version.startswith("legado-")
        acts = db.session.scalars(select(Actuacion).where(Actuacion.participante_id == luz.id)
                                  .order_by(Actuacion.fecha, Actuacion.id)).all()
        # The file lists the comité (row 6) before the plan ajustado (row 8): judged by fecha,
        # both go in, with the fechas the centre wrote.
        assert [(a.tipo, a.fecha) for a in acts] == [
            ("caracterizacion", date(2015, 2, 3)), ("enrutamiento", date(2015, 2, 3)),
            ("ingreso_ruta", date(2015, 2, 10)), ("plan_negocio", date(2015, 3, 20)),
            ("visita_acompanamiento", date(2015, 4, 2)), ("plan_ajustado", date(2015, 4, 10)),
            ("comite", date(2015, 4, 20)), ("desembolso", date(2015, 5, 5))]
        comite = acts[6]
        assert (comite.categoria, comite.valor) == ("aprobado", 2_500_000)
        assert comite.datos["legado_fila"] == 6 and comite.datos["importacion_id"] == report["id"]
        jhon = db.session.scalar(select(Participante).where(
            Participante.numero_documento == "1047384221"))
        assert jhon.telefono == "3157788990"  # the first row's data; row 11 only warns
    assert _audit_count(app) > before_audit
    # The same file again (a new upload): every row already brought, nothing written.
    again = finished(caller, upload(caller, EJEMPLO_CSV.read_bytes(),
                                    EJEMPLO_MAPEO.read_bytes(), aplicar=True))
    assert (again["nuevas"], again["existentes"], again["personas_nuevas"]) == (0, 12, 0)
    assert counts(app) == (3, 12)


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Auditoria))


def test_example_as_xlsx_with_date_cells_gives_the_same_verdicts(app, api, world):
    header, rows = ejemplo_rows()
    fecha = header.index("Fecha")
    cells = []
    for values in rows:
        day, month, year = (int(p) for p in values[fecha].split("/"))
        cells.append(values[:fecha] + [date(year, month, day)] + values[fecha + 1:])
    caller = api(world["asesor_a"])
    report = finished(caller, upload(caller, xlsx_bytes(header, cells), EJEMPLO_MAPEO.read_bytes(),
                                     name="base.xlsx"))
    _check_example_report(report)


def test_rows_are_judged_by_person_and_fecha_whatever_the_file_order(app, api, world):
    header, rows = ejemplo_rows()
    luz = [r for r in rows if r[3] == "45.678.123"]
    shuffled = list(reversed(luz))  # desembolso first, caracterización last
    caller = api(world["asesor_a"])
    report = finished(caller, upload(caller, csv_bytes(header, shuffled),
                                     EJEMPLO_MAPEO.read_bytes(), aplicar=True))
    assert (report["nuevas"], report["con_error"], report["personas_nuevas"]) == (8, 0, 1), report
    with app.app_context():
        tipos = db.session.scalars(select(Actuacion.tipo).order_by(Actuacion.id)).all()
    # Written in fecha order: the comité after the plan ajustado it decides.
    assert tipos.index("plan_ajustado") < tipos.index("comite") < tipos.index("desembolso")


def test_without_consent_the_gate_refuses_the_services_with_its_code(app, api, world):
    header, rows = ejemplo_rows()
    autoriza = header.index("Autoriza datos")
    rosa = [r[:autoriza] + ["No"] + r[autoriza + 1:] for r in rows if r[3] == "73.145.002"]
    caller = api(world["asesor_a"])
    report = finished(caller, upload(caller, csv_bytes(header, rosa[:2]),
                                     EJEMPLO_MAPEO.read_bytes(), aplicar=True))
    errors = errors_of(report)
    assert {e[0]["codigo"] for e in errors.values()} == {"sin_consentimiento"}
    assert errors[2][0]["campo"] == "Actividad"
    with app.app_context():
        person = db.session.scalar(select(Participante))
        assert person.consentimiento_datos is False


def test_consent_by_declaration_when_the_mapping_has_no_consent_column(app, api, world):
    header, rows = ejemplo_rows()
    data = csv_bytes(header, rows[:3])
    caller = api(world["asesor_a"])
    refused = upload(caller, data, mapeo_bytes(consentimiento=None))
    assert refused.status_code == 422
    assert "autorizacion_datos" in refused.get_json()["error"]["fields"]
    report = finished(caller, upload(caller, data, mapeo_bytes(consentimiento=None),
                                     aplicar=True, autorizacion=True))
    assert (report["nuevas"], report["con_error"]) == (3, 0), report
    assert report["autorizacion_datos"] is True and "consentimiento" not in report["mapeo"]["columnas"]
    with app.app_context():
        person = db.session.scalar(select(Participante))
        assert person.consentimiento_datos is True
        assert person.consentimiento_por_id == world["asesor_a"].id
        importacion = db.session.get(Importacion, report["id"])
        assert importacion.autorizacion_datos is True
        entry = db.session.scalar(select(Auditoria).where(Auditoria.accion == "importar"))
        assert entry.despues["autorizacion_datos"] is True


def test_row_errors_formulas_dates_centre_other_centre_and_the_others_go_on(app, api, world,
                                                                             centre):
    header, rows = ejemplo_rows()
    col = {name: i for i, name in enumerate(header)}

    def changed(values, **cells):
        values = list(values)
        for name, value in cells.items():
            values[col[name]] = value
        return values

    base = rows[0]  # Luz Marina's caracterización
    other = centre(world["asesor_b"]).person()  # registered in Ocaña
    with app.app_context():
        other_person = db.session.get(Participante, other)
        other_doc = other_person.numero_documento
    file_rows = [
        base,                                                             # 2 ok
        changed(base, **{"No. Documento": "11.111.111", "Nombres": "=HYPERLINK(\"x\")"}),  # 3
        changed(base, **{"No. Documento": "22.222.222", "Fecha": "31/02/2015"}),  # 4
        changed(base, **{"No. Documento": "33.333.333", "Fecha": "15/06/2026"}),  # 5 future
        changed(base, **{"No. Documento": "44.444.444", "Sede": "Barranquilla"}),  # 6
        changed(base, **{"No. Documento": other_doc}),                    # 7 other centre
        changed(base, **{"No. Documento": "55.555.555", "Fecha Nac.": "1/13/1980"}),  # 8
    ]
    caller = api(world["asesor_a"])
    before = counts(app)
    report = finished(caller, upload(caller, csv_bytes(header, file_rows),
                                     EJEMPLO_MAPEO.read_bytes(), aplicar=True))
    errors = errors_of(report)
    assert set(errors) == {3, 4, 5, 6, 7, 8}, errors
    assert errors[3][0]["campo"] == "Nombres" and "fórmula" in errors[3][0]["mensaje"]
    assert (errors[4][0]["campo"], errors[4][0]["codigo"]) == ("Fecha", "fecha_invalida")
    assert (errors[5][0]["campo"], errors[5][0]["codigo"]) == ("Fecha", "fecha_futura")
    assert (errors[6][0]["campo"], errors[6][0]["codigo"]) == ("Sede", "otro_centro")
    assert errors[7][0]["codigo"] == "otro_centro" and "Ocaña" in errors[7][0]["mensaje"]
    assert errors[8][0]["campo"] == "Fecha Nac."
    assert (report["nuevas"], report["personas_nuevas"]) == (1, 1)
    assert counts(app) == (before[0] + 1, before[1] + 1)


def test_an_interrupted_apply_completes_with_nothing_duplicated(app, api, world, monkeypatch):
    from cemprende.importaciones import legado

    real = legado.run_chunk
    calls = []

    def dies_on_the_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(legado, "run_chunk", dies_on_the_second_chunk)
    app.config.update(IMPORTACION_LOTE=5)
    try:
        caller = api(world["asesor_a"])
        response = upload(caller, EJEMPLO_CSV.read_bytes(), EJEMPLO_MAPEO.read_bytes(),
                          aplicar=True)
        importacion_id = response.get_json()["id"]
        jobs.wait_for_threads()
        # The first chunk was committed: rows ordered by document, a person never split (Jhon
        # Freddy's 3 rows, then Luz Marina's 8 though the chunk is 5).
        assert counts(app) == (2, 11)
        with app.app_context():  # as a killed worker leaves it: procesando, silent for long
            importacion = db.session.get(Importacion, importacion_id)
            importacion.estado = "procesando"
            importacion.latido = importacion.creado_en.replace(year=2000)
            db.session.commit()
        assert caller.get(f"/importaciones/{importacion_id}").get_json()["estado"] == "interrumpida"
        monkeypatch.setattr(legado, "run_chunk", real)
        again = finished(caller, caller.post(f"/importaciones/{importacion_id}/aplicar"))
        assert again["id"] == importacion_id and again["aplicada"] is True
        assert (again["existentes"], again["nuevas"], again["personas_nuevas"]) == (11, 1, 1)
        assert counts(app) == (3, 12)
    finally:
        app.config.update(IMPORTACION_LOTE=None)


def _truncated_xlsx() -> bytes:
    header, rows = ejemplo_rows()
    whole = xlsx_bytes(header, rows * 300)
    return whole[: len(whole) // 2]


BAD = {
    "png renamed": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, None, "base.csv", 415,
                    "no es CSV ni XLSX"),
    "empty": (lambda: b"", None, "base.csv", 400, "vacío"),
    "only header": (lambda: csv_bytes(ejemplo_rows()[0], []), None, "base.csv", 400,
                    "no tiene filas"),
    "mapped column missing": (lambda: EJEMPLO_CSV.read_bytes(),
                              lambda: mapeo_bytes(telefono="Teléfono fijo"), "base.csv", 400,
                              "«Teléfono fijo»"),
    "truncated xlsx": (_truncated_xlsx, None, "base.xlsx", 400, "dañado o incompleto"),
    "unclosed quote": (lambda: EJEMPLO_CSV.read_bytes() + b'16;"Cartagena;CC\n', None,
                       "base.csv", 400, "mal formado o cortado"),
    "no mapping": (lambda: EJEMPLO_CSV.read_bytes(), lambda: None, "base.csv", 400, "mapeo"),
    "mapping not json": (lambda: EJEMPLO_CSV.read_bytes(), lambda: b"tipo: Actividad",
                         "base.csv", 400, "JSON"),
    "mapping without fecha": (lambda: EJEMPLO_CSV.read_bytes(), lambda: mapeo_bytes(fecha=None),
                              "base.csv", 400, "fecha"),
    "mapping unknown field": (lambda: EJEMPLO_CSV.read_bytes(),
                              lambda: mapeo_bytes(color_favorito="Color"), "base.csv", 400,
                              "color_favorito"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_at_once_and_nothing_is_written(app, api, world, upload_root, case):
    make, make_mapeo, name, status, words = BAD[case]
    mapeo = make_mapeo() if make_mapeo else EJEMPLO_MAPEO.read_bytes()
    caller = api(world["asesor_a"])
    response = upload(caller, make(), mapeo, name=name)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]["message"]
    jobs.wait_for_threads()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Importacion)) == 0
    assert counts(app) == (0, 0)
    assert not [p for p in upload_root.rglob("*") if p.is_file()]


def test_too_large_and_too_many_rows_are_413(app, api, world):
    caller = api(world["asesor_a"])
    app.config.update(IMPORTACION_MAX_BYTES=1024)
    try:
        response = upload(caller, EJEMPLO_CSV.read_bytes(), EJEMPLO_MAPEO.read_bytes())
        assert response.status_code == 413 and "MB" in response.get_json()["error"]["message"]
    finally:
        app.config.update(IMPORTACION_MAX_BYTES=50 * 1024 * 1024)
    app.config.update(IMPORTACION_MAX_FILAS=10)
    try:
        response = upload(caller, EJEMPLO_CSV.read_bytes(), EJEMPLO_MAPEO.read_bytes())
        assert response.status_code == 413
        assert "más de 10 filas" in response.get_json()["error"]["message"]
    finally:
        app.config.update(IMPORTACION_MAX_FILAS=200_000)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Importacion)) == 0


def test_roles_and_centres(app, api, world):
    supervisor = api(world["supervisor"])
    assert upload(supervisor, EJEMPLO_CSV.read_bytes(), EJEMPLO_MAPEO.read_bytes()
                  ).status_code == 403
    caller = api(world["asesor_a"])
    report = finished(caller, upload(caller, EJEMPLO_CSV.read_bytes(),
                                     EJEMPLO_MAPEO.read_bytes()))
    assert api(world["asesor_b"]).get(f"/importaciones/{report['id']}").status_code == 404
    assert api(world["asesor_b"]).post(f"/importaciones/{report['id']}/aplicar").status_code == 404


def test_pages_upload_preview_apply_and_errors_csv(app, client, world):
    login(client, world["asesor_a"])
    inicio = client.get("/importaciones/").get_data(as_text=True)
    assert 'name="mapeo"' in inicio and "Bases heredadas" in inicio
    assert 'name="autorizacion_datos"' in inicio
    token = csrf_token(client, "/importaciones/")
    missing = client.post("/importaciones/", data={
        "csrf_token": token, "tipo": "legado",
        "archivo": (io.BytesIO(EJEMPLO_CSV.read_bytes()), "base.csv")},
        content_type="multipart/form-data")
    assert missing.status_code == 400 and "mapeo" in missing.get_data(as_text=True)
    response = client.post("/importaciones/", data={
        "csrf_token": token, "tipo": "legado",
        "archivo": (io.BytesIO(EJEMPLO_CSV.read_bytes()), "ejemplo_base_legada.csv"),
        "mapeo": (io.BytesIO(EJEMPLO_MAPEO.read_bytes()), "ejemplo_mapeo.json")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    jobs.wait_for_threads()
    page = client.get(response.location).get_data(as_text=True)
    assert "Terminada" in page and "Actuaciones por registrar" in page
    assert "sin_plan_ajustado" in page and "Comité de asignación" in page and "Aplicar" in page
    importacion_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    client.post(f"/importaciones/{importacion_id}/aplicar",
                data={"csrf_token": token, "confirmo": "y"})
    jobs.wait_for_threads()
    assert counts(app) == (3, 12)
    page = client.get(f"/importaciones/{importacion_id}").get_data(as_text=True)
    assert "Aplicada" in page and "Actuaciones registradas" in page
    errores = client.get(f"/importaciones/{importacion_id}/errores.csv")
    text = errores.get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=text.splitlines()[0][4]))
    assert lines[0][-3:] == ["Regla", "Actuación", "Fecha"]
    assert [(r[0], r[1], r[-3]) for r in lines[1:]] == [
        ("14", "Actividad", "sin_plan_ajustado"), ("15", "Actividad", "tipo_desconocido")]
