"""The review queue keeps its filter and moves to the next document after each decision; a
rejected document waits, with its reason, in the Mi trabajo of whoever uploaded it until it is
replaced; the upload report lists every file with its result in words (page and CSV)."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria
from conftest import csrf_token, login, person_payload
from documents import files, pdf_bytes


def _upload(caller, *pairs) -> dict:
    response = caller.post("/verificadores", data=files(*pairs), content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _pending_docs(api, staff, documento: str, count: int) -> list[int]:
    caller = api(staff)
    person = caller.post("/participantes", json=person_payload(numero_documento=documento)).get_json()
    items = _upload(caller, *[(f"AC_{documento}{'' if n == 1 else f'_{n}'}.pdf", pdf_bytes(f"acta {documento} {n}"))
                              for n in range(1, count + 1)])["items"]
    return [i["verificador_id"] for i in items]


def test_the_queue_keeps_its_centre_filter_through_each_decision(app, client, api, world):
    _pending_docs(api, world["asesor_a"], "1010101010", 2)
    in_b = _pending_docs(api, world["asesor_b"], "2020202020", 2)
    centro_b = world["centro_b"].id
    login(client, world["supervisor"])
    listing = client.get(f"/verificadores/?estado=pendiente&centro_id={centro_b}").get_data(as_text=True)
    assert f"/verificadores/{in_b[0]}?centro_id={centro_b}" in listing
    page = client.get(f"/verificadores/{in_b[0]}?centro_id={centro_b}").get_data(as_text=True)
    assert "2 pendientes en la cola con este filtro" in page and 'data-atajo="a"' in page
    token = csrf_token(client, f"/verificadores/{in_b[0]}?centro_id={centro_b}")
    first = client.post(f"/verificadores/{in_b[0]}/revision?centro_id={centro_b}", data={
        "csrf_token": token, "estado": "aprobado", "version": "1"})
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"/verificadores/{in_b[1]}?centro_id={centro_b}")
    second = client.post(f"/verificadores/{in_b[1]}/revision?centro_id={centro_b}", data={
        "csrf_token": token, "estado": "rechazado", "observacion": "Ilegible", "version": "1"})
    assert second.status_code == 303  # centre A's documents still wait, but not in this queue
    assert second.headers["Location"].endswith(f"/verificadores/?estado=pendiente&centro_id={centro_b}")
    assert "No quedan documentos pendientes con este filtro" in client.get(
        second.headers["Location"]).get_data(as_text=True)


def test_a_rejected_document_waits_in_mi_trabajo_of_its_uploader_until_replaced(
        app, client, api, world):
    (rejected,) = _pending_docs(api, world["asesor_a"], "3030303030", 1)
    answer = api(world["supervisor"]).post(f"/verificadores/{rejected}/revision", json={
        "estado": "rechazado", "observacion": "Falta la firma de la persona"})
    assert answer.status_code == 200
    login(client, world["asesor_a"])
    page = client.get("/mi-trabajo").get_data(as_text=True)
    assert "Documentos rechazados" in page and "Falta la firma de la persona" in page
    assert "AC_3030303030.pdf" in page
    other = app.test_client()
    login(other, world["director_a"])  # not the uploader: not in their list
    assert "Falta la firma de la persona" not in other.get("/mi-trabajo").get_data(as_text=True)
    _upload(api(world["asesor_a"]), ("AC_3030303030_2.pdf", pdf_bytes("acta firmada")))
    assert "Falta la firma de la persona" not in client.get("/mi-trabajo").get_data(as_text=True)


def test_the_upload_report_lists_every_file_in_words_and_its_csv_too(app, client, api, world):
    api(world["asesor_a"]).post("/participantes", json=person_payload(numero_documento="4040404040"))
    carga = _upload(api(world["asesor_a"]), ("CC_4040404040.pdf", pdf_bytes("cedula")),
                    ("sin-convencion.pdf", pdf_bytes("x")), ("AC_999999999.pdf", pdf_bytes("y")))
    login(client, world["asesor_a"])
    page = client.get(f"/verificadores/cargas/{carga['carga_id']}").get_data(as_text=True)
    for text in ("CC_4040404040.pdf", "Vinculado", "sin-convencion.pdf", "Nombre inválido",
                 "Persona no encontrada", "Ana María Pérez Rojas"):
        assert text in page, text
    response = client.get(f"/verificadores/cargas/{carga['carga_id']}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["Archivo", "Resultado", "Motivo", "Documento verificador", "Persona",
                       "Documento de la persona", "N.º de verificador"]
    by_file = {row[0]: row for row in rows[1:]}
    assert by_file["CC_4040404040.pdf"][1:2] == ["Vinculado"]
    assert by_file["CC_4040404040.pdf"][3:6] == ["CC · Cédula de ciudadanía", "Ana María Pérez Rojas",
                                                  "CC 4040404040"]
    assert by_file["sin-convencion.pdf"][1] == "Nombre inválido"
    assert by_file["AC_999999999.pdf"][1] == "Persona no encontrada"
    with app.app_context():
        entry = db.session.scalar(select(Auditoria).where(Auditoria.accion == "exportar",
                                                          Auditoria.entidad == "carga_verificadores"))
        assert entry is not None and entry.entidad_id == carga["carga_id"]
