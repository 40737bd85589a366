"""Likely duplicate people, what staff decided about each pair, and the merges."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, UTCDateTime, utcnow
from .staff import Staff

RAZONES_DUPLICADO = {
    "nombre_fecha": "Mismo nombre y fecha de nacimiento, distinto documento",
    "ti_a_cc": "Mismo número como tarjeta de identidad y como cédula",
    "mismo_numero": "Mismo número con distinto tipo de documento",
    "un_digito": "Mismo nombre, documentos que difieren en un dígito",
}
ESTADOS_CANDIDATO = {"pendiente": "Pendiente", "descartado": "No son la misma persona",
                     "fusionado": "Fusionadas"}


class CandidatoDuplicado(db.Model):
    """Two people the detection found alike, lower id first.

    Not foreign keys to the people: a merge deletes one of them and the decision must stay (a pair
    marked "no son la misma persona" is never offered again)."""

    __tablename__ = "candidato_duplicado"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_a_id: Mapped[int] = mapped_column(BigInteger)
    participante_b_id: Mapped[int] = mapped_column(BigInteger, index=True)
    razon: Mapped[str] = mapped_column(String(20))
    estado: Mapped[str] = mapped_column(String(12), default="pendiente")
    detectado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decidido_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decidido_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    motivo: Mapped[str | None] = mapped_column(Text)
    fusion_id: Mapped[int | None] = mapped_column(ForeignKey("fusion_participantes.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    decidido_por: Mapped[Staff | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("participante_a_id", "participante_b_id", name="uq_candidato_duplicado_par"),
        Index("ix_candidato_duplicado_estado", "estado", "id"),
    )


class FusionParticipantes(db.Model):
    """A merge: the absorbed person's records moved to the surviving one, which keeps its id.

    `absorbido` is the absorbed person as they were (the audit entry of the merge holds the same,
    with sensitive fields redacted); `movidos` counts the rows moved per table."""

    __tablename__ = "fusion_participantes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    superviviente_id: Mapped[int] = mapped_column(BigInteger, index=True)
    absorbido_id: Mapped[int] = mapped_column(BigInteger, index=True)
    absorbido_documento: Mapped[str] = mapped_column(String(30))
    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"))
    absorbido: Mapped[dict] = mapped_column(JSON)
    movidos: Mapped[dict] = mapped_column(JSON)
    por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    por: Mapped[Staff] = relationship()


class DeteccionDuplicados(db.Model):
    """One run of the detection over the whole network (a background job)."""

    __tablename__ = "deteccion_duplicados"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    estado: Mapped[str] = mapped_column(String(12), default="en_cola")  # en_cola, procesando, terminada, fallida
    solicitado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    solicitado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    terminado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    candidatos: Mapped[int | None] = mapped_column(Integer)
    nuevos: Mapped[int | None] = mapped_column(Integer)
    segundos: Mapped[float | None] = mapped_column()
