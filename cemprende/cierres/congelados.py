"""The figures frozen at a month's close, as the tableros read them instead of computing.

Kept apart from services.py (which computes the figures through the tableros' queries) so that
`tableros.services` can ask here without an import cycle. A window is served frozen only when it
is exactly one of a close's windows (the month, or the vigencia up to the month's end) and the
close is in force (cerrado or aceptado); the network only when every centre in service by that day
has closed it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Centro, CierreCifra, CierreMes
from ..models.cierre import CERRADOS
from ..scoping import ALL_CENTRES_OPTION

Valores = dict[int, dict[str, int]]


@dataclass
class Congelado:
    """Per centre: the frozen row values and metas of the window, and those of the previous
    close of each centre closed more than once (None when every centre was closed once)."""

    cierres: list[CierreMes]
    valores: Valores
    metas: Valores
    anteriores: Valores | None = None
    metas_anteriores: Valores | None = None
    ventana: str = "mes"

    @property
    def reabierto(self) -> bool:
        return self.anteriores is not None

    @property
    def rondas(self) -> dict[int, int]:
        return {c.centro_id: c.ronda for c in self.cierres}

    def to_dict(self) -> dict:
        return {"ventana": self.ventana, "reabierto": self.reabierto,
                "cierres": [{"id": c.id, "centro_id": c.centro_id, "estado": c.estado,
                             "ronda": c.ronda} for c in self.cierres]}


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _in_service(hasta: date) -> list[int]:
    return list(db.session.scalars(select(Centro.id).where(Centro.abierto_al(hasta))))


def lookup(centro_id: int | None, desde: date, hasta: date,
           in_service: list[int] | None = None) -> Congelado | None:
    """The frozen figures of exactly this window, or None (then the tablero is computed live).
    `in_service`: the network's centres open by hasta, when the caller has them already."""
    if not is_month_end(hasta):
        return None  # most tableros: no query at all
    mes = hasta.replace(day=1)
    if centro_id is not None:
        centres = [centro_id]
    else:
        centres = in_service if in_service is not None else _in_service(hasta)
    if not centres:
        return None
    cierres = list(db.session.scalars(
        select(CierreMes).where(CierreMes.mes == mes, CierreMes.estado.in_(CERRADOS),
                                CierreMes.centro_id.in_(centres))
        .execution_options(**{ALL_CENTRES_OPTION: True})))
    if len(cierres) != len(centres):
        return None
    by_id = {c.id: c for c in cierres}
    rows = db.session.execute(
        select(CierreCifra).where(CierreCifra.cierre_id.in_(list(by_id)),
                                  CierreCifra.desde == desde, CierreCifra.hasta == hasta)).scalars()
    current: dict[int, dict] = {c.centro_id: {} for c in cierres}
    previous: dict[int, dict] = defaultdict(dict)
    ventana = "mes"
    for cifra in rows:
        cierre = by_id[cifra.cierre_id]
        if cifra.ronda == cierre.ronda:
            current[cierre.centro_id][cifra.codigo] = cifra
            ventana = cifra.ventana
        elif cifra.ronda == cierre.ronda - 1:
            previous[cierre.centro_id][cifra.codigo] = cifra
    if any(not figures for figures in current.values()):
        return None  # a close without figures for this window: not one of its windows
    congelado = Congelado(cierres, _values(current), _metas(current), ventana=ventana)
    if any(c.ronda > 1 for c in cierres):
        # A centre closed once counts with its only close on both sides.
        before = {cid: previous.get(cid) or current[cid] for cid in current}
        congelado.anteriores, congelado.metas_anteriores = _values(before), _metas(before)
    return congelado


def _values(figures: dict[int, dict[str, CierreCifra]]) -> Valores:
    return {cid: {code: c.valor for code, c in rows.items() if c.valor is not None}
            for cid, rows in figures.items()}


def _metas(figures: dict[int, dict[str, CierreCifra]]) -> Valores:
    return {cid: {code: c.meta for code, c in rows.items() if c.meta is not None}
            for cid, rows in figures.items()}
