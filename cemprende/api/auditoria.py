"""The audit trail, for admins and supervisors."""
from __future__ import annotations

from flask import jsonify, request

from ..auditoria import services as auditoria
from ..exports import csv_response
from .base import actor, bp, page_of, paging


def _entry(entry) -> dict:
    return {"id": entry.id, "en": entry.en.isoformat(), "usuario": entry.username,
            "accion": entry.accion, "entidad": entry.entidad, "entidad_id": entry.entidad_id,
            "centro_id": entry.centro_id, "antes": entry.antes, "despues": entry.despues,
            "detalle": entry.detalle, "ip": entry.ip, "solicitud": entry.request_id}


@bp.get("/auditoria")
def list_auditoria():
    page, per_page = paging()
    filtro = auditoria.parse(actor(), request.args.to_dict())
    return jsonify(page_of(auditoria.listing(actor(), filtro, page, per_page), _entry))


@bp.get("/auditoria.csv")
def auditoria_csv():
    rows = auditoria.export(actor(), auditoria.parse(actor(), request.args.to_dict()))
    return csv_response(rows, auditoria.HEADER, "auditoria.csv")
