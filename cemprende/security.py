"""Response headers, request ids, idle sessions and the centre scope of each request."""
from __future__ import annotations

import time
import uuid

from flask import current_app, flash, g, request, session
from flask_login import current_user, logout_user

from .auth.guards import Accion, centre_scope, may
from .scoping import set_centre_scope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def assign_request_id() -> None:
    g.request_id = uuid.uuid4().hex[:12]


def expire_idle_session() -> None:
    """Ends a page session after SESSION_IDLE_TIMEOUT without a request."""
    if request.blueprint == "api" or request.endpoint == "static":
        return
    if not current_user.is_authenticated:
        return
    now = time.time()
    last_seen = session.get("last_seen", now)
    if now - last_seen > current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds():
        logout_user()
        session.clear()
        flash("Su sesión se cerró tras 30 minutos sin actividad. Ingrese de nuevo.", "aviso")
        return
    # Written at most once a minute, so pages do not rewrite the session cookie on every request.
    if not session.permanent or now - last_seen >= current_app.config["SESSION_TOUCH_SECONDS"]:
        touch_session(now)


def touch_session(now: float | None = None) -> None:
    """The idle clock starts again now."""
    session["last_seen"] = now or time.time()
    session.permanent = True


def scope_to_current_user() -> None:
    if request.endpoint == "static":  # static answers load no user and never touch the session
        return
    if request.blueprint != "api" and current_user.is_authenticated:
        set_centre_scope(centre_scope(current_user))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Personal data must not stay in shared caches: every API answer (bearer callers and errors
    # too) and every page of a signed-in user (static files are the same for everyone). The
    # session says who is signed in: asking the account (expired by the request's commit) would
    # read it from the database again on every page.
    if request.path.startswith("/api/") or (request.endpoint != "static" and "_user_id" in session):
        headers["Cache-Control"] = "no-store"
    headers["X-Request-Id"] = g.get("request_id", "")
    return response


def user_may(accion: str) -> bool:
    """For templates: whether the signed-in staff member's role may do `accion` (an Accion
    name), so a page never offers a link its reader would be refused."""
    return current_user.is_authenticated and may(current_user, Accion[accion])


def register(app) -> None:
    app.jinja_env.globals["puede"] = user_may
    app.before_request(assign_request_id)
    app.before_request(expire_idle_session)
    app.before_request(scope_to_current_user)
    app.after_request(add_security_headers)
