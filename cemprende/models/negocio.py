from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import CentroOwned, UTCDateTime, utcnow

ETAPAS = {"idea": "Idea de negocio", "0_6": "0 a 6 meses", "6_24": "6 a 24 meses",
          "mas_24": "Más de 2 años"}


class UnidadProductiva(CentroOwned, db.Model):
    """A participant's business: what the profile, the plan and the deliveries are about."""

    __tablename__ = "unidad_productiva"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"), unique=True)
    nombre: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(120))
    etapa: Mapped[str] = mapped_column(String(10))
    formal: Mapped[bool] = mapped_column(Boolean, default=False)
    empleados: Mapped[int] = mapped_column(Integer, default=0)
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    FIELDS = ("nombre", "sector", "etapa", "formal", "empleados")

    def to_dict(self) -> dict:
        data = {"id": self.id, "participante_id": self.participante_id, "centro_id": self.centro_id,
                "version": self.version}
        data.update({name: getattr(self, name) for name in self.FIELDS})
        return data
