"""Metas and tableros."""
from __future__ import annotations

from flask import jsonify, request

from ..tableros import services as tableros
from .base import actor, body, bp


@bp.put("/metas")
def put_metas():
    data = body()
    vigencia, metas = tableros.set_metas(actor(), data)
    return jsonify({"centro_id": data.get("centro_id") or actor().centro_id,
                    "vigencia": vigencia.to_dict(), "metas": metas})


@bp.get("/tableros/<any(global, microcapitalizacion):tablero>")
def get_tablero(tablero: str):
    centro_id, desde, hasta = tableros.parse_request(actor(), request.args.to_dict())
    return jsonify(tableros.compute(actor(), tablero, centro_id, desde, hasta).to_dict())
