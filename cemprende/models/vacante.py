from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from .. import lugares
from ..extensions import db
from .base import CentroOwned, UTCDateTime, utcnow


NIVELES = {"elemental": "Elemental", "calificado": "Calificado", "tecnico": "Técnico",
           "tecnologico": "Tecnológico", "profesional": "Profesional"}
ESTADOS_VACANTE = {"abierta": "Abierta", "cerrada": "Cerrada"}
HORARIOS = {"diurno": "Diurno", "nocturno": "Nocturno", "turnos": "Por turnos",
            "fines_de_semana": "Fines de semana", "medio_tiempo": "Medio tiempo"}


class Vacante(CentroOwned, db.Model):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    empresa: Mapped[str] = mapped_column(String(150))
    cargo: Mapped[str] = mapped_column(String(150))
    cupos: Mapped[int] = mapped_column(Integer)
    fecha: Mapped[date] = mapped_column(Date)
    nivel: Mapped[str | None] = mapped_column(String(15))  # education level the job asks for
    experiencia_meses: Mapped[int | None] = mapped_column(Integer)
    municipio: Mapped[str | None] = mapped_column(String(80))
    municipio_clave: Mapped[str | None] = mapped_column(String(80))  # lugares.clave: the match key
    horario: Mapped[str | None] = mapped_column(String(20))
    estado: Mapped[str] = mapped_column(String(10), default="abierta", server_default="abierta")
    creado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    # Row 9 of the tablero sums the cupos of the vacantes dated in the period, network-wide:
    # read from this index alone instead of the whole table.
    __table_args__ = (Index("ix_vacante_fecha_centro_cupos", "fecha", "centro_id", "cupos"),)

    @validates("municipio")
    def _key_municipio(self, _key, value):
        self.municipio_clave = lugares.clave(value) or None if value else None
        return value

    @property
    def acepta_remisiones(self) -> bool:
        """A closed vacancy takes no remisiones or colocaciones (the gate's rule reads this too)."""
        return self.estado == "abierta"

    def to_dict(self, ocupados: int | None = None) -> dict:
        data = {
            "id": self.id,
            "empresa": self.empresa,
            "cargo": self.cargo,
            "cupos": self.cupos,
            "fecha": self.fecha.isoformat(),
            "nivel": self.nivel,
            "experiencia_meses": self.experiencia_meses,
            "municipio": self.municipio,
            "horario": self.horario,
            "estado": self.estado,
            "centro_id": self.centro_id,
            "version": self.version,
        }
        if ocupados is not None:
            data["cupos_ocupados"] = ocupados
            data["cupos_libres"] = max(self.cupos - ocupados, 0)
        return data
