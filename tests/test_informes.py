"""Monthly informes (issue 12.5): each informe's figures and lists over a built scenario, frozen
versions that print the same after the data change, the PDF on Carta with es-CO money and dates,
the XLSX with typed text kept as text, the narrative's checks, roles and other centres."""
from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from cemprende.extensions import db
from cemprende.models import Auditoria, InformeVersion, Participante
from conftest import NONE, Centre, csrf_token, login, post_at_once
from test_printouts import assert_letter_with_margins

HYPERLINK = '=HYPERLINK("x")'
SUPPLIER = "=Almacén La 14"  # typed by an asesor: must reach the spreadsheet as text
LETTER = (612, 792)
PLAN = [{"descripcion": "Nevera de exhibición vertical", "cantidad": 2, "precio_unitario": 1_250_000,
         "categoria": "maquinaria_equipo"},
        {"descripcion": "Estufa industrial", "cantidad": 1, "precio_unitario": 400_000,
         "categoria": "herramientas"}]
NARRATIVA = {"logros": "Se enrutaron más personas que en febrero.\n\nSe abrió la sede rural.",
             "dificultades": "Conectividad intermitente en Ocaña.",
             "acciones_mejora": "Jornadas de registro los sábados.",
             "casos_destacados": "La panadería de doña Ana ya emplea a dos personas."}


def build_routings(a: Centre, b: Centre) -> dict:
    """March 2026 routings of centre A (and one of B, which A's informe never shows)."""
    e1 = a.person(nombres=HYPERLINK, apellidos="Rojas", **NONE)
    a.act(e1, "enrutamiento", "2026-03-05", destino="emprendimiento")
    e2 = a.person(nombres="Beatriz", apellidos="Suárez", **NONE)  # first routed in February
    a.act(e2, "enrutamiento", "2026-02-20", destino="emprendimiento")
    a.act(e2, "enrutamiento", "2026-03-10", destino="empleabilidad")
    e3 = a.person(nombres="Camilo", apellidos="Torres", **NONE)  # the month's last day
    e3_routing = a.act(e3, "enrutamiento", "2026-03-31", destino="empleabilidad")
    e4 = a.person(nombres="Diana", apellidos="Úsuga", **NONE)  # the first day, then the other process
    a.act(e4, "enrutamiento", "2026-03-01", destino="emprendimiento")
    a.act(e4, "enrutamiento", "2026-03-18", destino="empleabilidad")
    e5 = a.person(**NONE)  # annulled: never counts
    a.annul(a.act(e5, "enrutamiento", "2026-03-15", destino="emprendimiento"))
    e6 = a.person(**NONE)  # February only
    a.act(e6, "enrutamiento", "2026-02-28", destino="empleabilidad")
    other = b.person(**NONE)
    b.act(other, "enrutamiento", "2026-03-10", destino="emprendimiento")
    return {"e3_routing": e3_routing, "e1": e1}


