"""Errors as Spanish pages or as the API's error shape; never a traceback."""
from __future__ import annotations

import logging

from flask import g, jsonify, make_response, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
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
    503: ("base_de_datos_no_disponible",
          "La base de datos no está disponible en este momento. Intente de nuevo en unos minutos; "
          "lo que estaba guardando no se guardó."),
}
# Seconds a client should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 15
# PostgreSQL's SQLSTATEs for a server that is going away or not taking connections yet
# (class 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now).
UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")


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
    taken by a concurrent request, a deadlock or a lock wait given up) answers 409 instead of a
    500, leaving nothing written."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError, OperationalError) as error:
        db.session.rollback()
        conflict = conflict_from_database(error)
        if conflict is None:
            raise
        return domain_response(conflict)
    return response


def database_unavailable(error: Exception) -> bool:
    """Whether a database error means the server cannot be reached (stopped, restarting, the
    connection cut) rather than a fault of the request or of the code."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    orig = error.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        sqlstate = getattr(orig, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
    if module.startswith("sqlite3"):
        text = str(orig).lower()
        return "unable to open database" in text or "disk i/o error" in text
    return False


def database_unavailable_response(error: Exception):
    """503 in Spanish (the API's error shape or a page), with Retry-After; logged as a warning
    naming the error class only. The page is drawn for a guest: the signed-in account cannot be
    read while the database is away."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection is gone; the pool discards it)
        db.session.close()
    g._login_user = AnonymousUserMixin()
    log.warning("La base de datos no responde (%s) en %s %s", type(getattr(error, "orig", error)).__name__,
                request.method, request.path)
    response = make_response(error_response(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(error: DBAPIError):
        if database_unavailable(error):
            return database_unavailable_response(error)
        conflict = conflict_from_database(error)  # a deadlock, a lock wait that timed out: 409
        if conflict is None:
            return _unexpected(error)
        db.session.rollback()
        return domain_response(conflict)

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
        # An error after the view (the request's commit) reaches Flask as a 500 wrapping it.
        original = getattr(error, "original_exception", None)
        if original is not None and database_unavailable(original):
            return database_unavailable_response(original)
        return error_response(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, DBAPIError) and database_unavailable(error):
            return database_unavailable_response(error)
        log.exception("Error no controlado en %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "Ocurrió un error inesperado. Si se repite, informe el "
                                   f"código {g.get('request_id')} al administrador.")
