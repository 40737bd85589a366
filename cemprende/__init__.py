"""Cemprende: case management for Colombia's employment and entrepreneurship centres."""
from __future__ import annotations

import logging
import os

from flask import Flask, g, has_request_context

from . import formatting, hardening, lectura, security, transfer
from .config import Config, ProductionConfig, config_from_environment, production_problems
from .errors import learn_unique_constraints
from .extensions import csrf, db, limiter, login_manager, migrate


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    for name in ("cemprende", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RequestIdFilter) for h in logger.handlers for f in h.filters):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _check_production(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production":
        return
    problems = production_problems(app.config)
    if problems:
        raise RuntimeError("Cemprende no inicia en producción (CEMPRENDE_ENV=production) hasta "
                           "corregir:\n- " + "\n- ".join(problems))


def _configure_connections(app: Flask) -> None:
    """Every new connection: on SQLite WAL, foreign keys and the busy timeout; on PostgreSQL the
    lock timeout. Both timeouts are read when the connection opens (DATABASE_LOCK_TIMEOUT_MS)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        @event.listens_for(Engine, "connect")
        def _pragmas(dbapi_connection, _record):
            if type(dbapi_connection).__module__.startswith("sqlite3"):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute(f"PRAGMA busy_timeout={int(app.config['DATABASE_LOCK_TIMEOUT_MS'])}")
                cursor.execute("PRAGMA journal_mode=WAL")
                # Sorts and DISTINCTs of the tableros in memory, with a 64 MiB page cache.
                cursor.execute("PRAGMA temp_store=MEMORY")
                cursor.execute("PRAGMA cache_size=-65536")
                cursor.close()
    else:
        @event.listens_for(Engine, "connect")
        def _lock_timeout(dbapi_connection, _record):
            if type(dbapi_connection).__module__.startswith("psycopg"):
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {int(app.config['DATABASE_LOCK_TIMEOUT_MS'])}")
                dbapi_connection.commit()  # outside any transaction the pool later rolls back


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=os.path.join(os.path.dirname(__file__), "..", "templates"),
        static_folder=os.path.join(os.path.dirname(__file__), "..", "static"),
        instance_path=os.path.join(os.path.dirname(__file__), "..", "instance"),
    )
    if isinstance(config, dict):
        app.config.from_object(config_from_environment())
        app.config.update(config)
    else:
        app.config.from_object(config or config_from_environment())
    _check_production(app)
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy the client address (for the login throttle) is in X-Forwarded-For.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    os.makedirs(app.instance_path, exist_ok=True)
    _configure_logging(app)
    _configure_connections(app)

    db.init_app(app)
    lectura.init_app(app)  # before the commit hook below, so its own hook runs after it
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import errorpages, models  # noqa: F401  (models: the whole schema for Alembic)
    from .admin.views import bp as admin_bp
    from .api import (  # noqa: F401  (each module's routes attach to the api blueprint)
        admin as api_admin, auditoria as api_auditoria, auth as api_auth, bases as api_bases,
        calidad as api_calidad,
        cierres as api_cierres, convenios as api_convenios, dps as api_dps,
        duplicados as api_duplicados,
        empleabilidad as api_empleabilidad, habeas as api_habeas,
        importaciones as api_importaciones, informes as api_informes,
        microfinanciamiento as api_microfinanciamiento,
        muestras as api_muestras, openapi as api_openapi, operacion as api_operacion,
        participantes as api_participantes,
        pqrs as api_pqrs, referenciacion as api_referenciacion,
        tableros as api_tableros, traslados as api_traslados,
        verificadores as api_verificadores,
    )
    from .api.base import bp as api_bp
    from .auditoria.views import bp as auditoria_bp
    from .auth.loader import configure_login
    from .auth.views import bp as auth_bp
    from .bases.views import bp as bases_bp
    from .calidad.views import bp as calidad_bp
    from .cierres.views import bp as cierres_bp
    from .cli import register_cli
    from .contactos.views import bp as contactos_bp
    from .convenios.views import bp as convenios_bp
    from .duplicados.views import bp as duplicados_bp
    from .dps.views import bp as dps_bp
    from .empleabilidad.views import bp as empleabilidad_bp
    from .emprendimiento.views import bp as emprendimiento_bp
    from .habeas.views import bp as habeas_bp
    from .importaciones.views import bp as importaciones_bp
    from .informes.views import bp as informes_bp
    from .itinerario.views import bp as itinerario_bp
    from .microfinanciamiento.views import bp as microfinanciamiento_bp
    from .muestras.views import bp as muestras_bp
    from .orientacion.views import bp as orientacion_bp
    from .participantes.views import bp as participantes_bp
    from .pqrs.views import bp as pqrs_bp
    from .referenciacion.views import bp as referenciacion_bp
    from .tableros.views import bp as tableros_bp
    from .trabajo.views import bp as trabajo_bp
    from .traslados.views import bp as traslados_bp
    from .verificadores.views import bp as verificadores_bp

    learn_unique_constraints(db.metadata)
    configure_login(login_manager)
    security.register(app)
    hardening.register(app)
    formatting.register(app)
    errorpages.register(app)
    for blueprint in (auth_bp, participantes_bp, orientacion_bp, referenciacion_bp,
                      empleabilidad_bp, emprendimiento_bp, microfinanciamiento_bp, tableros_bp, verificadores_bp,
                      trabajo_bp, itinerario_bp, pqrs_bp, calidad_bp, habeas_bp, admin_bp, bases_bp,
                      traslados_bp, contactos_bp, cierres_bp, importaciones_bp,
                      muestras_bp, auditoria_bp, informes_bp, convenios_bp, duplicados_bp, dps_bp,
                      api_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with cookies
    register_cli(app)
    transfer.register(app)  # static versions, quiet session, compression (see transfer.py)

    @app.after_request
    def _commit_or_rollback(response):
        """One commit per request: a refused or failed request leaves the database untouched."""
        if response.status_code < 400:
            return errorpages.commit_or_conflict(response)
        else:
            db.session.rollback()
        return response

    return app


__all__ = ["create_app", "ProductionConfig"]
