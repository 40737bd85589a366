"""Peticiones, quejas, reclamos y sugerencias (PQRS) of participants and the public.

Nothing here is ever deleted or hidden: a PQRS is answered, and its notes only grow."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import BigId, CentroOwned, UTCDateTime, utcnow
from .participante import Participante
from .staff import Staff

TIPOS_PQRS = {
    "peticion": "Petición",
    "peticion_documentos": "Petición de documentos o información",
    "consulta": "Consulta",
    "queja": "Queja",
    "reclamo": "Reclamo",
    "sugerencia": "Sugerencia",
}
# Ley 1755 de 2015, art. 14: business days to answer, counted from the day after receipt.
PLAZOS_DIAS_HABILES = {"peticion_documentos": 10, "consulta": 30}
PLAZO_GENERAL = 15
CANALES_PQRS = {
    "presencial": "Presencial", "telefonico": "Telefónico", "correo": "Correo electrónico",
    "escrito": "Escrito radicado", "buzon": "Buzón de sugerencias", "web": "Página web",
}
ESTADOS_PQRS = {"radicada": "Radicada", "en_tramite": "En trámite", "respondida": "Respondida"}


class Pqrs(CentroOwned, db.Model):
    __tablename__ = "pqrs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tipo: Mapped[str] = mapped_column(String(20))
    canal: Mapped[str] = mapped_column(String(12))
    fecha_radicacion: Mapped[date] = mapped_column(Date)
    fecha_limite: Mapped[date] = mapped_column(Date)
    asunto: Mapped[str] = mapped_column(String(150))
    texto: Mapped[str] = mapped_column(Text)
    anonima: Mapped[bool] = mapped_column(Boolean, default=False)
    participante_id: Mapped[int | None] = mapped_column(ForeignKey("participante.id"), index=True)
    nombre_peticionario: Mapped[str | None] = mapped_column(String(100))
    contacto: Mapped[str | None] = mapped_column(String(100))
    # A complaint about seed capital points at the person's business plan (its actuación).
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("actuacion.id"))
    estado: Mapped[str] = mapped_column(String(12), default="radicada")
    respuesta: Mapped[str | None] = mapped_column(Text)
    fecha_respuesta: Mapped[date | None] = mapped_column(Date)
    respondida_por_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    creado_por_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    participante: Mapped[Participante | None] = relationship(lazy="joined")
    creado_por: Mapped[Staff] = relationship(foreign_keys=[creado_por_id])
    respondida_por: Mapped[Staff | None] = relationship(foreign_keys=[respondida_por_id])
    notas: Mapped[list[PqrsNota]] = relationship(back_populates="pqrs",
                                                order_by="PqrsNota.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_pqrs_centro_estado_limite", "centro_id", "estado", "fecha_limite"),)

    @property
    def radicado(self) -> str:
        return f"PQRS-{self.fecha_radicacion.year}-{self.id:06d}"

    @property
    def abierta(self) -> bool:
        return self.estado != "respondida"

    def vencida(self, today: date) -> bool:
        return self.abierta and self.fecha_limite < today

    @property
    def fuera_de_termino(self) -> bool:
        return self.fecha_respuesta is not None and self.fecha_respuesta > self.fecha_limite

    def to_dict(self, today: date) -> dict:
        return {
            "id": self.id, "radicado": self.radicado, "centro_id": self.centro_id,
            "tipo": self.tipo, "canal": self.canal,
            "fecha_radicacion": self.fecha_radicacion.isoformat(),
            "fecha_limite": self.fecha_limite.isoformat(), "asunto": self.asunto,
            "texto": self.texto, "anonima": self.anonima,
            "participante_id": self.participante_id,
            "nombre_peticionario": self.nombre_peticionario, "contacto": self.contacto,
            "plan_id": self.plan_id, "estado": self.estado, "vencida": self.vencida(today),
            "respuesta": self.respuesta,
            "fecha_respuesta": self.fecha_respuesta.isoformat() if self.fecha_respuesta else None,
            "fuera_de_termino": self.fuera_de_termino, "version": self.version,
            "notas": [nota.to_dict() for nota in self.notas],
        }


class PqrsNota(db.Model):
    """A follow-up note (staff of the centre, or a supervisor following it up)."""

    __tablename__ = "pqrs_nota"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pqrs_id: Mapped[int] = mapped_column(ForeignKey("pqrs.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    nota: Mapped[str] = mapped_column(Text)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pqrs: Mapped[Pqrs] = relationship(back_populates="notas")
    staff: Mapped[Staff] = relationship(lazy="joined")

    def to_dict(self) -> dict:
        return {"id": self.id, "staff": self.staff.nombre, "rol": self.staff.rol,
                "nota": self.nota, "creado_en": self.creado_en.isoformat()}
