"""Convenios and cuatrienios: metas beyond the vigencia, with their progress."""
from __future__ import annotations

from flask import jsonify, request

from ..convenios import services as convenios
from .base import actor, body, bp, page_of, paging


@bp.get("/convenios")
def list_convenios():
    page, per_page = paging()
    return jsonify(page_of(convenios.listing(actor(), page, per_page, request.args.get("clase")),
                           convenios.to_dict))


@bp.post("/convenios")
def create_convenio():
    return jsonify(convenios.to_dict(convenios.create(actor(), body()))), 201


@bp.get("/convenios/<int:convenio_id>")
def get_convenio(convenio_id: int):
    convenio = convenios.get(actor(), convenio_id)
    return jsonify(convenios.to_dict(convenio, convenios.progress(convenio)))


@bp.put("/convenios/<int:convenio_id>")
def put_convenio(convenio_id: int):
    convenio = convenios.update(actor(), convenio_id, body())
    return jsonify(convenios.to_dict(convenio, convenios.progress(convenio)))
