"""Microfinanciamiento: integrity alerts over the seed-capital records."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app

from ..auth.guards import Accion, ensure
from ..tableros import services as tableros
from ..validation import Fields
from . import alertas
from .alertas import TIPOS_ALERTA, Alerta, Umbrales


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
    today = today or date.today()
    f = Fields(args)
    tipo = f.choice("tipo", TIPOS_ALERTA, required=False)
    f.raise_if_errors()
    centro_id = tableros.resolve_scope(actor, args.get("centro_id"))
    umbrales = Umbrales.from_config(current_app.config)
    desde, hasta = _vigencia(today)
    found = alertas.compute(centro_id, tipo, today, umbrales, (desde, hasta))
    return Alertas(centro_id, tipo, umbrales, desde, hasta, found)