def build_capital(a: Centre, b: Centre) -> None:
    """March 2026 seed capital of centre A: plans, three decisions, two deliveries (one with
    items, one without), visits, and an approval of February still partly undelivered."""
    c1 = a.person(nombres="Ana", apellidos="Pérez", **NONE)
    a.act(c1, "plan_negocio", "2026-02-20", nombre_negocio="Panadería", valor_solicitado=2_900_000,
          items=PLAN)
    a.act(c1, "visita_acompanamiento", "2026-03-01", clase="diagnostico")
    a.act(c1, "plan_ajustado", "2026-03-02", valor=2_900_000, items=PLAN)
    a.act(c1, "comite", "2026-03-05", decision="aprobado", valor=2_900_000, acta="ACA-1")
    entrega = a.caller.post(f"/participantes/{c1}/entregas", json={
        "fecha": "2026-03-10", "proveedor": SUPPLIER, "nit": "890300279-4",
        "items": [{"descripcion": "Nevera de exhibición vertical", "cantidad": 2,
                   "precio_unitario": 1_250_000}]})
    assert entrega.status_code == 201, entrega.get_json()
    a.act(c1, "visita_acompanamiento", "2026-03-20", clase="seguimiento")
    c2 = a.person(nombres="Bruno", apellidos="Quintero", **NONE)
    a.act(c2, "plan_negocio", "2026-03-03", nombre_negocio="Taller", valor_solicitado=1_500_000)
    a.act(c2, "visita_acompanamiento", "2026-03-03", clase="diagnostico")
    a.act(c2, "plan_ajustado", "2026-03-04", valor=1_500_000)
    a.act(c2, "comite", "2026-03-06", decision="rechazado", valor=1_500_000, acta="ACA-2")
    a.act(c2, "plan_ajustado", "2026-03-08", valor=1_000_000)
    a.act(c2, "comite", "2026-03-09", decision="aplazado", valor=1_000_000, acta="ACA-3")
    a.act(c2, "comite", "2026-03-12", decision="aprobado", valor=1_000_000, acta="ACA-4")
    a.act(c2, "desembolso", "2026-03-15", valor=1_000_000, proveedor="Ferretería Central")
    a.annul(a.act(c2, "visita_acompanamiento", "2026-03-21", clase="seguimiento"))
    c3 = a.person(nombres="Carla", apellidos="Ramos", **NONE)  # approved in February
    a.act(c3, "plan_negocio", "2026-01-20", nombre_negocio="Tienda", valor_solicitado=800_000)
    a.act(c3, "visita_acompanamiento", "2026-01-30", clase="diagnostico")
    a.act(c3, "plan_ajustado", "2026-02-01", valor=800_000)
    a.act(c3, "comite", "2026-02-05", decision="aprobado", valor=800_000, acta="ACA-0")
    a.act(c3, "desembolso", "2026-02-10", valor=300_000, proveedor="Ferretería Central")
    other = b.person(**NONE)
    b.act(other, "plan_negocio", "2026-03-03", nombre_negocio="Otro", valor_solicitado=9_000_000)


def generate(caller, centro_id, tipo, mes="2026-03", **extra):
    return caller.post("/informes", json={"centro_id": centro_id, "mes": mes, "tipo": tipo, **extra})


def pdf_text(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    for page in reader.pages:  # Carta: 612 × 792 points
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == LETTER
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def workbook(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.data))


def sheet_values(book) -> dict[str, list[tuple]]:
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


# ---- the figures of each informe ----------------------------------------------------------

def test_enrutamiento_counts_and_lists_the_months_routings_of_the_centre(api, world, a, b):
    build_routings(a, b)
    made = generate(api(world["director_a"]), world["centro_a"].id, "enrutamiento")
    assert made.status_code == 201, made.get_json()
    datos = made.get_json()["datos"]
    assert datos["corte"] == "2026-03-31" and datos["en_curso"] is True  # the test clock's day
    por = {r["destino"]: r for r in datos["por_destino"]}
    assert (por["emprendimiento"]["personas"], por["emprendimiento"]["enrutamientos"],
            por["emprendimiento"]["nuevos"]) == (2, 2, 2)
    assert (por["empleabilidad"]["personas"], por["empleabilidad"]["enrutamientos"],
            por["empleabilidad"]["nuevos"]) == (3, 3, 1)
    assert datos["total"] == {"personas": 4, "enrutamientos": 5, "nuevos": 3}
    listed = [(r["apellidos"], r["destino"], r["fecha"], r["nuevo"]) for r in datos["personas"]]
    assert listed == [("Úsuga", "emprendimiento", "2026-03-01", True),
                      ("Rojas", "emprendimiento", "2026-03-05", True),
                      ("Suárez", "empleabilidad", "2026-03-10", False),
                      ("Úsuga", "empleabilidad", "2026-03-18", False),
                      ("Torres", "empleabilidad", "2026-03-31", True)]
    assert all(r["asesor"] == "asesor de prueba" for r in datos["personas"])


