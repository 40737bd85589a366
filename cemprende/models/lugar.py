"""Spellings of a municipality the catalogue does not know, mapped by an administrator."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class MunicipioAlias(db.Model):
    __tablename__ = "municipio_alias"

    clave: Mapped[str] = mapped_column(String(80), primary_key=True)  # lugares.clave(typed text)
    municipio_oficial: Mapped[str] = mapped_column(String(80))
    subregion: Mapped[str] = mapped_column(String(60))
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
