"""Monthly informes: the versions of a centre, a new frozen version, a version's snapshot."""
from __future__ import annotations

from flask import jsonify, request

from ..informes import services as informes
from ..lectura import from_replica
from .base import actor, body, bp, page_of, paging


@bp.get("/informes")
@from_replica
def list_informes():
    page, per_page = paging()
    return jsonify(page_of(informes.listing(actor(), request.args.to_dict(), page, per_page),
                           lambda version: version.resumen()))


@bp.post("/informes")
def generate_informe():
    return jsonify(informes.generate(actor(), body()).to_dict()), 201


@bp.get("/informes/<int:informe_id>")
@from_replica
def get_informe(informe_id: int):
    return jsonify(informes.get_visible(actor(), informe_id).to_dict())
