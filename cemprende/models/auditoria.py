from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BigId, UTCDateTime, utcnow


class Auditoria(db.Model):
    """Append-only record of logins, refusals and writes. No page or API route edits it."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(60))
    accion: Mapped[str] = mapped_column(String(40))
    entidad: Mapped[str | None] = mapped_column(String(40))
    entidad_id: Mapped[int | None] = mapped_column(Integer)
    centro_id: Mapped[int | None] = mapped_column(Integer)
    antes: Mapped[dict | None] = mapped_column(JSON)
    despues: Mapped[dict | None] = mapped_column(JSON)
    detalle: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(32))
