"""Breakdowns of a tablero row (issue 12.4): every people-counting row by every dimension adds up
to its figure, for each centre and the network; age bands at the cut date; municipio as the
catalogue names it; sensitive dimensions for directors, supervisors and admins only; "< 5" in
the download of a sensitive breakdown; page with table and bars."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria, Participante
from cemprende.models.participante import CATEGORIAS_DIFERENCIALES
from cemprende.tableros import desgloses
from cemprende.tableros.registry import FILAS, POR_CODIGO, Conteo
from conftest import MARCH, NONE, Centre, login
from test_drilldown import build_network, figures

DIMENSIONES = ["sexo", "edad", "municipio", "subregion", "zona", "etnia", "discapacidad",
               "desplazamiento", *CATEGORIAS_DIFERENCIALES]
SPELLINGS = ["OCAÑA", "ocana", "Ocaña, Norte de Santander", "Cúcuta", "cucuta", "Pamplona",
             "Pueblo Que No Existe", "Bogotá D.C."]
BIRTHS = [date(1997, 3, 31), date(1997, 4, 1), date(1990, 4, 1), date(1952, 3, 31), date(1989, 7, 7),
          date(2001, 1, 1), date(1960, 1, 1), None]


def diversify(app) -> None:
    """Everybody of the scenario gets a different municipality spelling, age, zone and answers
    to the differential categories (some unknown), through the model so the catalogue matches."""
    with app.app_context():
        people = db.session.scalars(select(Participante).order_by(Participante.id)).all()
        flags = [True, False, None]
        for n, person in enumerate(people):
            person.municipio = SPELLINGS[n % len(SPELLINGS)]
            if BIRTHS[n % len(BIRTHS)] is not None:
                person.fecha_nacimiento = BIRTHS[n % len(BIRTHS)]
            person.zona = ["urbana", "rural", None][n % 3]
            person.sexo = ["F", "M", "F", None][n % 4]
            person.discapacidad = [False, True, False, None][n % 4]
            person.desplazamiento = [False, False, True, None][n % 4]
            for k, name in enumerate(CATEGORIAS_DIFERENCIALES):
                setattr(person, name, flags[(n + k) % 3])
        db.session.commit()


@pytest.fixture
def network(app, world, a, b):
    built = build_network(app, world, a, b)
    diversify(app)
    return built


def breakdown(caller, tablero: str, codigo: str, por: str, query: str):
    return caller.get(f"/tableros/{tablero}/filas/{codigo}/desglose?por={por}&{query}")


@pytest.mark.parametrize("tablero", ["global", "microcapitalizacion"])
def test_every_row_by_every_dimension_adds_up_to_its_figure(api, world, network, tablero):
    supervisor = api(world["supervisor"])
    # Centre A and the network (A and B); test_the_network_breakdown_is_its_centres_added checks
    # the network against its centres.
    scopes = {"a": f"{MARCH}&centro_id={world['centro_a'].id}", "red": MARCH}
    broken_down, groups_seen = set(), set()
    for scope, query in scopes.items():
        resultados = figures(supervisor, tablero, query)
        for fila in [f for f in FILAS if f.tablero == tablero]:
            for por in DIMENSIONES:
                response = breakdown(supervisor, tablero, fila.codigo, por, query)
                if not desgloses.desglosable(fila):
                    assert response.status_code == 404, (fila.codigo, por)
                    assert "no cuenta personas" in response.get_json()["error"]["message"]
                    continue
                assert response.status_code == 200, (fila.codigo, por, response.get_json())
                body = response.get_json()
                sizes = [g["personas"] for g in body["grupos"]]
                assert sum(sizes) == body["total"] == resultados[fila.codigo], (scope, fila.codigo, por, body)
                assert body["grupos"][-1] == {"clave": "sin_informacion", "etiqueta": "Sin información",
                                              "personas": body["grupos"][-1]["personas"]}
                labels = [g["etiqueta"] for g in body["grupos"]]
                assert len(labels) == len(set(labels)), labels
                assert (body["codigo"], body["por"], body["desde"], body["hasta"]) == (
                    fila.codigo, por, "2015-03-01", "2015-03-31")
                assert body["unidad"] == ("registros" if isinstance(fila.calculo, Conteo) else "personas")
                if resultados[fila.codigo]:
                    broken_down.add(fila.codigo)
                groups_seen.update((por, g["clave"]) for g in body["grupos"] if g["personas"])
    # Not a vacuous pass: the rows carry people, and the people fall into several groups.
    people_rows = [f.codigo for f in FILAS if f.tablero == tablero and desgloses.desglosable(f)]
    assert len(broken_down) >= len(people_rows) - 3, set(people_rows) - broken_down
    for por in DIMENSIONES:
        assert len({clave for dim, clave in groups_seen if dim == por}) >= 2, por


def test_the_network_breakdown_is_its_centres_added(api, world, network):
    supervisor = api(world["supervisor"])
    for codigo in ("1.1", "2.1", "12.1", "8"):
        tablero = POR_CODIGO[codigo].tablero
        red = breakdown(supervisor, tablero, codigo, "municipio", MARCH).get_json()
        added = {}
        for centro in ("centro_a", "centro_b"):
            body = breakdown(supervisor, tablero, codigo, "municipio",
                             f"{MARCH}&centro_id={world[centro].id}").get_json()
            for g in body["grupos"]:
                added[g["clave"]] = added.get(g["clave"], 0) + g["personas"]
        assert {g["clave"]: g["personas"] for g in red["grupos"] if g["personas"]} == \
            {k: v for k, v in added.items() if v}
    # The moved person was referred in both centres: counted once for each in the network's 2.1.
    assert breakdown(supervisor, "global", "2.1", "sexo", MARCH).get_json()["total"] == \
        figures(supervisor, "global", MARCH)["2.1"]


def test_age_bands_at_the_cut_date(app, api, world, a):
    cut = date(2015, 3, 31)
    births = {
        "1997-03-31": "18-24",  # turns 18 on the cut date
        "1997-04-01": "0-17",   # turns 18 the day after
        "1990-03-31": "25-28",  # 25 on the cut date
        "1990-04-01": "18-24",
        "1986-03-31": "29-62",
        "1952-03-31": "63+",    # 63 on the cut date
        "1952-04-01": "29-62",
    }
    for born in births:
        person = a.person(fecha_nacimiento=born, **NONE)
        a.act(person, "enrutamiento", "2015-03-10", destino="empleabilidad")
    body = breakdown(api(world["supervisor"]), "global", "1.1", "edad", f"desde=2015-03-01&hasta={cut}").get_json()
    expected = {"0-17": 1, "18-24": 2, "25-28": 1, "29-62": 2, "63+": 1, "sin_informacion": 0}
    assert [(g["clave"], g["etiqueta"], g["personas"]) for g in body["grupos"]] == [
        ("0-17", "Menores de 18", 1), ("18-24", "18–24", 2), ("25-28", "25–28", 1),
        ("29-62", "29–62", 2), ("63+", "63 y más", 1), ("sin_informacion", "Sin información", 0)]
    assert {g["clave"]: g["personas"] for g in body["grupos"]} == expected
    # A day earlier, the one turning 18 on the 31st is still a minor.
    earlier = breakdown(api(world["supervisor"]), "global", "1.1", "edad",
                        "desde=2015-03-01&hasta=2015-03-30").get_json()
    assert {g["clave"]: g["personas"] for g in earlier["grupos"]}["0-17"] == 2
    # The bands come from one setting.
    app.config["DESGLOSE_EDADES"] = "18,30"
    try:
        other = breakdown(api(world["supervisor"]), "global", "1.1", "edad", f"desde=2015-03-01&hasta={cut}").get_json()
        assert [(g["etiqueta"], g["personas"]) for g in other["grupos"]] == [
            ("Menores de 18", 1), ("18–29", 4), ("30 y más", 2), ("Sin información", 0)]
    finally:
        app.config["DESGLOSE_EDADES"] = "18,25,29,63"


def test_born_on_29_february():
    # On 28 February 2015 someone born on 29 February 1997 is still 17; on 1 March, 18.
    assert desgloses.born_by(date(2015, 2, 28), 18) == date(1997, 2, 28)
    assert desgloses.born_by(date(2016, 2, 29), 18) == date(1998, 2, 28)
    assert desgloses.born_by(date(2016, 2, 29), 20) == date(1996, 2, 29)


def test_municipio_groups_by_the_catalogue_name_whatever_the_spelling(api, world, a):
    for spelling in ("OCAÑA", "ocana", "  Ocaña, Norte de Santander", "Cúcuta", "Pueblo Que No Existe", "Ábrego"):
        person = a.person(municipio=spelling, **NONE)
        a.act(person, "enrutamiento", "2015-03-10", destino="empleabilidad")
    supervisor = api(world["supervisor"])
    body = breakdown(supervisor, "global", "1.1", "municipio", MARCH).get_json()
    assert [(g["clave"], g["personas"]) for g in body["grupos"]] == [
        ("Ocaña", 3), ("Cúcuta", 1), ("Ábrego", 1), ("sin_informacion", 1)]
    by_subregion = breakdown(supervisor, "global", "1.1", "subregion", MARCH).get_json()
    assert {g["etiqueta"]: g["personas"] for g in by_subregion["grupos"]} == {
        "Occidente": 4, "Oriente/Metropolitana": 1, "Sin información": 1}


def test_sensitive_dimensions_only_for_directors_supervisors_and_admins(api, world, network):
    a_id = world["centro_a"].id
    for role, status in (("asesor_a", 403), ("director_a", 200), ("supervisor", 200), ("admin", 200)):
        caller = api(world[role])
        for por in ("etnia", "discapacidad", "desplazamiento", *CATEGORIAS_DIFERENCIALES):
            assert breakdown(caller, "global", "1.1", por, f"{MARCH}&centro_id={a_id}").status_code == status, (role, por)
        for por in ("sexo", "edad", "municipio", "subregion", "zona"):
            assert breakdown(caller, "global", "1.1", por, f"{MARCH}&centro_id={a_id}").status_code == 200
    # Another centre's breakdown is a 404 for a centre's staff.
    assert breakdown(api(world["director_b"]), "global", "1.1", "sexo", f"{MARCH}&centro_id={a_id}").status_code == 404
    bad = breakdown(api(world["supervisor"]), "global", "1.1", "color", MARCH)
    assert bad.status_code == 422 and "sexo" in bad.get_json()["error"]["fields"]["por"]


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[1] in ("Personas", "Registros"))
    return rows[header], rows[header + 1:]


def test_download_hides_sensitive_cells_under_five_and_is_audited(app, client, api, world, network):
    login(client, world["supervisor"])
    screen = breakdown(api(world["supervisor"]), "global", "1.1", "etnia", MARCH).get_json()
    assert any(0 < g["personas"] < 5 for g in screen["grupos"])  # on screen: the real numbers
    header, rows = _sheet(client.get(f"/tableros/global/filas/1.1/desglose.xlsx?por=etnia&{MARCH}"))
    assert header == ("Grupo étnico", "Personas", "Porcentaje")
    body, total = rows[:-1], rows[-1]
    assert [r[0] for r in body] == [g["etiqueta"] for g in screen["grupos"]]
    for row, group in zip(body, screen["grupos"]):
        if group["personas"] < 5:
            assert row[1] == "< 5" and row[2] is None, row  # nor a percentage that gives it away
        else:
            assert row[1] == group["personas"]
    assert total[:2] == ("Total", screen["total"])
    # A sensitive row (4.x: by etnia) is sensitive whatever the dimension.
    _, rows = _sheet(client.get(f"/tableros/global/filas/4.1/desglose.xlsx?por=sexo&{MARCH}"))
    assert all(r[1] == "< 5" for r in rows[:-1])
    # A dimension that is not sensitive, on a row that is not: the real numbers.
    screen = breakdown(api(world["supervisor"]), "global", "1.1", "sexo", MARCH).get_json()
    _, rows = _sheet(client.get(f"/tableros/global/filas/1.1/desglose.xlsx?por=sexo&{MARCH}"))
    assert [r[1] for r in rows[:-1]] == [g["personas"] for g in screen["grupos"]]
    assert rows[0][2] == pytest.approx(screen["grupos"][0]["personas"] / screen["total"], abs=1e-4)
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(Auditoria.entidad == "tablero_desglose")
                                     .order_by(Auditoria.id)).all()
        assert [(e.accion, e.despues["codigo"], e.despues["por"], e.despues["formato"]) for e in entries] == [
            ("descargar", "1.1", "etnia", "xlsx"), ("descargar", "4.1", "sexo", "xlsx"),
            ("descargar", "1.1", "sexo", "xlsx")]


def test_asesor_download_of_a_sensitive_breakdown_is_refused(client, world, network):
    login(client, world["asesor_a"])
    assert client.get(f"/tableros/global/filas/1.1/desglose.xlsx?por=etnia&{MARCH}").status_code == 403
    assert client.get(f"/tableros/global/filas/1.1/desglose.xlsx?por=zona&{MARCH}").status_code == 200


def test_the_page_has_the_selector_table_and_bars_and_the_tablero_links_it(client, make_client, world, network):
    login(client, world["supervisor"])
    a_id = world["centro_a"].id
    tablero = client.get(f"/tableros/?{MARCH}&centro_id={a_id}").get_data(as_text=True)
    assert (f"/tableros/global/filas/1.1/desglose?centro_id={a_id}&amp;desde=2015-03-01&amp;hasta=2015-03-31"
            in tablero)
    assert "/tableros/global/filas/18.1/desglose" not in tablero  # a sum of jobs: no breakdown
    assert "/tableros/microcapitalizacion/filas/M4.n/desglose" in tablero
    html = client.get(f"/tableros/global/filas/1.1/desglose?por=edad&{MARCH}&centro_id={a_id}").get_data(as_text=True)
    assert "Desglose · 1.1" in html and '<select id="por" name="por">' in html
    assert '<option value="etnia"' in html and "Menores de 18" in html and "Sin información" in html
    assert '<svg class="grupo-barra"' in html and "desglose.xlsx?" in html and "Total" in html
    missing = client.get(f"/tableros/global/filas/18.1/desglose?{MARCH}")
    assert missing.status_code == 404 and "no cuenta personas" in missing.get_data(as_text=True)
    asesor = make_client()
    login(asesor, world["asesor_a"])
    html = asesor.get(f"/tableros/global/filas/1.1/desglose?{MARCH}").get_data(as_text=True)
    assert '<option value="sexo"' in html and '<option value="etnia"' not in html


@pytest.mark.real_clock
def test_browser_from_the_tablero_to_a_breakdown_without_javascript_at_360_px(app, world, api, tmp_path):
    import shutil
    import threading

    from werkzeug.serving import make_server

    from conftest import PASSWORD
    from test_browser import ARTIFACTS, CHROMIUM_ARGS

    playwright_api = pytest.importorskip("playwright.sync_api")
    a = Centre(api(world["asesor_a"]))
    for municipio, sexo in (("Ocaña", "F"), ("OCANA", "M"), ("Cúcuta", "F"), ("Pueblo Que No Existe", None)):
        person = a.person(municipio=municipio, sexo=sexo, **NONE)
        a.act(person, "enrutamiento", "2015-03-05", destino="emprendimiento")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740},
                                          accept_downloads=True)
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", world["director_a"].username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{base}/tableros/?desde=2015-03-01&hasta=2015-03-31")
            page.click("table.tablero-tabla tr:has(td:text-is('1.1')) a.desglose")
            page.wait_for_url("**/tableros/global/filas/1.1/desglose?**")
            page.select_option("select[name=por]", "municipio")
            page.click("form.filtros button[type=submit]")
            page.wait_for_url("**por=municipio**")
            table = page.inner_text("table.tabla-desglose")
            assert "Ocaña" in table and "Cúcuta" in table and "Sin información" in table and "Total" in table
            assert page.locator("figure.barras-desglose svg.grupo-barra").count() == 3
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "desglose-360.png"), full_page=True)
            with page.expect_download() as download:
                page.click("text=Excel")
            saved = tmp_path / "desglose.xlsx"
            download.value.save_as(saved)
            rows = list(load_workbook(saved).active.iter_rows(values_only=True))
            assert ("Ocaña", 2, 0.5) in rows
            browser.close()
    finally:
        server.shutdown()


# ---- the breakdown by municipio read from the summary (ResumenMunicipio) --------------------

def _consulta(app, codigo: str, desde: date, hasta: date, centro_id):
    from cemprende.models import Centro
    from cemprende.tableros import drilldown
    fila = POR_CODIGO[codigo]
    centro = db.session.get(Centro, centro_id) if centro_id else None
    return drilldown.Consulta(fila.tablero, fila, centro, desde, hasta, "")


def _live(consulta) -> set:
    return {(m, s, int(n)) for m, s, n in desgloses._groups(consulta, desgloses.DIMENSIONES["municipio"]) if n}


def test_every_summarised_row_by_municipio_from_the_summary_equals_the_live_breakdown(app, world, network, a):
    """For every row ResumenMunicipio keeps, each centre and the network, periods of whole months,
    periods from the first of a month cut on any day (the loose days after the whole months read
    from ResumenMunicipioDiario) and, for route rows, any cut (as of it), are served by the
    summary and give the same groups as the breakdown counted from the units; a period from
    mid-month is counted live."""
    from cemprende.tableros import resumen
    from cemprende.tableros.registry import ActivosRuta
    periods = [(date(2015, 3, 1), date(2015, 3, 31)), (date(2015, 1, 1), date(2015, 12, 31)),
               (date(2015, 2, 1), date(2015, 4, 30)), (date(2014, 12, 1), date(2015, 3, 31)),
               (date(2015, 3, 1), date(2015, 3, 17)), (date(2015, 2, 1), date(2015, 3, 9)),
               (date(2015, 3, 1), date(2015, 3, 1)), (date(2015, 1, 1), date(2015, 3, 20)),
               (date(2015, 2, 1), date(2015, 3, 15)), (date(2015, 3, 1), date(2015, 3, 5)),
               (date(2015, 3, 2), date(2015, 3, 31)), (date(2015, 2, 11), date(2015, 3, 21))]
    # Someone counted in the whole months and again in the loose days: still once.
    again = a.person(municipio="Ocaña", **NONE)
    for fecha in ("2015-01-20", "2015-02-10", "2015-03-04"):
        a.act(again, "hoja_de_vida", fecha, plataforma="spe", codigo=fecha)
        a.act(again, "referenciacion", fecha, destino="terceros", programa="X")
    with app.app_context():
        assert resumen.stored_by_municipio() == resumen.contributions_by_municipio()
        assert resumen.stored_by_municipio_per_day() == resumen.contributions_by_municipio_per_day()
        served, unknown_seen = 0, False
        for fila in resumen.BY_MUNICIPIO:
            for desde, hasta in periods:
                for centro_id in (None, world["centro_a"].id, world["centro_b"].id):
                    consulta = _consulta(app, fila.codigo, desde, hasta, centro_id)
                    summary = desgloses._municipio_from_summary(consulta)
                    served_here = desde.day == 1 or isinstance(fila.calculo, ActivosRuta)
                    assert (summary is not None) == served_here, (fila.codigo, desde, hasta)
                    if summary is None:
                        continue
                    served += 1
                    assert set(summary) == _live(consulta), (fila.codigo, desde, hasta, centro_id)
                    unknown_seen |= any(m is None and n for m, _, n in summary)
        assert served > len(resumen.BY_MUNICIPIO) * 12 and unknown_seen
        # Not vacuous: the rows carry people in several municipalities.
        march = _consulta(app, "1.1", date(2015, 3, 1), date(2015, 3, 31), None)
        assert len(desgloses._municipio_from_summary(march)) >= 3


def test_a_cut_mid_month_reads_its_loose_days_from_the_daily_summary_by_municipio(app, world, network, a):
    """A period from the first of a month cut mid-month: the whole months from ResumenMunicipio,
    the loose days from ResumenMunicipioDiario, never the actuaciones; the same groups as live."""
    from conftest import Statements
    from cemprende.tableros import resumen
    periods = [(date(2015, 1, 1), date(2015, 3, 17)), (date(2015, 3, 1), date(2015, 3, 9))]
    with app.app_context():
        for fila in resumen.BY_MUNICIPIO:
            for desde, hasta in periods:
                consulta = _consulta(app, fila.codigo, desde, hasta, None)
                with Statements(app) as statements:
                    summary = desgloses._municipio_from_summary(consulta)
                assert summary is not None, (fila.codigo, desde, hasta)
                assert statements.touching("resumen_municipio_diario"), fila.codigo
                assert not statements.touching("actuacion", "participante"), (fila.codigo, statements.sent)
                assert set(summary) == _live(consulta), (fila.codigo, desde, hasta)
        cut = _consulta(app, "1.1", date(2015, 3, 1), date(2015, 3, 17), None)
        # Not vacuous: within March alone (every day a loose one), people in and out of a municipality.
        assert {m for m, _, n in desgloses._municipio_from_summary(cut) if n} == {None, "Ocaña"}


def test_a_daily_summary_by_municipio_that_does_not_add_up_is_not_used(app, api, world, a):
    """The loose days' guard: ResumenMunicipioDiario emptied (as after an upgrade left it
    unfilled) no longer adds up to ResumenDiario for those days: a mid-month cut is counted live,
    whole months are still served; the rebuild fills it again."""
    from sqlalchemy import delete

    from cemprende.models import ResumenMunicipioDiario
    from cemprende.tableros import resumen
    for municipio in ("Ocaña", "Cúcuta", "Pueblo Que No Existe"):
        person = a.person(municipio=municipio, **NONE)
        a.act(person, "enrutamiento", "2015-03-10", destino="empleabilidad")
    supervisor = api(world["supervisor"])
    cut = "desde=2015-03-01&hasta=2015-03-15"
    expected = breakdown(supervisor, "global", "1.1", "municipio", cut).get_json()["grupos"]
    with app.app_context():
        mid = _consulta(app, "1.1", date(2015, 3, 1), date(2015, 3, 15), None)
        march = _consulta(app, "1.1", date(2015, 3, 1), date(2015, 3, 31), None)
        assert desgloses._municipio_from_summary(mid) is not None
        db.session.execute(delete(ResumenMunicipioDiario))
        db.session.commit()
        assert desgloses._municipio_from_summary(mid) is None
        assert desgloses._municipio_from_summary(march) is not None
    assert breakdown(supervisor, "global", "1.1", "municipio", cut).get_json()["grupos"] == expected
    result = app.test_cli_runner().invoke(args=["tableros-reconstruir", "--verificar"])
    assert result.exit_code != 0 and "difiere" in result.output, result.output
    with app.app_context():
        resumen.rebuild()
        db.session.commit()
        assert desgloses._municipio_from_summary(mid) is not None
        assert resumen.stored_by_municipio_per_day() == resumen.contributions_by_municipio_per_day()
    assert [(g["etiqueta"], g["personas"]) for g in expected] == [
        ("Cúcuta", 1), ("Ocaña", 1), ("Sin información", 1)]


def test_a_municipio_edit_and_a_spelling_mapping_move_the_person_at_once(app, api, world, a):
    from cemprende.admin import services as admin_services
    from cemprende.tableros import resumen
    supervisor = api(world["supervisor"])
    person = a.person(municipio="Pueblo Que No Existe", **NONE)
    a.act(person, "enrutamiento", "2015-03-10", destino="empleabilidad")
    a.act(person, "hoja_de_vida", "2015-03-11", plataforma="spe", codigo="1")
    a.act(person, "ingreso_ruta", "2015-03-12", ruta="emprende")
    other = a.person(municipio="Cucuta N. de S.", **NONE)
    a.act(other, "enrutamiento", "2015-03-10", destino="empleabilidad")
    a.act(other, "hoja_de_vida", "2015-02-11", plataforma="spe", codigo="2")

    def groups(codigo, period=MARCH):
        body = breakdown(supervisor, POR_CODIGO[codigo].tablero, codigo, "municipio", period).get_json()
        return {g["etiqueta"]: g["personas"] for g in body["grupos"] if g["personas"] or g["clave"] == "sin_informacion"}

    mid = "desde=2015-03-01&hasta=2015-03-15"  # the loose days: ResumenMunicipioDiario

    assert groups("1.1") == {"Sin información": 2}
    assert groups("8") == {"Sin información": 1}
    version = a.caller.get(f"/participantes/{person}").get_json()["version"]
    assert a.caller.patch(f"/participantes/{person}", json={"version": version, "municipio": "Ocaña"}).status_code == 200
    assert groups("1.1") == {"Ocaña": 1, "Sin información": 1}
    assert groups("8") == {"Ocaña": 1, "Sin información": 0}
    assert groups("12.1") == {"Ocaña": 1, "Sin información": 0}
    assert groups("1.1", mid) == {"Ocaña": 1, "Sin información": 1}
    assert groups("8", mid) == {"Ocaña": 1, "Sin información": 0}
    assert groups("12.1", mid) == {"Ocaña": 1, "Sin información": 0}
    with app.app_context():
        daily = resumen.stored_by_municipio_per_day()
        assert daily == resumen.contributions_by_municipio_per_day()
        assert {m for (c, f, _, m, _), v in daily.items() if c == "1.1" and v} == {"Ocaña", ""}
    with app.app_context():
        moved = admin_services.map_municipio(world["admin"], {"clave": "cucuta n de s",
                                                              "municipio": "Cúcuta (Norte de Santander)"})
        db.session.commit()
        assert moved == 1
    assert groups("1.1") == {"Ocaña": 1, "Cúcuta": 1, "Sin información": 0}
    assert groups("1.1", mid) == {"Ocaña": 1, "Cúcuta": 1, "Sin información": 0}
    assert groups("8") == {"Ocaña": 1, "Sin información": 0}  # the other's hoja de vida is February's
    february = breakdown(supervisor, "global", "8", "municipio", "desde=2015-02-01&hasta=2015-02-28").get_json()
    assert [(g["etiqueta"], g["personas"]) for g in february["grupos"]] == [("Cúcuta", 1), ("Sin información", 0)]
    with app.app_context():
        assert resumen.stored_by_municipio() == resumen.contributions_by_municipio()
        assert resumen.stored_by_municipio_per_day() == resumen.contributions_by_municipio_per_day()
        assert {m for (c, _, _, m, _), v in resumen.stored_by_municipio_per_day().items()
                if c == "1.1" and v} == {"Ocaña", "Cúcuta"}
        assert resumen.stored() == resumen.contributions()


def test_a_summary_by_municipio_not_yet_rebuilt_is_not_used(app, api, world, a):
    """After the upgrade that creates it, until `flask tableros-reconstruir`: it does not add up
    to the row's monthly figure, so the breakdown is counted live (and the rebuild fills it)."""
    from sqlalchemy import delete

    from cemprende.models import ResumenMunicipio
    from cemprende.tableros import resumen
    for municipio in ("Ocaña", "Cúcuta", "Pueblo Que No Existe"):
        person = a.person(municipio=municipio, **NONE)
        a.act(person, "enrutamiento", "2015-03-10", destino="empleabilidad")
    supervisor = api(world["supervisor"])
    expected = breakdown(supervisor, "global", "1.1", "municipio", MARCH).get_json()["grupos"]
    with app.app_context():
        march = _consulta(app, "1.1", date(2015, 3, 1), date(2015, 3, 31), None)
        assert desgloses._municipio_from_summary(march) is not None
        db.session.execute(delete(ResumenMunicipio))
        db.session.commit()
        assert desgloses._municipio_from_summary(march) is None
    assert breakdown(supervisor, "global", "1.1", "municipio", MARCH).get_json()["grupos"] == expected
    with app.app_context():
        resumen.rebuild()
        db.session.commit()
        assert desgloses._municipio_from_summary(march) is not None
        assert resumen.stored_by_municipio() == resumen.contributions_by_municipio()
    assert [(g["etiqueta"], g["personas"]) for g in expected] == [
        ("Cúcuta", 1), ("Ocaña", 1), ("Sin información", 1)]
