"""The grouped SQL behind the tableros, declared by the registry's kinds of measure.

Rows whose value is a sum over days (first routings, counts, sums) and rows 12.x (active route as
of a date) are summed from ResumenDiario, which resumen.py keeps from these same grouped queries
run per centre and day. Distinct-person rows and row 9 are read from their tables directly.
Annulled actuaciones never count; actuaciones count by their service fecha.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (Date, and_, case, cast, event, exists, func, literal, or_,
                        select, type_coerce)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from ..extensions import db
from ..membership import among
from ..models.actuacion import comes_after, vigentes
from ..models import Actuacion, Centro, Participante, ResumenDiario, ResumenMensual, Vacante
from ..scoping import ALL_CENTRES_OPTION
from .registry import ActivosRuta, Conteo, CuposVacantes, Enrutados, Fila, Personas, Suma
from ..itinerario.tipos import Tipo

Valores = dict[int, dict[str, int]]
# (codigo, fecha, centro_id) → what that day adds to the row in that centre; grouped by
# municipio, (codigo, fecha, centro_id, municipio, subregion) ("" for "Sin información").
PorDia = dict[tuple, int]

DAILY = (Enrutados, Conteo, Suma)


@dataclass(frozen=True)
class Grano:
    """How the per-day queries group: by day or by month (fecha is then the month's first
    day), and also by the municipality of the person each unit belongs to (their current one)."""
    mensual: bool = False
    municipio: bool = False


POR_DIA = Grano()
POR_DIA_Y_MUNICIPIO = Grano(municipio=True)
POR_MES_Y_MUNICIPIO = Grano(mensual=True, municipio=True)


def _grain(column, grano: Grano):
    """The day itself, or the first day of its month."""
    if not grano.mensual:
        return column
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return type_coerce(func.substr(column, 1, 7).op("||")(literal("-01")), Date)


def _place(p, grano: Grano) -> list:
    """The person's municipality key columns ("" when unknown: a key column is never NULL)."""
    if not grano.municipio:
        return []
    return [func.coalesce(p.municipio_oficial, literal("")).label("municipio"),
            func.coalesce(p.subregion, literal("")).label("subregion")]


def _key(code: str, row, grano: Grano) -> tuple:
    if grano.municipio:
        return (code, row.fecha, row.centro_id, row.municipio, row.subregion)
    return (code, row.fecha, row.centro_id)


def _label(code: str) -> str:
    return "c_" + code.replace(".", "_")


def _every_centre(statement):
    """A participant's contributions span every centre that recorded for them (an actuación counts
    for its own centre, even after the person moved), so the summary's queries look past the
    writer's centre scope: otherwise a write in the new centre would hide the earlier centre's
    routings and route entries, and move rows that are not the writer's."""
    return db.session.execute(statement.execution_options(**{ALL_CENTRES_OPTION: True}))


def _of(column, participante_id):
    """One participant (an id), several (a collection of ids, or a query of them) or, with None,
    everyone."""
    if isinstance(participante_id, int):
        return column == participante_id
    if isinstance(participante_id, Select):  # the ids a query selects
        return column.in_(participante_id)
    return column.in_(sorted(participante_id))


def _per_day(result, codes: list[str], into: PorDia, grano: Grano = POR_DIA) -> PorDia:
    for row in result:
        for code in codes:
            value = int(getattr(row, _label(code)) or 0)
            if value:
                key = _key(code, row, grano)
                into[key] = into.get(key, 0) + value
    return into


def first_routing(first):
    """`first` (an Actuacion alias) is its participant's first not-annulled enrutamiento ever.
    Rows 1.x and 3.x to 6.x count these (here per day, in drilldown.py one by one)."""
    earlier = aliased(Actuacion)
    return and_(first.tipo == Tipo.ENRUTAMIENTO, vigentes(first),
                ~exists().where(earlier.participante_id == first.participante_id,
                                earlier.tipo == Tipo.ENRUTAMIENTO, vigentes(earlier),
                                comes_after(first, earlier)))


