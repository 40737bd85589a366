"""Participantes and their itinerary of actuaciones."""
from __future__ import annotations

from flask import jsonify, request

from ..contactos import services as contactos
from ..itinerario import services as itinerario
from ..participantes import services as participantes
from .base import actor, body, bp, page_of, paging


@bp.post("/participantes")
def create_participante():
    return jsonify(participantes.register(actor(), body()).to_dict()), 201


@bp.get("/participantes")
def list_participantes():
    page, per_page = paging()
    result = participantes.search(actor(), q=request.args.get("q"),
                                  documento=request.args.get("documento"),
                                  page=page, per_page=per_page)
    states = contactos.estados(result.items)
    return jsonify(page_of(result, lambda p: {**p.to_dict(), "estado_contacto": states[p.id]}))


@bp.get("/participantes/<int:participante_id>")
def get_participante(participante_id: int):
    person = participantes.get_visible(actor(), participante_id)
    data = person.to_dict()
    data["estado_contacto"] = contactos.estado(person)
    data["itinerario"] = [itinerario.to_dict(a) for a in itinerario.itinerary(person)]
    return jsonify(data)


@bp.patch("/participantes/<int:participante_id>")
def update_participante(participante_id: int):
    return jsonify(participantes.update(actor(), participante_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/actuaciones")
def create_actuacion(participante_id: int):
    return jsonify(itinerario.to_dict(itinerario.register(actor(), participante_id, body()))), 201


@bp.get("/actuaciones/<int:actuacion_id>")
def get_actuacion(actuacion_id: int):
    return jsonify(itinerario.to_dict(itinerario.get_visible_actuacion(actor(), actuacion_id)))


@bp.post("/actuaciones/<int:actuacion_id>/anular")
def annul_actuacion(actuacion_id: int):
    return jsonify(itinerario.to_dict(itinerario.annul(actor(), actuacion_id, body())))
