"""The data-quality score of each advisor and centre per month, and its trend.

Components (each shown on its own): actuaciones recorded more than 5 days after their fecha
(imported ones excepted), services without their verifier document, rejected documents, integrity
alerts still open, people registered with an incomplete characterisation. The score:

    100 − 100 × mean(share late, share without document, share incomplete)
        − 2 per rejected document − 5 per open alert, between 0 and 100,

with the mean over the shares that apply (a month without services has no evidence share);
no score at all for a month with nothing recorded.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date

from flask import current_app
from sqlalchemy import select

from .. import versiones
from ..auth.guards import Accion, ensure, is_centre_bound
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..microfinanciamiento import alertas
from ..microfinanciamiento.alertas import Umbrales
from ..models import Centro, Staff
from ..tableros import services as tableros
from ..tableros.queries import scope_centres
from ..validation import Fields
from . import queries, resumen

TREND_MONTHS = 6
PENALTY_REJECTED = 2
PENALTY_ALERT = 5


@dataclass
class Componentes:
    registradas: int = 0
    tardias: int = 0
    requeridos: int = 0
    con_documento: int = 0
    rechazados: int = 0
    alertas: int = 0
    personas: int = 0
    sin_caracterizacion: int = 0

    def add(self, other: Componentes) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def sin_documento(self) -> int:
        return self.requeridos - self.con_documento

    def _shares(self) -> list[float]:
        pairs = ((self.tardias, self.registradas), (self.sin_documento, self.requeridos),
                 (self.sin_caracterizacion, self.personas))
        return [part / whole for part, whole in pairs if whole]

    @property
    def puntaje(self) -> int | None:
        shares = self._shares()
        if not shares and not self.rechazados and not self.alertas:
            return None
        mean = sum(shares) / len(shares) if shares else 0
        score = 100 - 100 * mean - PENALTY_REJECTED * self.rechazados - PENALTY_ALERT * self.alertas
        return max(0, min(100, round(score)))

    @staticmethod
    def pct(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(sin_documento=self.sin_documento, puntaje=self.puntaje,
                    pct_tardias=self.pct(self.tardias, self.registradas),
                    pct_sin_documento=self.pct(self.sin_documento, self.requeridos),
                    pct_sin_caracterizacion=self.pct(self.sin_caracterizacion, self.personas))
        return data


@dataclass
class Fila:
    clave: int | None  # centre or advisor id
    nombre: str
    componentes: Componentes

    def to_dict(self, key: str) -> dict:
        return {key: self.clave, "nombre": self.nombre, **self.componentes.to_dict()}


@dataclass
class Calidad:
    mes: str
    centro_id: int | None
    filas: list[Fila]  # advisors of the centre, or centres of the network
    por_asesor: bool
    total: Componentes
    tendencia: list[tuple[str, Componentes]]

    def to_dict(self) -> dict:
        key = "asesor_id" if self.por_asesor else "centro_id"
        return {"mes": self.mes, "centro_id": self.centro_id,
                "por": "asesor" if self.por_asesor else "centro",
                "filas": [fila.to_dict(key) for fila in self.filas],
                "total": self.total.to_dict(),
                "tendencia": [{"mes": mes, **c.to_dict()} for mes, c in self.tendencia]}


def _months_back(first: date, count: int) -> date:
    month = first.year * 12 + first.month - 1 - (count - 1)
    return date(month // 12, month % 12 + 1, 1)


# The cells that follow the actuaciones (recorded, their documents, rejected documents, alerts)
# and those that follow the people (registrations: their documents, characterisation), each kept
# per centre under the versions of what it reads: an actuación recorded leaves the second alone.
PARTES = versiones.Partes(versiones.ALERTAS, versiones.CALIDAD)
PARTES_PERSONAS = versiones.Partes(versiones.PERSONAS)


def _grid(centro_id: int | None, desde: date, hasta: date, today: date):
    """(centro_id, asesor_id, mes) → Componentes over the months from desde to hasta. Kept per
    centre (versiones: a write in one centre recomputes that centre's cells only); the alerts
    that read the whole network (reference prices) are added on every load."""
    umbrales = Umbrales.from_config(current_app.config)
    centros = scope_centres(centro_id)

    def split(cells) -> dict:
        parts: dict = {c: {} for c in centros}
        for key, cell in cells.items():
            parts.setdefault(key[0], {})[key] = cell
        return parts

    activity = PARTES.get(("actividad", desde, hasta, today, umbrales), centros,
                          lambda c: _activity(c, desde, hasta, today, umbrales),
                          lambda: split(_activity(None, desde, hasta, today, umbrales)))
    people = PARTES_PERSONAS.get(("personas", desde, hasta), centros,
                                 lambda c: _people(c, desde, hasta),
                                 lambda: split(_people(None, desde, hasta)))
    grid: dict[tuple, Componentes] = defaultdict(Componentes)
    for parts in (activity, people):
        for c in centros:
            for key, cell in (parts.get(c) or {}).items():
                grid[key].add(cell)  # into a new cell: the kept part stays as computed
    network = [a for a in alertas.compute(centro_id, None, today, umbrales, (desde, hasta))
               if a.tipo in alertas.RED]
    _add_alerts(grid, network, desde, hasta)
    return grid


def _cells(statements) -> dict:
    grid: dict[tuple, Componentes] = defaultdict(Componentes)
    for statement in statements:
        for row in db.session.execute(statement):
            values = row._asdict()
            cell = grid[(values.pop("centro_id"), values.pop("asesor_id"), values.pop("mes"))]
            for name, value in values.items():
                setattr(cell, name, getattr(cell, name) + int(value or 0))
    return grid


def _activity(centro_id: int | None, desde: date, hasta: date, today: date, umbrales) -> dict:
    grid = _cells((queries.recorded(centro_id, desde, hasta),
                   queries.evidence(centro_id, desde, hasta, ("actuaciones",)),
                   queries.rejected(centro_id, desde, hasta)))
    found = alertas.compute(centro_id, None, today, umbrales, (desde, hasta), red=False)
    _add_alerts(grid, found, desde, hasta)
    return dict(grid)


def _people(centro_id: int | None, desde: date, hasta: date) -> dict:
    """The registrations' cells (their documents, their characterisation): for whole months,
    read from the summary kept with every write (calidad/resumen.py), else by grouped SQL."""
    if not resumen.whole_months(desde, hasta):
        return dict(_cells((queries.evidence(centro_id, desde, hasta, ("registros",)),
                            queries.characterisation(centro_id, desde, hasta))))
    return {key: Componentes(personas=personas, sin_caracterizacion=incomplete,
                             requeridos=personas, con_documento=documented)
            for key, (personas, incomplete, documented) in
            resumen.cells(centro_id, desde, hasta).items()}


def _add_alerts(grid, found, desde: date, hasta: date) -> None:
    found = [a for a in found if a.fecha is None or desde <= a.fecha <= hasta]
    advisors = queries.advisors_of([a.actuacion_id for a in found if a.actuacion_id])
    for alerta in found:
        mes = f"{(alerta.fecha or hasta):%Y-%m}"
        grid[(alerta.centro_id, advisors.get(alerta.actuacion_id), mes)].alertas += 1


def score(actor, args: dict, today: date | None = None) -> Calidad:
    ensure(actor, Accion.VER_CALIDAD)
    today = today or today_bogota()
    f = Fields(args)
    first, last = f.month("mes", default=today)
    f.raise_if_errors()
    centro_id = tableros.resolve_scope(actor, args.get("centro_id"))
    por_asesor = centro_id is not None
    grid = _grid(centro_id, _months_back(first, TREND_MONTHS), last, today)
    mes = f"{first:%Y-%m}"
    rows: dict[int | None, Componentes] = defaultdict(Componentes)
    trend: dict[str, Componentes] = defaultdict(Componentes)
    for (centre, advisor, month), cell in grid.items():
        trend[month].add(cell)
        if month == mes:
            rows[advisor if por_asesor else centre].add(cell)
    names = _names(rows.keys(), por_asesor)
    filas = sorted((Fila(key, names.get(key, "Sin asesor (registros del centro)"), c)
                    for key, c in rows.items()),
                   key=lambda fila: (fila.componentes.puntaje is None,
                                     fila.componentes.puntaje or 0, fila.nombre))
    total = trend.get(mes, Componentes())
    months = [f"{_months_back(first, n):%Y-%m}" for n in range(TREND_MONTHS, 0, -1)]
    return Calidad(mes, centro_id, filas, por_asesor, total,
                   [(m, trend.get(m, Componentes())) for m in months])


def _names(keys, por_asesor: bool) -> dict[int, str]:
    ids = [k for k in keys if k is not None]
    if not ids:
        return {}
    model = Staff if por_asesor else Centro
    return dict(db.session.execute(select(model.id, model.nombre).where(model.id.in_(ids))).all())


def centre_score(actor, today: date | None = None) -> Componentes | None:
    """This month's components of the caller's own centre (for Mi trabajo), if it has one."""
    if not is_centre_bound(actor):
        return None
    return score(actor, {"centro_id": actor.centro_id}, today).total
