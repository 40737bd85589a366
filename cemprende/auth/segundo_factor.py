"""The second factor: TOTP codes (RFC 6238, pyotp) from an authenticator app, and ten one-time
recovery codes for when the phone is lost. Required for the roles in REQUIRE_TOTP_ROLES
(supervisor and admin by default: they see every centre)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from flask import current_app
from sqlalchemy import delete, or_, select, update

from .. import audit
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..itinerario.dia import now_bogota
from ..models import CodigoRecuperacion, Staff
from ..models.base import utcnow

RECOVERY_CODES = 10
# 32 symbols without look-alikes (no l, o, 0, 1): 12 of them carry 60 bits.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
CODE_INVALID = "El código no es válido. Use el código vigente de su aplicación (revise la hora del teléfono)."


def required(staff: Staff) -> bool:
    return staff.rol in current_app.config.get("REQUIRE_TOTP_ROLES", ())


def needs_enrolment(staff: Staff) -> bool:
    return required(staff) and not staff.totp_activo


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(staff: Staff, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=staff.username,
                                              issuer_name=current_app.config["TOTP_ISSUER"])


def _normal(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(now_bogota().timestamp())
    for drift in (0, -1, 1):
        step = now // totp.interval + drift
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _new_recovery_codes(staff: Staff) -> list[str]:
    db.session.execute(delete(CodigoRecuperacion).where(CodigoRecuperacion.staff_id == staff.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(CodigoRecuperacion(staff_id=staff.id, codigo_hash=_digest(raw)))
    return codes


def enrol(staff: Staff, secret: str, code: str) -> list[str]:
    """Turns the second factor on once the app shows a valid code for the secret; answers the
    recovery codes, which are shown this once and kept only as digests."""
    if staff.totp_activo:
        raise Conflict("El segundo factor ya está activo en esta cuenta.")
    step = _matching_step(secret, _normal(code))
    if step is None:
        raise ValidationFailed({"codigo": CODE_INVALID})
    staff.totp_secret = secret
    staff.totp_ultimo_paso = step
    codes = _new_recovery_codes(staff)
    db.session.flush()
    audit.record("totp_activado", actor=staff, entidad="staff", entidad_id=staff.id,
                 centro_id=staff.centro_id)
    return codes


def verify(staff: Staff, code: str) -> bool:
    """Whether `code` is the account's current TOTP code (never accepted twice) or one of its
    unused recovery codes (then spent). Both checks are single conditional UPDATEs, so two
    requests racing with the same code get one success."""
    if not staff.totp_activo:
        return False
    normal = _normal(code)
    step = _matching_step(staff.totp_secret, normal)
    if step is not None:
        claimed = db.session.execute(
            update(Staff).where(Staff.id == staff.id,
                                or_(Staff.totp_ultimo_paso.is_(None), Staff.totp_ultimo_paso < step))
            .values(totp_ultimo_paso=step).execution_options(synchronize_session=False))
        db.session.expire(staff, ["totp_ultimo_paso"])
        return claimed.rowcount == 1
    if len(normal) != 12:
        return False
    spent = db.session.execute(
        update(CodigoRecuperacion)
        .where(CodigoRecuperacion.staff_id == staff.id,
               CodigoRecuperacion.codigo_hash == _digest(normal),
               CodigoRecuperacion.usado_en.is_(None))
        .values(usado_en=utcnow()).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        return False
    left = len(db.session.scalars(select(CodigoRecuperacion.id).where(
        CodigoRecuperacion.staff_id == staff.id, CodigoRecuperacion.usado_en.is_(None))).all())
    audit.record("codigo_recuperacion_usado", actor=staff, entidad="staff", entidad_id=staff.id,
                 detalle=f"quedan {left} códigos de recuperación")
    return True
