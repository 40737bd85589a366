"""Cierre de mes: closing a centre's month, the supervisor's acceptance or return, reopening."""
from __future__ import annotations

from flask import jsonify, request

from ..cierres import services as cierres
from .base import actor, body, bp, page_of, paging


def _detail(cierre) -> dict:
    data = cierre.to_dict()
    data["ventanas"] = {name: {"desde": d.isoformat(), "hasta": h.isoformat()}
                        for name, (d, h) in cierres.ventanas_de(cierre).items()}
    return data


@bp.get("/cierres")
def list_cierres():
    page, per_page = paging()
    result = cierres.cierres(actor(), request.args.to_dict(), page, per_page)
    return jsonify(page_of(result, lambda c: c.to_dict()))


@bp.post("/cierres")
def create_cierre():
    return jsonify(_detail(cierres.close(actor(), body()))), 201


@bp.get("/cierres/<int:cierre_id>")
def get_cierre(cierre_id: int):
    cierre = cierres.get_visible(actor(), cierre_id)
    data = _detail(cierre)
    data["pendientes"] = cierres.checklist_of(actor(), cierre).to_dict()
    return jsonify(data)


def _review(cierre_id: int, accion: str):
    data = body() if request.content_length else {}
    return jsonify(_detail(cierres.review(actor(), cierre_id, accion, data)))


@bp.post("/cierres/<int:cierre_id>/aceptacion")
def accept_cierre(cierre_id: int):
    return _review(cierre_id, "aceptacion")


@bp.post("/cierres/<int:cierre_id>/devolucion")
def return_cierre(cierre_id: int):
    return _review(cierre_id, "devolucion")


@bp.post("/cierres/<int:cierre_id>/reapertura")
def reopen_cierre(cierre_id: int):
    return _review(cierre_id, "reapertura")
