"""How Flask-Login finds the staff member of a session."""
from __future__ import annotations

import hmac

from flask import session
from flask_login.utils import _create_identifier

from ..extensions import db
from ..models import Staff


def load_staff(session_id: str) -> Staff | None:
    """The session holds "<id>:<session token>"; a rotated token ends the session."""
    staff_id, _, token = (session_id or "").partition(":")
    if not staff_id.isdigit() or not token:
        return None
    staff = db.session.get(Staff, int(staff_id))
    if staff is None or not staff.activo:
        return None
    if not hmac.compare_digest(staff.session_token, token):
        return None
    return staff


def signed_in_identifier() -> str | None:
    """Flask-Login's client fingerprint ("basic" protection), only for a session holding a staff
    member: an anonymous session (the login form's CSRF token) is never rewritten by it."""
    return _create_identifier() if "_user_id" in session else None


def configure_login(login_manager) -> None:
    login_manager.user_loader(load_staff)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Ingrese para continuar."
    login_manager.login_message_category = "aviso"
    login_manager.session_protection = "basic"
    login_manager._session_identifier_generator = signed_in_identifier


def current_staff() -> Staff:
    """The logged-in staff member as a plain model object, for the services."""
    from flask_login import current_user

    return current_user._get_current_object()
