"""The one export writer: text people typed never runs as a formula, numbers stay numbers."""
from __future__ import annotations

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cemprende.exports import csv_text, safe_cell
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
