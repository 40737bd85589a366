"""Metas beyond the vigencia: a convenio (funded agreement) or a cuatrienio of a development plan,
with its own metas per tablero row over its own dates and centres (convenios/)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, ForeignKey, Integer, String, Table, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .centro import Centro

CLASES_CONVENIO = {"convenio": "Convenio", "cuatrienio": "Cuatrienio del plan de desarrollo"}

convenio_centro = Table(
    "convenio_centro", db.metadata,
    Column("convenio_id", ForeignKey("convenio.id", ondelete="CASCADE"), primary_key=True),
    Column("centro_id", ForeignKey("centro.id"), primary_key=True, index=True),
)


class Convenio(db.Model):
    """A convenio (name, financiador, recursos) or a cuatrienio; it covers the whole network
    (`toda_la_red`) or the centres listed in convenio_centro."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clase: Mapped[str] = mapped_column(String(12), index=True)
    nombre: Mapped[str] = mapped_column(String(100), unique=True)
    financiador: Mapped[str | None] = mapped_column(String(100))
    recursos: Mapped[int | None] = mapped_column(BigInteger)  # whole pesos
    desde: Mapped[date] = mapped_column(Date)
    hasta: Mapped[date] = mapped_column(Date)
    toda_la_red: Mapped[bool] = mapped_column(Boolean, default=False)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    centros: Mapped[list[Centro]] = relationship(secondary=convenio_centro, order_by=Centro.nombre,
                                                 lazy="selectin")
    metas: Mapped[list[ConvenioMeta]] = relationship(back_populates="convenio", lazy="selectin",
                                                     cascade="all, delete-orphan",
                                                     order_by="ConvenioMeta.codigo")

    __mapper_args__ = {"version_id_col": version}

    @property
    def clase_nombre(self) -> str:
        return CLASES_CONVENIO.get(self.clase, self.clase)

    def cubre(self, centro_id: int | None) -> bool:
        return self.toda_la_red or any(c.id == centro_id for c in self.centros)


class ConvenioMeta(db.Model):
    """The convenio's target for one tablero row, over its whole period and all its centres."""

    __tablename__ = "convenio_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    convenio_id: Mapped[int] = mapped_column(ForeignKey("convenio.id", ondelete="CASCADE"), index=True)
    codigo: Mapped[str] = mapped_column(String(10))
    valor: Mapped[int] = mapped_column(BigInteger)

    convenio: Mapped[Convenio] = relationship(back_populates="metas")

    __table_args__ = (UniqueConstraint("convenio_id", "codigo", name="uq_convenio_meta_codigo"),)
