"""Frozen versions of the monthly informes (informes/): what a centre sent, exactly as sent."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CentroOwned, UTCDateTime, utcnow
from .centro import Centro
from .staff import Staff

TIPOS_INFORME = {
    "enrutamiento": "Informe de enrutamiento",
    "capitalizacion": "Informe de capitalización",
    "tecnico": "Informe técnico",
}


class InformeVersion(CentroOwned, db.Model):
    """One generated version of one informe of a centre and month: who generated it, when (UTC),
    and the figures, lists and narrative as they were then (`datos`, a JSON snapshot from which
    its PDF and XLSX are drawn again, unchanged by later data)."""

    __tablename__ = "informe_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tipo: Mapped[str] = mapped_column(String(20))
    mes: Mapped[date] = mapped_column(Date)  # the first day of the month reported
    numero: Mapped[int] = mapped_column(Integer)  # 1, 2... per centre, tipo and month
    corte: Mapped[date] = mapped_column(Date)  # the last day the figures cover
    generado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    generado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    datos: Mapped[dict] = mapped_column(JSON)

    generado_por: Mapped[Staff] = relationship(lazy="joined")
    centro: Mapped[Centro] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("centro_id", "tipo", "mes", "numero", name="uq_informe_version_numero"),
        Index("ix_informe_version_centro_mes", "centro_id", "mes"),
    )

    @property
    def titulo(self) -> str:
        return TIPOS_INFORME[self.tipo]

    def resumen(self) -> dict:
        return {"id": self.id, "centro_id": self.centro_id, "tipo": self.tipo,
                "mes": f"{self.mes:%Y-%m}", "numero": self.numero, "corte": self.corte.isoformat(),
                "generado_en": self.generado_en.isoformat(),
                "generado_por": self.generado_por.username if self.generado_por else None}

    def to_dict(self) -> dict:
        return {**self.resumen(), "datos": self.datos}
