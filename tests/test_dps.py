"""The cross-check with DPS (issue 13.3) and the DPS follow-up view (13.2): the export of the
centre's remitted people, DPS's answer re-imported as audited updates shown on the person's page,
the gate's `fallecido` rule through every door, bad files, the follow-up counts and their people,
roles and centres."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from html import unescape

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from cemprende import jobs
from cemprende.extensions import db
from cemprende.models import Actuacion, Auditoria, Participante
from conftest import TODAY, csrf_token, login, person_payload
from documents import image_bytes

D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731
DMY = lambda days_ago: (TODAY - timedelta(days=days_ago)).strftime("%d/%m/%Y")  # noqa: E731
ANSWER_HEADER = ["tipo_documento", "numero_documento", "vulnerabilidad_validada", "fallecido",
                 "reside_en_otra_ciudad", "ciudad"]
IMPORT_HEADER = ["tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento",
                 "sexo", "municipio", "telefono", "programa_dps", "fecha_remision", "ciudad_centro"]


def csv_bytes(rows, header=ANSWER_HEADER, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=ANSWER_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answer(caller, data: bytes, aplicar=False, name="respuesta.csv", **form):
    return caller.post("/dps/respuestas", content_type="multipart/form-data", data={
        "archivo": (io.BytesIO(data), name), "aplicar": "true" if aplicar else "false", **form})


def person(caller, documento: str, remitido=True, **fields) -> int:
    made = caller.post("/participantes", json=person_payload(
        numero_documento=documento, remitido_dps=remitido,
        programa_dps="RIE 2013" if remitido else None, **fields))
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def act(caller, person_id: int, tipo: str, fecha: str, **fields) -> int:
    made = caller.post(f"/participantes/{person_id}/actuaciones",
                       json={"tipo": tipo, "fecha": fecha, **fields})
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def contact(caller, person_id: int, resultado: str, days_ago: int):
    made = caller.post(f"/participantes/{person_id}/contactos", json={
        "fecha": D(days_ago), "medio": "telefono", "resultado": resultado})
    assert made.status_code == 201, made.get_json()


def scenario(api, world) -> dict:
    """Centre A (Cartagena): three people of the list RIE 2013 (by hand), one of Jóvenes en
    Acción, one brought by an import; one registered but never remitted. Centre B (Ocaña): one."""
    a = api(world["asesor_a"])
    p1 = person(a, "800001", nombres="Ana", apellidos="Uno")
    act(a, p1, "remision_dps", D(30), programa="RIE 2013")
    contact(a, p1, "localizado", 28)
    act(a, p1, "caracterizacion", D(20))
    act(a, p1, "ingreso_ruta", D(10), ruta="fortalece")
    p2 = person(a, "800002", nombres="Beto", apellidos="Dos")
    act(a, p2, "remision_dps", D(30), programa="RIE 2013")
    contact(a, p2, "no_contesta", 25)
    p3 = person(a, "800003", nombres="Carla", apellidos="Tres")
    act(a, p3, "remision_dps", D(25), programa="RIE 2013")
    act(a, p3, "ingreso_ruta", D(20), ruta="emprende")
    act(a, p3, "desistimiento", D(5), motivo="Se fue de la ciudad.")
    p4 = person(a, "800004", nombres="Dora", apellidos="Cuatro")
    act(a, p4, "remision_dps", D(40), programa="Jóvenes en Acción")
    contact(a, p4, "localizado", 35)
    imported = a.post("/importaciones", content_type="multipart/form-data", data={
        "archivo": (io.BytesIO(csv_bytes([["CC", "800005", "Eva", "Cinco", "01/02/1990", "F",
                                           "Cartagena", "3001112233", "Red Unidos", DMY(15),
                                           "Cartagena"]], header=IMPORT_HEADER)), "lista.csv"),
        "tipo": "remision_dps", "aplicar": "true"})
    assert imported.status_code == 202, imported.get_json()
    jobs.wait_for_threads()
    importacion_id = imported.get_json()["id"]
    assert a.get(f"/importaciones/{importacion_id}").get_json()["nuevas"] == 1
    p5 = a.get("/participantes?documento=800005").get_json()["items"][0]["id"]
    p6 = person(a, "800006", remitido=False, nombres="Fabio", apellidos="Seis")
    b = api(world["asesor_b"])
    q1 = person(b, "900001", nombres="Gloria", apellidos="Otra")
    act(b, q1, "remision_dps", D(30), programa="RIE 2013")
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6, "q1": q1,
            "importacion_id": importacion_id}


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


# ---- 1. the export for DPS ------------------------------------------------------------------

def test_export_lists_the_centres_remissions_in_dps_shape_csv_and_xlsx(app, api, world):
    s = scenario(api, world)
    a_id = world["centro_a"].id
    director = api(world["director_a"])
    response = director.get(f"/dps/remitidos.csv?centro_id={a_id}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["tipo_documento", "numero_documento", "nombres", "apellidos", "programa",
                       "fecha_remision", "estado_contacto", "primer_servicio",
                       "fecha_primer_servicio", "ruta_actual", "centro",
                       "vulnerabilidad_validada", "fallecido", "reside_en_otra_ciudad", "ciudad"]
    by_doc = {r[1]: r for r in rows[1:]}
    assert set(by_doc) == {"800001", "800002", "800003", "800004", "800005"}  # not B's, not 800006
    centro = "Cemprende Cartagena"
    assert by_doc["800001"][:11] == ["CC", "800001", "Ana", "Uno", "RIE 2013", DMY(30), "Localizada",
                                     "Caracterización", DMY(20), "Fortalece", centro]
    assert by_doc["800002"][:11] == ["CC", "800002", "Beto", "Dos", "RIE 2013", DMY(30), "No contesta",
                                     "", "", "", centro]
    # A route followed by a desistimiento is no current route; the first service is still there.
    assert by_doc["800003"][6:10] == ["Pendiente", "Ingreso a ruta", DMY(20), ""]
    assert by_doc["800004"][4:7] == ["Jóvenes en Acción", DMY(40), "Localizada"]
    assert by_doc["800005"][4:6] == ["Red Unidos", DMY(15)]
    assert all(r[11:] == ["", "", "", ""] for r in rows[1:])
    # The period of remission filters.
    rows = read_csv(director.get(f"/dps/remitidos.csv?centro_id={a_id}&desde={D(26)}&hasta={D(10)}"))
    assert {r[1] for r in rows[1:]} == {"800003", "800005"}

    response = director.get(f"/dps/remitidos.xlsx?centro_id={a_id}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("tipo_documento", "numero_documento", "nombres")
    assert len(values) == 6
    ana = next(v for v in values if v[1] == "800001")
    assert ana[5].date() == TODAY - timedelta(days=30) and ana[7] == "Caracterización"

    with app.app_context():
        exports = db.session.scalars(select(Auditoria).where(
            Auditoria.accion == "exportar", Auditoria.entidad == "remitidos_dps")
            .order_by(Auditoria.id)).all()
        assert [(e.despues["formato"], e.despues["filas"], e.centro_id) for e in exports] == [
            ("csv", 5, a_id), ("csv", 2, a_id), ("xlsx", 5, a_id)]
        assert exports[0].username == world["director_a"].username

    # Staff of B see only B; A's centre asked by B is 404; the supervisor reads the network.
    rows_b = read_csv(api(world["asesor_b"]).get("/dps/remitidos.csv"))
    assert [r[1] for r in rows_b[1:]] == ["900001"]
    assert api(world["asesor_b"]).get(f"/dps/remitidos.csv?centro_id={a_id}").status_code == 404
    rows_all = read_csv(api(world["supervisor"]).get("/dps/remitidos.csv"))
    assert len(rows_all) == 7
    assert api(world["asesor_a"]).get("/dps/remitidos.csv?desde=2026-13-01").status_code == 422



def test_a_network_sized_spreadsheet_is_sent_to_the_csv(app, api, world, monkeypatch):
    from cemprende.dps import services
    scenario(api, world)
    monkeypatch.setattr(services, "XLSX_MAX_ROWS", 4)
    refused = api(world["supervisor"]).get("/dps/remitidos.xlsx")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == (
        "La lista tiene 6 remisiones: en Excel se descargan hasta 4. Descárguela en CSV o elija "
        "un centro o periodo.")
    assert api(world["supervisor"]).get("/dps/remitidos.csv").status_code == 200
    with app.app_context():  # refused before anything went out: no export recorded
        assert [e.despues["formato"] for e in db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "remitidos_dps"))] == ["csv"]


def test_export_is_one_statement_whatever_the_number_of_people(app, api, world):
    """The rows come from one grouped statement: no query per person."""
    from sqlalchemy import event

    scenario(api, world)
    with app.app_context():
        from cemprende.dps import services
        filtro = services.Filtro(world["centro_a"].id, None, TODAY)
        statements = []

        def count(*_args, **_kwargs):
            statements.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            rows = list(services.remitidos_rows(filtro))
            seguimiento = db.session.execute(
                services.queries.seguimiento(filtro.centro_id, None, TODAY)).all()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(rows) == 5 and len(seguimiento) == 3
        assert len(statements) == 2


# ---- 5. the follow-up view ------------------------------------------------------------------

def test_followup_counts_per_list_and_centre_with_their_people(app, api, world, make_client):
    s = scenario(api, world)
    a_id, b_id = world["centro_a"].id, world["centro_b"].id
    asesor = api(world["asesor_a"])
    body = asesor.get(f"/dps/seguimiento?hasta={D(0)}").get_json()
    assert body["centro_id"] == a_id and body["desde"] is None
    rows = {(r["programa"], r["importacion_id"]): r for r in body["items"]}
    assert set(rows) == {("RIE 2013", None), ("Jóvenes en Acción", None),
                         ("Red Unidos", s["importacion_id"])}
    rie = rows[("RIE 2013", None)]
    # P1 localizada and caracterizada; P2 no contesta; P3 not contacted but served after it.
    assert (rie["remitidos"], rie["localizados"], rie["atendidos"]) == (3, 2, 1)
    assert (rie["pct_localizados"], rie["pct_atendidos"]) == (67, 33)
    jovenes = rows[("Jóvenes en Acción", None)]
    assert (jovenes["remitidos"], jovenes["localizados"], jovenes["atendidos"]) == (1, 1, 0)
    lista = rows[("Red Unidos", s["importacion_id"])]
    assert (lista["remitidos"], lista["localizados"], lista["atendidos"]) == (1, 0, 0)
    assert body["total"] == {"remitidos": 5, "localizados": 3, "atendidos": 1,
                             "pct_localizados": 60, "pct_atendidos": 20}
    # A service dated before the remission does not count for it.
    act(asesor, s["p2"], "caracterizacion", D(31))
    again = {(r["programa"], r["importacion_id"]): r
             for r in asesor.get("/dps/seguimiento").get_json()["items"]}
    assert again[("RIE 2013", None)]["atendidos"] == 1
    # The period is the remission's.
    narrow = asesor.get(f"/dps/seguimiento?desde={D(26)}").get_json()["items"]
    assert [(r["programa"], r["remitidos"]) for r in narrow] == [("RIE 2013", 1), ("Red Unidos", 1)]

    people = asesor.get("/dps/seguimiento/personas?programa=RIE 2013&importacion_id=ninguna"
                        "&etapa=localizados").get_json()
    assert people["total"] == 2
    assert [(p["participante_id"], p["localizado"], p["atendido"]) for p in people["items"]] == [
        (s["p3"], True, False), (s["p1"], True, True)]  # by apellidos: Tres, Uno
    atendidos = asesor.get("/dps/seguimiento/personas?programa=RIE 2013&etapa=atendidos").get_json()
    assert [p["participante_id"] for p in atendidos["items"]] == [s["p1"]]
    del_import = asesor.get(f"/dps/seguimiento/personas?importacion_id={s['importacion_id']}").get_json()
    assert [p["participante_id"] for p in del_import["items"]] == [s["p5"]]
    assert asesor.get("/dps/seguimiento/personas?etapa=otra").status_code == 422

    # The supervisor sees both centres; B's staff cannot ask for A.
    network = api(world["supervisor"]).get("/dps/seguimiento").get_json()
    assert {r["centro_id"] for r in network["items"]} == {a_id, b_id}
    assert api(world["director_b"]).get(f"/dps/seguimiento?centro_id={a_id}").status_code == 404

    # The page, its drill-down and the CSV (audited as an export).
    browser = make_client()
    login(browser, world["asesor_a"])
    page = browser.get("/dps/")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Seguimiento de remisiones DPS" in html
    assert "RIE 2013 · registradas a mano" in html and "67 %" in html
    drill = browser.get("/dps/personas?programa=RIE 2013&importacion_id=ninguna&etapa=atendidos")
    assert drill.status_code == 200 and "Ana Uno" in unescape(drill.get_data(as_text=True))
    assert "Beto Dos" not in unescape(drill.get_data(as_text=True))
    rows = read_csv(browser.get("/dps/seguimiento.csv"))
    assert rows[0] == ["Centro", "Programa", "Importación", "Remitidos", "Localizados",
                       "% localizados", "Atendidos", "% atendidos"]
    assert ["Cemprende Cartagena", "RIE 2013", "", "3", "2", "67", "1", "33"] in rows
    assert rows[-1][0] == "Total"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Auditoria).where(
            Auditoria.accion == "exportar", Auditoria.entidad == "seguimiento_dps")) == 1
    # The tablero is untouched: its page still answers as before.
    assert browser.get("/tableros/").status_code == 200


# ---- 2. DPS's answer ------------------------------------------------------------------------

def test_answer_preview_writes_nothing_then_apply_updates_audits_and_shows(app, api, world,
                                                                         make_client):
    s = scenario(api, world)
    director = api(world["director_a"])
    data = csv_bytes([
        ["CC", "800001", "si", "", "", ""],           # 2: vulnerability validated
        ["CC", "800.002", "no", "sí", "no", ""],      # 3: deceased (document typed with dots)
        ["CC", "800003", "", "no", "si", "Ocaña"],    # 4: lives in Ocaña (centre B's city)
        ["CC", "123456789", "si", "no", "no", ""],    # 5: unknown
        ["CC", "900001", "si", "no", "no", ""],       # 6: another centre's
        ["CC", "800006", "si", "no", "no", ""],       # 7: never remitted
        ["CC", "800004", "quizás", "no", "no", ""],   # 8: not si/no
        ["XX", "800004", "si", "no", "no", ""],       # 9: bad tipo
        ["CC", "800005", "=1+1", "no", "no", ""],     # 10: a formula
        ["CC", "800001", "si", "", "", ""],           # 11: repeated, same answer: once
        ["CC", "800002", "si", "no", "no", ""],       # 12: repeated, another answer: error
    ])
    preview = answer(director, data)
    assert preview.status_code == 200, preview.get_json()
    report = preview.get_json()
    assert report["aplicada"] is False and report["filas"] == 11
    assert report["validas"] == 3 and report["con_cambios"] == 3
    errors = {e["fila"]: e for e in report["errores"]}
    assert set(errors) == {5, 6, 7, 8, 9, 10, 12}
    assert errors[5]["mensaje"] == "No hay ninguna persona registrada con ese documento."
    assert "otro centro (COEE Ocaña)" in errors[6]["mensaje"]
    assert errors[7]["mensaje"] == "La persona no figura como remitida por el DPS."
    assert errors[8]["campo"] == "vulnerabilidad_validada" and "si o no" in errors[8]["mensaje"]
    assert errors[9]["campo"] == "tipo_documento"
    assert errors[10]["campo"] == "vulnerabilidad_validada" and "fórmula" in errors[10]["mensaje"]
    assert "otra respuesta" in errors[12]["mensaje"]
    assert [a["fila"] for a in report["avisos"]] == [11]
    with app.app_context():
        people = {p.id: p for p in db.session.scalars(select(Participante))}
        assert not any(p.fallecido or p.dps_respuesta_en or p.dps_vulnerabilidad_validada
                       or p.reside_otra_ciudad is not None for p in people.values())
        before_audit = db.session.scalar(select(func.count()).select_from(Auditoria))

    applied = answer(director, data, aplicar=True)
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["aplicada"] is True and applied.get_json()["con_cambios"] == 3
    with app.app_context():
        p1, p2, p3, p4 = (db.session.get(Participante, s[k]) for k in ("p1", "p2", "p3", "p4"))
        assert p1.dps_vulnerabilidad_validada is True and not p1.fallecido
        assert p1.reside_otra_ciudad is None and p1.dps_respuesta_en is not None
        assert p2.fallecido and p2.fecha_reporte_fallecido == TODAY
        assert p2.dps_vulnerabilidad_validada is False and p2.reside_otra_ciudad is None
        assert p3.reside_otra_ciudad == "Ocaña" and not p3.fallecido
        assert p3.dps_vulnerabilidad_validada is None
        assert p4.dps_respuesta_en is None  # its row was an error
        entries = db.session.scalars(select(Auditoria).where(
            Auditoria.id > 0, Auditoria.entidad == "participante", Auditoria.accion == "editar",
            Auditoria.detalle == "Respuesta DPS (respuesta.csv)")).all()
        assert {e.entidad_id for e in entries} == {s["p1"], s["p2"], s["p3"]}
        death = next(e for e in entries if e.entidad_id == s["p2"])
        assert death.antes["fallecido"] is False and death.despues["fallecido"] is True
        assert death.despues["fecha_reporte_fallecido"] == TODAY.isoformat()
        assert death.username == world["director_a"].username
        assert db.session.scalar(select(func.count()).select_from(Auditoria).where(
            Auditoria.entidad == "respuesta_dps")) == 1
        assert db.session.scalar(select(func.count()).select_from(Auditoria)) > before_audit

    # The same answer again changes nothing.
    again = answer(director, data, aplicar=True).get_json()
    assert again["con_cambios"] == 0 and again["sin_cambios"] == 3

    # Shown on the person's page: the box, the deceased notice, the transfer offer.
    browser = make_client()
    login(browser, world["asesor_a"])
    html = unescape(browser.get(f"/participantes/{s['p2']}").get_data(as_text=True))
    assert "Respuesta DPS" in html and "El DPS reportó que la persona falleció" in html
    html = unescape(browser.get(f"/participantes/{s['p3']}").get_data(as_text=True))
    assert 'id="ofrecer-traslado"' in html and "COEE Ocaña" in html and "Ofrecer traslado" in html
    html = unescape(browser.get(f"/participantes/{s['p1']}").get_data(as_text=True))
    assert "Vulnerabilidad validada</dt><dd>Sí" in html and "ofrecer-traslado" not in html
    html = unescape(browser.get(f"/participantes/{s['p4']}").get_data(as_text=True))
    assert "Respuesta DPS" not in html
    # An admin is offered the transfer request itself, prefilled with the document.
    admin = make_client()
    login(admin, world["admin"])
    html = unescape(admin.get(f"/participantes/{s['p3']}").get_data(as_text=True))
    assert "/traslados/solicitar?tipo_documento=CC&numero_documento=800003" in html.replace("&amp;", "&")
    # A "no" later clears what DPS said.
    answer(director, csv_bytes([["CC", "800003", "", "", "no", ""]]), aplicar=True)
    with app.app_context():
        assert db.session.get(Participante, s["p3"]).reside_otra_ciudad is None


def test_answer_page_preview_then_apply_and_xlsx(app, api, world, make_client):
    s = scenario(api, world)
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.get("/dps/respuesta")
    assert page.status_code == 200
    data = xlsx_bytes([["CC", "800004", "si", "no", "si", "Bogotá"]],
                      header=["Tipo de documento", "Número documento", "Vulnerabilidad validada",
                              "FALLECIDO", "Reside en otra ciudad", "Ciudad"])
    preview = browser.post("/dps/respuesta", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(browser, "/dps/respuesta"),
        "archivo": (io.BytesIO(data), "respuesta.xlsx")})
    html = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200 and "Vista previa (nada se ha guardado)" in html
    assert "Dora Cuatro" in html
    with app.app_context():
        assert db.session.get(Participante, s["p4"]).dps_respuesta_en is None
    huella = re.search(r'name="huella" type="hidden" value="([0-9a-f]{64})"', html).group(1)
    centro = re.search(r'name="centro_id" type="hidden" value="(\d+)"', html).group(1)
    token = csrf_token(browser, "/dps/respuesta")
    unconfirmed = browser.post("/dps/respuesta/aplicar", data={
        "csrf_token": token, "huella": huella, "centro_id": centro, "nombre_archivo": "respuesta.xlsx"})
    assert unconfirmed.status_code == 422
    applied = browser.post("/dps/respuesta/aplicar", data={
        "csrf_token": token, "huella": huella, "centro_id": centro,
        "nombre_archivo": "respuesta.xlsx", "confirmo": "y"})
    assert applied.status_code == 200, applied.get_data(as_text=True)
    assert "Respuesta aplicada: 1 personas actualizadas." in unescape(applied.get_data(as_text=True))
    with app.app_context():
        p4 = db.session.get(Participante, s["p4"])
        assert p4.dps_vulnerabilidad_validada is True and p4.reside_otra_ciudad == "Bogotá"
    # A file the preview never kept: 409 with a Spanish message.
    gone = browser.post("/dps/respuesta/aplicar", data={
        "csrf_token": token, "huella": "0" * 64, "centro_id": centro,
        "nombre_archivo": "x.csv", "confirmo": "y"})
    assert gone.status_code == 409 and "súbalo de nuevo" in unescape(gone.get_data(as_text=True))


CUT_XLSX = xlsx_bytes([["CC", str(800000 + n), "si", "", "", ""] for n in range(300)])


def test_bad_answer_files_are_refused_and_nothing_is_written(app, api, world, make_client):
    scenario(api, world)
    director = api(world["director_a"])
    written = (select(func.count()).select_from(Auditoria)
               .where(Auditoria.entidad.in_(("participante", "respuesta_dps")),
                      Auditoria.accion != "crear"))
    with app.app_context():
        audit_before = db.session.scalar(written)
    cases = [
        (b"", 400, "vacío"),
        (b"tipo_documento,numero_documento,fallecido\n", 400, "solo encabezados"),
        (image_bytes(), 415, "no es CSV ni XLSX"),
        (csv_bytes([["CC", "800001"]], header=["tipo_documento", "numero_documento"]), 400,
         "Faltan columnas"),
        (csv_bytes([["800001", "si"]], header=["numero_documento", "fallecido"]), 400,
         "Faltan columnas: tipo_documento"),
        (csv_bytes([["CC", str(810000 + n), "si", "", "", ""] for n in range(5001)]), 413,
         "más de 5.000 filas"),
        (b"x" * (5 * 1024 * 1024 + 10), 413, "pasa de 5 MB"),
        (CUT_XLSX[: len(CUT_XLSX) // 2], 400, "dañado o incompleto"),
        (b'tipo_documento,numero_documento,fallecido\nCC,"800001,si\n', 400, "mal formado"),
    ]
    for data, status, text in cases:
        for aplicar in (False, True):
            response = answer(director, data, aplicar=aplicar)
            assert response.status_code == status, (text, response.get_json())
            assert text in response.get_json()["error"]["message"], response.get_json()
    assert director.post("/dps/respuestas", json={"x": 1}).status_code == 415
    missing = director.post("/dps/respuestas", content_type="multipart/form-data", data={})
    assert missing.status_code == 422 and "archivo" in missing.get_json()["error"]["fields"]
    # The page answers the same refusal in Spanish, with the file's status.
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.post("/dps/respuesta", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(browser, "/dps/respuesta"),
        "archivo": (io.BytesIO(image_bytes()), "foto.csv")})
    assert page.status_code == 415 and "no es CSV ni XLSX" in unescape(page.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(written) == audit_before
        assert db.session.scalar(select(func.count()).select_from(Participante).where(
            Participante.dps_respuesta_en.is_not(None))) == 0


def test_answer_roles_and_centres(app, api, world):
    s = scenario(api, world)
    data = csv_bytes([["CC", "800001", "si", "no", "no", ""]])
    # Asesores and PNUD supervisors do not apply DPS's answer.
    for role in ("asesor_a", "supervisor"):
        response = answer(api(world[role]), data, aplicar=True)
        assert response.status_code == 403, role
    # B's director applies to B only: A's person is an error row there.
    other = answer(api(world["director_b"]), data, aplicar=True).get_json()
    assert other["con_cambios"] == 0 and "otro centro" in other["errores"][0]["mensaje"]
    refused = answer(api(world["director_b"]), data, centro_id=str(world["centro_a"].id))
    assert refused.status_code == 422
    # An admin names the centre.
    admin = api(world["admin"])
    assert answer(admin, data).status_code == 422
    applied = answer(admin, data, aplicar=True, centro_id=str(world["centro_a"].id)).get_json()
    assert applied["con_cambios"] == 1
    with app.app_context():
        assert db.session.get(Participante, s["p1"]).dps_vulnerabilidad_validada is True
    assert api(world["asesor_a"]).get("/dps/seguimiento?centro_id=999999").status_code == 404


# ---- 3. the gate's fallecido rule -----------------------------------------------------------

def _report_deceased(api, world, documento: str) -> None:
    applied = answer(api(world["director_a"]), csv_bytes([["CC", documento, "", "si", "", ""]]),
                     aplicar=True)
    assert applied.status_code == 200 and applied.get_json()["con_cambios"] == 1


def test_a_deceased_person_gets_no_new_service_through_any_door(app, api, world, make_client):
    s = scenario(api, world)
    _report_deceased(api, world, "800001")
    asesor = api(world["asesor_a"])
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Actuacion))
    api_answer = asesor.post(f"/participantes/{s['p1']}/actuaciones",
                             json={"tipo": "fortalecimiento_sede", "fecha": D(1), "tema": "Ventas"})
    assert api_answer.status_code == 422
    error = api_answer.get_json()["error"]
    assert error["code"] == "fallecido"
    assert error["message"] == (f"El DPS reportó el {TODAY:%d/%m/%Y} que la persona falleció: "
                                "no se le pueden registrar nuevos servicios.")
    # The page.
    browser = make_client()
    login(browser, world["asesor_a"])
    page = browser.post(f"/participantes/{s['p1']}/actuaciones/nueva?tipo=caracterizacion",
                        data={"csrf_token": csrf_token(browser, "/participantes/"), "fecha": D(1)})
    assert page.status_code == 422 and error["message"] in unescape(page.get_data(as_text=True))
    # The CLI.
    result = app.test_cli_runner().invoke(args=[
        "actuacion-registrar", "--usuario", world["asesor_a"].username, "--participante",
        str(s["p1"]), json.dumps({"tipo": "caracterizacion", "fecha": D(1)})])
    assert result.exit_code != 0 and result.output.startswith(f"Error: [fallecido] {error['message']}")
    # The import door (register_many): a new remission of the person is an error row.
    imported = asesor.post("/importaciones", content_type="multipart/form-data", data={
        "archivo": (io.BytesIO(csv_bytes([
            ["CC", "800001", "Ana", "Uno", "17/05/1990", "F", "Cartagena", "3001234567",
             "Familias en Acción", DMY(2), "Cartagena"],
            ["CC", "800007", "Hugo", "Siete", "01/02/1991", "M", "Cartagena", "3001112233",
             "Familias en Acción", DMY(2), "Cartagena"]], header=IMPORT_HEADER)), "otra.csv"),
        "tipo": "remision_dps", "aplicar": "true"})
    jobs.wait_for_threads()
    report = asesor.get(f"/importaciones/{imported.get_json()['id']}").get_json()
    assert report["nuevas"] == 1
    assert [e["fila"] for e in report["errores"]] == [2]
    assert error["message"] in report["errores"][0]["mensaje"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actuacion)) == before + 1
        mine = db.session.scalars(select(Actuacion).where(
            Actuacion.participante_id == s["p1"], Actuacion.anulada.is_(False))
            .order_by(Actuacion.id)).all()
        assert [a.tipo for a in mine] == ["remision_dps", "caracterizacion", "ingreso_ruta"]
    # Annulling a typing error stays allowed.
    annulled = asesor.post(f"/actuaciones/{mine[-1].id}/anular", json={"motivo": "Error de digitación"})
    assert annulled.status_code == 200, annulled.get_json()
    # Reported alive again (DPS corrects itself): services may be recorded again.
    answer(api(world["director_a"]), csv_bytes([["CC", "800001", "", "no", "", ""]]), aplicar=True)
    assert asesor.post(f"/participantes/{s['p1']}/actuaciones",
                       json={"tipo": "ingreso_ruta", "fecha": D(1), "ruta": "fortalece"}
                       ).status_code == 201
    with app.app_context():
        p1 = db.session.get(Participante, s["p1"])
        assert not p1.fallecido and p1.fecha_reporte_fallecido is None
