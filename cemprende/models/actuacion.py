from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, and_, exists, or_,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .staff import Staff


class Actuacion(CentroOwned, db.Model):
    """One service in a participant's itinerary. Never deleted: annulled with a reason."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_id: Mapped[int] = mapped_column(ForeignKey("participante.id"))
    asesor_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    tipo: Mapped[str] = mapped_column(String(30))
    fecha: Mapped[date] = mapped_column(Date)
    # The one enumerated field of the tipo (destino, ruta, decision, modalidad, clase, plataforma),
    # kept as a column so the tableros can group by it in SQL.
    categoria: Mapped[str | None] = mapped_column(String(40))
    valor: Mapped[int | None] = mapped_column(BigInteger)
    vacante_id: Mapped[int | None] = mapped_column(ForeignKey("vacante.id"), index=True)
    autoempleos: Mapped[int | None] = mapped_column(Integer)
    directos: Mapped[int | None] = mapped_column(Integer)
    # Free-text fields of the tipo (observaciones, motivo, programa, nombre_negocio...).
    datos: Mapped[dict] = mapped_column(JSON, default=dict)
    anulada: Mapped[bool] = mapped_column(Boolean, default=False)
    motivo_anulacion: Mapped[str | None] = mapped_column(Text)
    anulada_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anulada_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    asesor: Mapped[Staff] = relationship(foreign_keys=[asesor_id], lazy="joined")
    items: Mapped[list[ActuacionItem]] = relationship(
        back_populates="actuacion", order_by="ActuacionItem.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_actuacion_participante_tipo_fecha", "participante_id", "tipo", "fecha"),
        # Covers the tableros' distinct-person rows, read per centre from the index alone.
        Index("ix_actuacion_centro_tipo_fecha_cubre", "centro_id", "tipo", "fecha", "anulada",
              "categoria", "participante_id"),
    )


def vigentes(actuacion=Actuacion):
    """Not annulled: the only actuaciones that count anywhere (Actuacion or an alias of it)."""
    return actuacion.anulada.is_(False)


def superseded(actuacion, tipos: tuple[str, ...] | None = None):
    """A later (not annulled) actuación of the same person, of `tipos` (default: the same tipo),
    follows this one: "the latest not superseded" is `~superseded(a)`."""
    newer = aliased(Actuacion)
    same = newer.tipo.in_(tipos) if tipos else newer.tipo == actuacion.tipo
    return exists().where(newer.participante_id == actuacion.participante_id, same, vigentes(newer),
                          comes_after(newer, actuacion))


def comes_after(later, earlier):
    """`later` follows `earlier` in an itinerary: a later fecha, or the same fecha typed later.

    Both are Actuacion aliases inside one SQL statement.
    """
    return or_(later.fecha > earlier.fecha, and_(later.fecha == earlier.fecha, later.id > earlier.id))


class ActuacionItem(db.Model):
    """An investment item of a plan (quoted price) or a desembolso (invoiced price)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actuacion_id: Mapped[int] = mapped_column(ForeignKey("actuacion.id"), index=True)
    descripcion: Mapped[str] = mapped_column(String(200))
    cantidad: Mapped[int] = mapped_column(Integer)
    precio_unitario: Mapped[int] = mapped_column(BigInteger)
    categoria: Mapped[str | None] = mapped_column(String(30))  # CATEGORIAS_INVERSION, optional

    actuacion: Mapped[Actuacion] = relationship(back_populates="items")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "descripcion": self.descripcion,
            "cantidad": self.cantidad,
            "precio_unitario": self.precio_unitario,
            "categoria": self.categoria,
        }
