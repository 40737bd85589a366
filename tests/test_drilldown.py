"""Every tablero figure drills down to its units: the list makes the figure, row by row, for each
centre and for the network, with the tablero's scope and window; search, paging, downloads."""
from __future__ import annotations

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from cemprende.extensions import db
from cemprende.models import Auditoria, Participante
from cemprende.tableros.registry import FILAS, POR_CODIGO, CuposVacantes, Promedio, Suma
from conftest import MARCH, NONE, PASSWORD, Centre, build_routing_scenario, build_services_scenario, login

HYPERLINK = '=HYPERLINK("http://x","clic")'


def _move(app, person_id: int, centro_id: int) -> None:
    with app.app_context():  # the person moves to another centre (no audit needed here)
        db.session.execute(update(Participante).where(Participante.id == person_id).values(centro_id=centro_id))
        db.session.commit()


def build_network(app, world, a: Centre, b: Centre) -> dict:
    """Two centres: A with the routing and services scenarios (annulled records, records outside
    March), route entries, and a person who moves from A to B; B with its own people."""
    build_routing_scenario(a)
    build_services_scenario(a)
    r1 = a.person(**NONE)
    a.act(r1, "ingreso_ruta", "2015-01-10", ruta="emprende")
    r2 = a.person(**NONE)
    a.act(r2, "ingreso_ruta", "2015-02-01", ruta="desarrolla")
    a.act(r2, "desistimiento", "2015-03-15", motivo="Se fue de la ciudad")
    r3 = a.person(**NONE)
    a.act(r3, "ingreso_ruta", "2015-03-01", ruta="transforma")
    a.act(r3, "ingreso_ruta", "2015-04-05", ruta="fortalece")  # after the cut
    # B's own people.
    x = b.person(sexo="M", nombres="Xiomara", apellidos="Quintero", **NONE)
    b.act(x, "enrutamiento", "2015-03-03", destino="empleabilidad")
    b.act(x, "hoja_de_vida", "2015-03-04", plataforma="spe", codigo="9")
    b.act(x, "capacitacion_fis", "2015-03-05", curso="Entrevista")
    v = b.vacante(4, "2015-03-15")
    b.vacante(6, "2015-04-15")  # after the cut
    b.act(x, "remision_seleccion", "2015-03-16", vacante_id=v)
    b.act(x, "colocacion", "2015-03-18", vacante_id=v)
    b.act(x, "empleo_generado", "2015-03-19", autoempleos=1, directos=3)
    y = b.person(remitido_dps=True, sexo="F", etnia="indigena", **NONE)
    b.act(y, "enrutamiento", "2015-03-09", destino="emprendimiento")
    b.act(y, "plan_negocio", "2015-03-01", nombre_negocio="Arepas", valor_solicitado=900_001)
    b.act(y, "visita_acompanamiento", "2015-03-02", clase="diagnostico")
    b.act(y, "plan_ajustado", "2015-03-03", valor=900_001)
    b.act(y, "comite", "2015-03-04", decision="aprobado", valor=900_001, acta="ACA-B")
    b.act(y, "desembolso", "2015-03-06", valor=900_001, proveedor="Ferretería")
    b.act(y, "visita_acompanamiento", "2015-03-20", clase="seguimiento")
    b.act(y, "ingreso_ruta", "2015-03-10", ruta="emprende")
    # The moved person: what A recorded stays A's.
    moved = a.person(sexo="F", nombres=HYPERLINK, apellidos="Trasladada Pérez", **NONE)
    a.act(moved, "enrutamiento", "2015-03-05", destino="emprendimiento")
    a.act(moved, "ingreso_ruta", "2015-03-06", ruta="emprende")
    a.act(moved, "referenciacion", "2015-03-07", destino="terceros", programa="Fundación")
    a.act(moved, "perfil_proyecto", "2015-03-08", nombre_negocio="Tienda", sector="Comercio")
    _move(app, moved, world["centro_b"].id)
    b.act(moved, "enrutamiento", "2015-03-20", destino="empleabilidad")  # not their first
    b.act(moved, "ingreso_ruta", "2015-03-21", ruta="fortalece")        # ends A's Ruta Emprende
    b.act(moved, "referenciacion", "2015-03-22", destino="terceros", programa="Fundación")
    b.act(moved, "perfil_proyecto", "2015-03-23", nombre_negocio="Tienda", sector="Comercio")
    return {"moved": moved, "x": x, "y": y}


