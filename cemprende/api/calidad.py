"""Data-quality scores per advisor or centre and month, with the trend."""
from __future__ import annotations

from flask import jsonify, request

from ..calidad import services as calidad
from .base import actor, bp


@bp.get("/calidad")
def get_calidad():
    return jsonify(calidad.score(actor(), request.args.to_dict()).to_dict())
