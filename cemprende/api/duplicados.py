"""Possible duplicates: the queue, the detection run, the merge and "no son la misma persona"."""
from __future__ import annotations

from flask import jsonify, request

from ..duplicados import services as duplicados
from .base import actor, body, bp, page_of, paging


@bp.get("/duplicados")
def list_duplicados():
    page, per_page = paging()
    result = duplicados.queue(actor(), request.args.to_dict(), page, per_page)
    return jsonify(page_of(result, lambda row: duplicados.to_dict(*row)))


@bp.get("/duplicados/<int:candidato_id>")
def get_duplicado(candidato_id: int):
    candidato, a, b = duplicados.get_visible(actor(), candidato_id)
    return jsonify(duplicados.to_dict(candidato, a, b, duplicados.itinerary_counts(a, b)))


@bp.post("/duplicados/deteccion")
def detect_duplicados():
    run = duplicados.request_detection(actor())
    return jsonify({"id": run.id, "estado": run.estado}), 202


@bp.post("/duplicados/<int:candidato_id>/fusion")
def merge_duplicado(candidato_id: int):
    return jsonify(duplicados.fusion_to_dict(duplicados.merge(actor(), candidato_id, body()))), 201


@bp.post("/duplicados/<int:candidato_id>/descarte")
def discard_duplicado(candidato_id: int):
    candidato = duplicados.discard(actor(), candidato_id, body())
    _, a, b = duplicados.get_visible(actor(), candidato_id)
    return jsonify(duplicados.to_dict(candidato, a, b))
