"""The units behind every tablero figure (API.md, "Drill-down and bases").

A row's units come from the same declaration as its figure: each kind of measure of the registry
(Enrutados, Personas, Conteo, Suma, ActivosRuta, CuposVacantes, Promedio) has one unit query
here, built from the same conditions queries.py counts with (`first_routing`, `of_measure`,
`in_period`, `route_events`, `vacancies_in_period`), so the list and the figure cannot drift: a
person row lists each person once per centre that counted them, a count row its actuaciones, a
sum row its actuaciones with the summed value, row 9 its vacantes with their cupos, M5 the units
of M4.v. Everything is one SQL statement of units, paged with LIMIT/OFFSET and a count.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Date, Integer, cast, exists, func, null, or_, select
from sqlalchemy.orm import aliased

from .. import audit
from ..auth.guards import Accion, ensure
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..itinerario.tipos import Tipo
from ..models import Actuacion, Centro, Participante, Vacante
from ..models.actuacion import comes_after, vigentes
from ..models.participante import TIPOS_DOCUMENTO
from ..pagination import Page, page_args
from ..participantes.services import matches
from ..scoping import ALL_CENTRES_OPTION
from . import queries, services
from .registry import (
    POR_CODIGO, TABLEROS, ActivosRuta, Conteo, CuposVacantes, Enrutados, Fila, Personas, Promedio, Suma,
)

# Every unit query selects these columns, in this order.
UNIT = ("centro_id", "participante_id", "actuacion_id", "vacante_id", "fecha", "valor")
XLSX_MAX_ROWS = 100_000  # beyond it the list downloads as CSV (a workbook that big is a base's job)
MAX_QUERY = 100


def _unit(centro_id, participante_id, actuacion_id, vacante_id, fecha, valor) -> list:
    def typed(column, type_):
        return cast(null(), type_) if column is None else column
    return [typed(column, type_).label(name) for column, type_, name in zip(
        (centro_id, participante_id, actuacion_id, vacante_id, fecha, valor),
        (Integer, BigInteger, BigInteger, Integer, Date, BigInteger), UNIT)]


# ---- one unit query per kind of measure ----------------------------------------------------

def routed(fila: Fila, desde: date, hasta: date, centro_id: int | None, first, p) -> list:
    """What makes `first` (an Actuacion alias joined to its person, p) a unit of an Enrutados
    row: the person's first enrutamiento ever, recorded by the centre, in the period, meeting
    the row's condition. (desgloses.py groups these units by a column of the same p.)"""
    conditions = [queries.first_routing(first), first.fecha.between(desde, hasta),
                  fila.calculo.condicion(p, first.categoria)]
    return conditions + ([first.centro_id == centro_id] if centro_id is not None else [])


