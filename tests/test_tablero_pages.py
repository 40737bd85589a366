"""Tablero page, PDF and XLSX downloads, and the metas grid."""
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import MARCH, build_routing_scenario, build_services_scenario, csrf_token, login


@pytest.fixture
def scenario(api, world, centre):
    a = centre(world["asesor_a"])
    build_routing_scenario(a)
    build_services_scenario(a)
    api(world["director_a"]).put("/metas", json={
        "centro_id": world["centro_a"].id, "metas": {"1.1": 4, "M3.v": 6_000_000, "8": 0},
        "vigencia": {"nombre": "Convenio 2015", "desde": "2015-01-01", "hasta": "2015-12-31"}})
    return a


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data[:4] == b"%PDF"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    return " ".join(text.split())  # cells wrap their text over several lines


def test_pdf_of_a_centre_has_heading_rows_and_footer(client, world, scenario):
    login(client, world["director_a"])
    text = pdf_text(client.get(f"/tableros/tableros.pdf?{MARCH}"))
    assert "Tablero mensual de indicadores global" in text
    assert "Tablero mensual de indicadores de microcapitalización" in text
    assert world["centro_a"].nombre in text
    assert "Periodo 01/03/2015 a 31/03/2015" in text and "Corte 31/03/2015" in text
    assert "Nuevos usuarios caracterizados y enrutados" in text
    assert "Usuarios activos Ruta Emprende" in text
    assert "$ 3.000.001" in text and "125 %" in text
    assert "Generado por director de prueba" in text and "Página 1 de" in text
    assert "Avance por indicador" in text  # the chart is drawn when rows have metas


def test_network_pdf_adds_the_per_centre_chart(client, world, scenario):
    login(client, world["supervisor"])
    text = pdf_text(client.get(f"/tableros/global.pdf?{MARCH}"))
    assert "Red Cemprende (todos los centros)" in text
    assert "Resultado por centro: 1.1" in text
    assert "microcapitalización" not in text  # only the tablero asked for


def test_xlsx_holds_the_same_numbers_as_the_api(client, api, world, scenario):
    login(client, world["supervisor"])
    response = client.get(f"/tableros/tableros.xlsx?{MARCH}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Global", "Microcapitalización", "Por centro"]
    supervisor = api(world["supervisor"])
    for sheet_name, tablero in (("Global", "global"), ("Microcapitalización", "microcapitalizacion")):
        api_rows = {f["codigo"]: f for f in supervisor.get(f"/tableros/{tablero}?{MARCH}").get_json()["filas"]}
        sheet = book[sheet_name]
        found = {}
        for row in sheet.iter_rows(min_row=7):
            codigo, meta, resultado, avance = row[0].value, row[5].value, row[6].value, row[7].value
            found[codigo] = (meta, resultado, avance)
            assert isinstance(resultado, int)  # numbers as numbers, not text
            if codigo.endswith(".v") or codigo == "M5":
                assert row[6].number_format == '"$ "#,##0'
        assert set(found) == set(api_rows)
        for codigo, fila in api_rows.items():
            meta, resultado, avance = found[codigo]
            assert (meta, resultado) == (fila["meta"], fila["resultado"]), codigo
            assert avance == ("N/A" if fila["avance"] is None else fila["avance"] / 100), codigo
    breakdown = book["Por centro"]  # centres as rows: six columns, one row per row and centre
    assert [cell.value for cell in breakdown[6]] == ["Código", "Indicador", "Centro", "Meta",
                                                     "Resultado", "Avance"]
    by_centre = {(r[0], r[2]): r[4] for r in breakdown.iter_rows(min_row=7, values_only=True)}
    for centro in (world["centro_a"], world["centro_b"]):
        own = supervisor.get(f"/tableros/global?centro_id={centro.id}&{MARCH}").get_json()["filas"]
        for fila in own:
            assert by_centre[(fila["codigo"], centro.nombre)] == fila["resultado"], fila["codigo"]


