"""Audit samples: draw, read with error rates, review, download."""
from __future__ import annotations

from flask import Response, jsonify

from ..muestras import services as muestras
from .base import actor, body, bp, page_of, paging


@bp.get("/muestras")
def list_muestras():
    page, per_page = paging()
    return jsonify(page_of(muestras.listing(actor(), page, per_page),
                           lambda m: {"id": m.id, "centro_id": m.centro_id, "mes": f"{m.mes:%Y-%m}",
                                      "semilla": m.semilla, "tamano": m.tamano}))


@bp.post("/muestras")
def draw_muestra():
    return jsonify(muestras.to_dict(muestras.draw(actor(), body()))), 201


@bp.get("/muestras/<int:muestra_id>")
def get_muestra(muestra_id: int):
    return jsonify(muestras.to_dict(muestras.get(actor(), muestra_id)))


@bp.get("/muestras/<int:muestra_id>.csv")
def muestra_csv(muestra_id: int):
    return Response(muestras.export_csv(actor(), muestra_id), mimetype="text/csv")


@bp.post("/muestras/items/<int:muestra_item_id>/veredicto")
def review_muestra_item(muestra_item_id: int):
    return jsonify(muestras.review(actor(), muestra_item_id, body()).to_dict())
