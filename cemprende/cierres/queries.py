"""The checklist of a month before its close: what is still open, by grouped SQL reused from the
verifier coverage and the integrity alerts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select

from ..extensions import db
from ..microfinanciamiento import services as microfinanciamiento
from ..microfinanciamiento.alertas import Alerta
from ..models import Actuacion, Participante, Verificador
from ..models.actuacion import vigentes
from ..itinerario.tipos import Tipo
from ..verificadores import queries as cobertura
from ..verificadores.prefijos import PREFIJOS

MOSTRAR = 50  # rows shown per item of the checklist; the count is always whole
EVIDENCIA_ORIENTACION = ("CC", "AC")


@dataclass
class Pendiente:
    """One item of the checklist: a count and the first rows behind it."""

    titulo: str
    total: int
    filas: list = field(default_factory=list)

    @property
    def resuelto(self) -> bool:
        return self.total == 0


@dataclass
class ListaCierre:
    documentos: Pendiente
    alertas: Pendiente
    sin_orientacion: Pendiente

    @property
    def items(self) -> list[Pendiente]:
        return [self.documentos, self.alertas, self.sin_orientacion]

    @property
    def pendientes(self) -> int:
        return sum(item.total for item in self.items)

    def to_dict(self) -> dict:
        return {
            "pendientes": self.pendientes,
            "documentos": {"total": self.documentos.total, "items": [
                {"actuacion_id": r["actuacion_id"], "participante_id": r["participante_id"],
                 "tipo": r["tipo"], "fecha": r["fecha"].isoformat(), "prefijo": r["prefijo"],
                 "rechazado": r["rechazado"]} for r in self.documentos.filas]},
            "alertas": {"total": self.alertas.total,
                        "items": [a.to_dict() for a in self.alertas.filas]},
            "sin_orientacion": {"total": self.sin_orientacion.total, "items": [
                {"participante_id": r["participante_id"], "faltan": r["faltan"]}
                for r in self.sin_orientacion.filas]},
        }


def documentos(centro_id: int, desde: date, hasta: date) -> Pendiente:
    """The month's services without their verifier document (a rejected one does not count)."""
    statement = cobertura.missing_statement(centro_id, None, desde, hasta)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.execute(statement.limit(MOSTRAR)).all()
    rejected = set(db.session.execute(
        select(Verificador.participante_id, Verificador.prefijo)
        .where(Verificador.participante_id.in_({r.participante_id for r in rows}),
               Verificador.estado_revision == "rechazado")).all()) if rows else set()
    filas = [{"actuacion_id": r.actuacion_id, "participante_id": r.participante_id,
              "nombre": f"{r.nombres} {r.apellidos}", "tipo": r.tipo, "fecha": r.fecha,
              "prefijo": r.prefijo, "documento": PREFIJOS[r.prefijo].documento,
              "rechazado": (r.participante_id, r.prefijo) in rejected} for r in rows]
    return Pendiente("Servicios del mes sin documento verificador o con el documento rechazado",
                     total or 0, filas)


def alertas(actor, centro_id: int, hasta: date) -> Pendiente:
    """The centre's integrity alerts still raised that arose by the month's end."""
    found: list[Alerta] = [a for a in microfinanciamiento.alerts(actor, {"centro_id": centro_id}).items
                           if a.fecha is None or a.fecha <= hasta]
    return Pendiente("Alertas de integridad sin resolver", len(found), found[:MOSTRAR])


def sin_orientacion(centro_id: int, desde: date, hasta: date) -> Pendiente:
    """People routed in the month whose orientación evidence (CC and acta de compromiso, not
    rejected) is incomplete."""
    p = Participante

    def has(prefijo: str):
        return exists().where(Verificador.participante_id == p.id, Verificador.prefijo == prefijo,
                              Verificador.estado_revision != "rechazado")

    routed = exists().where(Actuacion.participante_id == p.id, Actuacion.centro_id == centro_id,
                            Actuacion.tipo == Tipo.ENRUTAMIENTO, vigentes(),
                            Actuacion.fecha >= desde, Actuacion.fecha <= hasta)
    flags = [has(prefijo).label(prefijo) for prefijo in EVIDENCIA_ORIENTACION]
    statement = (select(p.id, p.nombres, p.apellidos, *flags)
                 .where(routed, or_(*(~has(prefijo) for prefijo in EVIDENCIA_ORIENTACION)))
                 .order_by(p.apellidos, p.nombres, p.id))
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    filas = [{"participante_id": r.id, "nombre": f"{r.nombres} {r.apellidos}",
              "faltan": [PREFIJOS[prefijo].documento for prefijo in EVIDENCIA_ORIENTACION
                         if not getattr(r, prefijo)]}
             for r in db.session.execute(statement.limit(MOSTRAR))]
    return Pendiente("Personas enrutadas en el mes sin la evidencia de orientación completa",
                     total or 0, filas)


def checklist(actor, centro_id: int, desde: date, hasta: date) -> ListaCierre:
    return ListaCierre(documentos(centro_id, desde, hasta), alertas(actor, centro_id, hasta),
                       sin_orientacion(centro_id, desde, hasta))