def first_routings_per_day(filas: list[Fila], participante_id: int | None, into: PorDia,
                           grano: Grano = POR_DIA) -> PorDia:
    """Rows 1.x and 3.x to 6.x: each person counts once, on the day of their first enrutamiento,
    for the centre that recorded it (not the person's current centre)."""
    first = aliased(Actuacion)
    p = Participante
    columns = [func.sum(case((fila.calculo.condicion(p, first.categoria), 1), else_=0)).label(_label(fila.codigo))
               for fila in filas]
    day, place = _grain(first.fecha, grano), _place(p, grano)
    statement = (
        select(first.centro_id.label("centro_id"), day.label("fecha"), *place, *columns)
        .join(p, p.id == first.participante_id)
        .where(first_routing(first))
        .group_by(first.centro_id, day, *place)
    )
    if participante_id is not None:
        statement = statement.where(_of(first.participante_id, participante_id))
    return _per_day(_every_centre(statement), [f.codigo for f in filas], into, grano)


def of_measure(a, calculo):
    """The actuaciones a Personas, Conteo or Suma row is made of (tipo, and categoria if any)."""
    condition = a.tipo == calculo.tipo
    if calculo.categoria is not None:
        condition = and_(condition, a.categoria == calculo.categoria)
    return condition


def _sum_measure(a, calculo):
    if isinstance(calculo, Conteo):
        return func.sum(case((of_measure(a, calculo), 1), else_=0))
    return func.sum(case((of_measure(a, calculo), getattr(a, calculo.columna)), else_=0))


def counts_per_day(filas: list[Fila], participante_id: int | None, into: PorDia,
                   grano: Grano = POR_DIA) -> PorDia:
    """Counts and sums of actuaciones, per centre and day."""
    a, p = Actuacion, Participante
    day, place = _grain(a.fecha, grano), _place(p, grano)
    statement = (select(a.centro_id.label("centro_id"), day.label("fecha"), *place,
                        *[_sum_measure(a, f.calculo).label(_label(f.codigo)) for f in filas])
                 .where(vigentes(a), a.tipo.in_(sorted({f.calculo.tipo for f in filas})))
                 .group_by(a.centro_id, day, *place))
    if place:
        statement = statement.join(p, p.id == a.participante_id)
    if participante_id is not None:
        statement = statement.where(_of(a.participante_id, participante_id))
    return _per_day(_every_centre(statement), [f.codigo for f in filas], into, grano)


def route_events(participante_id: int | None = None, hasta: date | None = None):
    """Every route entry and desistimiento (not annulled, up to hasta if given) with the fecha of
    the person's next one (`siguiente`, which ends a route entry). Rows 12.x: an entry is active
    as of hasta while no next event (up to hasta) follows it."""
    a = Actuacion
    events = (select(a.id, a.participante_id, a.centro_id, a.tipo, a.categoria, a.fecha,
                     func.lead(a.fecha, type_=a.fecha.type).over(partition_by=a.participante_id,
                                             order_by=(a.fecha, a.id)).label("siguiente"))
              .where(vigentes(a), a.tipo.in_((Tipo.INGRESO_RUTA, Tipo.DESISTIMIENTO))))
    if participante_id is not None:
        events = events.where(_of(a.participante_id, participante_id))
    if hasta is not None:
        events = events.where(a.fecha <= hasta)
    return events


def still_in_route(entry, hasta: date):
    """`entry` (an Actuacion alias: a route entry) is the person's latest route event up to
    hasta: no later ingreso_ruta or desistimiento (in route_events' order: fecha, then id) ends
    it. One by one, what route_events' `siguiente is null` says for all at once."""
    later = aliased(Actuacion)
    return ~exists().where(later.participante_id == entry.participante_id, vigentes(later),
                           later.tipo.in_((Tipo.INGRESO_RUTA, Tipo.DESISTIMIENTO)), later.fecha <= hasta,
                           comes_after(later, entry))


def route_changes_per_day(filas: list[Fila], participante_id: int | None, into: PorDia,
                          grano: Grano = POR_DIA) -> PorDia:
    """Rows 12.x as deltas: +1 the day a person enters a route, -1 on their next ingreso_ruta or
    desistimiento, which ends it; the active count as of a day is the sum of deltas up to it. Both
    deltas belong to the centre that recorded the ingreso_ruta, whichever centre ends it."""
    code_of = {fila.calculo.ruta: fila.codigo for fila in filas}
    events = route_events(participante_id).subquery()
    entries = events.c.tipo == Tipo.INGRESO_RUTA
    p = Participante
    place = _place(p, grano)
    statements = []
    for column, sign, where in ((events.c.fecha, 1, [entries]),
                                (events.c.siguiente, -1, [entries, events.c.siguiente.is_not(None)])):
        day = _grain(column, grano)
        statement = (select(events.c.categoria, day.label("fecha"), events.c.centro_id.label("centro_id"),
                            *place, (sign * func.count()).label("delta"))
                     .where(*where).group_by(events.c.categoria, day, events.c.centro_id, *place))
        if place:
            statement = statement.join(p, p.id == events.c.participante_id)
        statements.append(statement)
    for statement in statements:
        for row in _every_centre(statement):
            key = _key(code_of[row.categoria], row, grano)
            into[key] = into.get(key, 0) + int(row.delta)
    return into


