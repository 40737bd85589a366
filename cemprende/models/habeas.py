"""Requests of a person about their own data (Ley 1581 de 2012, arts. 14 and 15)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .participante import Participante
from .staff import Staff

TIPOS_SOLICITUD = {"consulta": "Consulta (qué datos tenemos y cómo se usan)",
                   "reclamo": "Reclamo (corrección, actualización, supresión o revocatoria)"}
# Business days to answer and how many more an extension gives (arts. 14 and 15).
PLAZOS_HABEAS = {"consulta": (10, 5), "reclamo": (15, 8)}
ESTADOS_SOLICITUD = {"en_tramite": "En trámite", "respondida": "Respondida"}


class SolicitudHabeas(CentroOwned, db.Model):
    __tablename__ = "solicitud_habeas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"), index=True)
    tipo: Mapped[str] = mapped_column(String(10))
    fecha_recibida: Mapped[date] = mapped_column(Date)
    descripcion: Mapped[str] = mapped_column(Text)
    fecha_limite: Mapped[date] = mapped_column(Date)
    prorrogada: Mapped[bool] = mapped_column(Boolean, default=False)
    motivo_prorroga: Mapped[str | None] = mapped_column(Text)
    estado: Mapped[str] = mapped_column(String(12), default="en_tramite")
    respuesta: Mapped[str | None] = mapped_column(Text)
    fecha_respuesta: Mapped[date | None] = mapped_column(Date)
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    respondida_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    participante: Mapped[Participante] = relationship(lazy="joined")
    creado_por: Mapped[Staff] = relationship(foreign_keys=[creado_por_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_solicitud_habeas_centro_estado_limite", "centro_id", "estado",
                            "fecha_limite"),)

    @property
    def abierta(self) -> bool:
        return self.estado == "en_tramite"

    def vencida(self, today: date) -> bool:
        return self.abierta and self.fecha_limite < today

    def to_dict(self, today: date) -> dict:
        return {"id": self.id, "participante_id": self.participante_id, "centro_id": self.centro_id,
                "tipo": self.tipo, "fecha_recibida": self.fecha_recibida.isoformat(),
                "descripcion": self.descripcion, "fecha_limite": self.fecha_limite.isoformat(),
                "prorrogada": self.prorrogada, "motivo_prorroga": self.motivo_prorroga,
                "estado": self.estado, "vencida": self.vencida(today),
                "respuesta": self.respuesta,
                "fecha_respuesta": self.fecha_respuesta.isoformat() if self.fecha_respuesta else None,
                "version": self.version}
