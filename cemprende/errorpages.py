"""Errors as Spanish pages or as the API's error shape; never a traceback."""
from __future__ import annotations

import logging

from flask import g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from . import audit
from .errors import DomainError, conflict_from_database, out_of_range_from_database
from .extensions import db

log = logging.getLogger("cemprende")

MESSAGES = {
    400: ("solicitud_invalida", "La solicitud no es válida."),
    401: ("no_autenticado", "Debe autenticarse."),
    403: ("prohibido", "Su rol no permite esta acción."),
    404: ("no_encontrado", "No encontrado."),
    405: ("metodo_no_permitido", "Método no permitido."),
    409: ("conflicto", "Conflicto con el estado actual del registro."),
    413: ("demasiado_grande", "El envío es demasiado grande."),
    415: ("tipo_no_soportado", "Tipo de contenido no soportado."),
    422: ("validacion", "Revise los datos enviados."),
    429: ("demasiados_intentos",
          "Demasiados intentos. Espere unos minutos antes de volver a intentarlo."),
    500: ("error_interno", "Ocurrió un error inesperado."),
}


def wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, code: str | None = None,
                   body: dict | None = None):
    default_code, default_message = MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        payload = body or {"error": {"code": code or default_code,
                                     "message": message or default_message}}
        payload["error"]["request_id"] = g.get("request_id")
        return jsonify(payload), status
    return render_template("errors/error.html", status=status,
                           message=message or default_message,
                           request_id=g.get("request_id")), status


def domain_response(error: DomainError):
    return error_response(error.status, error.message, error.code, error.to_dict())


def commit_or_conflict(response):
    """Commits the request's work; a commit that loses a race (a stale version, a unique key
    taken by a concurrent request) answers 409 instead of a 500, leaving nothing written."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        conflict = conflict_from_database(error)
        if conflict is None:
            raise
        return domain_response(conflict)
    return response


def register(app) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        return domain_response(error)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _lost_race(error: Exception):
        """A flush inside a service that lost a race: one central 409, never per view."""
        conflict = conflict_from_database(error)
        if conflict is None:
            return _unexpected(error)
        db.session.rollback()
        return domain_response(conflict)

    @app.errorhandler(DataError)
    def _out_of_range(error: DataError):
        """An id or number past its column's range (PostgreSQL): 404 or 422, never a 500."""
        refused = out_of_range_from_database(error, (request.view_args or {}).values())
        if refused is None:
            return _unexpected(error)
        db.session.rollback()
        return domain_response(refused)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        audit.record_now("denegado", detalle=f"CSRF: {request.path}"[:300])
        return error_response(400, "El formulario caducó o no es válido. Recargue la página "
                                   "e intente de nuevo.", "csrf")

    @app.errorhandler(429)
    def _throttled(error):
        audit.record_now("denegado", detalle=f"limite de intentos: {request.path}"[:300])
        return error_response(429)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return error_response(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("Error no controlado en %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "Ocurrió un error inesperado. Si se repite, informe el "
                                   f"código {g.get('request_id')} al administrador.")