def test_capitalizacion_figures_by_decision_category_supplier_and_pending(api, world, a, b):
    build_capital(a, b)
    made = generate(api(world["director_a"]), world["centro_a"].id, "capitalizacion")
    assert made.status_code == 201, made.get_json()
    d = made.get_json()["datos"]
    assert d["planes"] == {"plan_negocio": {"numero": 1, "valor": 1_500_000},
                           "plan_ajustado": {"numero": 3, "valor": 5_400_000}}
    assert {r["decision"]: (r["numero"], r["valor"]) for r in d["decisiones"]} == {
        "aprobado": (2, 3_900_000), "rechazado": (1, 1_500_000), "aplazado": (1, 1_000_000)}
    assert d["aprobado"] == {"numero": 2, "valor": 3_900_000}
    assert d["entregado"] == {"numero": 2, "valor": 3_500_000}
    assert [(r["categoria"], r["valor"]) for r in d["por_categoria"]] == [
        ("maquinaria_equipo", 2_500_000), ("sin_detalle", 1_000_000)]
    assert sum(r["valor"] for r in d["por_categoria"]) == d["entregado"]["valor"]
    assert [(r["proveedor"], r["nit"], r["entregas"], r["valor"]) for r in d["por_proveedor"]] == [
        (SUPPLIER, "890300279-4", 1, 2_500_000), ("Ferretería Central", "", 1, 1_000_000)]
    assert {r["clase"]: (r["visitas"], r["personas"]) for r in d["visitas"]} == {
        "diagnostico": (2, 2), "seguimiento": (1, 1)}
    assert [(r["apellidos"], r["aprobado"], r["entregado"], r["pendiente"]) for r in d["pendientes"]] == [
        ("Ramos", 800_000, 300_000, 500_000), ("Pérez", 2_900_000, 2_500_000, 400_000)]
    assert d["pendiente_total"] == {"personas": 2, "valor": 900_000}


def test_tecnico_has_the_months_tablero_against_the_vigencias_metas_and_the_narrative(
        api, world, a, b, client):
    build_routings(a, b)
    build_capital(a, b)
    director = api(world["director_a"])
    metas = director.put("/metas", json={
        "centro_id": world["centro_a"].id, "metas": {"1.1": 10, "M4.v": 10_000_000, "4.2": 20},
        "vigencia": {"nombre": "Convenio 2026", "desde": "2026-01-01", "hasta": "2026-12-31"}})
    assert metas.status_code == 200, metas.get_json()
    made = generate(director, world["centro_a"].id, "tecnico", narrativa=NARRATIVA)
    assert made.status_code == 201, made.get_json()
    d = made.get_json()["datos"]
    rows = {f["codigo"]: f for t in d["tableros"] for f in t["filas"]}
    # 1.1: first routings of March (3) and of the vigencia up to the cut (5, February's two).
    assert (rows["1.1"]["mes"], rows["1.1"]["acumulado"], rows["1.1"]["meta"], rows["1.1"]["avance"]) == (3, 5, 10, 50)
    assert (rows["M4.v"]["mes"], rows["M4.v"]["acumulado"], rows["M4.v"]["meta"],
            rows["M4.v"]["avance"]) == (3_500_000, 3_800_000, 10_000_000, 38)
    assert rows["4.2"]["sensible"] and (rows["4.2"]["mes"], rows["4.2"]["acumulado"]) == (3, 5)
    assert d["vigencia"]["nombre"] == "Convenio 2026" and d["narrativa"] == NARRATIVA

    login(client, world["director_a"])
    reader, text = pdf_text(client.get(f"/informes/{made.get_json()['id']}.pdf"))
    assert_letter_with_margins(reader)
    assert "$ 3.500.000" in text and "$ 10.000.000" in text and "01/01/2026" in text
    assert "Conectividad intermitente en Ocaña." in text and "Casos destacados" in text
    # Row 4.2 (ethnic origin): 3 people in the month leave the network as "< 5", 5 as 5.
    lines = [line.strip() for line in text.splitlines()]
    after = lines[lines.index("4.2"):][:8]
    assert after[after.index("< 5") + 1:after.index("< 5") + 4] == ["5", "20", "25 %"]
    after = lines[lines.index("M4.n"):][:6]  # a count of plans is no sensitive datum
    assert "< 5" not in after and "2" in after
    book = workbook(client.get(f"/informes/{made.get_json()['id']}.xlsx"))
    global_rows = {r[0]: r for r in sheet_values(book)["Global"] if r and r[0]}
    assert global_rows["4.2"][3] == "< 5" and global_rows["4.2"][4] == 5
    assert global_rows["1.1"][3:7] == (3, 5, 10, 0.5)
    narrative = {r[0]: r[1] for r in sheet_values(book)["Narrativa"] if r and r[0]}
    assert narrative["Logros"] == NARRATIVA["logros"]  # its paragraphs kept


