"""The grouped SQL behind the tableros: one query per kind of measure, every centre at once.

Each function answers {centro_id: {codigo: value}} for the rows of its kind. Annulled actuaciones
never count; actuaciones count by their service fecha.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Actuacion, Participante, Vacante
from .registry import ActivosRuta, Conteo, CuposVacantes, Enrutados, Fila, Personas, Suma

Valores = dict[int, dict[str, int]]


def _rows_to_dict(result, codes: list[str]) -> Valores:
    values: Valores = defaultdict(dict)
    for row in result:
        for code in codes:
            values[row.centro_id][code] = int(getattr(row, _label(code)) or 0)
    return values


def _label(code: str) -> str:
    return "c_" + code.replace(".", "_")


def _only_centre(statement, column, centro_id: int | None):
    return statement if centro_id is None else statement.where(column == centro_id)


def _before(later, earlier):
    """earlier comes before later in the itinerary: an earlier fecha, or the same one typed first."""
    return or_(earlier.fecha < later.fecha, and_(earlier.fecha == later.fecha, earlier.id < later.id))


def enrutados(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Rows 1.x and 3.x to 6.x: persons whose first enrutamiento ever is dated in the period."""
    first, earlier = aliased(Actuacion), aliased(Actuacion)
    p = Participante
    conditions = [
        first.tipo == "enrutamiento", first.anulada.is_(False), first.fecha.between(desde, hasta),
        ~exists().where(earlier.participante_id == first.participante_id,
                        earlier.tipo == "enrutamiento", earlier.anulada.is_(False),
                        _before(first, earlier)),
    ]
    columns = [
        func.sum(case((fila.calculo.condicion(p, first.categoria), 1), else_=0)).label(_label(fila.codigo))
        for fila in filas
    ]
    statement = (select(first.centro_id.label("centro_id"), *columns)
                 .join(p, p.id == first.participante_id).where(*conditions)
                 .group_by(first.centro_id))
    statement = _only_centre(statement, first.centro_id, centro_id)
    return _rows_to_dict(db.session.execute(statement), [f.codigo for f in filas])


def _matches(a, calculo):
    condition = a.tipo == calculo.tipo
    if calculo.categoria is not None:
        condition = and_(condition, a.categoria == calculo.categoria)
    return condition


def _measure(a, calculo):
    if isinstance(calculo, Personas):
        return func.count(func.distinct(case((_matches(a, calculo), a.participante_id))))
    if isinstance(calculo, Conteo):
        return func.sum(case((_matches(a, calculo), 1), else_=0))
    if isinstance(calculo, Suma):
        return func.sum(case((_matches(a, calculo), getattr(a, calculo.columna)), else_=0))
    raise TypeError(calculo)


def actuaciones(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Counts, distinct persons and sums over the actuaciones dated in the period."""
    a = Actuacion
    tipos = sorted({fila.calculo.tipo for fila in filas})
    statement = (select(a.centro_id.label("centro_id"),
                        *[_measure(a, fila.calculo).label(_label(fila.codigo)) for fila in filas])
                 .where(a.anulada.is_(False), a.fecha.between(desde, hasta), a.tipo.in_(tipos))
                 .group_by(a.centro_id))
    statement = _only_centre(statement, a.centro_id, centro_id)
    return _rows_to_dict(db.session.execute(statement), [f.codigo for f in filas])


def rutas(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Rows 12.x as of hasta: the latest ingreso_ruta of each person, with no desistimiento after."""
    entry, later, quit_ = aliased(Actuacion), aliased(Actuacion), aliased(Actuacion)

    def same_person_before_cut(other, tipo):
        return and_(other.participante_id == entry.participante_id, other.tipo == tipo,
                    other.anulada.is_(False), other.fecha <= hasta)

    statement = (
        select(entry.centro_id.label("centro_id"),
               *[func.sum(case((entry.categoria == fila.calculo.ruta, 1), else_=0)).label(_label(fila.codigo))
                 for fila in filas])
        .where(entry.tipo == "ingreso_ruta", entry.anulada.is_(False), entry.fecha <= hasta,
               ~exists().where(same_person_before_cut(later, "ingreso_ruta"), _before(later, entry)),
               ~exists().where(same_person_before_cut(quit_, "desistimiento"), _before(quit_, entry)))
        .group_by(entry.centro_id)
    )
    statement = _only_centre(statement, entry.centro_id, centro_id)
    return _rows_to_dict(db.session.execute(statement), [f.codigo for f in filas])


def vacantes(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Row 9: cupos of the vacantes dated in the period."""
    statement = (select(Vacante.centro_id.label("centro_id"),
                        *[func.coalesce(func.sum(Vacante.cupos), literal(0)).label(_label(f.codigo))
                          for f in filas])
                 .where(Vacante.fecha.between(desde, hasta)).group_by(Vacante.centro_id))
    statement = _only_centre(statement, Vacante.centro_id, centro_id)
    return _rows_to_dict(db.session.execute(statement), [f.codigo for f in filas])


QUERIES = {
    "enrutados": (Enrutados, enrutados),
    "actuaciones": ((Personas, Conteo, Suma), actuaciones),
    "rutas": (ActivosRuta, rutas),
    "vacantes": (CuposVacantes, vacantes),
}


def compute(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Every SQL-computed row, per centre; derived rows are left to the caller."""
    values: Valores = defaultdict(dict)
    for fuente, (_, query) in QUERIES.items():
        own = [fila for fila in filas if fila.calculo.fuente == fuente]
        if not own:
            continue
        for centre, codes in query(own, desde, hasta, centro_id).items():
            values[centre].update(codes)
    return values
