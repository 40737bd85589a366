"""The month close of a centre and the figures frozen at each close (cierres/)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CentroOwned, UTCDateTime, utcnow
from .staff import Staff

ESTADOS_CIERRE = {"cerrado": "Cerrado (pendiente de aceptación)", "aceptado": "Aceptado",
                  "devuelto": "Devuelto", "reabierto": "Reabierto"}
# While the month is in one of these, the gate refuses writes dated in it and the tableros serve
# the frozen figures.
CERRADOS = ("cerrado", "aceptado")
VENTANAS = {"mes": "El mes", "vigencia": "La vigencia hasta el fin del mes"}


class CierreMes(CentroOwned, db.Model):
    """One centre's month: closed by its director, accepted or returned by a supervisor,
    reopened by a supervisor or admin; each close (ronda) freezes its own figures."""

    __tablename__ = "cierre_mes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mes: Mapped[date] = mapped_column(Date)  # the first day of the month
    estado: Mapped[str] = mapped_column(String(12))
    ronda: Mapped[int] = mapped_column(Integer, default=1)  # how many times it has been closed
    cerrado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cerrado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    revisado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revisado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    motivo: Mapped[str | None] = mapped_column(Text)  # of the last return or reopening
    version: Mapped[int] = mapped_column(Integer, default=1)

    cerrado_por: Mapped[Staff] = relationship(foreign_keys=[cerrado_por_id], lazy="joined")
    revisado_por: Mapped[Staff | None] = relationship(foreign_keys=[revisado_por_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("centro_id", "mes", name="uq_cierre_mes_centro_mes"),)

    @property
    def cerrado(self) -> bool:
        return self.estado in CERRADOS

    def to_dict(self) -> dict:
        return {
            "id": self.id, "centro_id": self.centro_id, "mes": self.mes.strftime("%Y-%m"),
            "estado": self.estado, "ronda": self.ronda,
            "cerrado_en": self.cerrado_en.isoformat() if self.cerrado_en else None,
            "cerrado_por": self.cerrado_por.username if self.cerrado_por else None,
            "revisado_en": self.revisado_en.isoformat() if self.revisado_en else None,
            "revisado_por": self.revisado_por.username if self.revisado_por else None,
            "motivo": self.motivo, "version": self.version,
        }


class CierreCifra(db.Model):
    """A frozen figure of one close (ronda): a row's value before derivation (as the tableros'
    grouped queries give it) and the centre's meta, for one window (the month, or the vigencia up
    to the month's end). Earlier rondas stay, so a new close shows how much each row moved."""

    __tablename__ = "cierre_cifra"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cierre_id: Mapped[int] = mapped_column(ForeignKey("cierre_mes.id"), index=True)
    ronda: Mapped[int] = mapped_column(Integer)
    ventana: Mapped[str] = mapped_column(String(10))
    desde: Mapped[date] = mapped_column(Date)
    hasta: Mapped[date] = mapped_column(Date)
    codigo: Mapped[str] = mapped_column(String(10))
    valor: Mapped[int | None] = mapped_column(BigInteger)
    meta: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("cierre_id", "ronda", "ventana", "codigo",
                                       name="uq_cierre_cifra"),)
