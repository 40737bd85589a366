"""Printouts: every PDF on Carta (letter) inside office-printer margins, titles without a repeated
word, columns that keep words whole; every XLSX sheet with its print set-up."""
from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from conftest import MARCH, TODAY, Centre, build_routing_scenario, build_services_scenario, login
from cemprende.tableros.registry import filas_de

LETTER = (612, 792)
MARGIN_PT = 1.5 / 2.54 * 72  # 1,5 cm
PLAN = [{"descripcion": "Nevera de exhibición vertical", "cantidad": 2, "precio_unitario": 1_250_000},
        {"descripcion": "Estufa industrial", "cantidad": 1, "precio_unitario": 400_000}]


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(BytesIO(response.data))


def text_positions(reader: PdfReader) -> list[tuple[float, float, str]]:
    """(x, y, text) of each run of text drawn, in page coordinates."""
    found = []
    for page in reader.pages:
        def visit(text, cm, tm, _font, _size):
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                found.append((x, y, text))
        page.extract_text(visitor_text=visit)
    return found


def assert_letter_with_margins(reader: PdfReader) -> None:
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == LETTER
    positions = text_positions(reader)
    assert positions
    for x, y, text in positions:
        assert MARGIN_PT - 1 <= x <= LETTER[0] - MARGIN_PT, (x, text)
        assert MARGIN_PT - 1 <= y <= LETTER[1] - MARGIN_PT, (y, text)


def repeated_word(line: str) -> str | None:
    words = re.findall(r"\w+", line.casefold())
    return next((a for a, b in zip(words, words[1:]) if a == b and not a.isdigit()), None)


@pytest.fixture
def asesor_centre(api, world):
    return Centre(api(world["asesor_a"]))


def test_the_actas_are_letter_size_inside_the_margins(client, world, asesor_centre):
    a = asesor_centre
    person = a.person()
    a.act(person, "desistimiento", ago(1), motivo="Se trasladó a otra ciudad por un empleo.")
    approved = a.person()
    a.act(approved, "plan_negocio", ago(42), nombre_negocio="Panadería", valor_solicitado=2_900_000,
          items=PLAN)
    a.act(approved, "visita_acompanamiento", ago(41), clase="diagnostico")
    plan = a.act(approved, "plan_ajustado", ago(40), valor=2_900_000, items=PLAN)
    session = a.caller.post("/comite/sesiones", json={
        "fecha": ago(20), "lugar": "Sede Cemprende Cartagena",
        "miembros": "Laura Gómez — PNUD\nCarlos Ruiz — Alcaldía\nAna Díaz — Cemprende",
        "decisiones": [{"plan_id": plan, "decision": "aprobado"}]})
    assert session.status_code == 201, session.get_json()
    entrega = a.caller.post(f"/participantes/{approved}/entregas", json={
        "fecha": ago(10), "proveedor": "Almacén La 14", "nit": "890300279-4",
        "items": [{"descripcion": "Nevera de exhibición vertical", "cantidad": 1,
                   "precio_unitario": 1_250_000}]})
    assert entrega.status_code == 201, entrega.get_json()
    login(client, world["director_a"])
    paths = [f"/orientacion/personas/{person}/acta-compromiso.pdf",
             f"/orientacion/personas/{person}/acta-desistimiento.pdf",
             f"/microfinanciamiento/comite/{session.get_json()['id']}/acta.pdf",
             f"/microfinanciamiento/entregas/{entrega.get_json()['id']}/acta.pdf"]
    for path in paths:
        reader = read_pdf(client.get(path))
        assert_letter_with_margins(reader)
        title = reader.metadata.title
        assert title and repeated_word(title) is None, title
    # The delivery's items table: quantities and amounts right-aligned, under a right-aligned
    # header, and the item's words whole.
    reader = read_pdf(client.get(paths[3]))
    assert "Nevera de exhibición vertical" in " ".join(reader.pages[0].extract_text().split())
    runs = {text.strip(): x for x, _, text in text_positions(reader)}
    right_edge = {
        "Cantidad": runs["Cantidad"] + stringWidth("Cantidad", "Helvetica-Bold", 9),
        "1": runs["1"] + stringWidth("1", "Helvetica", 9),
        "Subtotal": runs["Subtotal"] + stringWidth("Subtotal", "Helvetica-Bold", 9),
        "$ 1.250.000": runs["$ 1.250.000"] + stringWidth("$ 1.250.000", "Helvetica", 9),
    }
    assert abs(right_edge["Cantidad"] - right_edge["1"]) < 1
    assert abs(right_edge["Subtotal"] - right_edge["$ 1.250.000"]) < 1


@pytest.fixture
def tablero_data(api, world, centre):
    a = centre(world["asesor_a"])
    build_routing_scenario(a)
    build_services_scenario(a)
    metas = api(world["director_a"]).put("/metas", json={
        "centro_id": world["centro_a"].id, "metas": {"1.1": 4, "M3.v": 6_000_000},
        "vigencia": {"nombre": "Vigencia 2015", "desde": "2015-01-01", "hasta": "2015-12-31"}})
    assert metas.status_code == 200, metas.get_json()


@pytest.mark.parametrize("who", ["director_a", "supervisor"])
def test_the_tablero_pdf_is_letter_titled_once_and_keeps_words_whole(client, world, tablero_data, who):
    login(client, world[who])
    reader = read_pdf(client.get(f"/tableros/tableros.pdf?{MARCH}"))
    assert_letter_with_margins(reader)
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    heading = next(line for line in lines if line.startswith("Periodo "))
    assert "Vigencia 2015" in heading and repeated_word(heading) is None, heading
    for line in lines[:4]:
        assert repeated_word(line) is None, line
    # Columns sized to their content: no word of an indicator or description is cut in two.
    words = set(" ".join(lines).split())
    for tablero in ("global", "microcapitalizacion"):
        for fila in filas_de(tablero):
            for word in re.findall(r"[A-Za-zÁÉÍÓÚÑáéíóúñü]{5,}", f"{fila.indicador} {fila.descripcion}"):
                assert any(word in w for w in words), (fila.codigo, word)


@pytest.mark.parametrize("who", ["director_a", "supervisor"])
def test_every_tablero_sheet_prints_on_letter_one_page_wide(client, world, tablero_data, who):
    login(client, world[who])
    response = client.get(f"/tableros/tableros.xlsx?{MARCH}")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    expected = ["Global", "Microcapitalización"] + (["Por centro"] if who == "supervisor" else [])
    assert book.sheetnames == expected
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert int(setup.paperSize) == 1, sheet.title  # 1: Letter (ECMA-376 paper sizes)
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
        assert sheet.print_title_rows == "$6:$6", sheet.title  # the column header on every page
        assert sheet.cell(6, 1).value == "Código"
        assert setup.orientation == "landscape", sheet.title  # all three are wider than a page
        assert sheet.page_margins.left >= 0.59 and sheet.page_margins.right >= 0.59  # ≥ 1,5 cm
    assert book["Global"].freeze_panes == "A7"
    assert book["Microcapitalización"].freeze_panes == "A7"
    if who == "supervisor":
        assert book["Por centro"].freeze_panes == "A7"
