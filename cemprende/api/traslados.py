"""Traslados between centres and contact attempts of remitted people (API.md "Traslados",
"Importaciones")."""
from __future__ import annotations

from flask import jsonify, request

from ..contactos import services as contactos
from ..traslados import services as traslados
from .base import actor, body, bp, page_of, paging


@bp.post("/traslados")
def create_traslado():
    traslado = traslados.request_transfer(actor(), body())
    return jsonify({"id": traslado.id, "estado": traslado.estado}), 201


@bp.get("/traslados")
def list_traslados():
    page, per_page = paging()
    result = traslados.transfers(actor(), estado=request.args.get("estado") or None,
                                 lado=request.args.get("lado") or None, page=page, per_page=per_page)
    return jsonify(page_of(result, lambda t: traslados.to_dict(actor(), t)))


@bp.get("/traslados/<int:traslado_id>")
def get_traslado(traslado_id: int):
    return jsonify(traslados.to_dict(actor(), traslados.get_visible(actor(), traslado_id)))


@bp.post("/traslados/<int:traslado_id>/respuesta")
def answer_traslado(traslado_id: int):
    return jsonify(traslados.to_dict(actor(), traslados.answer(actor(), traslado_id, body())))


@bp.post("/participantes/<int:participante_id>/contactos")
def create_contacto(participante_id: int):
    return jsonify(contactos.record(actor(), participante_id, body()).to_dict()), 201