# ---- distinct persons, summarised exactly --------------------------------------------------
# A person counts once in a Personas row of a centre for a period when they have at least one
# actuación of the row's kind there in the period. For each person, row and centre, take the
# months they were active in, and in each such month the first day (`primera`) and the previous
# active month (`previo`). Then the persons active in a period that starts on the first of a month
# are exactly the (person, month) pairs whose `primera` lies in the period and whose `previo` lies
# before it (or is none): each person is counted once, in their first active month of the period.
# These pairs are kept, counted per centre, day of `primera` and `previo`, in the same daily and
# monthly summary under the code "<row>|<previo YYYY-MM>" ("<row>|" for none), so the gate's
# before/after difference, the rebuild and its check cover them as every other summarised row.

SEPARATOR = "|"


def persona_code(codigo: str, previo: str | None) -> str:
    return f"{codigo}{SEPARATOR}{previo or ''}"


def _month_text(column):
    """YYYY-MM of a date column, as text (SQLite keeps dates as ISO text)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)


def person_months_per_day(filas: list[Fila], participante_id: int | None, into: PorDia,
                          grano: Grano = POR_DIA) -> PorDia:
    """Personas rows: per centre and day, how many (person, month) pairs have their first day of
    the month there, keyed by the row and the person's previous active month (see above)."""
    a = Actuacion
    code = case(*[(of_measure(a, f.calculo), literal(f.codigo)) for f in filas], else_=None)
    month = _month_text(a.fecha)
    pairs = (select(code.label("codigo"), a.participante_id, a.centro_id, month.label("mes"),
                    func.min(a.fecha).label("primera"))
             .where(vigentes(a), a.tipo.in_(sorted({f.calculo.tipo for f in filas})))
             .group_by(code, a.participante_id, a.centro_id, month))
    if participante_id is not None:
        pairs = pairs.where(_of(a.participante_id, participante_id))
    pairs = pairs.subquery()
    lagged = select(pairs.c.codigo, pairs.c.centro_id, pairs.c.primera, pairs.c.participante_id,
                    func.lag(pairs.c.mes).over(partition_by=(pairs.c.codigo, pairs.c.participante_id,
                                                             pairs.c.centro_id),
                                               order_by=pairs.c.mes).label("previo")
                    ).where(pairs.c.codigo.is_not(None)).subquery()
    p = Participante
    day, place = _grain(lagged.c.primera, grano), _place(p, grano)
    statement = (select(lagged.c.codigo, lagged.c.centro_id.label("centro_id"), day.label("fecha"), *place,
                        lagged.c.previo, func.count().label("n"))
                 .group_by(lagged.c.codigo, lagged.c.centro_id, day, lagged.c.previo, *place))
    if place:
        statement = statement.join(p, p.id == lagged.c.participante_id)
    for row in _every_centre(statement):
        key = _key(persona_code(row.codigo, row.previo), row, grano)
        into[key] = into.get(key, 0) + int(row.n)
    return into


PER_DAY = ((Enrutados, first_routings_per_day), ((Conteo, Suma), counts_per_day),
           (ActivosRuta, route_changes_per_day), (Personas, person_months_per_day))


def per_day(filas: list[Fila], participante_id=None, grano: Grano = POR_DIA) -> PorDia:
    """What each day (or month) adds to every summarised row, for one participant (an id),
    several (a collection of ids, summed) or everyone (None); by municipio too if asked."""
    into: PorDia = {}
    for kinds, query in PER_DAY:
        own = [fila for fila in filas if isinstance(fila.calculo, kinds)]
        if own:
            query(own, participante_id, into, grano)
    return {key: value for key, value in into.items() if value}


def summarised(filas: list[Fila]) -> list[Fila]:
    return [f for f in filas if isinstance(f.calculo, (*DAILY, ActivosRuta, Personas))]


