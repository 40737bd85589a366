from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .centro import Centro
from .participante import Participante
from .staff import Staff

if TYPE_CHECKING:
    from .comite import ComiteSesion

ESTADOS_REVISION = {"pendiente": "Pendiente", "aprobado": "Aprobado", "rechazado": "Rechazado"}


class Verificador(CentroOwned, db.Model):
    """A verifier document, stored by content hash in the document store: of one participant, or
    the ACA of a Comité de Asignación session (evidence for every person decided in it)."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participante_id: Mapped[int | None] = mapped_column(ForeignKey("participante.id"))
    comite_sesion_id: Mapped[int | None] = mapped_column(ForeignKey("comite_sesion.id"), index=True)
    prefijo: Mapped[str] = mapped_column(String(4))
    secuencia: Mapped[int] = mapped_column(Integer, default=1)
    # The name the centre gave it, for people to read; the store never uses it.
    nombre_archivo: Mapped[str] = mapped_column(String(200))
    clave: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    tipo_contenido: Mapped[str] = mapped_column(String(40))
    tamano: Mapped[int] = mapped_column(Integer)
    subido_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    subido_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    carga_id: Mapped[int | None] = mapped_column(ForeignKey("carga_verificadores.id"))
    estado_revision: Mapped[str] = mapped_column(String(10), default="pendiente")
    revisado_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    revisado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    observacion: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    participante: Mapped[Participante | None] = relationship(lazy="joined")
    comite_sesion: Mapped[ComiteSesion | None] = relationship(back_populates="actas", lazy="joined")
    centro: Mapped[Centro] = relationship(lazy="joined")
    subido_por: Mapped[Staff] = relationship(foreign_keys=[subido_por_id], lazy="joined")
    revisado_por: Mapped[Staff | None] = relationship(foreign_keys=[revisado_por_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("participante_id", "sha256", name="uq_verificador_participante_contenido"),
        UniqueConstraint("comite_sesion_id", "sha256", name="uq_verificador_sesion_contenido"),
        CheckConstraint("(participante_id IS NULL) <> (comite_sesion_id IS NULL)",
                        name="de_persona_o_de_sesion"),
        Index("ix_verificador_participante_prefijo", "participante_id", "prefijo", "estado_revision"),
        Index("ix_verificador_centro_estado", "centro_id", "estado_revision", "subido_en"),
        Index("ix_verificador_clave", "clave"),
    )

    @property
    def es_imagen(self) -> bool:
        return self.tipo_contenido.startswith("image/")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "participante_id": self.participante_id,
            "comite_sesion_id": self.comite_sesion_id,
            "centro_id": self.centro_id,
            "prefijo": self.prefijo,
            "secuencia": self.secuencia,
            "archivo": self.nombre_archivo,
            "tipo_contenido": self.tipo_contenido,
            "tamano": self.tamano,
            "sha256": self.sha256,
            "subido_por_id": self.subido_por_id,
            "subido_en": self.subido_en.isoformat(),
            "estado_revision": self.estado_revision,
            "revisado_por_id": self.revisado_por_id,
            "revisado_en": self.revisado_en.isoformat() if self.revisado_en else None,
            "observacion": self.observacion,
            "version": self.version,
        }


class CargaVerificadores(CentroOwned, db.Model):
    """One upload (page or API) and its per-file report, kept so it can be read again as CSV."""

    __tablename__ = "carga_verificadores"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    total: Mapped[int] = mapped_column(Integer)
    vinculados: Mapped[int] = mapped_column(Integer)
    resultados: Mapped[list] = mapped_column(JSON, default=list)

    staff: Mapped[Staff] = relationship(lazy="joined")
