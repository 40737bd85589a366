"""Audit samples (issue 15.2): for a centre and month a supervisor draws, for each tablero row,
a reproducible random sample of the units behind its figure (the drill-down's units: people,
records or vacancies), reviews each against its verifier documents (conforme / no conforme with
a reason) and gets the error rate per row and for the centre.

The draw is reproducible: the units of a row are read in a fixed order and sampled with a
generator seeded by the stored seed and the row's code, so the same seed over the same records
gives the same sample.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit
from ..auth.guards import Accion, ensure, scoped_select, visible_or_404
from ..errors import NotFound, ValidationFailed
from ..exports import csv_text
from ..extensions import db
from ..formatting import fecha
from ..itinerario.dia import today_bogota
from ..models import MuestraAuditoria, MuestraItem
from ..models.base import utcnow
from ..models.muestra import VEREDICTOS
from ..pagination import Page, paginate
from ..scoping import ALL_CENTRES_OPTION
from ..tableros import drilldown
from ..tableros import services as tableros
from ..tableros.registry import FILAS, Promedio
from ..validation import Fields, check_version

MAX_TAMANO = 50


def _rows():
    """The rows a sample covers: every row with units of its own (M5 only averages M4.v's)."""
    return [fila for fila in FILAS if not isinstance(fila.calculo, Promedio)]


def draw(actor, data: dict, today: date | None = None) -> MuestraAuditoria:
    ensure(actor, Accion.AUDITAR_MUESTRAS)
    today = today or today_bogota()
    f = Fields(data)
    desde, hasta = f.month("mes")
    tamano = f.integer("tamano", required=False, minimum=1, maximum=MAX_TAMANO) or 5
    semilla = f.integer("semilla", required=False, minimum=0, maximum=2**31 - 1)
    f.raise_if_errors()
    if hasta >= today:  # its last day must be over in Bogotá
        raise ValidationFailed({"mes": "Solo se audita un mes terminado."})
    centro_id = tableros.resolve_scope(actor, data.get("centro_id"))
    if centro_id is None:
        raise ValidationFailed({"centro_id": "Elija el centro que se audita."})
    semilla = semilla if semilla is not None else secrets.randbelow(2**31)
    muestra = MuestraAuditoria(centro_id=centro_id, mes=desde, semilla=semilla, tamano=tamano,
                               creado_por_id=actor.id)
    for fila in _rows():
        units = list(db.session.execute(
            drilldown.units(fila, desde, hasta, centro_id)
            .execution_options(**{ALL_CENTRES_OPTION: True})).mappings())
        units.sort(key=lambda u: (u["participante_id"] or 0, u["actuacion_id"] or 0,
                                  u["vacante_id"] or 0))
        # Bandit B311: a seeded draw anyone can repeat from the published seed; not a secret
        chosen = random.Random(f"{semilla}:{fila.codigo}").sample(units, min(tamano, len(units)))  # nosec B311
        muestra.items += [MuestraItem(tablero=fila.tablero, codigo=fila.codigo,
                                      participante_id=u["participante_id"],
                                      actuacion_id=u["actuacion_id"], vacante_id=u["vacante_id"],
                                      fecha=u["fecha"], valor=u["valor"]) for u in chosen]
    return audit.add_audited(muestra, actor=actor, entidad="muestra_auditoria",
                             centro_id=centro_id,
                             values={"mes": desde, "semilla": semilla, "tamano": tamano,
                                     "unidades": len(muestra.items)})


def get(actor, muestra_id: int) -> MuestraAuditoria:
    return visible_or_404(actor, MuestraAuditoria, muestra_id, "No se encontró la muestra.")


def listing(actor, page: int = 1, per_page: int = 25) -> Page:
    statement = scoped_select(actor, MuestraAuditoria).order_by(MuestraAuditoria.mes.desc(),
                                                                MuestraAuditoria.id.desc())
    return paginate(statement, page, per_page)


def item_of(actor, item_id: int) -> MuestraItem:
    item = db.session.get(MuestraItem, item_id)
    if item is None:
        raise NotFound("No se encontró la unidad de la muestra.")
    get(actor, item.muestra_id)  # the sample's centre decides who sees it
    return item


def review(actor, item_id: int, data: dict) -> MuestraItem:
    item = item_of(actor, item_id)
    ensure(actor, Accion.AUDITAR_MUESTRAS, item.muestra.centro_id)
    check_version(data, item.version)
    f = Fields(data)
    veredicto = f.choice("veredicto", VEREDICTOS)
    f.text("motivo", required=veredicto == "no_conforme", max_length=1000)
    if veredicto == "no_conforme" and "motivo" in f.errors:
        f.errors["motivo"] = "Escriba qué falta o qué no coincide con los documentos."
    f.raise_if_errors()
    return audit.update_audited(item, {"veredicto": veredicto, "motivo": f.clean.get("motivo"),
                                       "revisado_por_id": actor.id, "revisado_en": utcnow()},
                                actor=actor, entidad="muestra_item",
                                centro_id=item.muestra.centro_id)


@dataclass
class TasaFila:
    tablero: str
    codigo: str
    indicador: str
    unidades: int
    revisadas: int
    no_conformes: int

    @property
    def tasa(self) -> int | None:
        return round(100 * self.no_conformes / self.revisadas) if self.revisadas else None

    def to_dict(self) -> dict:
        return {"tablero": self.tablero, "codigo": self.codigo, "indicador": self.indicador,
                "unidades": self.unidades, "revisadas": self.revisadas,
                "no_conformes": self.no_conformes, "tasa_error": self.tasa}


def error_rates(muestra: MuestraAuditoria) -> tuple[list[TasaFila], TasaFila]:
    """Per row of the sample, and for the centre (every row together)."""
    rows: dict[str, TasaFila] = {}
    indicadores = {fila.codigo: fila.indicador for fila in FILAS}
    total = TasaFila("", "", "Centro", 0, 0, 0)
    for item in muestra.items:
        row = rows.setdefault(item.codigo, TasaFila(item.tablero, item.codigo,
                                                     indicadores.get(item.codigo, ""), 0, 0, 0))
        for counted in (row, total):
            counted.unidades += 1
            counted.revisadas += item.veredicto is not None
            counted.no_conformes += item.veredicto == "no_conforme"
    return list(rows.values()), total


def to_dict(muestra: MuestraAuditoria) -> dict:
    filas, total = error_rates(muestra)
    return {"id": muestra.id, "centro_id": muestra.centro_id, "mes": f"{muestra.mes:%Y-%m}",
            "semilla": muestra.semilla, "tamano": muestra.tamano,
            "items": [item.to_dict() for item in muestra.items],
            "tasas": [fila.to_dict() for fila in filas], "total": total.to_dict()}


def export_csv(actor, muestra_id: int) -> str:
    """The sample and its verdicts, as the one export writer writes CSV; audited."""
    muestra = get(actor, muestra_id)
    rows = [["Tablero", "Fila", "Participante", "Documento", "Nombre", "Actuación", "Vacante",
             "Fecha", "Valor", "Veredicto", "Motivo"]]
    for item in muestra.items:
        person = item.participante
        rows.append([item.tablero, item.codigo, item.participante_id,
                     person.numero_documento if person else None,
                     person.nombre_completo if person else None, item.actuacion_id,
                     item.vacante_id, fecha(item.fecha) if item.fecha else None, item.valor,
                     VEREDICTOS.get(item.veredicto, "Sin revisar"), item.motivo])
    audit.record("exportar", actor=actor, entidad="muestra_auditoria", entidad_id=muestra.id,
                 centro_id=muestra.centro_id, detalle=f"Muestra de auditoría ({len(rows) - 1} filas)")
    return csv_text(rows)
