"""Login, logout and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..models import ApiToken, Staff
from ..models.base import utcnow
from .passwords import burn_verification_time, verify_password


def find_staff_by_username(username: str) -> Staff | None:
    return db.session.scalar(
        select(Staff).where(func.lower(Staff.username) == username.strip().lower())
    )


def authenticate(username: str, password: str) -> Staff | None:
    """The staff member these credentials belong to, or None; both outcomes are audited."""
    staff = find_staff_by_username(username) if username else None
    if staff is None:
        burn_verification_time(password)
    elif verify_password(staff.password_hash, password) and staff.activo:
        audit.record("login_ok", actor=staff)
        return staff
    audit.record_now("login_fallido", username=(username or "")[:60], actor=staff)
    return None


def end_sessions(staff: Staff) -> None:
    """Every page session built on the current token ends."""
    staff.rotate_session_token()
    db.session.flush()


def logout(staff: Staff) -> None:
    end_sessions(staff)
    audit.record("logout", actor=staff)


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(staff: Staff) -> tuple[str, datetime]:
    raw = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    token = ApiToken(staff_id=staff.id, token_hash=_token_digest(raw), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record("token_emitido", actor=staff, entidad="api_token", entidad_id=token.id)
    return raw, expires_at


def staff_for_api_token(raw: str) -> tuple[Staff, ApiToken] | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(raw)))
    if token is None or token.revocado or token.expires_at <= utcnow():
        return None
    if not token.staff.activo:
        return None
    return token.staff, token


def revoke_api_token(staff: Staff, token: ApiToken) -> None:
    token.revocado = True
    audit.record("token_revocado", actor=staff, entidad="api_token", entidad_id=token.id)
