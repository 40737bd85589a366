from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BigId, UTCDateTime, utcnow

ESTADOS_ARCHIVO = {"en_cola": "En cola", "procesando": "Preparando", "listo": "Listo",
                   "fallido": "Falló", "vencido": "Vencido"}


class ArchivoExportado(db.Model):
    """A base prepared in the background (a large XLSX): who asked, for which filter, its progress
    and the file, kept until `expira_en`. The network's files have no centro_id."""

    __tablename__ = "archivo_exportado"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    base: Mapped[str] = mapped_column(String(30))
    formato: Mapped[str] = mapped_column(String(5))
    centro_id: Mapped[int | None] = mapped_column(ForeignKey("centro.id"))
    desde: Mapped[date] = mapped_column(Date)
    hasta: Mapped[date] = mapped_column(Date)
    columnas: Mapped[list] = mapped_column(JSON, default=list)  # headers, as the asker may see them
    estado: Mapped[str] = mapped_column(String(12), default="en_cola")
    progreso: Mapped[int] = mapped_column(Integer, default=0)  # percent
    total: Mapped[int] = mapped_column(Integer, default=0)  # rows counted when asked
    filas: Mapped[int | None] = mapped_column(Integer)  # rows written
    ruta: Mapped[str | None] = mapped_column(String(300))  # under UPLOAD_ROOT/exportaciones/
    error: Mapped[str | None] = mapped_column(Text)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    terminado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expira_en: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_archivo_exportado_staff_creado", "staff_id", "creado_en"),
        Index("ix_archivo_exportado_expira", "expira_en"),
    )
