from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .actuacion import Actuacion
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .participante import Participante

ESTADOS_REFERENCIA = {"enviada": "Enviada", "aceptada": "Aceptada", "rechazada": "Rechazada",
                      "atendida": "Atendida"}
# Where a referral may go from each state; rechazada and atendida close it.
TRANSICIONES = {"enviada": ("aceptada", "rechazada"), "aceptada": ("atendida", "rechazada"),
                "rechazada": (), "atendida": ()}
ABIERTOS = ("enviada", "aceptada")


class ProgramaReferencia(CentroOwned, db.Model):
    """A programme or entity a centre refers people to (its own directory)."""

    __tablename__ = "programa_referencia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(150))
    entidad: Mapped[str] = mapped_column(String(150))
    categoria: Mapped[str] = mapped_column(String(30))
    contacto: Mapped[str | None] = mapped_column(String(200))
    notas: Mapped[str | None] = mapped_column(Text)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("centro_id", "nombre", name="uq_programa_centro_nombre"),)

    FIELDS = ("nombre", "entidad", "categoria", "contacto", "notas", "activo")

    def to_dict(self) -> dict:
        data = {"id": self.id, "centro_id": self.centro_id, "version": self.version}
        data.update({name: getattr(self, name) for name in self.FIELDS})
        return data


class Referencia(CentroOwned, db.Model):
    """The follow-up of one referral; the referenciacion actuación is what the tablero counts."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actuacion_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), unique=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"), index=True)
    programa_id: Mapped[int] = mapped_column(ForeignKey("programa_referencia.id"), index=True)
    estado: Mapped[str] = mapped_column(String(10), default="enviada")
    fecha_seguimiento: Mapped[date] = mapped_column(Date)
    notas: Mapped[str | None] = mapped_column(Text)
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actualizado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    actuacion: Mapped[Actuacion] = relationship(lazy="joined")
    participante: Mapped[Participante] = relationship(lazy="joined")
    programa: Mapped[ProgramaReferencia] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_referencia_centro_estado_seguimiento", "centro_id", "estado", "fecha_seguimiento"),
    )

    @property
    def abierta(self) -> bool:
        return self.estado in ABIERTOS

    def to_dict(self) -> dict:
        return {
            "id": self.id, "centro_id": self.centro_id, "actuacion_id": self.actuacion_id,
            "participante_id": self.participante_id, "programa_id": self.programa_id,
            "programa": self.programa.nombre, "estado": self.estado,
            "fecha": self.actuacion.fecha.isoformat(),
            "fecha_seguimiento": self.fecha_seguimiento.isoformat(), "notas": self.notas,
            "anulada": self.actuacion.anulada, "version": self.version,
        }
