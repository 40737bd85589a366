"""Microfinanciamiento at a glance: the integrity alerts and the pipeline of the M rows."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from ..auth.guards import Accion, ensure
from ..itinerario.dia import today_bogota
from ..tableros import services as tableros
from ..validation import Fields
from . import alertas
from .alertas import TIPOS_ALERTA, Alerta, Umbrales
from .comite import PlanPendiente, pending_plans


@dataclass
class Alertas:
    centro_id: int | None
    tipo: str | None
    umbrales: Umbrales
    desde: date
    hasta: date
    items: list[Alerta]

    @property
    def por_tipo(self) -> dict[str, int]:
        counts = Counter(a.tipo for a in self.items)
        return {tipo: counts.get(tipo, 0) for tipo in TIPOS_ALERTA}


def _vigencia(today: date) -> tuple[date, date]:
    """The vigencia containing today, else the calendar year: the span supplier shares are over."""
    vigencia = tableros.vigencia_containing(today)
    return (vigencia.desde, vigencia.hasta) if vigencia else (date(today.year, 1, 1), date(today.year, 12, 31))


def alerts(actor, args: dict, today: date | None = None) -> Alertas:
    """The alerts the caller may see: a director its centre's, supervisors and admins any scope."""
    ensure(actor, Accion.VER_ALERTAS)
    today = today or today_bogota()
    f = Fields(args)
    tipo = f.choice("tipo", TIPOS_ALERTA, required=False)
    f.raise_if_errors()
    centro_id = tableros.resolve_scope(actor, args.get("centro_id"))
    umbrales = Umbrales.from_config(current_app.config)
    desde, hasta = _vigencia(today)
    found = alertas.compute(centro_id, tipo, today, umbrales, (desde, hasta))
    return Alertas(centro_id, tipo, umbrales, desde, hasta, found)


# ---- the pipeline -------------------------------------------------------------------------------

STUCK_DAYS = 30


@dataclass
class Pipeline:
    tablero: object
    sin_comite: list[PlanPendiente]
    sin_entrega: list[alertas.Alerta]
    entrega_incompleta: list[alertas.Alerta]


def pipeline(actor, args: dict, today: date | None = None) -> Pipeline:
    """ajustados → analizados → aprobados → desembolsados (the M rows), and who is stuck 30+ days."""
    today = today or today_bogota()
    centro_id, desde, hasta = tableros.parse_request(actor, args, today)
    tablero = tableros.compute(actor, "microcapitalizacion", centro_id, desde, hasta)
    waiting = [p for p in pending_plans(actor, centro_id, today) if p.dias > STUCK_DAYS]
    thirty = Umbrales(sin_entrega_dias=STUCK_DAYS)
    limit = today - timedelta(days=STUCK_DAYS)
    partial = [a for a in alertas.entrega_parcial(centro_id, today, thirty) if a.fecha <= limit]
    return Pipeline(tablero, waiting, alertas.aprobado_sin_entrega(centro_id, today, thirty), partial)
