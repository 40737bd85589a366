"""The figures behind a convenio's progress: the tablero's own grouped queries over its window,
per centre, summed over the convenio's centres as the network's figure is summed."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import exists, or_, select

from ..models import Convenio
from ..models.convenio import convenio_centro
from ..scoping import current_centre_scope, set_centre_scope
from ..tableros import queries as tablero_queries
from ..tableros import services as tableros
from ..tableros.registry import FILAS, Promedio

# Every row computed by SQL; M5 (an average) is derived from M4 by the tablero's own cell.
SQL_FILAS = [f for f in FILAS if not isinstance(f.calculo, Promedio)]


@contextmanager
def _across_centres() -> Iterator[None]:
    """A convenio's figure adds up all its centres, also when a director of one of them reads
    it (aggregate figures only, never a person): the defence-in-depth centre filter of
    scoping.py would otherwise keep the director's centre alone in the actuaciones queries."""
    before = current_centre_scope()
    set_centre_scope(None)
    try:
        yield
    finally:
        set_centre_scope(before)


def figures(centros: list[int] | None, desde: date, hasta: date) -> dict[str, int]:
    """Each SQL row's resultado over desde..hasta for the centres (None: the whole network),
    the sum of the centres' figures (INDICADORES.md: the network's resultado is that sum)."""
    with _across_centres():
        per_centre = tablero_queries.compute(SQL_FILAS, desde, hasta, None)
    if centros is not None:
        wanted = set(centros)
        per_centre = {c: v for c, v in per_centre.items() if c in wanted}
    return tableros.suma_red(per_centre)


def covering(centro_id: int):
    """Convenios that cover a centre: the whole network's, or those that list it."""
    return or_(Convenio.toda_la_red.is_(True),
               exists().where(convenio_centro.c.convenio_id == Convenio.id,
                              convenio_centro.c.centro_id == centro_id))


def listing(centro_id: int | None, clase: str | None):
    statement = select(Convenio).order_by(Convenio.desde.desc(), Convenio.nombre)
    if centro_id is not None:
        statement = statement.where(covering(centro_id))
    if clase:
        statement = statement.where(Convenio.clase == clase)
    return statement
