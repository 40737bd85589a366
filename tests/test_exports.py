"""The one export writer: text people typed never runs as a formula, numbers stay numbers."""
from __future__ import annotations

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cemprende.exports import csv_text, safe_cell, write_xlsx, write_xlsx_chunks
from cemprende.extensions import db
from cemprende.models import Centro
from conftest import login, person_payload


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x\")", "+57 300", "-1+1", "@SUM(A1)",
                                   "\tdato", "\rdato"])
def test_typed_text_that_starts_like_a_formula_is_quoted(typed):
    assert safe_cell(typed) == "'" + typed


def test_numbers_dates_and_plain_text_stay_as_they_are():
    assert [safe_cell(v) for v in (-5, 0, 1_500_000, "31/03/2015", "Ana", "", None)] == [
        -5, 0, 1_500_000, "31/03/2015", "Ana", "", None]
    text = csv_text([["Nombre", "Valor"], ["=1+1", -3]])
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")) == [
        ["Nombre", "Valor"], ["'=1+1", "-3"]]


def _rename_centre(app, centro_id: int, nombre: str) -> None:
    with app.app_context():
        db.session.get(Centro, centro_id).nombre = nombre
        db.session.commit()


def test_the_tablero_workbook_quotes_a_centre_name_that_looks_like_a_formula(app, client, world):
    _rename_centre(app, world["centro_a"].id, "=cmd|' /C calc'!A0")
    login(client, world["supervisor"])
    response = client.get(f"/tableros/tableros.xlsx?hasta=2026-03-31&centro_id={world['centro_a'].id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data))["Global"]
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    network = load_workbook(BytesIO(client.get("/tableros/tableros.xlsx?hasta=2026-03-31").data))
    centres = [row[2] for row in network["Por centro"].iter_rows(min_row=7)]
    assert "'=cmd|' /C calc'!A0" in [cell.value for cell in centres]
    assert all(cell.data_type == "s" for cell in centres)


def test_the_review_csv_quotes_a_name_that_looks_like_a_formula(app, api, world, tmp_path):
    from cemprende.models import Actuacion, Participante, Staff
    from cemprende.models.base import utcnow

    person = api(world["asesor_a"]).post("/participantes", json=person_payload(
        nombres="=HYPERLINK(\"http://x\")")).get_json()
    with app.app_context():  # a stored record the gate would refuse today
        asesor = db.session.get(Staff, world["asesor_a"].id)
        db.session.add(Actuacion(participante_id=person["id"], centro_id=asesor.centro_id, asesor_id=asesor.id,
                                 tipo="comite", fecha=db.session.get(Participante, person["id"]).creado_en.date(),
                                 categoria="aprobado", valor=1_000, datos={}, creado_en=utcnow()))
        db.session.commit()
    target = tmp_path / "revision.csv"
    result = app.test_cli_runner().invoke(args=["itinerario-revisar", "--csv", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1][6].startswith("'=HYPERLINK")


def test_the_coverage_csv_quotes_a_name_that_looks_like_a_formula(client, api, world):
    api(world["asesor_a"]).post("/participantes", json=person_payload(apellidos="@SUM(1+1)"))
    login(client, world["director_a"])  # the person lacks the CC that proves the registration
    response = client.get("/verificadores/cobertura.csv?desde=2026-03-31&hasta=2026-03-31")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[1][9] == "'@SUM(1+1)"


def test_the_upload_report_csv_quotes_a_file_name_that_looks_like_a_formula(client, api, world):
    from documents import files, pdf_bytes

    carga = api(world["asesor_a"]).post("/verificadores", content_type="multipart/form-data",
                                        data=files(("=cmd.pdf", pdf_bytes()))).get_json()
    login(client, world["asesor_a"])
    response = client.get(f"/verificadores/cargas/{carga['carga_id']}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[1][0] == "'=cmd.pdf"


# ---- write_xlsx_chunks: the sheet of a base read a chunk at a time ------------------------------

TRICKY = ["=1+1", "+57 300", "-3", "@a", "\tdato", "\rdato", " lead", "trail ", "a&b<c>",
          "<r>x</r>", "_x0041_", "a\x01b", "\x02", "a\nb", "x" * 20_000, "y" * 40_000, "",
          "ñandú", "\u00a0nb", "nb\u3000", "a\x0bb", "'q", "\ufffe", "{1} {0:.16G}", "plain",
          "José Pérez"]


def _tricky_rows() -> list[list]:
    """A header, then rows of a number, a typed and an untyped text column, and a label column;
    every awkward text in both text columns, next to plain rows and empty cells."""
    rows = [["ID", "Nombres", "Etiqueta", "Fecha"]]
    for n in range(60):
        rows.append([n, f"Persona {n}", "Sí" if n % 2 else "", "01/03/2015"])
    for n, text in enumerate(TRICKY, start=100):  # in chunks of 3: each alone amid plain rows
        rows.append([n, text, text, "" if n % 3 else "31/12/2015"])
        rows.append([0, "Ana", "No", text])
        rows.append([-n, "Luz", "Sí", "01/01/2015"])
    return rows


def _parts(content: bytes) -> dict[str, bytes]:
    import zipfile
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        # docProps/core.xml holds the time of writing
        return {name: package.read(name) for name in package.namelist()
                if name != "docProps/core.xml"}


@pytest.mark.parametrize("size", [1, 3, 7, 500])
@pytest.mark.parametrize("dated", [False, True])
def test_the_chunked_sheet_is_byte_for_byte_the_row_by_row_sheet(size, dated):
    from datetime import date

    from cemprende.exports import write_xlsx, write_xlsx_chunks
    rows = _tricky_rows()
    # A chunk with a real date goes row by row (write_xlsx's path) amid the direct ones.
    if dated:
        rows[30] = [30, "Con fecha", "x", date(2015, 3, 1)]
    typed = (1, 3)
    one, other = BytesIO(), BytesIO()
    assert write_xlsx(one, "Participantes", rows, typed=typed) == len(rows)
    chunks = [rows[:1]] + [rows[i:i + size] for i in range(1, len(rows), size)]
    seen = []
    assert write_xlsx_chunks(other, "Participantes", iter(chunks), typed=typed, every=50,
                             progress=seen.append) == len(rows)
    assert _parts(other.getvalue()) == _parts(one.getvalue())
    assert seen and seen == sorted(seen) and seen[-1] <= len(rows)
    sheet = [list(r) for r in load_workbook(BytesIO(other.getvalue()), read_only=True)
             .active.iter_rows(values_only=True)]
    assert sheet[0] == ["ID", "Nombres", "Etiqueta", "Fecha"]
    by_id = {row[0]: row for row in sheet[1:] if row[0] >= 100}
    assert len(by_id) == len(TRICKY)
    assert by_id[100][1:3] == ["'=1+1", "=1+1"], "typed column quoted, a label column not"
    assert by_id[108][1:3] == ["a&b<c>", "a&b<c>"] and by_id[102][1] == "'-3"
    assert by_id[123][1] == "{1} {0:.16G}"
    assert isinstance(sheet[1][0], int) and sheet[1][2] is None  # empty text: no cell


# XlsxWriter writes a string shaped <r>…</r> into the sheet's XML unescaped (its rich strings).
RICH_LOOKING = ['<r><t>x</t></r>', '<r>&</r>',
                '<r></r></is></c><c r="Z9"><f>HYPERLINK("http://x","y")</f></c><c><is><r></r>']


@pytest.mark.parametrize("writer", ["rows", "chunks"])
def test_typed_text_shaped_like_sheet_markup_arrives_as_that_text(writer):
    rows = [["Nombres", "Número"]] + [[text, number] for number, text in enumerate(RICH_LOOKING)]
    handle = BytesIO()
    if writer == "rows":
        write_xlsx(handle, "Hoja", rows, typed=[0])
    else:
        write_xlsx_chunks(handle, "Hoja", [rows[:2], rows[2:]], typed=[0])
    sheet = load_workbook(BytesIO(handle.getvalue()))["Hoja"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == rows
    assert all(cell.data_type == "s" for cell in sheet["A"])
    assert sheet["Z9"].value is None


ROWS_OF_EVERY_KIND = [
    ["1", "Ana", "ana@correo.co", "Sí"],  # an @ inside a cell is no formula start
    ["2", "=HYPERLINK(\"x\")", "", "No"],
    ["3", "Luis; \"el\"", "a\r\nb", "Sí"],
    ["4", "", "+57 300", "No"],
    ["5", "\tdato", "@x", "Sin información"],
    ["6", "-3", "a\x1fb", "Sí"],  # holds the cell separator: read again as cells
]


@pytest.mark.parametrize("rows", [ROWS_OF_EVERY_KIND[:1], ROWS_OF_EVERY_KIND[:2],
                                  *([row] for row in ROWS_OF_EVERY_KIND), ROWS_OF_EVERY_KIND])
def test_rows_joined_by_the_database_make_the_csv_of_their_cells(rows):
    """csv_stream_lines (rows joined with the unit and record separators) writes the same text
    as csv_stream_chunks writes from the cells, whatever the typed cells hold."""
    from cemprende.exports import csv_stream_chunks, csv_stream_lines
    joined = ["\x1f".join(row) + "\x1e" for row in rows]
    by_id = {row[0]: row for row in rows}
    asked = []

    def cells_of(ids):
        asked.extend(ids)
        return [by_id[i] for i in ids]
    header = ["ID", "Nombres", "Correo", "Discapacidad"]
    expected = "".join(csv_stream_chunks([[list(row) for row in rows]], header, typed=[1, 2]))
    assert "".join(csv_stream_lines([joined], 4, [1, 2], header, cells_of)) == expected
    assert asked == [row[0] for row in rows if "\x1f" in row[2]]