def _whole_months(desde: date | None, hasta: date) -> tuple[date | None, date, list[tuple[date, date]]]:
    """Splits desde..hasta into whole months [first, limit) and the loose days around them."""
    limit = (hasta + timedelta(days=1)).replace(day=1)
    if desde is None:
        return None, limit, [(limit, hasta)] if limit <= hasta else []
    first = desde if desde.day == 1 else (desde.replace(day=28) + timedelta(days=4)).replace(day=1)
    if first >= limit:
        return first, first, [(desde, hasta)]
    days = [(desde, first - timedelta(days=1))] if desde < first else []
    if limit <= hasta:
        days.append((limit, hasta))
    return first, limit, days


def _sum_summary(codes: list[str], desde: date | None, hasta: date, centro_id: int | None,
                 into: Valores) -> None:
    first, limit, loose_days = _whole_months(desde, hasta)
    parts = []
    if first is None or first < limit:
        m = ResumenMensual
        months = [one_of(m.codigo, codes), m.mes < limit] + ([m.mes >= first] if first else [])
        parts.append((m, and_(*months)))
    for start, end in loose_days:
        parts.append((ResumenDiario, and_(one_of(ResumenDiario.codigo, codes),
                                          ResumenDiario.fecha.between(start, end))))
    for model, condition in parts:
        statement = (select(model.centro_id, model.codigo, func.sum(model.valor).label("valor"))
                     .where(condition).group_by(model.centro_id, model.codigo))
        if centro_id is not None:
            statement = statement.where(model.centro_id == centro_id)
        for centre, code, value in db.session.execute(statement):
            values = into[centre]
            values[code] = values.get(code, 0) + int(value)


def from_summary(filas: list[Fila], desde: date, hasta: date, centro_id: int | None, into: Valores) -> None:
    """Period rows add up desde..hasta; route rows add up every delta up to hasta. Whole months
    come from ResumenMensual, the days around them from ResumenDiario."""
    period = [f.codigo for f in filas if isinstance(f.calculo, DAILY)]
    as_of = [f.codigo for f in filas if isinstance(f.calculo, ActivosRuta)]
    if period:
        _sum_summary(period, desde, hasta, centro_id, into)
    if as_of:
        _sum_summary(as_of, None, hasta, centro_id, into)


def persona_codes(filas: list[Fila], first: date) -> list[str]:
    """The summary codes of the (person, month) pairs that count in a period starting on `first`
    (the first of a month): "<row>|" and "<row>|<each month before first>"."""
    m = ResumenMensual
    none = [persona_code(f.codigo, None) for f in filas]
    earliest = db.session.scalar(select(func.min(m.mes)).where(one_of(m.codigo, none)))
    codes = list(none)
    month = earliest
    while month is not None and month < first.replace(day=1):
        codes += [persona_code(f.codigo, f"{month:%Y-%m}") for f in filas]
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return codes


def persons_from_summary(filas: list[Fila], desde: date, hasta: date, centro_id: int | None,
                         into: Valores) -> None:
    """Personas rows for a period starting on the first of a month, from the summary: the
    (person, month) pairs of the period whose previous active month is before it, named one by
    one ("<row>|", "<row>|<each month before desde>") so the summary's keys are read exactly.
    A row's earliest active month has no previous one ("<row>|"), so no previous month of that
    row is older than the first month stored under "<row>|"."""
    first, limit, loose_days = _whole_months(desde, hasta)
    m, d = ResumenMensual, ResumenDiario
    codes = persona_codes(filas, first)
    parts = []
    if first < limit:
        parts.append((m, [m.mes >= first, m.mes < limit]))
    for start, end in loose_days:
        parts.append((d, [d.fecha.between(start, end)]))
    for model, conditions in parts:
        statement = (select(model.centro_id, model.codigo, func.sum(model.valor))
                     .where(one_of(model.codigo, codes), *conditions).group_by(model.centro_id, model.codigo))
        if centro_id is not None:
            statement = statement.where(model.centro_id == centro_id)
        for centre, code, value in db.session.execute(statement):
            row = code.partition(SEPARATOR)[0]
            values = into[centre]
            values[row] = values.get(row, 0) + int(value)


# column IN values, on PostgreSQL as `= ANY(array)`, one parameter: a long list (the persons rows
# name a summary code per month of history) is then neither rendered bind by bind on every request
# nor a new statement text for the driver to parse each time.
one_of = among


