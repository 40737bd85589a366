"""Centros and staff accounts."""
from __future__ import annotations

from flask import jsonify, request

from ..admin import services as admin
from .base import actor, body, bp, page_of, paging


@bp.get("/centros")
def list_centros():
    centros = admin.visible_centros(actor())
    return jsonify({"items": [c.to_dict() for c in centros], "page": 1,
                    "per_page": len(centros), "total": len(centros)})


@bp.get("/centros/<int:centro_id>")
def get_centro(centro_id: int):
    return jsonify(admin.get_centro(actor(), centro_id).to_dict())


@bp.post("/centros")
def create_centro():
    return jsonify(admin.create_centro(actor(), body()).to_dict()), 201


@bp.patch("/centros/<int:centro_id>")
def update_centro(centro_id: int):
    return jsonify(admin.update_centro(actor(), centro_id, body()).to_dict())


@bp.get("/staff")
def list_staff():
    page, per_page = paging()
    result = admin.visible_staff(actor(), q=request.args.get("q"), page=page, per_page=per_page)
    return jsonify(page_of(result, lambda s: s.to_dict()))


@bp.post("/staff")
def create_staff():
    return jsonify(admin.create_staff(actor(), body()).to_dict()), 201


@bp.patch("/staff/<int:staff_id>")
def update_staff(staff_id: int):
    return jsonify(admin.update_staff(actor(), staff_id, body()).to_dict())