# ---- documents and the frozen version -----------------------------------------------------

def test_pdf_is_carta_with_colombian_money_and_dates_and_xlsx_keeps_typed_text_as_text(
        api, world, a, b, client):
    build_routings(a, b)
    build_capital(a, b)
    director = api(world["director_a"])
    routing = generate(director, world["centro_a"].id, "enrutamiento").get_json()
    capital = generate(director, world["centro_a"].id, "capitalizacion").get_json()
    login(client, world["director_a"])
    reader, text = pdf_text(client.get(f"/informes/{capital['id']}.pdf"))
    assert_letter_with_margins(reader)
    for expected in ("$ 3.500.000", "$ 2.500.000", "$ 900.000", "05/02/2026", "31/03/2026",
                     "Informe de capitalización", "Maquinaria y equipo", SUPPLIER):
        assert expected in text, expected
    reader, text = pdf_text(client.get(f"/informes/{routing['id']}.pdf"))
    assert_letter_with_margins(reader)  # every text run inside office-printer margins
    assert reader.metadata.title.startswith("Informe de enrutamiento")
    assert "05/03/2026" in text and "CC " in text and HYPERLINK in text

    book = workbook(client.get(f"/informes/{routing['id']}.xlsx"))
    people = book["Personas"]
    assert int(people.page_setup.paperSize) == int(people.PAPERSIZE_LETTER)
    cells = [c for row in people.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.value, c.data_type) for c in cells] == [("'" + HYPERLINK, "s")]
    dates = [c.value for c in people["F"] if hasattr(c.value, "year")]
    assert len(dates) == 5 and all(c.number_format == "DD/MM/YYYY" for c in people["F"][6:])
    book = workbook(client.get(f"/informes/{capital['id']}.xlsx"))
    supplier_cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                      if isinstance(c.value, str) and "Almacén" in c.value]
    assert [(c.value, c.data_type) for c in supplier_cells] == [("'" + SUPPLIER, "s")]
    money = next(c for row in book["Pendientes"].iter_rows() for c in row if c.value == 500_000)
    assert money.number_format == '"$ "#,##0'


def test_a_version_prints_as_sent_after_the_data_change_and_a_new_version_differs(
        api, world, a, b, client, app):
    marks = build_routings(a, b)
    director = api(world["director_a"])
    first = generate(director, world["centro_a"].id, "enrutamiento").get_json()
    login(client, world["director_a"])
    pdf_before = pdf_text(client.get(f"/informes/{first['id']}.pdf"))[1]
    xlsx_before = sheet_values(workbook(client.get(f"/informes/{first['id']}.xlsx")))
    snapshot_before = director.get(f"/informes/{first['id']}").get_json()

    # The data change: one more routing in March, one annulled.
    late = a.person(nombres="Ernesto", apellidos="Zapata", **NONE)
    a.act(late, "enrutamiento", "2026-03-20", destino="emprendimiento")
    a.annul(marks["e3_routing"])

    assert pdf_text(client.get(f"/informes/{first['id']}.pdf"))[1] == pdf_before
    assert sheet_values(workbook(client.get(f"/informes/{first['id']}.xlsx"))) == xlsx_before
    assert director.get(f"/informes/{first['id']}").get_json() == snapshot_before
    assert "Zapata" not in pdf_before and "Torres" in pdf_before

    second = generate(director, world["centro_a"].id, "enrutamiento").get_json()
    assert second["numero"] == first["numero"] + 1 == 2
    pdf_after = pdf_text(client.get(f"/informes/{second['id']}.pdf"))[1]
    assert pdf_after != pdf_before and "Zapata" in pdf_after and "Torres" not in pdf_after
    assert second["datos"]["total"]["personas"] == first["datos"]["total"]["personas"]  # +1 −1
    assert second["datos"]["total"]["enrutamientos"] == 5
    assert sheet_values(workbook(client.get(f"/informes/{second['id']}.xlsx"))) != xlsx_before

    history = director.get(f"/informes?centro_id={world['centro_a'].id}&mes=2026-03").get_json()
    assert [(v["tipo"], v["numero"]) for v in history["items"]] == [("enrutamiento", 2), ("enrutamiento", 1)]
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(Auditoria.entidad == "informe_version")
                                     .order_by(Auditoria.id)).all()
        assert [e.accion for e in entries].count("generar") == 2
        assert [e.accion for e in entries].count("exportar") == 6  # 3 PDFs and 3 XLSX downloaded
        assert all(e.centro_id == world["centro_a"].id for e in entries)


