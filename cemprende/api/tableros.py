"""Metas and tableros."""
from __future__ import annotations

from flask import jsonify, request

from ..tableros import desgloses, drilldown
from ..lectura import from_replica
from ..tableros import services as tableros
from .base import actor, body, bp, page_of


@bp.put("/metas")
def put_metas():
    data = body()
    vigencia, metas = tableros.set_metas(actor(), data)
    return jsonify({"centro_id": data.get("centro_id") or actor().centro_id,
                    "vigencia": vigencia.to_dict(), "metas": metas})


@bp.get("/tableros/<any(global, microcapitalizacion):tablero>")
@from_replica
def get_tablero(tablero: str):
    centro_id, desde, hasta = tableros.parse_request(actor(), request.args.to_dict())
    return jsonify(tableros.compute(actor(), tablero, centro_id, desde, hasta).to_dict())


@bp.get("/tableros/<any(global, microcapitalizacion):tablero>/filas/<codigo>/personas")
@from_replica
def get_fila_personas(tablero: str, codigo: str):
    """The units behind a figure (API.md, "Drill-down and bases")."""
    consulta = drilldown.parse(actor(), tablero, codigo, request.args.to_dict())
    result = drilldown.listing(actor(), consulta, request.args.get("page"), request.args.get("per_page"))
    answer = page_of(result, lambda item: {**item, "fecha": item["fecha"].isoformat() if item["fecha"] else None})
    answer.update(tablero=tablero, codigo=codigo, centro_id=consulta.centro_id,
                  desde=consulta.desde.isoformat(), hasta=consulta.hasta.isoformat(),
                  unidad=consulta.kind)
    return jsonify(answer)


@bp.get("/tableros/<any(global, microcapitalizacion):tablero>/filas/<codigo>/desglose")
@from_replica
def get_fila_desglose(tablero: str, codigo: str):
    """A row broken down by one characteristic of the people it counts (`?por=`)."""
    consulta, dimension = desgloses.parse(actor(), tablero, codigo, request.args.to_dict())
    return jsonify(desgloses.compute(actor(), consulta, dimension).to_dict())
