"""Operation: whether this process can serve (for the load balancer and the operator)."""
from __future__ import annotations

import logging

from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter
from .base import bp

log = logging.getLogger("cemprende")


@bp.get("/salud")
@limiter.exempt
def salud():
    """No auth, nothing about the system beyond whether the database answers (API.md)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("Salud: la base de datos no responde (%s)", type(error).__name__)
        return jsonify({"estado": "sin_base_de_datos"}), 503
    return jsonify({"estado": "ok"})
