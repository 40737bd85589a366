"""Verification calls: a supervisor asks a seed-capital beneficiary what they really received."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .participante import Participante
from .staff import Staff

RECIBIDO = {"si": "Sí, completo", "parcial": "Solo una parte", "no": "No lo recibió"}
ESTADO_BIENES = {"bueno": "Bueno", "regular": "Regular", "malo": "Malo",
                 "no_verificado": "No lo sabe / no verificado"}


class LlamadaVerificacion(CentroOwned, db.Model):
    __tablename__ = "llamada_verificacion"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"))
    # The approval (comité actuación) whose deliveries the call checks.
    comite_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"))
    fecha: Mapped[date] = mapped_column(Date)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    contesto: Mapped[bool] = mapped_column(Boolean)
    proveedor_confirmado: Mapped[bool | None] = mapped_column(Boolean)
    observacion: Mapped[str | None] = mapped_column(Text)
    discrepancia: Mapped[bool] = mapped_column(Boolean, default=False)
    resumen: Mapped[str] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participante: Mapped[Participante] = relationship(lazy="joined")
    staff: Mapped[Staff] = relationship(lazy="joined")
    items: Mapped[list[LlamadaItem]] = relationship(back_populates="llamada",
                                                    order_by="LlamadaItem.id")

    __table_args__ = (Index("ix_llamada_participante_fecha", "participante_id", "fecha"),)

    def to_dict(self) -> dict:
        return {"id": self.id, "centro_id": self.centro_id, "participante_id": self.participante_id,
                "comite_id": self.comite_id, "fecha": self.fecha.isoformat(),
                "staff": self.staff.nombre, "contesto": self.contesto,
                "proveedor_confirmado": self.proveedor_confirmado,
                "observacion": self.observacion, "discrepancia": self.discrepancia,
                "resumen": self.resumen, "items": [item.to_dict() for item in self.items]}


class LlamadaItem(db.Model):
    """What the person said of one delivered item, beside what the records say."""

    __tablename__ = "llamada_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    llamada_id: Mapped[int] = mapped_column(ForeignKey("llamada_verificacion.id"), index=True)
    descripcion: Mapped[str] = mapped_column(String(200))
    registrado: Mapped[int] = mapped_column(Integer)  # units recorded as delivered
    recibido: Mapped[str] = mapped_column(String(8))
    cantidad_recibida: Mapped[int | None] = mapped_column(Integer)
    estado_bienes: Mapped[str] = mapped_column(String(14))

    llamada: Mapped[LlamadaVerificacion] = relationship(back_populates="items")

    def to_dict(self) -> dict:
        return {"descripcion": self.descripcion, "registrado": self.registrado,
                "recibido": self.recibido, "cantidad_recibida": self.cantidad_recibida,
                "estado_bienes": self.estado_bienes}