# ---- the narrative, the month, roles and centres ------------------------------------------

def test_the_narrative_is_checked(api, world):
    director = api(world["director_a"])
    centro = world["centro_a"].id
    missing = generate(director, centro, "tecnico", narrativa={"logros": "Algo"})
    assert missing.status_code == 422
    assert set(missing.get_json()["error"]["fields"]) == {"dificultades", "acciones_mejora"}
    too_long = generate(director, centro, "tecnico", narrativa={**NARRATIVA, "logros": "x" * 5001})
    assert too_long.status_code == 422
    assert "5.000 caracteres" in too_long.get_json()["error"]["fields"]["logros"]
    control = generate(director, centro, "tecnico", narrativa={**NARRATIVA, "dificultades": "a\x07b"})
    assert control.status_code == 422  # refused at the API's door or by the service, never stored
    assert any(name.endswith("dificultades") for name in control.get_json()["error"]["fields"])
    exactly = generate(director, centro, "tecnico", narrativa={**NARRATIVA, "logros": "x" * 5000,
                                                               "casos_destacados": ""})
    assert exactly.status_code == 201, exactly.get_json()
    assert exactly.get_json()["datos"]["narrativa"]["casos_destacados"] == ""


def test_a_month_not_begun_is_refused_and_a_past_month_is_complete(api, world):
    director = api(world["director_a"])
    future = generate(director, world["centro_a"].id, "enrutamiento", mes="2026-04")
    assert future.status_code == 422
    assert "aún no ha comenzado" in future.get_json()["error"]["message"]
    bad = generate(director, world["centro_a"].id, "otro", mes="2026-13")
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"tipo", "mes"}
    past = generate(director, world["centro_a"].id, "capitalizacion", mes="2026-02").get_json()
    assert past["corte"] == "2026-02-28" and past["datos"]["en_curso"] is False


def test_roles_and_other_centres(api, world, a, b):
    build_routings(a, b)
    centro_a, centro_b = world["centro_a"].id, world["centro_b"].id
    made = generate(api(world["director_a"]), centro_a, "enrutamiento").get_json()
    # Asesores neither generate nor read informes; supervisors read every centre, generate none.
    assert generate(api(world["asesor_a"]), centro_a, "enrutamiento").status_code == 403
    assert api(world["asesor_a"]).get(f"/informes/{made['id']}").status_code == 403
    assert api(world["asesor_a"]).get("/informes").status_code == 403
    supervisor = api(world["supervisor"])
    assert supervisor.get(f"/informes/{made['id']}").status_code == 200
    assert generate(supervisor, centro_a, "enrutamiento").status_code == 403
    # Another centre's version, or a generation for it, is a 404.
    director_b = api(world["director_b"])
    assert director_b.get(f"/informes/{made['id']}").status_code == 404
    assert generate(director_b, centro_a, "enrutamiento").status_code == 404
    assert director_b.get(f"/informes?centro_id={centro_a}").status_code == 404
    assert director_b.get("/informes").get_json()["total"] == 0
    own_b = generate(director_b, None, "enrutamiento").get_json()  # its own centre by default
    assert own_b["centro_id"] == centro_b and own_b["datos"]["total"]["personas"] == 1
    # The admin generates for any centre; the supervisor lists both.
    assert generate(api(world["admin"]), centro_b, "capitalizacion").status_code == 201
    assert supervisor.get("/informes").get_json()["total"] == 3
    assert supervisor.get(f"/informes?centro_id={centro_b}").get_json()["total"] == 2