def test_tablero_page_formats_and_colours(client, world, scenario):
    login(client, world["director_a"])
    response = client.get(f"/tableros/?{MARCH}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "$ 3.000.001" in html and "$ 6.000.000" in html
    assert 'avance avance-alto">125 %' in html          # 1.1: 5 of 4
    assert 'avance avance-bajo">50 %' in html           # M3.v: 3,000,001 of 6,000,000
    assert 'avance avance-na">N/A' in html
    assert "<svg" in html and "Avance por indicador" in html
    assert "Por centro" not in html  # a director sees its centre only
    assert "Vigencia Convenio 2015" in html and "Vigencia Vigencia" not in html


def test_network_page_shows_each_centre(client, world, scenario):
    login(client, world["supervisor"])
    html = client.get(f"/tableros/?{MARCH}&indicador=M4.v").get_data(as_text=True)
    assert "Por centro" in html and world["centro_b"].nombre in html
    assert "Resultado por centro: M4.v" in html
    # Centres as rows, whatever their number: four columns, one row per centre.
    assert "<th>Centro</th><th class=\"num\">Meta</th><th class=\"num\">Resultado</th>" in html
    for centro in (world["centro_a"], world["centro_b"]):
        assert f'<th scope="row" data-label="Centro">{centro.nombre}</th>' in html


def test_network_page_links_each_centre_figure_to_that_centres_list(client, world, scenario):
    login(client, world["supervisor"])
    html = client.get(f"/tableros/?{MARCH}&indicador=1.1").get_data(as_text=True)
    table = html[html.index('<table class="tabla por-centro">'):]
    table = table[:table.index("</table>")]
    for centro in (world["centro_a"], world["centro_b"]):
        row = table[table.index(f'<th scope="row" data-label="Centro">{centro.nombre}</th>'):]
        href = re.search(r'href="([^"]+)"', row).group(1).replace("&amp;", "&")
        assert href == (f"/tableros/global/filas/1.1/personas?centro_id={centro.id}"
                        "&desde=2015-03-01&hasta=2015-03-31")
        listed = client.get(href)
        assert listed.status_code == 200 and centro.nombre in listed.get_data(as_text=True)
    network_total = re.search(r'<tfoot>.*?href="([^"]+)"', table, re.S).group(1).replace("&amp;", "&")
    assert network_total == "/tableros/global/filas/1.1/personas?desde=2015-03-01&hasta=2015-03-31"


def test_tablero_page_refuses_a_bad_date_and_another_centre(client, world):
    login(client, world["asesor_a"])
    response = client.get("/tableros/?hasta=31-03-2015")
    assert response.status_code == 422 and "fecha válida" in response.get_data(as_text=True)
    assert client.get(f"/tableros/?centro_id={world['centro_b'].id}").status_code == 404
    assert client.get(f"/tableros/global.pdf?centro_id={world['centro_b'].id}").status_code == 404


def test_metas_grid_saves_validates_and_copies(client, api, world):
    login(client, world["director_a"])
    token = csrf_token(client, "/tableros/metas")
    grid = {"csrf_token": token, "vigencia_nombre": "Convenio 2015", "vigencia_desde": "2015-01-01",
            "vigencia_hasta": "2015-12-31", "meta_1_1": "1.200", "meta_M4_v": "$ 120.000.000",
            "meta_8": "-3"}
    refused = client.post("/tableros/metas", data=grid)
    assert refused.status_code == 422 and "mayor o igual a 0" in refused.get_data(as_text=True)
    grid["meta_8"] = "500"
    assert client.post("/tableros/metas", data=grid).status_code == 302
    filas = {f["codigo"]: f for f in api(world["director_a"]).get(
        "/tableros/global?hasta=2015-03-31").get_json()["filas"]}
    assert filas["1.1"]["meta"] == 1200 and filas["8"]["meta"] == 500
    page = client.get("/tableros/metas?vigencia_id=1").get_data(as_text=True)
    assert 'name="meta_1_1" placeholder="" type="text" value="1200"' in page
    copy = client.post("/tableros/metas/copiar", data={
        "csrf_token": token, "copia-origen_id": "1", "copia-vigencia_nombre": "Convenio 2016",
        "copia-vigencia_desde": "2016-01-01", "copia-vigencia_hasta": "2016-12-31"})
    assert copy.status_code == 302
    micro = {f["codigo"]: f for f in api(world["director_a"]).get(
        "/tableros/microcapitalizacion?hasta=2016-06-30").get_json()["filas"]}
    assert micro["M4.v"]["meta"] == 120_000_000


def test_page_pdf_and_xlsx_list_the_registry_rows_in_order(client, world, scenario):
    """5.9 "Sin información" sits between 5.3 and 6.1 everywhere rows are listed."""
    import re

    from cemprende.tableros.registry import filas_de
    codes = [fila.codigo for fila in filas_de("global")]
    assert codes[codes.index("5.3") + 1] == "5.9"
    login(client, world["director_a"])
    html = client.get(f"/tableros/?{MARCH}").get_data(as_text=True)
    table = html.split('class="tabla tablero-tabla"')[1].split("</table>")[0]
    assert re.findall(r"<tr[^>]*>\s*<td[^>]*>[^<]*</td><td[^>]*>([^<]+)</td>", table) == codes
    book = load_workbook(BytesIO(client.get(f"/tableros/global.xlsx?{MARCH}").data))
    assert [row[0].value for row in book["Global"].iter_rows(min_row=7)] == codes
    text = pdf_text(client.get(f"/tableros/global.pdf?{MARCH}"))
    # Each PDF row reads "<área> <código> <indicador> <descripción> <meta> <resultado> <avance>".
    assert re.search(r"5\.3 [^%]*Ninguno de los anteriores - 3 N/A Orientación "
                     r"5\.9 [^%]*Sin información - 1 N/A Orientación 6\.1 ", text)
