"""Habeas data: consultas and reclamos with Ley 1581's business-day deadlines and one extension,
"reclamo en trámite" on the record, rectification with its reason, revocation of sensitive data,
and the report to the person."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from conftest import TODAY, login, person_payload
from cemprende.extensions import db
from cemprende.models import Auditoria


def _person(caller, **fields) -> dict:
    made = caller.post("/participantes", json=person_payload(**fields))
    assert made.status_code == 201
    return made.get_json()


def _request(caller, person_id, tipo="consulta", fecha=None):
    return caller.post(f"/participantes/{person_id}/solicitudes-habeas", json={
        "tipo": tipo, "fecha_recibida": fecha or TODAY.isoformat(),
        "descripcion": "Quiere saber qué datos suyos tiene el centro."})


def test_deadlines_and_one_extension_before_expiry(api, world):
    caller = api(world["asesor_a"])
    person = _person(caller)
    consulta = _request(caller, person["id"]).get_json()
    reclamo = _request(caller, person["id"], "reclamo").get_json()
    assert consulta["fecha_limite"] == "2026-04-16"  # 10 business days, Holy Week off
    assert reclamo["fecha_limite"] == "2026-04-23"  # 15
    extended = caller.post(f"/solicitudes-habeas/{reclamo['id']}/prorroga", json={
        "motivo_prorroga": "Se consulta al centro anterior.", "version": reclamo["version"]})
    assert extended.status_code == 200 and extended.get_json()["fecha_limite"] == "2026-05-06"  # +8
    again = caller.post(f"/solicitudes-habeas/{reclamo['id']}/prorroga", json={
        "motivo_prorroga": "Otra vez", "version": extended.get_json()["version"]})
    assert again.status_code == 409
    consulta_ext = caller.post(f"/solicitudes-habeas/{consulta['id']}/prorroga", json={
        "motivo_prorroga": "Falta información.", "version": consulta["version"]})
    assert consulta_ext.get_json()["fecha_limite"] == "2026-04-23"  # +5
    late = _request(caller, person["id"], fecha="2026-01-02").get_json()
    assert late["vencida"] is True
    refused = caller.post(f"/solicitudes-habeas/{late['id']}/prorroga", json={
        "motivo_prorroga": "Tarde", "version": late["version"]})
    assert refused.status_code == 409
    bad = _request(caller, person["id"], tipo="queja")
    assert bad.status_code == 422 and "tipo" in bad.get_json()["error"]["fields"]


def test_reclamo_en_tramite_shows_until_answered(app, client, api, world):
    caller = api(world["asesor_a"])
    person = _person(caller)
    reclamo = _request(caller, person["id"], "reclamo").get_json()
    login(client, world["director_a"])
    assert "Reclamo en trámite" in client.get(f"/participantes/{person['id']}").get_data(as_text=True)
    assert "Consultas y reclamos sobre datos personales" in client.get("/mi-trabajo").get_data(as_text=True)
    answered = caller.post(f"/solicitudes-habeas/{reclamo['id']}/respuesta", json={
        "respuesta": "Se corrigió el teléfono.", "fecha_respuesta": TODAY.isoformat(),
        "version": reclamo["version"]})
    assert answered.status_code == 200 and answered.get_json()["estado"] == "respondida"
    assert "Reclamo en trámite" not in client.get(f"/participantes/{person['id']}").get_data(as_text=True)
    twice = caller.post(f"/solicitudes-habeas/{reclamo['id']}/respuesta", json={
        "respuesta": "Otra", "fecha_respuesta": TODAY.isoformat(),
        "version": answered.get_json()["version"]})
    assert twice.status_code == 409


def test_rectification_needs_its_reason_and_is_audited(app, api, world):
    caller = api(world["asesor_a"])
    person = _person(caller)
    missing = caller.post(f"/participantes/{person['id']}/rectificacion", json={
        "telefono": "3110000000", "version": person["version"]})
    assert missing.status_code == 422 and "motivo" in missing.get_json()["error"]["fields"]
    done = caller.post(f"/participantes/{person['id']}/rectificacion", json={
        "telefono": "3110000000", "version": person["version"],
        "motivo": "El número anterior era de una vecina."})
    assert done.status_code == 200 and done.get_json()["telefono"] == "3110000000"
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == person["id"],
            Auditoria.accion == "rectificar")).all()
    assert [e.detalle for e in entries] == ["A solicitud del titular: El número anterior era de una vecina."]


def test_revoking_sensitive_data_clears_it_and_keeps_the_services(api, world):
    caller = api(world["asesor_a"])
    person = _person(caller)
    assert caller.post(f"/participantes/{person['id']}/actuaciones", json={
        "tipo": "caracterizacion", "fecha": TODAY.isoformat()}).status_code == 201
    revoked = caller.post(f"/participantes/{person['id']}/revocatoria-sensibles",
                          json={"version": person["version"]})
    assert revoked.status_code == 200
    body = revoked.get_json()
    assert (body["etnia"], body["discapacidad"], body["desplazamiento"]) == (None, None, None)
    assert body["sensibles_revocado_en"] is not None
    assert len(caller.get(f"/participantes/{person['id']}").get_json()["itinerario"]) == 1
    refused = caller.patch(f"/participantes/{person['id']}", json={
        "etnia": "indigena", "version": body["version"]})
    assert refused.status_code == 422 and "etnia" in refused.get_json()["error"]["fields"]
    granted = caller.post(f"/participantes/{person['id']}/autorizacion-sensibles",
                          json={"version": body["version"]})
    assert granted.status_code == 200
    allowed = caller.patch(f"/participantes/{person['id']}", json={
        "etnia": "indigena", "version": granted.get_json()["version"]})
    assert allowed.status_code == 200 and allowed.get_json()["etnia"] == "indigena"


def test_report_to_the_person_holds_their_data_and_is_recorded(app, api, world):
    caller = api(world["asesor_a"])
    person = _person(caller)
    caller.post(f"/participantes/{person['id']}/actuaciones", json={
        "tipo": "caracterizacion", "fecha": TODAY.isoformat()})
    _request(caller, person["id"], "reclamo")
    response = caller.get(f"/participantes/{person['id']}/reporte-titular.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Ana María Pérez Rojas" in text and "1098765432" in text
    assert "Caracterización" in text and "Reclamo" in text and "Afrodescendiente" in text
    with app.app_context():
        exported = db.session.scalar(select(Auditoria).where(
            Auditoria.accion == "exportar", Auditoria.entidad_id == person["id"]))
    assert exported is not None and exported.username == world["asesor_a"].username
    assert api(world["director_b"]).get(
        f"/participantes/{person['id']}/reporte-titular.pdf").status_code == 404
    assert api(world["supervisor"]).get(
        f"/participantes/{person['id']}/reporte-titular.pdf").status_code == 403