@pytest.fixture
def network(app, world, a, b):
    return build_network(app, world, a, b)


def figures(caller, tablero: str, query: str) -> dict[str, int]:
    response = caller.get(f"/tableros/{tablero}?{query}")
    assert response.status_code == 200, response.get_json()
    return {fila["codigo"]: fila["resultado"] for fila in response.get_json()["filas"]}


def every_unit(caller, tablero: str, codigo: str, query: str) -> tuple[list[dict], dict]:
    items, page = [], 1
    while True:
        response = caller.get(f"/tableros/{tablero}/filas/{codigo}/personas?{query}&per_page=200&page={page}")
        assert response.status_code == 200, (codigo, response.get_json())
        body = response.get_json()
        items += body["items"]
        if page * 200 >= body["total"]:
            assert len(items) == body["total"]
            return items, body
        page += 1


def makes_the_figure(fila, items: list[dict], resultado: int) -> bool:
    if isinstance(fila.calculo, Promedio):
        total = sum(item["valor"] for item in items)
        return resultado == ((2 * total + len(items)) // (2 * len(items)) if items else 0)
    if isinstance(fila.calculo, (Suma, CuposVacantes)):
        return sum(item["valor"] for item in items) == resultado
    return len(items) == resultado


@pytest.mark.parametrize("tablero", ["global", "microcapitalizacion"])
def test_every_row_lists_the_units_that_make_its_figure(api, world, network, tablero):
    supervisor = api(world["supervisor"])
    scopes = {"a": f"{MARCH}&centro_id={world['centro_a'].id}",
              "b": f"{MARCH}&centro_id={world['centro_b'].id}", "red": MARCH}
    nonzero = set()
    for codigo in [f.codigo for f in FILAS if f.tablero == tablero]:
        fila = POR_CODIGO[codigo]
        lists = {}
        for scope, query in scopes.items():
            resultado = figures(supervisor, tablero, query)[codigo]
            items, body = every_unit(supervisor, tablero, codigo, query)
            assert makes_the_figure(fila, items, resultado), (codigo, scope, resultado, items)
            if not isinstance(fila.calculo, (Suma, CuposVacantes, Promedio)):
                assert body["total"] == resultado
            if body["unidad"] == "personas":  # a person once per centre that counted them
                keys = [(i["centro_id"], i["participante_id"]) for i in items]
                assert len(keys) == len(set(keys)), codigo
            if body["unidad"] == "vacantes":
                assert all(i["participante_id"] is None and i["vacante_id"] for i in items)
            else:
                assert all(i["participante_id"] and i["numero_documento"] for i in items)
            assert all("2015-03-01" <= i["fecha"] <= "2015-03-31" for i in items
                       if not codigo.startswith("12."))  # 12.x: active as of the cut, entered any day
            nonzero.add(codigo) if resultado else None
            lists[scope] = items
        # The network list is its centres' lists together.
        key = lambda i: (i["centro_id"], i["participante_id"], i["actuacion_id"], i["vacante_id"])  # noqa: E731
        assert sorted(map(key, lists["red"])) == sorted(map(key, lists["a"] + lists["b"])), codigo
        assert {i["centro_id"] for i in lists["a"]} <= {world["centro_a"].id}
    # The scenario exercises the rows (not a vacuous pass of zeros).
    codes = [f.codigo for f in FILAS if f.tablero == tablero]
    assert len(nonzero) >= len(codes) - 3, set(codes) - nonzero


def test_a_moved_person_stays_listed_where_counted_marked_with_their_centre(api, world, network):
    supervisor = api(world["supervisor"])
    a_id, b_id = world["centro_a"].id, world["centro_b"].id
    moved = network["moved"]
    routed, _ = every_unit(supervisor, "global", "1.1", f"{MARCH}&centro_id={a_id}")
    mine = [i for i in routed if i["participante_id"] == moved]
    assert len(mine) == 1 and mine[0]["centro_id"] == a_id and mine[0]["trasladado_a"] == b_id
    assert all(i["trasladado_a"] is None for i in routed if i["participante_id"] != moved)
    # B's later routing is not a first one; B's route entry ended A's.
    assert moved not in {i["participante_id"] for i in every_unit(
        supervisor, "global", "1.4", f"{MARCH}&centro_id={b_id}")[0]}
    assert moved not in {i["participante_id"] for i in every_unit(
        supervisor, "global", "12.1", f"{MARCH}&centro_id={a_id}")[0]}
    fortalece, _ = every_unit(supervisor, "global", "12.2", f"{MARCH}&centro_id={b_id}")
    assert [(i["participante_id"], i["trasladado_a"]) for i in fortalece] == [(moved, None)]
    # Referred in both centres: listed once for each in the network's 2.1.
    both = [i["centro_id"] for i in every_unit(supervisor, "global", "2.1", MARCH)[0]
            if i["participante_id"] == moved]
    assert sorted(both) == sorted([a_id, b_id])


def test_items_carry_the_contract_fields(api, world, network):
    supervisor = api(world["supervisor"])
    query = f"{MARCH}&centro_id={world['centro_b'].id}"
    person = every_unit(supervisor, "global", "8", query)[0][0]
    assert {"participante_id", "tipo_documento", "numero_documento", "nombres", "apellidos",
            "centro_id", "trasladado_a"} <= set(person)
    record = every_unit(supervisor, "microcapitalizacion", "M4.v", query)[0][0]
    assert (record["valor"], record["fecha"], record["participante_id"]) == (900_001, "2015-03-06", network["y"])
    assert record["actuacion_id"]
    vacante, body = every_unit(supervisor, "global", "9", query)
    assert body["unidad"] == "vacantes" and [(v["valor"], v["nombres"]) for v in vacante] == [(4, None)]
    assert vacante[0]["vacante_id"] and vacante[0]["fecha"] == "2015-03-15"
    m5, _ = every_unit(supervisor, "microcapitalizacion", "M5", query)
    assert [i["actuacion_id"] for i in m5] == [record["actuacion_id"]]  # M5 lists M4.v's units
    assert (body["desde"], body["hasta"], body["centro_id"]) == ("2015-03-01", "2015-03-31", world["centro_b"].id)


def test_unknown_rows_and_rows_of_the_other_tablero_are_404(api, world):
    supervisor = api(world["supervisor"])
    assert supervisor.get(f"/tableros/global/filas/99/personas?{MARCH}").status_code == 404
    assert supervisor.get(f"/tableros/global/filas/M4.v/personas?{MARCH}").status_code == 404
    assert supervisor.get(f"/tableros/microcapitalizacion/filas/M4.v/personas?{MARCH}").status_code == 200


def test_scope_is_the_tablero_scope(api, world, network):
    a_id, b_id = world["centro_a"].id, world["centro_b"].id
    director_b = api(world["director_b"])
    assert director_b.get(f"/tableros/global/filas/1.1/personas?{MARCH}&centro_id={a_id}").status_code == 404
    # Without centro_id, staff of a centre get their own centre.
    own, body = every_unit(director_b, "global", "1.1", MARCH)
    assert body["centro_id"] == b_id and {i["centro_id"] for i in own} == {b_id}
    assert api(world["asesor_a"]).get(f"/tableros/global/filas/1.1/personas?{MARCH}").status_code == 200
    # The window resolves as the tablero's: without desde, the first of hasta's month.
    _, body = every_unit(api(world["supervisor"]), "global", "1.1", "hasta=2015-03-31")
    assert body["desde"] == "2015-03-01"
    bad = api(world["supervisor"]).get("/tableros/global/filas/1.1/personas?desde=2015-04-01&hasta=2015-03-31")
    assert bad.status_code == 422


def test_search_by_document_or_name_fragment(api, world, network):
    supervisor = api(world["supervisor"])
    everyone, _ = every_unit(supervisor, "global", "8", MARCH)
    x = next(i for i in everyone if i["participante_id"] == network["x"])
    by_name, body = every_unit(supervisor, "global", "8", f"{MARCH}&q=xiom")
    assert [i["participante_id"] for i in by_name] == [network["x"]] and body["total"] == 1
    by_doc, _ = every_unit(supervisor, "global", "8", f"{MARCH}&q={x['numero_documento'][:6]}")
    assert network["x"] in {i["participante_id"] for i in by_doc}
    assert every_unit(supervisor, "global", "8", f"{MARCH}&q=zzzz")[0] == []
    assert every_unit(supervisor, "global", "9", f"{MARCH}&q=E")[1]["total"] == 3  # vacantes: empresa


def test_pages_split_the_list_without_overlap(api, world, network):
    supervisor = api(world["supervisor"])
    whole, body = every_unit(supervisor, "global", "1.1", MARCH)
    assert body["total"] >= 5
    seen = []
    for page in range(1, 4):
        got = supervisor.get(f"/tableros/global/filas/1.1/personas?{MARCH}&per_page=2&page={page}").get_json()
        assert (got["page"], got["per_page"], got["total"]) == (page, 2, body["total"])
        seen += got["items"]
    assert seen == whole[:6]
    assert supervisor.get(f"/tableros/global/filas/1.1/personas?{MARCH}&per_page=500").status_code == 422


def _download(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_csv_and_xlsx_of_a_list_open_back_formula_safe_and_are_audited(app, client, world, network):
    login(client, world["supervisor"])
    a_id = world["centro_a"].id
    query = f"{MARCH}&centro_id={a_id}"
    response = _download(client, f"/tableros/global/filas/1.1/personas.csv?{query}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Centro que lo cuenta", "ID participante", "Tipo de documento",
                           "Número de documento", "Nombres"]
    assert len(rows) - 1 == 6  # A's 1.1 (5 of the routing scenario and the moved person)
    moved = next(r for r in rows if r[1] == str(network["moved"]))
    assert moved[4] == "'" + HYPERLINK and moved[6] == world["centro_b"].nombre  # trasladado a
    assert moved[7] == "05/03/2015" and moved[2] == "Cédula de ciudadanía"

    response = _download(client, f"/tableros/global/filas/1.1/personas.xlsx?{query}")
    sheet = load_workbook(BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values.index(next(v for v in values if v[0] == "Centro que lo cuenta"))
    body = values[header + 1:]
    assert len(body) == 6
    row = next(r for r in body if r[1] == network["moved"])
    assert row[4] == "'" + HYPERLINK
    cell = next(c for c in sheet.iter_rows(min_row=header + 2) if c[1].value == network["moved"])[4]
    assert cell.data_type == "s"
    date_cell = next(c for c in sheet.iter_rows(min_row=header + 2) if c[1].value == network["moved"])[7]
    assert date_cell.value.date().isoformat() == "2015-03-05" and date_cell.number_format == "DD/MM/YYYY"

    money = load_workbook(BytesIO(_download(
        client, f"/tableros/microcapitalizacion/filas/M4.v/personas.xlsx?{MARCH}").data)).active
    rows = list(money.iter_rows(values_only=True))
    assert rows[2][-1] == "Valor (pesos)" and sum(r[-1] for r in rows[3:]) == 2_000_001 + 900_001

    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(Auditoria.accion == "descargar")
                                     .order_by(Auditoria.id)).all()
        assert [(e.entidad, e.despues["codigo"], e.despues["formato"], e.despues["filas"], e.username)
                for e in entries] == [
            ("tablero_fila", "1.1", "csv", 6, world["supervisor"].username),
            ("tablero_fila", "1.1", "xlsx", 6, world["supervisor"].username),
            ("tablero_fila", "M4.v", "xlsx", 3, world["supervisor"].username)]
        assert entries[0].centro_id == a_id and entries[0].despues["desde"] == "2015-03-01"
        assert entries[2].despues["centro_id"] is None  # the network


def test_asesores_may_not_download_and_directors_only_their_centre(app, make_client, world, network):
    asesor = make_client()
    login(asesor, world["asesor_a"])
    for extension in ("csv", "xlsx"):
        assert asesor.get(f"/tableros/global/filas/1.1/personas.{extension}?{MARCH}").status_code == 403
    assert "personas.csv" not in asesor.get(f"/tableros/global/filas/1.1/personas?{MARCH}").get_data(as_text=True)
    director = make_client()
    login(director, world["director_b"])
    assert director.get(f"/tableros/global/filas/1.1/personas.csv?{MARCH}&centro_id={world['centro_a'].id}"
                        ).status_code == 404
    text = _download(director, f"/tableros/global/filas/1.1/personas.csv?{MARCH}").get_data(as_text=True)
    assert "Xiomara" in text and "Trasladada" not in text  # the moved person's first routing is A's
    with app.app_context():
        assert db.session.scalar(select(Auditoria).where(Auditoria.accion == "descargar",
                                                         Auditoria.username == world["asesor_a"].username)) is None


def test_the_list_page_has_the_row_window_search_and_links(client, world, network):
    login(client, world["supervisor"])
    a_id = world["centro_a"].id
    page = client.get(f"/tableros/?{MARCH}&centro_id={a_id}").get_data(as_text=True)
    assert f"/tableros/global/filas/1.1/personas?centro_id={a_id}&amp;desde=2015-03-01&amp;hasta=2015-03-31" in page
    assert "/tableros/microcapitalizacion/filas/M5/personas?" in page
    network_page = client.get(f"/tableros/?{MARCH}&indicador=9").get_data(as_text=True)
    assert f"/tableros/global/filas/9/personas?centro_id={world['centro_b'].id}&amp;" in network_page
    html = client.get(f"/tableros/global/filas/1.1/personas?{MARCH}&centro_id={a_id}").get_data(as_text=True)
    assert "1.1 · Usuarios caracterizados y enrutados" in html and "01/03/2015 a 31/03/2015" in html
    assert "Trasladada Pérez" in html and "trasladado a" in html and "« Volver al tablero" in html
    assert "personas.csv?" in html and "personas.xlsx?" in html
    assert "Nada de esta lista coincide" in client.get(
        f"/tableros/global/filas/1.1/personas?{MARCH}&centro_id={a_id}&q=zzzz").get_data(as_text=True)
    assert "Esta cifra es 0" in client.get(
        f"/tableros/global/filas/2.2/personas?{MARCH}&centro_id={a_id}").get_data(as_text=True)
    assert client.get(f"/tableros/global/filas/1.1/personas?{MARCH}&centro_id=99999").status_code == 404


@pytest.mark.real_clock
def test_browser_click_a_figure_see_its_people_and_download(app, world, api, tmp_path):
    from test_browser import ARTIFACTS, CHROMIUM_ARGS
    import shutil
    import threading

    from werkzeug.serving import make_server

    playwright_api = pytest.importorskip("playwright.sync_api")
    a = Centre(api(world["asesor_a"]))
    person = a.person(nombres="Rosa Elvira", apellidos="Cárdenas", **NONE)
    a.act(person, "enrutamiento", "2015-03-05", destino="emprendimiento")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(accept_downloads=True)
            page.goto(f"{base}/login")
            page.fill("input[name=username]", world["director_a"].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{base}/tableros/?desde=2015-03-01&hasta=2015-03-31")
            page.click("table.tablero-tabla tr:has(td:text-is('1.1')) a.cifra")
            page.wait_for_url("**/tableros/global/filas/1.1/personas?**")
            assert "Rosa Elvira Cárdenas" in page.inner_text("table")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "lista-fila-1280.png"), full_page=True)
            with page.expect_download() as download:
                page.click("text=CSV")
            saved = tmp_path / "lista.csv"
            download.value.save_as(saved)
            assert "Rosa Elvira" in saved.read_text(encoding="utf-8-sig")
            page.click("text=« Volver al tablero")
            page.wait_for_url("**/tableros/?**")
            browser.close()
    finally:
        server.shutdown()


def test_a_list_too_long_for_a_workbook_is_offered_as_csv(client, world, network, monkeypatch):
    from cemprende.tableros import drilldown
    monkeypatch.setattr(drilldown, "XLSX_MAX_ROWS", 3)
    login(client, world["supervisor"])
    response = client.get(f"/tableros/global/filas/1.1/personas.xlsx?{MARCH}")
    assert response.status_code == 422 and "descárguela en CSV" in response.get_data(as_text=True)
    assert client.get(f"/tableros/global/filas/1.1/personas.csv?{MARCH}").status_code == 200
