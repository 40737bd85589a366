"""Referenciación: programmes and referrals to them."""
from __future__ import annotations

from flask import jsonify, request

from ..itinerario.dia import today_bogota
from ..referenciacion import services as referenciacion
from .base import actor, body, bp, page_of, paging


@bp.get("/programas")
def list_programas():
    page, per_page = paging()
    args = request.args
    result = referenciacion.programas(actor(), q=args.get("q"), categoria=args.get("categoria"),
                                      page=page, per_page=per_page)
    return jsonify(page_of(result, lambda p: p.to_dict()))


@bp.post("/programas")
def create_programa():
    return jsonify(referenciacion.create_programa(actor(), body()).to_dict()), 201


@bp.patch("/programas/<int:programa_id>")
def update_programa(programa_id: int):
    return jsonify(referenciacion.update_programa(actor(), programa_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/referencias")
def create_referencia(participante_id: int):
    return jsonify(referenciacion.refer(actor(), participante_id, body()).to_dict()), 201


@bp.get("/referencias")
def list_referencias():
    page, per_page = paging()
    filters = referenciacion.parse_list_args(request.args.to_dict(), today_bogota())
    result = referenciacion.referencias(actor(), page=page, per_page=per_page, **filters)
    return jsonify(page_of(result, lambda r: r.to_dict()))


@bp.get("/referencias/<int:referencia_id>")
def get_referencia(referencia_id: int):
    return jsonify(referenciacion.get_referencia(actor(), referencia_id).to_dict())


@bp.patch("/referencias/<int:referencia_id>")
def update_referencia(referencia_id: int):
    return jsonify(referenciacion.follow_up(actor(), referencia_id, body()).to_dict())
