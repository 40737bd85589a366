"""Login (password, then the second factor where the account has one), logout, API tokens and
changing one's own password. Every failed attempt goes through the one throttle (throttle.py)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from .. import audit
from ..errors import DomainError, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import ApiToken, CodigoRecuperacion, Staff
from ..models.staff import ROLES_CON_CENTRO
from ..models.base import utcnow
from . import segundo_factor, throttle
from .guards import Accion, ensure, is_centre_bound
from .passwords import burn_verification_time, hash_password, password_problem, verify_password


class SecondFactorNeeded(DomainError):
    """The password was right; the account's TOTP code (or a recovery code) is missing or wrong."""

    status = 401
    code = "segundo_factor"


class EnrolmentPending(DomainError):
    """The role must use a second factor and the account has not set it up yet."""

    status = 403
    code = "segundo_factor_pendiente"


def find_staff_by_username(username: str) -> Staff | None:
    return db.session.scalar(
        select(Staff).where(func.lower(Staff.username) == username.strip().lower())
    )


def _failed(username: str, staff: Staff | None, accion: str = "login_fallido") -> None:
    throttle.record_failure(username)
    audit.record_now(accion, username=(username or "")[:60], actor=staff)


def authenticate(username: str, password: str) -> Staff | None:
    """The staff member these credentials belong to, or None (audited, and counted by the
    throttle). Throttled attempts are refused before the password is even looked at. A right
    password is not yet a login when the account has a second factor: see complete_login."""
    throttle.ensure_allowed(username or "")
    staff = find_staff_by_username(username) if username else None
    if staff is None:
        burn_verification_time(password)
    elif verify_password(staff.password_hash, password) and staff.activo:
        return staff
    _failed(username, staff)
    return None


def check_second_factor(staff: Staff, codigo: str | None) -> bool:
    """The second step of a login: a failure is audited and counted like a wrong password."""
    throttle.ensure_allowed(staff.username)
    if codigo and segundo_factor.verify(staff, codigo):
        return True
    _failed(staff.username, staff, "totp_fallido")
    return False


def awaiting_second_factor(staff_id, session_token) -> Staff | None:
    """The account whose password was right a moment ago, if nothing ended its sessions since."""
    staff = db.session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not staff.activo or not isinstance(session_token, str):
        return None
    return staff if hmac.compare_digest(staff.session_token, session_token) else None


def complete_login(staff: Staff) -> None:
    audit.record("login_ok", actor=staff)


def authenticate_for_token(username: str, password: str, codigo: str | None) -> Staff | None:
    """POST /api/v1/tokens: password, then the TOTP code for accounts that have one; a role that
    must have one and has not set it up gets no token."""
    staff = authenticate(username, password)
    if staff is None:
        return None
    if staff.totp_activo:
        if not check_second_factor(staff, codigo):
            raise SecondFactorNeeded("Envíe en \"codigo\" el código vigente de su aplicación de "
                                     "autenticación (o un código de recuperación).")
    elif segundo_factor.needs_enrolment(staff):
        audit.record_now("denegado", actor=staff, detalle="token sin segundo factor configurado")
        raise EnrolmentPending("Su rol exige un segundo factor: actívelo en la página "
                               "/cuenta/segundo-factor antes de usar la API.")
    complete_login(staff)
    return staff


def end_sessions(staff: Staff, keep_token_id: int | None = None) -> None:
    """Every page session and every API token of the account issued before now ends (but
    `keep_token_id`, the token making the change itself): after a password change, a reset,
    a role change or a deactivation."""
    staff.rotate_session_token()
    revoke = update(ApiToken).where(ApiToken.staff_id == staff.id, ApiToken.revocado.is_(False))
    if keep_token_id is not None:
        revoke = revoke.where(ApiToken.id != keep_token_id)
    db.session.execute(revoke.values(revocado=True).execution_options(synchronize_session="fetch"))
    db.session.flush()


def logout(staff: Staff) -> None:
    staff.rotate_session_token()  # the page sessions end; API tokens are revoked one by one
    db.session.flush()
    audit.record("logout", actor=staff)


def change_own_password(staff: Staff, actual: str | None, nueva: str | None,
                        repetir: str | None = None, *, keep_token_id: int | None = None) -> None:
    """Any role: the current password, then the new one under the staff policy. A wrong current
    password counts as a failed login. Every other session and token of the account ends; the
    caller keeps its own (the page logs the session in again, the API keeps its token)."""
    throttle.ensure_allowed(staff.username)
    fields = {}
    if not isinstance(nueva, str) or not nueva:
        fields["nueva"] = "Escriba la nueva contraseña."
    elif problem := password_problem(nueva):
        fields["nueva"] = problem
    elif repetir is not None and repetir != nueva:
        fields["repetir"] = "Las contraseñas no coinciden."
    elif isinstance(actual, str) and nueva == actual:
        fields["nueva"] = "La nueva contraseña debe ser distinta de la actual."
    if not isinstance(actual, str) or not verify_password(staff.password_hash, actual):
        _failed(staff.username, staff)
        raise ValidationFailed({**fields, "actual": "La contraseña actual no es correcta."})
    if fields:
        raise ValidationFailed(fields)
    staff.password_hash = hash_password(nueva)
    end_sessions(staff, keep_token_id)
    audit.record("contrasena_cambiada", actor=staff, entidad="staff", entidad_id=staff.id,
                 centro_id=staff.centro_id)


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
    # The account (and its centre) in the same statement: every API request starts here.
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.staff))
                              .where(ApiToken.token_hash == _token_digest(raw)))
    if token is None or token.revocado or token.expires_at <= utcnow():
        return None
    if not token.staff.activo:
        return None
    return token.staff, token


def revoke_api_token(staff: Staff, token: ApiToken) -> None:
    token.revocado = True
    audit.record("token_revocado", actor=staff, entidad="api_token", entidad_id=token.id)


def remove_second_factor(actor: Staff, staff_id: int) -> bool:
    """For an account that lost its phone and its recovery codes: an admin (or the director, for
    the asesores and directors of its centre) removes the second factor; the account's sessions
    and tokens end and, where its role requires one, it enrols again at its next login. Answers
    whether there was one to remove."""
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("No se encontró la cuenta.")
    ensure(actor, Accion.GESTIONAR_STAFF, staff.centro_id, entidad="staff", entidad_id=staff.id)
    if is_centre_bound(actor) and staff.rol not in ROLES_CON_CENTRO:
        raise Forbidden("Solo un administrador puede quitar el segundo factor de esta cuenta.")
    if not staff.totp_activo:
        return False
    staff.totp_secret = None
    staff.totp_ultimo_paso = None
    db.session.execute(delete(CodigoRecuperacion).where(CodigoRecuperacion.staff_id == staff.id))
    end_sessions(staff)
    audit.record("totp_quitado", actor=actor, entidad="staff", entidad_id=staff.id,
                 centro_id=staff.centro_id)
    return True
