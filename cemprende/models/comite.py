from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .actuacion import Actuacion
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .verificador import Verificador


class ComiteSesion(CentroOwned, db.Model):
    """A sitting of the Comité de Asignación; each decision it took is a `comite` actuación."""

    __tablename__ = "comite_sesion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fecha: Mapped[date] = mapped_column(Date)
    lugar: Mapped[str] = mapped_column(String(200))
    miembros: Mapped[str] = mapped_column(Text)  # one member per line: name — role
    acta: Mapped[str] = mapped_column(String(120))
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decisiones: Mapped[list[ComiteDecision]] = relationship(
        back_populates="sesion", order_by="ComiteDecision.id")
    # The signed acta (ACA) uploaded for the session; a rejected one stays, its replacement follows.
    actas: Mapped[list[Verificador]] = relationship(back_populates="comite_sesion",
                                                    order_by="Verificador.id")

    @property
    def lista_miembros(self) -> list[str]:
        return [line.strip() for line in self.miembros.splitlines() if line.strip()]

    def to_dict(self) -> dict:
        return {"id": self.id, "centro_id": self.centro_id, "fecha": self.fecha.isoformat(),
                "lugar": self.lugar, "miembros": self.lista_miembros, "acta": self.acta,
                "decisiones": [d.to_dict() for d in self.decisiones],
                "actas": [{"verificador_id": v.id, "archivo": v.nombre_archivo,
                           "estado_revision": v.estado_revision} for v in self.actas]}


class ComiteDecision(db.Model):
    """Which adjusted plan a session decided on, and the comité actuación that records it."""

    __tablename__ = "comite_decision"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sesion_id: Mapped[int] = mapped_column(ForeignKey("comite_sesion.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), index=True)
    actuacion_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), unique=True)
    observacion: Mapped[str | None] = mapped_column(Text)

    sesion: Mapped[ComiteSesion] = relationship(back_populates="decisiones")
    plan: Mapped[Actuacion] = relationship(foreign_keys=[plan_id], lazy="joined")
    actuacion: Mapped[Actuacion] = relationship(foreign_keys=[actuacion_id], lazy="joined")

    def to_dict(self) -> dict:
        return {"plan_id": self.plan_id, "actuacion_id": self.actuacion_id,
                "participante_id": self.actuacion.participante_id,
                "decision": self.actuacion.categoria, "valor": self.actuacion.valor,
                "observacion": self.observacion}


ESTADOS_CONTROL = {"en_uso": "Encontrado en uso", "sin_uso": "Encontrado sin uso",
                   "no_encontrado": "No encontrado"}


class ControlInversionItem(db.Model):
    """What an investment control found for one delivered item."""

    __tablename__ = "control_inversion_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actuacion_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), index=True)
    descripcion: Mapped[str] = mapped_column(String(200))
    cantidad: Mapped[int] = mapped_column(Integer)
    valor: Mapped[int] = mapped_column(BigInteger)
    estado: Mapped[str] = mapped_column(String(15))
