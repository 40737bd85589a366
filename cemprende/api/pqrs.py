"""PQRS: recording, listing (overdue first), answering and follow-up notes."""
from __future__ import annotations

from flask import jsonify, request

from ..itinerario.dia import today_bogota
from ..pqrs import services as pqrs
from .base import actor, body, bp, page_of, paging


@bp.get("/pqrs")
def list_pqrs():
    page, per_page = paging()
    today = today_bogota()
    result = pqrs.listing(actor(), **pqrs.parse_filters(request.args.to_dict()), page=page,
                          per_page=per_page, today=today)
    return jsonify(page_of(result, lambda p: p.to_dict(today)))


@bp.post("/pqrs")
def create_pqrs():
    return jsonify(pqrs.create(actor(), body()).to_dict(today_bogota())), 201


@bp.get("/pqrs/<int:pqrs_id>")
def get_pqrs(pqrs_id: int):
    return jsonify(pqrs.get(actor(), pqrs_id).to_dict(today_bogota()))


@bp.post("/pqrs/<int:pqrs_id>/respuesta")
def answer_pqrs(pqrs_id: int):
    return jsonify(pqrs.answer(actor(), pqrs_id, body()).to_dict(today_bogota()))


@bp.post("/pqrs/<int:pqrs_id>/notas")
def add_pqrs_note(pqrs_id: int):
    return jsonify(pqrs.add_note(actor(), pqrs_id, body()).to_dict()), 201
