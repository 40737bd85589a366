from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .centro import Centro

ROLES = ("asesor", "director", "supervisor", "admin")
ROLES_CON_CENTRO = ("asesor", "director")
ROL_NOMBRES = {
    "asesor": "Asesor",
    "director": "Director(a) de centro",
    "supervisor": "Supervisor(a) PNUD",
    "admin": "Administrador(a)",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Staff(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    nombre: Mapped[str] = mapped_column(String(120))
    rol: Mapped[str] = mapped_column(String(20))
    centro_id: Mapped[int | None] = mapped_column(ForeignKey("centro.id"), index=True)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated at logout, deactivation and password change: every session built on the old one ends.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Second factor (TOTP, RFC 6238): the base32 secret once enrolled, and the last time step
    # accepted, so one code opens one door once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_ultimo_paso: Mapped[int | None] = mapped_column(BigInteger)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    centro: Mapped[Centro | None] = relationship(lazy="joined")
    codigos_recuperacion: Mapped[list[CodigoRecuperacion]] = relationship(
        back_populates="staff", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.activo

    @property
    def rol_nombre(self) -> str:
        return ROL_NOMBRES.get(self.rol, self.rol)

    @property
    def totp_activo(self) -> bool:
        return self.totp_secret is not None

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "nombre": self.nombre,
            "rol": self.rol,
            "centro_id": self.centro_id,
            "activo": self.activo,
            "version": self.version,
        }


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revocado: Mapped[bool] = mapped_column(Boolean, default=False)

    staff: Mapped[Staff] = relationship()


class CodigoRecuperacion(db.Model):
    """A one-time recovery code of the second factor, stored as its SHA-256 (the codes are random,
    60 bits each); used once, then marked."""

    __tablename__ = "codigo_recuperacion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    codigo_hash: Mapped[str] = mapped_column(String(64))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    usado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())

    staff: Mapped[Staff] = relationship(back_populates="codigos_recuperacion")