def _routed(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """Rows 1.x, 3.x-6.x: each person whose first enrutamiento ever, recorded by the centre,
    falls in the period and meets the row's condition; one unit per person and counting centre."""
    first, p = aliased(Actuacion), aliased(Participante)
    return (select(*_unit(first.centro_id, first.participante_id, first.id, None, first.fecha, None))
            .join(p, p.id == first.participante_id)
            .where(*routed(fila, desde, hasta, centro_id, first, p)))


def _persons(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """Distinct persons with an actuación of the row in the period: one unit per person and
    centre, their first such actuación there in the period (so a page can follow the index)."""
    a, earlier = aliased(Actuacion), aliased(Actuacion)
    return (select(*_unit(a.centro_id, a.participante_id, a.id, None, a.fecha, None))
            .where(queries.of_measure(a, fila.calculo), *queries.in_period(a, desde, hasta, centro_id),
                   ~exists().where(earlier.participante_id == a.participante_id,
                                   earlier.centro_id == a.centro_id,
                                   queries.of_measure(earlier, fila.calculo),
                                   *queries.in_period(earlier, desde, hasta, centro_id),
                                   comes_after(a, earlier))))


def _records(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """Count and sum rows: one unit per actuación. A sum row's valor is the summed column (its
    units add up to the figure); a count row's is the record's own valor, if it has one."""
    a = Actuacion
    calculo = fila.calculo
    valor = func.coalesce(getattr(a, calculo.columna), 0) if isinstance(calculo, Suma) else a.valor
    return (select(*_unit(a.centro_id, a.participante_id, a.id, a.vacante_id, a.fecha, valor))
            .where(queries.of_measure(a, calculo), *queries.in_period(a, desde, hasta, centro_id)))


def _active(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """Rows 12.x: the route entries (≤ hasta) with that ruta that no later event ends by hasta;
    the unit belongs to the centre that recorded the entry."""
    e = aliased(Actuacion)
    statement = (select(*_unit(e.centro_id, e.participante_id, e.id, None, e.fecha, None))
                 .where(e.tipo == Tipo.INGRESO_RUTA, e.categoria == fila.calculo.ruta, vigentes(e),
                        e.fecha <= hasta, queries.still_in_route(e, hasta)))
    return statement.where(e.centro_id == centro_id) if centro_id is not None else statement


def _vacancies(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """Row 9: the vacantes dated in the period, valor = their cupos."""
    v = Vacante
    return (select(*_unit(v.centro_id, None, None, v.id, v.fecha, v.cupos))
            .where(*queries.vacancies_in_period(desde, hasta, centro_id)))


def _average(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """M5 lists the units of its value row (M4.v): the desembolsos it averages."""
    return units(POR_CODIGO[fila.calculo.valor], desde, hasta, centro_id)


UNIDADES: dict[type, Callable] = {
    Enrutados: _routed, Personas: _persons, Conteo: _records, Suma: _records,
    ActivosRuta: _active, CuposVacantes: _vacancies, Promedio: _average,
}
if not all(type(fila.calculo) in UNIDADES for fila in POR_CODIGO.values()):
    raise RuntimeError("a row without its units")


def units(fila: Fila, desde: date, hasta: date, centro_id: int | None):
    """The SELECT of the row's units (columns UNIT) for one centre or the network."""
    return UNIDADES[type(fila.calculo)](fila, desde, hasta, centro_id)


def kind_of(fila: Fila) -> str:
    """personas | registros | vacantes: what one unit of the row is."""
    calculo = POR_CODIGO[fila.calculo.valor].calculo if isinstance(fila.calculo, Promedio) else fila.calculo
    if isinstance(calculo, CuposVacantes):
        return "vacantes"
    return "registros" if isinstance(calculo, (Conteo, Suma)) else "personas"


def sums(fila: Fila) -> bool:
    """The figure is the sum of its units' valor (rather than their number)."""
    return isinstance(fila.calculo, (Suma, CuposVacantes, Promedio))


# ---- request, page, download ---------------------------------------------------------------

@dataclass
class Consulta:
    tablero: str
    fila: Fila
    centro: Centro | None
    desde: date
    hasta: date
    q: str

    @property
    def centro_id(self) -> int | None:
        return self.centro.id if self.centro else None

    @property
    def kind(self) -> str:
        return kind_of(self.fila)

    @property
    def sums(self) -> bool:
        return sums(self.fila)

    @property
    def average(self) -> bool:
        return isinstance(self.fila.calculo, Promedio)

    @property
    def active_route(self) -> bool:
        return isinstance(self.fila.calculo, ActivosRuta)

    @property
    def fecha_titulo(self) -> str:
        return {Enrutados: "Fecha del primer enrutamiento", Personas: "Primera fecha en el periodo",
                ActivosRuta: "Fecha de ingreso a la ruta"}.get(type(self.fila.calculo), "Fecha")

    @property
    def money(self) -> bool:
        """A unit's valor is pesos (every actuación's valor is) unless the row sums jobs."""
        return self.kind == "registros" and not (
            isinstance(self.fila.calculo, Suma) and self.fila.calculo.columna != "valor")

    def filters(self) -> dict:
        """What links to the same list carry (the window as resolved, so it never shifts)."""
        values = {"centro_id": self.centro_id, "desde": self.desde.isoformat(),
                  "hasta": self.hasta.isoformat(), "q": self.q or None}
        return {key: value for key, value in values.items() if value is not None}


def parse(actor, tablero: str, codigo: str, args: dict) -> Consulta:
    """The row, scope and window of a list, resolved as the tablero resolves them."""
    fila = POR_CODIGO.get(codigo)
    if tablero not in TABLEROS or fila is None or fila.tablero != tablero:
        raise NotFound("No existe esa fila del tablero.")
    centro_id, desde, hasta = services.parse_request(actor, args)
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise ValidationFailed({"q": f"La búsqueda admite a lo sumo {MAX_QUERY} caracteres."})
    centro = db.session.get(Centro, centro_id) if centro_id is not None else None
    return Consulta(tablero, fila, centro, desde, hasta, q)


def _run(statement):
    # The scope is the request's (resolve_scope checked it): a person counted by this centre who
    # has since moved stays listed, and the first routing is judged over every centre.
    return db.session.execute(statement.execution_options(**{ALL_CENTRES_OPTION: True}))


def _searched(consulta: Consulta, u) -> list:
    if not consulta.q:
        return []
    if consulta.kind == "vacantes":
        pattern = f"%{consulta.q.lower()}%"
        return [u.c.vacante_id.in_(select(Vacante.id).where(
            or_(func.lower(Vacante.empresa).like(pattern), func.lower(Vacante.cargo).like(pattern))))]
    return [u.c.participante_id.in_(select(Participante.id).where(matches(consulta.q)))]


def _order(u) -> tuple:
    return (u.c.centro_id, u.c.fecha, u.c.participante_id, u.c.actuacion_id, u.c.vacante_id)


def _with_people(u, window=None):
    """The units with who they are (and, for vacantes, the company and post)."""
    source = window if window is not None else u
    return (select(source, Participante.tipo_documento, Participante.numero_documento,
                   Participante.nombres, Participante.apellidos,
                   Participante.centro_id.label("centro_actual"), Vacante.empresa, Vacante.cargo)
            .outerjoin(Participante, Participante.id == source.c.participante_id)
            .outerjoin(Vacante, Vacante.id == source.c.vacante_id)
            .order_by(*_order(source)))


def _item(row) -> dict:
    item = {
        "participante_id": row.participante_id, "tipo_documento": row.tipo_documento,
        "numero_documento": row.numero_documento, "nombres": row.nombres, "apellidos": row.apellidos,
        "centro_id": row.centro_id,
        "trasladado_a": row.centro_actual if row.participante_id is not None
        and row.centro_actual != row.centro_id else None,
        "actuacion_id": row.actuacion_id, "vacante_id": row.vacante_id,
        "fecha": row.fecha, "valor": None if row.valor is None else int(row.valor),
    }
    if row.vacante_id is not None and row.participante_id is None:
        item.update(empresa=row.empresa, cargo=row.cargo)
    return item


def _count(consulta: Consulta, u) -> int:
    """How many units. A count row's total is its figure (API.md: total equals resultado),
    computed as the tablero computes it (summary tables, or the distinct count over the covering
    index) rather than by counting a network's 100,000 units; a searched list, or a sum row,
    counts its units."""
    fila = consulta.fila
    if not consulta.q and not sums(fila):
        values = queries.compute([fila], consulta.desde, consulta.hasta, consulta.centro_id)
        return sum(each.get(fila.codigo, 0) for centro, each in values.items()
                   if consulta.centro_id is None or centro == consulta.centro_id)
    return int(_run(select(func.count()).select_from(u).where(*_searched(consulta, u))).scalar() or 0)


def listing(actor, consulta: Consulta, page, per_page) -> Page:
    """One page of the units (dicts as API.md says), with how many there are in all."""
    ensure(actor, Accion.VER, consulta.centro_id, entidad="tablero")
    page_n, per = page_args(page, per_page)
    u = units(consulta.fila, consulta.desde, consulta.hasta, consulta.centro_id).subquery("u")
    total = _count(consulta, u)
    window = (select(u).where(*_searched(consulta, u)).order_by(*_order(u))
              .limit(per).offset((page_n - 1) * per).subquery("w"))
    items = [_item(row) for row in _run(_with_people(u, window))]
    return Page(items, page_n, per, total)


def centre_names() -> dict[int, str]:
    return dict(db.session.execute(select(Centro.id, Centro.nombre)).all())


# ---- downloads -----------------------------------------------------------------------------

def _headers(consulta: Consulta) -> tuple[list[str], Callable[[dict, dict], list]]:
    """Spanish headers and the row maker of the list's file."""
    valor_title = "Valor (pesos)" if consulta.money else "Empleos"
    if consulta.kind == "vacantes":
        return (["Centro", "ID vacante", "Empresa", "Cargo", "Fecha", "Cupos"],
                lambda it, names: [names.get(it["centro_id"]), it["vacante_id"], it["empresa"],
                                   it["cargo"], it["fecha"], it["valor"]])
    fecha_title = consulta.fecha_titulo
    head = ["Centro que lo cuenta", "ID participante", "Tipo de documento", "Número de documento",
            "Nombres", "Apellidos", "Trasladado a"]

    def person(it, names):
        return [names.get(it["centro_id"]), it["participante_id"],
                TIPOS_DOCUMENTO.get(it["tipo_documento"], it["tipo_documento"]), it["numero_documento"],
                it["nombres"], it["apellidos"], names.get(it["trasladado_a"]) if it["trasladado_a"] else None]
    if consulta.kind == "personas":
        return head + [fecha_title], lambda it, names: person(it, names) + [it["fecha"]]
    return (head + ["ID actuación", fecha_title, valor_title],
            lambda it, names: person(it, names) + [it["actuacion_id"], it["fecha"], it["valor"]])


@dataclass
class Descarga:
    consulta: Consulta
    filas: int
    header: list[str]
    rows: Iterator[list]

    @property
    def money_column(self) -> int | None:
        return len(self.header) - 1 if self.consulta.money else None


def download(actor, consulta: Consulta, formato: str) -> Descarga:
    """Every unit of the list, for a CSV or XLSX file: refused to asesores, recorded in the
    audit trail (who, which row, which filter, how many rows). Rows are read in batches."""
    ensure(actor, Accion.DESCARGAR_BASES, consulta.centro_id, entidad="tablero")
    u = units(consulta.fila, consulta.desde, consulta.hasta, consulta.centro_id).subquery("u")
    total = _count(consulta, u)
    if formato == "xlsx" and total > XLSX_MAX_ROWS:
        message = f"La lista tiene {total:,} filas, demasiadas para Excel: descárguela en CSV.".replace(",", ".")
        raise ValidationFailed({"formato": message}, message)
    audit.record("descargar", actor=actor, entidad="tablero_fila", centro_id=consulta.centro_id,
                 despues={"tablero": consulta.tablero, "codigo": consulta.fila.codigo,
                          "centro_id": consulta.centro_id, "desde": consulta.desde, "hasta": consulta.hasta,
                          "busqueda": bool(consulta.q), "formato": formato, "filas": total},
                 detalle=f"Lista de la fila {consulta.fila.codigo} ({consulta.tablero}), {total} filas")
    header, make = _headers(consulta)
    names = centre_names()
    statement = _with_people(u).where(*_searched(consulta, u))

    def rows():
        result = db.session.execute(statement.execution_options(
            **{ALL_CENTRES_OPTION: True}, yield_per=2000))
        for row in result:
            yield make(_item(row), names)
    return Descarga(consulta, total, header, rows())
