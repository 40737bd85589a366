from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .participante import Participante


class CursoFis(CentroOwned, db.Model):
    """A FIS training course (formación para la inserción laboral) a centre runs."""

    __tablename__ = "curso_fis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(150))
    descripcion: Mapped[str | None] = mapped_column(Text)
    fecha_inicio: Mapped[date] = mapped_column(Date)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sesiones: Mapped[list[SesionFis]] = relationship(
        back_populates="curso", order_by="(SesionFis.fecha, SesionFis.id)")

    def to_dict(self) -> dict:
        return {"id": self.id, "centro_id": self.centro_id, "nombre": self.nombre,
                "descripcion": self.descripcion, "fecha_inicio": self.fecha_inicio.isoformat(),
                "activo": self.activo}


class SesionFis(CentroOwned, db.Model):
    __tablename__ = "sesion_fis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    curso_id: Mapped[int] = mapped_column(ForeignKey("curso_fis.id"), index=True)
    fecha: Mapped[date] = mapped_column(Date)
    tema: Mapped[str] = mapped_column(String(200))

    curso: Mapped[CursoFis] = relationship(back_populates="sesiones", lazy="joined")
    asistencias: Mapped[list[AsistenciaFis]] = relationship(back_populates="sesion")

    def to_dict(self) -> dict:
        return {"id": self.id, "curso_id": self.curso_id, "fecha": self.fecha.isoformat(),
                "tema": self.tema, "asistentes": [a.participante_id for a in self.asistencias]}


class AsistenciaFis(CentroOwned, db.Model):
    """A person at a session; it is recorded in the itinerary as a capacitacion_fis."""

    __tablename__ = "asistencia_fis"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sesion_id: Mapped[int] = mapped_column(ForeignKey("sesion_fis.id"), index=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"), index=True)
    actuacion_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), unique=True)

    sesion: Mapped[SesionFis] = relationship(back_populates="asistencias")
    participante: Mapped[Participante] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("sesion_id", "participante_id", name="uq_asistencia_sesion_persona"),)
