"""Breakdowns of a tablero row by a characteristic of the people it counts (issue 12.4).

A row's units come from the drill-down (drilldown.units: the same conditions the figure is
counted with); a breakdown joins them to participante and groups by one dimension in one SQL
statement, so each breakdown adds up to its row exactly: a person row counts each person once per
centre that counted them (the network figure is the sum of its centres'), a count row each
record under the person it belongs to. What is unknown is the visible band "Sin información",
never guessed. Rows that sum values (pesos, jobs, cupos) or average them have no breakdown.

By municipio, the rows the summary keeps are read from ResumenMunicipio (the monthly summary per
municipality, kept by the same flush hooks, moved when a person's municipality changes) for
the whole months of a period from the first of a month, plus ResumenMunicipioDiario (the same
per day) for the loose days after them; any other period, or a summary that does not add up to
its row, is counted live.

Sensitive dimensions (Ley 1581: etnia, discapacidad, desplazamiento and the differential
categories) only for the roles that may see sensitive data. Any figure meant to leave the
network (the XLSX) shows a sensitive cell under 5 as "< 5" (SUPRIMIDO); on screen, inside the
network, the real number.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import visitors

from .. import audit
from ..auth.guards import Accion, ensure, may
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..lugares import SIN_INFORMACION
from ..models import (Actuacion, Participante, ResumenDiario, ResumenMensual, ResumenMunicipio,
                      ResumenMunicipioDiario)
from ..models.participante import CATEGORIAS_DIFERENCIALES, ETNIAS, SENSIBLES, SEXOS, ZONAS
from ..scoping import ALL_CENTRES_OPTION
from . import drilldown, queries, resumen
from .registry import ActivosRuta, Conteo, Enrutados, Fila, Personas

SIN = "sin_informacion"
SUPRIMIDO = "< 5"
MINIMO_PUBLICABLE = 5  # a sensitive cell under this many people leaves the network as "< 5"
DESGLOSABLES = (Enrutados, Personas, ActivosRuta, Conteo)


# ---- age bands -----------------------------------------------------------------------------

def age_limits() -> tuple[int, ...]:
    """The lower bound of each band after the first, from the one setting DESGLOSE_EDADES
    ("18,25,29,63": menores de 18, 18–24, 25–28, 29–62, 63 y más)."""
    raw = current_app.config.get("DESGLOSE_EDADES", "18,25,29,63")
    limits = tuple(int(part) for part in str(raw).split(",") if part.strip())
    assert limits and list(limits) == sorted(set(limits)) and limits[0] > 0, "DESGLOSE_EDADES"
    return limits


def age_bands(limits: tuple[int, ...]) -> list[tuple[str, str]]:
    """(clave, etiqueta) of each band, youngest first."""
    bands = [(f"0-{limits[0] - 1}", f"Menores de {limits[0]}")]
    bands += [(f"{low}-{high - 1}", f"{low}–{high - 1}") for low, high in zip(limits, limits[1:])]
    return bands + [(f"{limits[-1]}+", f"{limits[-1]} y más")]


def born_by(hasta: date, years: int) -> date:
    """The latest birth date of someone who is `years` old on hasta (a birthday on 29 February
    falls, in a common year, after the 28th: Participante.edad's reckoning)."""
    try:
        return hasta.replace(year=hasta.year - years)
    except ValueError:  # hasta is 29 February, that year is not a leap year
        return hasta.replace(year=hasta.year - years, day=28)


def _age_band(p, hasta: date):
    limits = age_limits()
    bands = age_bands(limits)
    whens = [(p.fecha_nacimiento.is_(None), literal(SIN))]
    # Younger than each limit: born after the last birth date of someone that old.
    whens += [(p.fecha_nacimiento > born_by(hasta, limit), literal(clave))
              for limit, (clave, _) in zip(limits, bands)]
    return case(*whens, else_=literal(bands[-1][0]))


# ---- dimensions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Dimension:
    clave: str
    etiqueta: str
    # (participante, hasta) → the SQL expressions grouped by (the first is the group's key).
    columnas: Callable
    # The fixed bands, in order (shown even when empty); None: whatever values the data has.
    bandas: Callable[[], list[tuple[str, str]]] | None = None
    sensible: bool = False


def _yes_no_unknown():
    return [("si", "Sí"), ("no", "No"), (SIN, SIN_INFORMACION)]


def _boolean(name: str):
    def columns(p, hasta):
        column = getattr(p, name)
        return [case((column.is_(True), literal("si")), (column.is_(False), literal("no")),
                     else_=literal(SIN))]
    return columns


def _coded(name: str):
    return lambda p, hasta: [func.coalesce(getattr(p, name), literal(SIN))]


def _labels(labels: dict[str, str]):
    return lambda: [*labels.items(), (SIN, SIN_INFORMACION)]


_DIMENSIONES = [
    Dimension("sexo", "Sexo", _coded("sexo"), _labels(SEXOS)),
    Dimension("edad", "Grupo de edad al corte", lambda p, hasta: [_age_band(p, hasta)],
              lambda: [*age_bands(age_limits()), (SIN, SIN_INFORMACION)]),
    # The catalogue's name (matched without regard to case or accents), with its subregion so
    # that namesakes in two departments stay apart.
    Dimension("municipio", "Municipio", lambda p, hasta: [p.municipio_oficial, p.subregion]),
    Dimension("subregion", "Subregión (o departamento)", lambda p, hasta: [p.subregion]),
    Dimension("zona", "Zona", _coded("zona"), _labels(ZONAS)),
    Dimension("etnia", "Grupo étnico", _coded("etnia"), _labels(ETNIAS), sensible=True),
    Dimension("discapacidad", "Condición de discapacidad", _boolean("discapacidad"), _yes_no_unknown,
              sensible=True),
    Dimension("desplazamiento", "Situación de desplazamiento", _boolean("desplazamiento"),
              _yes_no_unknown, sensible=True),
    *(Dimension(name, label, _boolean(name), _yes_no_unknown, sensible=True)
      for name, label in CATEGORIAS_DIFERENCIALES.items()),
]
DIMENSIONES: dict[str, Dimension] = {d.clave: d for d in _DIMENSIONES}
assert {d.clave for d in _DIMENSIONES if d.sensible} == set(SENSIBLES), "a sensitive field without its flag"


def dimensiones_para(actor) -> list[Dimension]:
    """The dimensions the caller may break a row down by."""
    sensitive = may(actor, Accion.VER_SENSIBLES)
    return [d for d in _DIMENSIONES if sensitive or not d.sensible]


# ---- which rows ----------------------------------------------------------------------------

def desglosable(fila: Fila) -> bool:
    """A row that counts people (or records of people): not a sum, an average or row 9."""
    return isinstance(fila.calculo, DESGLOSABLES)


def fila_sensible(fila: Fila) -> bool:
    """The row itself selects people by a sensitive category (4.x by etnia, 5.x by discapacidad
    or desplazamiento): any of its cells is a sensitive figure."""
    condicion = getattr(fila.calculo, "condicion", None)
    if condicion is None:
        return False
    expression = condicion(Participante, literal("x"))
    return any(getattr(element, "table", None) is Participante.__table__ and element.name in SENSIBLES
               for element in visitors.iterate(expression))


# ---- the breakdown -------------------------------------------------------------------------

@dataclass
class Grupo:
    clave: str
    etiqueta: str
    personas: int

    def to_dict(self) -> dict:
        return {"clave": self.clave, "etiqueta": self.etiqueta, "personas": self.personas}


@dataclass
class Desglose:
    consulta: drilldown.Consulta
    dimension: Dimension
    grupos: list[Grupo] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(g.personas for g in self.grupos)

    @property
    def unidad(self) -> str:
        return "registros" if isinstance(self.consulta.fila.calculo, Conteo) else "personas"

    @property
    def sensible(self) -> bool:
        """Its cells are sensitive figures: the dimension or the row is a sensitive category."""
        return self.dimension.sensible or fila_sensible(self.consulta.fila)

    def porcentaje(self, grupo: Grupo) -> float | None:
        return 100 * grupo.personas / self.total if self.total else None

    def publicable(self, personas: int) -> int | str:
        """A cell's value in a figure that leaves the network."""
        return SUPRIMIDO if self.sensible and personas < MINIMO_PUBLICABLE else personas

    def to_dict(self) -> dict:
        c = self.consulta
        return {"tablero": c.tablero, "codigo": c.fila.codigo, "por": self.dimension.clave,
                "centro_id": c.centro_id, "desde": c.desde.isoformat(), "hasta": c.hasta.isoformat(),
                "unidad": self.unidad, "total": self.total,
                "grupos": [g.to_dict() for g in self.grupos]}


def parse(actor, tablero: str, codigo: str, args: dict) -> tuple[drilldown.Consulta, Dimension]:
    """The row, scope, window (as the tablero resolves them) and dimension of a breakdown."""
    consulta = drilldown.parse(actor, tablero, codigo, {k: v for k, v in args.items() if k != "q"})
    if not desglosable(consulta.fila):
        raise NotFound(f"La fila {codigo} no cuenta personas (suma valores o cupos): no tiene desglose.")
    por = (args.get("por") or "sexo").strip()
    dimension = DIMENSIONES.get(por)
    if dimension is None:
        raise ValidationFailed({"por": "Elija una de: " + ", ".join(DIMENSIONES) + "."})
    return consulta, dimension


def _allowed(actor, consulta: drilldown.Consulta, dimension: Dimension) -> None:
    ensure(actor, Accion.VER, consulta.centro_id, entidad="tablero")
    if dimension.sensible:
        ensure(actor, Accion.VER_SENSIBLES, consulta.centro_id, entidad="tablero")


def _groups(consulta: drilldown.Consulta, dimension: Dimension) -> list:
    """(key columns..., count) per group: the row's units joined to who they are, one grouped
    statement. A first-routing row groups its units by the person it already joins (one join,
    not two); a distinct-person row reads its units as the figure does, the distinct (centre,
    person) pairs of its actuaciones from the covering index, rather than each pair's first
    actuación (the drill-down's paging needs that one; a count does not)."""
    fila, desde, hasta, centro_id = consulta.fila, consulta.desde, consulta.hasta, consulta.centro_id
    if isinstance(fila.calculo, Enrutados):
        first, p = aliased(Actuacion), aliased(Participante)
        keys = _keys(dimension, p, hasta)
        statement = (select(*keys, func.count().label("n")).select_from(first)
                     .join(p, p.id == first.participante_id)
                     .where(*drilldown.routed(fila, desde, hasta, centro_id, first, p),
                            # the same scope and days, every centre named: the centre-first index
                            *queries.in_period(first, desde, hasta, centro_id)))
    else:
        if isinstance(fila.calculo, Personas):
            a = Actuacion
            u = (select(a.centro_id, a.participante_id)
                 .where(queries.of_measure(a, fila.calculo), *queries.in_period(a, desde, hasta, centro_id))
                 .distinct().subquery("u"))
        else:
            u = drilldown.units(fila, desde, hasta, centro_id).subquery("u")
        p = Participante
        keys = _keys(dimension, p, hasta)
        statement = select(*keys, func.count().label("n")).select_from(u).join(p, p.id == u.c.participante_id)
    # The scope is the request's (resolve_scope checked it): a person counted here who has since
    # moved to another centre is still this centre's unit.
    return db.session.execute(statement.group_by(*keys).execution_options(**{ALL_CENTRES_OPTION: True})).all()


def _municipio_from_summary(consulta: drilldown.Consulta) -> list | None:
    """(municipio, subregion, count) per municipality from the summary by municipio, for a row it
    keeps and a period from the first of a month (a route row: any cut): the whole months from
    ResumenMunicipio, the loose days after them from ResumenMunicipioDiario, under the codes the
    row reads for each (ResumenMensual, ResumenDiario). None: the summary cannot serve it (the
    caller counts live)."""
    fila, desde, hasta, centro_id = consulta.fila, consulta.desde, consulta.hasta, consulta.centro_id
    if fila.codigo not in resumen.CODES_BY_MUNICIPIO:
        return None
    as_of = isinstance(fila.calculo, ActivosRuta)
    if not as_of and desde.day != 1:
        return None
    first, limit, loose_days = queries._whole_months(None if as_of else desde, hasta)
    codes = queries.persona_codes([fila], first) if isinstance(fila.calculo, Personas) else [fila.codigo]

    def months(m):
        return [queries.one_of(m.codigo, codes), m.mes < limit, *([m.mes >= first] if first else []),
                *([m.centro_id == centro_id] if centro_id is not None else [])]

    def days(d):
        return [queries.one_of(d.codigo, codes), or_(*[d.fecha.between(start, end) for start, end in loose_days]),
                *([d.centro_id == centro_id] if centro_id is not None else [])]

    parts = []
    if first is None or first < limit:
        parts.append((ResumenMunicipio, ResumenMensual, months))
    if loose_days:
        parts.append((ResumenMunicipioDiario, ResumenDiario, days))
    counts: dict[tuple, int] = {}
    for by_place, row_table, conditions in parts:
        statement = (select(by_place.municipio, by_place.subregion, func.sum(by_place.valor))
                     .where(*conditions(by_place)).group_by(by_place.municipio, by_place.subregion))
        part: dict[tuple, int] = {}
        for municipio, subregion, count in db.session.execute(statement):
            key = (municipio or None, subregion or None)
            part[key] = part.get(key, 0) + int(count)
        # The row's own figure for these months or days (a few rows): a summary by municipio that
        # does not add up to it (not rebuilt since the upgrade that created it) is not used.
        row = db.session.scalar(select(func.coalesce(func.sum(row_table.valor), 0))
                                .where(*conditions(row_table)))
        if int(row) != sum(part.values()):
            current_app.logger.warning("%s no cuadra con %s (fila %s): ejecute flask tableros-reconstruir",
                                       by_place.__tablename__, row_table.__tablename__, fila.codigo)
            return None
        for key, count in part.items():
            counts[key] = counts.get(key, 0) + count
    return [(municipio, subregion, count) for (municipio, subregion), count in counts.items() if count]


def _keys(dimension: Dimension, p, hasta: date) -> list:
    return [column.label(f"k{index}") for index, column in enumerate(dimension.columnas(p, hasta))]


def _municipio_groups(rows) -> list[Grupo]:
    names = {}
    for nombre, subregion, _ in rows:
        if nombre is not None:
            names.setdefault(nombre, set()).add(subregion)
    grupos, unknown = [], 0
    for nombre, subregion, count in rows:
        if nombre is None:
            unknown += count
            continue
        label = nombre if len(names[nombre]) == 1 else f"{nombre} ({subregion})"
        grupos.append(Grupo(label, label, int(count)))
    return _by_size(grupos) + [Grupo(SIN, SIN_INFORMACION, unknown)]


def _by_size(grupos: list[Grupo]) -> list[Grupo]:
    return sorted(grupos, key=lambda g: (-g.personas, g.etiqueta))


def compute(actor, consulta: drilldown.Consulta, dimension: Dimension) -> Desglose:
    """The row broken down by the dimension; the groups add up to the row's figure."""
    _allowed(actor, consulta, dimension)
    if dimension.clave == "municipio":
        rows = _municipio_from_summary(consulta)
        if rows is None:
            rows = _groups(consulta, dimension)
        return Desglose(consulta, dimension, _municipio_groups(rows))
    rows = _groups(consulta, dimension)
    counts = {}
    for key, count in rows:
        key = SIN if key is None else key
        counts[key] = counts.get(key, 0) + int(count)
    if dimension.bandas is not None:
        bands = dimension.bandas()
        known = {clave for clave, _ in bands}
        # A stored code the labels do not know is shown as itself, before "Sin información".
        extra = [(key, key) for key in sorted(counts) if key not in known]
        grupos = [Grupo(clave, etiqueta, counts.get(clave, 0)) for clave, etiqueta in bands[:-1] + extra]
        return Desglose(consulta, dimension, grupos + [Grupo(SIN, SIN_INFORMACION, counts.get(SIN, 0))])
    grupos = [Grupo(key, key, count) for key, count in counts.items() if key != SIN]
    return Desglose(consulta, dimension, _by_size(grupos) + [Grupo(SIN, SIN_INFORMACION, counts.get(SIN, 0))])


# ---- download ------------------------------------------------------------------------------

def download_rows(actor, desglose: Desglose) -> tuple[list[str], list[list]]:
    """The XLSX's header and rows, the figure as it may leave the network ("< 5" for a sensitive
    cell under 5, and then no percentage either, which would give it away). Recorded in the
    audit trail as an export."""
    c = desglose.consulta
    audit.record("descargar", actor=actor, entidad="tablero_desglose", centro_id=c.centro_id,
                 despues={"tablero": c.tablero, "codigo": c.fila.codigo, "por": desglose.dimension.clave,
                          "centro_id": c.centro_id, "desde": c.desde, "hasta": c.hasta,
                          "formato": "xlsx", "filas": len(desglose.grupos)},
                 detalle=f"Desglose de la fila {c.fila.codigo} ({c.tablero}) por {desglose.dimension.clave}")
    unit = "Registros" if desglose.unidad == "registros" else "Personas"
    header = [desglose.dimension.etiqueta, unit, "Porcentaje"]
    rows = []
    for grupo in desglose.grupos:
        value = desglose.publicable(grupo.personas)
        share = desglose.porcentaje(grupo)
        rows.append([grupo.etiqueta, value,
                     None if value == SUPRIMIDO or share is None else round(share / 100, 4)])
    rows.append(["Total", desglose.total, 1 if desglose.total else None])
    return header, rows