_CENTROS = "tableros_centros"


def centros_de_la_red() -> list[Centro]:
    """Every centre of the network, by name, read once per transaction until it writes (a page
    asks for them for its filter, its per-centre columns and its scans)."""
    kept = db.session.info.get(_CENTROS)
    if kept is None:
        kept = db.session.info[_CENTROS] = list(db.session.scalars(select(Centro).order_by(Centro.nombre)))
    return kept


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_centros(session: Session, *_args) -> None:
    session.info.pop(_CENTROS, None)


def scope_centres(centro_id: int | None) -> list[int]:
    """The scope's centre, or every centre of the network in id order: named even for the
    network, so scans follow the centre-first indexes (and per-centre results split by them)."""
    if centro_id is not None:
        return [centro_id]
    return sorted(centro.id for centro in centros_de_la_red())


def in_period(a, desde: date, hasta: date, centro_id: int | None) -> list:
    """Not-annulled actuaciones of the scope dated desde..hasta."""
    return [one_of(a.centro_id, scope_centres(centro_id)), a.fecha.between(desde, hasta), vigentes(a)]


def distinct_persons(filas: list[Fila], desde: date, hasta: date, centro_id: int | None, into: Valores) -> None:
    """Distinct persons with at least one actuación of a kind in the period.

    One COUNT(DISTINCT) per group (tipo, or tipo and categoria) over the covering index, rather
    than one per row, which would make the database deduplicate every row a dozen times.
    """
    a = Actuacion
    base = in_period(a, desde, hasta, centro_id)
    by_tipo = sorted({f.calculo.tipo for f in filas if f.calculo.categoria is None})
    by_categoria = sorted({f.calculo.tipo for f in filas if f.calculo.categoria is not None})
    categorias = sorted({f.calculo.categoria for f in filas if f.calculo.categoria is not None})
    code_of = {(f.calculo.tipo, f.calculo.categoria): f.codigo for f in filas}
    statements = []
    if by_tipo:
        statements.append(select(a.centro_id, a.tipo, literal(None).label("categoria"),
                                 func.count(func.distinct(a.participante_id)).label("personas"))
                          .where(a.tipo.in_(by_tipo), *base).group_by(a.centro_id, a.tipo))
    if by_categoria:
        statements.append(select(a.centro_id, a.tipo, a.categoria,
                                 func.count(func.distinct(a.participante_id)).label("personas"))
                          .where(a.tipo.in_(by_categoria), a.categoria.in_(categorias), *base)
                          .group_by(a.centro_id, a.tipo, a.categoria))
    for statement in statements:
        for row in db.session.execute(statement):
            code = code_of.get((row.tipo, row.categoria))
            if code:
                into[row.centro_id][code] = int(row.personas)


def vacancies_in_period(desde: date, hasta: date, centro_id: int | None) -> list:
    """Row 9's vacantes: the scope's, dated desde..hasta."""
    return [Vacante.fecha.between(desde, hasta)] + ([Vacante.centro_id == centro_id] if centro_id is not None else [])


def vacancy_cupos(filas: list[Fila], desde: date, hasta: date, centro_id: int | None, into: Valores) -> None:
    """Row 9: cupos of the vacantes dated in the period."""
    statement = (select(Vacante.centro_id, func.sum(Vacante.cupos).label("cupos"))
                 .where(*vacancies_in_period(desde, hasta, centro_id)).group_by(Vacante.centro_id))
    for row in db.session.execute(statement):
        for fila in filas:
            into[row.centro_id][fila.codigo] = int(row.cupos or 0)


def compute(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> Valores:
    """Every SQL-computed row, per centre; derived rows (M5) are left to the caller."""
    values: Valores = defaultdict(dict)
    from_summary(summarised(filas), desde, hasta, centro_id, values)
    personas = [f for f in filas if isinstance(f.calculo, Personas)]
    if personas and desde.day == 1:  # a period from the first of a month: from the summary
        persons_from_summary(personas, desde, hasta, centro_id, values)
    elif personas:
        distinct_persons(personas, desde, hasta, centro_id, values)
    cupos = [f for f in filas if isinstance(f.calculo, CuposVacantes)]
    if cupos:
        vacancy_cupos(cupos, desde, hasta, centro_id, values)
    return values
