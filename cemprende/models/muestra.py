"""Audit samples drawn by supervisors from the units behind each tablero row."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .centro import Centro
from .participante import Participante
from .staff import Staff

VEREDICTOS = {"conforme": "Conforme", "no_conforme": "No conforme"}


class MuestraAuditoria(CentroOwned, db.Model):
    __tablename__ = "muestra_auditoria"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    mes: Mapped[date] = mapped_column(Date)  # first day of the audited month
    semilla: Mapped[int] = mapped_column(Integer)
    tamano: Mapped[int] = mapped_column(Integer)  # units drawn per row (fewer when the row has fewer)
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Both shown on every row of the samples list: loaded with it, not one query per row.
    creado_por: Mapped[Staff] = relationship(lazy="joined")
    centro: Mapped[Centro] = relationship(lazy="joined")
    items: Mapped[list[MuestraItem]] = relationship(back_populates="muestra",
                                                    order_by="MuestraItem.id")


class MuestraItem(db.Model):
    """One sampled unit (a person, a record or a vacancy) of one row, and its review."""

    __tablename__ = "muestra_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    muestra_id: Mapped[int] = mapped_column(ForeignKey("muestra_auditoria.id"), index=True)
    tablero: Mapped[str] = mapped_column(String(20))
    codigo: Mapped[str] = mapped_column(String(10))
    participante_id: Mapped[int | None] = mapped_column(ForeignKey("participante.id"))
    actuacion_id: Mapped[int | None] = mapped_column(ForeignKey("actuacion.id"))
    vacante_id: Mapped[int | None] = mapped_column(ForeignKey("vacante.id"))
    fecha: Mapped[date | None] = mapped_column(Date)
    valor: Mapped[int | None] = mapped_column(BigInteger)
    veredicto: Mapped[str | None] = mapped_column(String(12))
    motivo: Mapped[str | None] = mapped_column(Text)
    revisado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revisado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    muestra: Mapped[MuestraAuditoria] = relationship(back_populates="items")
    participante: Mapped[Participante | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_muestra_item_muestra_fila", "muestra_id", "tablero", "codigo"),)

    def to_dict(self) -> dict:
        return {"id": self.id, "tablero": self.tablero, "codigo": self.codigo,
                "participante_id": self.participante_id, "actuacion_id": self.actuacion_id,
                "vacante_id": self.vacante_id,
                "fecha": self.fecha.isoformat() if self.fecha else None, "valor": self.valor,
                "veredicto": self.veredicto, "motivo": self.motivo, "version": self.version}