def test_the_pages_generate_list_and_show_a_version(app, world, a, b, make_client):
    build_routings(a, b)
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.get("/informes/nuevo?tipo=tecnico&mes=2026-03")
    assert page.status_code == 200 and "Generar versión" in page.get_data(as_text=True)
    token = csrf_token(browser, "/informes/nuevo")
    refused = browser.post("/informes/nuevo", data={"csrf_token": token, "tipo": "tecnico",
                                                    "mes": "2026-03", "logros": "x" * 5001})
    assert refused.status_code == 422
    assert "No puede tener más de 5.000 caracteres" in refused.get_data(as_text=True)
    done = browser.post("/informes/nuevo", data={"csrf_token": token, "tipo": "tecnico",
                                                 "mes": "2026-03", **NARRATIVA})
    assert done.status_code == 303
    shown = browser.get(done.location).get_data(as_text=True)
    assert "Informe técnico" in shown and "Conectividad intermitente en Ocaña." in shown
    assert "Versión 1 generada por director de prueba" in shown
    # The form starts the next version from this one's narrative.
    again = browser.get("/informes/nuevo?tipo=tecnico&mes=2026-03").get_data(as_text=True)
    assert "Jornadas de registro los sábados." in again
    routing = browser.post("/informes/nuevo", data={"csrf_token": token, "tipo": "enrutamiento",
                                                    "mes": "2026-03"})
    assert routing.status_code == 303
    assert "Úsuga" in browser.get(routing.location).get_data(as_text=True)
    listing = browser.get("/informes/").get_data(as_text=True)
    assert "Informe de enrutamiento" in listing and "Informe técnico" in listing
    without_csrf = browser.post("/informes/nuevo", data={"tipo": "enrutamiento", "mes": "2026-03"})
    assert without_csrf.status_code == 400
    home = browser.get("/participantes/").get_data(as_text=True)
    assert 'href="/informes/"' in home  # in the navigation for a director
    asesor = make_client()
    login(asesor, world["asesor_a"])
    assert 'href="/informes/"' not in asesor.get("/participantes/").get_data(as_text=True)


def test_two_versions_generated_at_once_get_their_own_numbers(app, world, a, b):
    build_routings(a, b)
    body = {"centro_id": world["centro_a"].id, "mes": "2026-03", "tipo": "enrutamiento"}
    answers = post_at_once(app, [(world["director_a"], "/informes", body),
                                 (world["admin"], "/informes", body)])
    assert sorted(status for status, _ in answers) in ([201, 201], [201, 409]), answers
    with app.app_context():
        numbers = db.session.scalars(select(InformeVersion.numero).order_by(InformeVersion.numero)).all()
    assert numbers in ([1, 2], [1])


def test_a_person_moved_since_stays_in_the_informe_of_the_centre_that_routed_them(app, api, world, a, b):
    marks = build_routings(a, b)
    with app.app_context():  # the person moves to centre B (no audit needed here)
        db.session.execute(update(Participante).where(Participante.id == marks["e1"])
                           .values(centro_id=world["centro_b"].id))
        db.session.commit()
    d = generate(api(world["director_a"]), world["centro_a"].id, "enrutamiento").get_json()["datos"]
    assert d["total"]["personas"] == 4
    assert HYPERLINK in [r["nombres"] for r in d["personas"]]
    d = generate(api(world["director_b"]), world["centro_b"].id, "enrutamiento").get_json()["datos"]
    assert d["total"]["personas"] == 1 and HYPERLINK not in [r["nombres"] for r in d["personas"]]
