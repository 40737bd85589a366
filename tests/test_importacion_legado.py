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
