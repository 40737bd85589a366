"""A person moving between centres, and the attempts to contact a remitted person."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .centro import Centro
from .participante import Participante
from .staff import Staff

ESTADOS_TRASLADO = {"solicitado": "Solicitado", "aceptado": "Aceptado", "rechazado": "Rechazado"}

MEDIOS_CONTACTO = {"telefono": "Teléfono", "visita": "Visita", "mensaje": "Mensaje",
                   "correo": "Correo electrónico"}
RESULTADOS_CONTACTO = {
    "localizado": "Localizada", "no_contesta": "No contesta", "numero_errado": "Número errado",
    "desiste": "Desiste", "no_figura": "No figura", "no_localizado": "No localizada",
}
ESTADOS_CONTACTO = {"pendiente": "Pendiente", **RESULTADOS_CONTACTO}
# Attempts that leave the person still to be found; after three of them they are offered as
# no_localizado. The other results close the contact.
RESULTADOS_FALLIDOS = ("no_contesta", "numero_errado")
RESULTADOS_CIERRAN = ("localizado", "desiste", "no_figura", "no_localizado")


class Traslado(db.Model):
    """A receiving centre asks for a person of another centre; the origin answers.

    Not centre-owned: both centres see it, so every query names the side it reads
    (`traslados.services`)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participante_id: Mapped[int] = mapped_column(BigId, ForeignKey("participante.id"), index=True)
    centro_origen_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), index=True)
    centro_destino_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), index=True)
    motivo: Mapped[str] = mapped_column(Text)
    estado: Mapped[str] = mapped_column(String(12), default="solicitado")
    solicitado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    solicitado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    respondido_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    respondido_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    respuesta_motivo: Mapped[str | None] = mapped_column(Text)

    participante: Mapped[Participante] = relationship()
    centro_origen: Mapped[Centro] = relationship(foreign_keys=[centro_origen_id], lazy="joined")
    centro_destino: Mapped[Centro] = relationship(foreign_keys=[centro_destino_id], lazy="joined")
    solicitado_por: Mapped[Staff] = relationship(foreign_keys=[solicitado_por_id])
    respondido_por: Mapped[Staff | None] = relationship(foreign_keys=[respondido_por_id])

    __table_args__ = (Index("ix_traslado_estado_participante", "estado", "participante_id"),)


class ContactoIntento(CentroOwned, db.Model):
    """One dated attempt to reach a remitted person (not an actuación: no tablero row counts it)."""

    __tablename__ = "contacto_intento"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_id: Mapped[int] = mapped_column(BigId, ForeignKey("participante.id"))
    fecha: Mapped[date] = mapped_column(Date)
    medio: Mapped[str] = mapped_column(String(12))
    resultado: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    observacion: Mapped[str | None] = mapped_column(Text)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    staff: Mapped[Staff] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_contacto_intento_participante_fecha", "participante_id", "fecha", "id"),
    )

    def to_dict(self) -> dict:
        return {"id": self.id, "participante_id": self.participante_id,
                "fecha": self.fecha.isoformat(), "medio": self.medio, "resultado": self.resultado,
                "observacion": self.observacion, "centro_id": self.centro_id,
                "staff": self.staff.username if self.staff else None,
                "creado_en": self.creado_en.isoformat() if self.creado_en else None}
