"""Habeas data: a person's requests about their data, rectification, sensitive-data
authorisation and the report to the person."""
from __future__ import annotations

from flask import jsonify, send_file

from ..habeas import services as habeas
from ..itinerario.dia import today_bogota
from ..participantes import services as participantes
from .base import actor, body, bp, page_of, paging


@bp.get("/solicitudes-habeas")
def list_habeas_pending():
    page, per_page = paging()
    today = today_bogota()
    return jsonify(page_of(habeas.pending(actor(), page, per_page), lambda s: s.to_dict(today)))


@bp.get("/participantes/<int:participante_id>/solicitudes-habeas")
def list_habeas_requests(participante_id: int):
    person = participantes.get_visible(actor(), participante_id)
    today = today_bogota()
    return jsonify({"items": [s.to_dict(today) for s in habeas.requests_of(person)]})


@bp.post("/participantes/<int:participante_id>/solicitudes-habeas")
def create_habeas_request(participante_id: int):
    made = habeas.create_request(actor(), participante_id, body())
    return jsonify(made.to_dict(today_bogota())), 201


@bp.post("/solicitudes-habeas/<int:solicitud_id>/prorroga")
def extend_habeas_request(solicitud_id: int):
    return jsonify(habeas.extend(actor(), solicitud_id, body()).to_dict(today_bogota()))


@bp.post("/solicitudes-habeas/<int:solicitud_id>/respuesta")
def answer_habeas_request(solicitud_id: int):
    return jsonify(habeas.answer(actor(), solicitud_id, body()).to_dict(today_bogota()))


@bp.post("/participantes/<int:participante_id>/rectificacion")
def rectify_participante(participante_id: int):
    return jsonify(habeas.rectify(actor(), participante_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/revocatoria-sensibles")
def revoke_sensitive(participante_id: int):
    return jsonify(habeas.revoke_sensitive(actor(), participante_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/autorizacion-sensibles")
def grant_sensitive(participante_id: int):
    return jsonify(habeas.grant_sensitive(actor(), participante_id, body()).to_dict())


@bp.get("/participantes/<int:participante_id>/reporte-titular.pdf")
def habeas_report(participante_id: int):
    return send_file(habeas.report(actor(), participante_id), mimetype="application/pdf",
                     download_name=f"reporte_titular_{participante_id}.pdf")
