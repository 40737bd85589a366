"""Suppliers of seed-capital goods, and the quotes an investment item of a plan gathers."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .actuacion import ActuacionItem
from .base import BigId, CentroOwned, UTCDateTime, utcnow

ESTADOS_PROVEEDOR = {"activo": "Activo", "inactivo": "Inactivo",
                     "suspendido": "Suspendido (no se le compra)"}
MAX_COTIZACIONES = 3


class Proveedor(CentroOwned, db.Model):
    __tablename__ = "proveedor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nit: Mapped[str] = mapped_column(String(15))  # digits only, without the check digit
    digito_verificacion: Mapped[int] = mapped_column(Integer)
    nombre: Mapped[str] = mapped_column(String(150))
    ciudad: Mapped[str] = mapped_column(String(80))
    sector: Mapped[str | None] = mapped_column(String(100))
    estado: Mapped[str] = mapped_column(String(12), default="activo")
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("centro_id", "nit", name="uq_proveedor_centro_nit"),)

    FIELDS = ("nombre", "ciudad", "sector", "estado")

    @property
    def nit_completo(self) -> str:
        return f"{self.nit}-{self.digito_verificacion}"

    def to_dict(self) -> dict:
        data = {"id": self.id, "centro_id": self.centro_id, "nit": self.nit_completo,
                "version": self.version}
        data.update({name: getattr(self, name) for name in self.FIELDS})
        return data


class Cotizacion(db.Model):
    """A supplier's quote for an item of a plan (up to three per item, from different suppliers)."""

    __tablename__ = "cotizacion"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("actuacion_item.id"), index=True)
    proveedor_id: Mapped[int] = mapped_column(ForeignKey("proveedor.id"), index=True)
    precio_unitario: Mapped[int] = mapped_column(BigInteger)
    fecha: Mapped[date] = mapped_column(Date)
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[ActuacionItem] = relationship()
    proveedor: Mapped[Proveedor] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("item_id", "proveedor_id", name="uq_cotizacion_item_proveedor"),)

    def to_dict(self) -> dict:
        return {"id": self.id, "item_id": self.item_id, "proveedor_id": self.proveedor_id,
                "proveedor": self.proveedor.nombre, "nit": self.proveedor.nit_completo,
                "precio_unitario": self.precio_unitario, "fecha": self.fecha.isoformat()}
