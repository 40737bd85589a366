"""A data import (a DPS remission list) and the verdict of each of its rows."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .staff import Staff

ESTADOS_IMPORTACION = {
    "en_cola": "En cola",
    "procesando": "Procesando",
    "terminada": "Terminada",
    "interrumpida": "Interrumpida",
    "fallida": "Fallida",
}
TIPOS_IMPORTACION = {"remision_dps": "Remisión DPS", "legado": "Bases heredadas"}
VEREDICTOS = {
    "nueva": "Persona nueva",
    "registrada": "Ya registrada aquí",
    "existente": "Remisión ya registrada",
    "otro_centro": "Registrada en otro centro",
    "error": "Con errores",
}
# The same verdicts, as a legacy base's rows (one actuación each) read them.
VEREDICTOS_LEGADO = {**VEREDICTOS, "registrada": "Persona ya registrada aquí",
                     "existente": "Fila ya importada"}


class Importacion(CentroOwned, db.Model):
    """One uploaded file, its preview and (once applied) what it wrote. The job that reads and
    applies it keeps its progress here (`procesadas` of `filas`, `latido` while it runs)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tipo: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    nombre_archivo: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    tamano: Mapped[int] = mapped_column(Integer)
    estado: Mapped[str] = mapped_column(String(20), default="en_cola")
    aplicar: Mapped[bool] = mapped_column(Boolean, default=False)  # the job writes, not only judges
    aplicada: Mapped[bool] = mapped_column(Boolean, default=False)
    filas: Mapped[int] = mapped_column(Integer, default=0)
    procesadas: Mapped[int] = mapped_column(Integer, default=0)  # rows judged, or applied
    validas: Mapped[int] = mapped_column(Integer, default=0)
    nuevas: Mapped[int] = mapped_column(Integer, default=0)  # remissions not yet recorded / written
    existentes: Mapped[int] = mapped_column(Integer, default=0)
    personas_nuevas: Mapped[int] = mapped_column(Integer, default=0)
    con_error: Mapped[int] = mapped_column(Integer, default=0)
    con_aviso: Mapped[int] = mapped_column(Integer, default=0)
    mensaje: Mapped[str | None] = mapped_column(Text)  # why it failed, in Spanish, no personal data
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    iniciado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    latido: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the job's last sign of life
    terminado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    aplicada_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A legacy base (tipo legado): its column mapping, and whether the importer attested that
    # every person in it authorised the processing of their data (README "Bases heredadas").
    mapeo: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    autorizacion_datos: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())

    staff: Mapped[Staff] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_importacion_centro_creado", "centro_id", "creado_en"),
        Index("ix_importacion_sha256", "sha256"),
    )

    def contar(self, veredicto: str, con_avisos: bool) -> None:
        """One row's verdict in the report's counts (the same for every kind of import)."""
        self.sumar(cuentas(veredicto, con_avisos))

    def sumar(self, counts: dict[str, int]) -> None:
        """Counts of many rows added at once (a chunk's: one attribute change each, not one per
        row)."""
        for name, count in counts.items():
            setattr(self, name, getattr(self, name) + count)


def cuentas(veredicto: str, con_avisos: bool) -> dict[str, int]:
    """What one row's verdict adds to an import's counts."""
    counts = {"con_error" if veredicto in ("error", "otro_centro") else "validas": 1}
    if veredicto in ("nueva", "registrada"):
        counts["nuevas"] = 1
    elif veredicto == "existente":
        counts["existentes"] = 1
    if con_avisos:
        counts["con_aviso"] = 1
    return counts


class ImportacionFila(db.Model):
    """The verdict of one row of the file (its number counts the header as row 1)."""

    __tablename__ = "importacion_fila"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    importacion_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("importacion.id", ondelete="CASCADE"))
    fila: Mapped[int] = mapped_column(Integer)
    veredicto: Mapped[str] = mapped_column(String(20))
    tipo_documento: Mapped[str | None] = mapped_column(String(10))
    numero_documento: Mapped[str | None] = mapped_column(String(40))
    nombre: Mapped[str | None] = mapped_column(String(210))
    programa: Mapped[str | None] = mapped_column(String(120))
    fecha_remision: Mapped[date | None] = mapped_column(Date)
    # A legacy base's row: the actuación it brings (tipo as the API names it) and its fecha.
    tipo_actuacion: Mapped[str | None] = mapped_column(String(30))
    fecha: Mapped[date | None] = mapped_column(Date)
    participante_id: Mapped[int | None] = mapped_column(Integer)
    # [{"campo", "mensaje"}] for an error row; avisos: data that differs from the stored person.
    errores: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    avisos: Mapped[list | None] = mapped_column(JSON(none_as_null=True))

    __table_args__ = (
        Index("ix_importacion_fila_importacion_veredicto", "importacion_id", "veredicto", "fila"),
        Index("ix_importacion_fila_importacion_fila", "importacion_id", "fila"),
    )
