from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CentroOwned


class Vigencia(db.Model):
    """An agreement period of metas (for example "Convenio 2015"); vigencias never overlap."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(80), unique=True)
    desde: Mapped[date] = mapped_column(Date, index=True)
    hasta: Mapped[date] = mapped_column(Date, index=True)

    @property
    def etiqueta(self) -> str:
        """How titles name it, never "Vigencia Vigencia 2026": the name when it already says
        vigencia, else "Vigencia <name>"."""
        if self.nombre.split(" ", 1)[0].casefold() == "vigencia":
            return self.nombre
        return f"Vigencia {self.nombre}"

    def to_dict(self) -> dict:
        return {"id": self.id, "nombre": self.nombre, "desde": self.desde.isoformat(),
                "hasta": self.hasta.isoformat()}


class Meta(CentroOwned, db.Model):
    """The target of one tablero row for one centre in one vigencia."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vigencia_id: Mapped[int] = mapped_column(ForeignKey("vigencia.id"), index=True)
    codigo: Mapped[str] = mapped_column(String(10))
    valor: Mapped[int] = mapped_column(BigInteger)

    vigencia: Mapped[Vigencia] = relationship()

    __table_args__ = (
        UniqueConstraint("centro_id", "vigencia_id", "codigo", name="uq_meta_centro_vigencia_codigo"),
    )


class ResumenDiario(db.Model):
    """Per centre, day and tablero row, what that day adds to the row (a delta for rows 12.x).

    Kept in step with the actuaciones by the tableros' services in the same transaction, so a
    tablero sums a few thousand of these rows instead of scanning millions of actuaciones.
    """

    # One centre's tablero reads its own rows only (the key starts with the row code).
    __table_args__ = (Index("ix_resumen_diario_centro", "centro_id", "codigo", "fecha", "valor"),)

    codigo: Mapped[str] = mapped_column(String(16), primary_key=True)
    fecha: Mapped[date] = mapped_column(Date, primary_key=True)
    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), primary_key=True)
    valor: Mapped[int] = mapped_column(BigInteger, default=0)


class ResumenMensual(db.Model):
    """ResumenDiario added up per month, so a year-long period reads twelve rows per row code."""

    __table_args__ = (Index("ix_resumen_mensual_centro", "centro_id", "codigo", "mes", "valor"),)

    codigo: Mapped[str] = mapped_column(String(16), primary_key=True)
    mes: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), primary_key=True)
    valor: Mapped[int] = mapped_column(BigInteger, default=0)


class ResumenMunicipio(db.Model):
    """ResumenMensual split by the municipality of the people it counts (their current one: the
    catalogue's name and subregion, "" for "Sin información"), for the rows a breakdown by
    municipio reads (first routings, counts of records, active route, distinct persons). When a
    person's municipality changes, their contributions move from the old key to the new one in
    the same transaction (tableros/resumen.py)."""

    codigo: Mapped[str] = mapped_column(String(16), primary_key=True)
    mes: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), primary_key=True)
    municipio: Mapped[str] = mapped_column(String(80), primary_key=True)
    subregion: Mapped[str] = mapped_column(String(60), primary_key=True)
    valor: Mapped[int] = mapped_column(BigInteger, default=0)


class ResumenMunicipioDiario(db.Model):
    """ResumenDiario split by municipality as ResumenMunicipio splits ResumenMensual (same rows,
    same keys, per day): a breakdown by municipio of a period that cuts a month reads the loose
    days after its whole months here, under the same codes the row reads from ResumenDiario."""

    codigo: Mapped[str] = mapped_column(String(16), primary_key=True)
    fecha: Mapped[date] = mapped_column(Date, primary_key=True)
    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), primary_key=True)
    municipio: Mapped[str] = mapped_column(String(80), primary_key=True)
    subregion: Mapped[str] = mapped_column(String(60), primary_key=True)
    valor: Mapped[int] = mapped_column(BigInteger, default=0)


class ResumenPersonas(db.Model):
    """The people cells of the data-quality score (calidad/resumen.py), per centre, registering
    advisor (0: none) and month of the registration (AAAA-MM, Bogotá): people registered, those
    with an incomplete characterisation and those whose registration has its document (a CC not
    rejected). Kept in the same transaction as every write that moves them, so the score reads
    a few rows instead of a centre's people."""

    centro_id: Mapped[int] = mapped_column(ForeignKey("centro.id"), primary_key=True)
    asesor_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mes: Mapped[str] = mapped_column(String(7), primary_key=True)
    personas: Mapped[int] = mapped_column(BigInteger, default=0)
    sin_caracterizacion: Mapped[int] = mapped_column(BigInteger, default=0)
    con_documento: Mapped[int] = mapped_column(BigInteger, default=0)
