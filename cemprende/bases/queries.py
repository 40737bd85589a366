"""The four bases (API.md "Drill-down and bases"): each declares its columns once, in order (a
Spanish header, how to read the value from a row, whether it is sensitive), and reads its rows
as a stream of chunks: one streamed query (a server-side cursor on PostgreSQL) for the rows, and
per chunk one grouped query for what the rows need from the rest of the itinerary. Never a
query per row.

Adding a column is one line in the base's tuple of columns.
"""
from __future__ import annotations

import queue
import threading
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Row, Select, String, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from ..contactos import queries as contactos
from ..exports import csv_line_sql
from ..formatting import dinero, fecha, si_no
from ..itinerario.dia import bogota_date, day_bounds
from ..itinerario.tipos import (
    CLASES_VISITA, PROCESOS, RUTAS, TIPOS, ClaseVisita, Decision, Tipo,
)
from ..models import Actuacion, ActuacionItem, Centro, Participante, Staff
from ..models.actuacion import vigentes
from ..models.participante import (CATEGORIAS_DIFERENCIALES, ETNIAS, SEXOS, TIPOS_DOCUMENTO,
                                   TIPOS_POBLACION, ZONAS)
from ..models.traslado import ESTADOS_CONTACTO

Row = dict[str, Any]


@dataclass(frozen=True)
class Filtro:
    centro_id: int | None  # None: the whole network
    desde: date
    hasta: date

    def to_dict(self) -> dict:
        return {"centro_id": self.centro_id, "desde": self.desde.isoformat(),
                "hasta": self.hasta.isoformat()}


@dataclass(frozen=True)
class Columna:
    titulo: str
    valor: Callable[[Row], Any]
    sensible: bool = False  # Ley 1581 sensitive data: only roles that may see it get the column
    # The same cell computed by the database (labels and DD/MM/AAAA dates as text), for a base
    # that reads its rows ready-made (Base.filas); None for a cell worked out per chunk.
    sql: Any = None
    escrito: bool = True  # text people typed (or may hold it): through safe_cell when written


@dataclass(frozen=True)
class Base:
    nombre: str
    titulo: str
    descripcion: str
    columnas: tuple[Columna, ...]
    lotes: Callable[[Session, Filtro, int], Iterator[list[Row]]]  # rows, a chunk at a time
    contar: Callable[[Session, Filtro], int]
    # Optional: the final cells of the given columns, a chunk of lists at a time, with every
    # column that is not `escrito` already final (labels, numbers, dates as text) so the writer
    # checks only the typed ones. A base of a million rows reads this way.
    filas: Callable[[Session, Filtro, tuple, int], Iterator[list[list]]] | None = None
    # Optional, with `filas`: the same rows, each joined into one text by the database
    # (exports.csv_line_sql), a chunk at a time; and `filas_de`, the final cells of the rows of
    # some ids (the first cell), for a row whose text cannot be split back.
    lineas: Callable[[Session, Filtro, tuple, int], Iterator[list[str]]] | None = None
    filas_de: Callable[[Session, Filtro, tuple, list[str]], list[list]] | None = None


def _field(name: str) -> Callable[[Row], Any]:
    def read(row: Row) -> Any:
        value = row[name]
        return "" if value is None else value
    return read


def _label(name: str, labels: dict) -> Callable[[Row], str]:
    def read(row: Row) -> str:
        value = row[name]
        return "" if value is None else labels.get(value, value)
    return read


def _date(name: str) -> Callable[[Row], str]:
    return lambda row: fecha(row[name])


def _yes_no(name: str) -> Callable[[Row], str]:
    return lambda row: si_no(row[name])


def _sensitive_label(name: str, labels: dict) -> Callable[[Row], str]:
    """A sensitive category: "Sin información" when unknown, never guessed."""
    def read(row: Row) -> str:
        value = row[name]
        return "Sin información" if value is None else labels.get(value, value)
    return read


class dia_texto(FunctionElement):
    """A date as DD/MM/AAAA text (formatting.fecha), computed by the database."""

    type = String()
    inherit_cache = True


@compiles(dia_texto, "postgresql")
def _dia_texto_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'DD/MM/YYYY')"


@compiles(dia_texto)
def _dia_texto_default(element, compiler, **kw):
    return f"strftime('%d/%m/%Y', {compiler.process(element.clauses, **kw)})"


def _sql_text(column):
    """_field in SQL: the value, empty when unknown."""
    return func.coalesce(column, "")


def _sql_label(column, labels: dict, missing: str = ""):
    """_label (or _sensitive_label, with missing="Sin información") in SQL."""
    labelled = case(labels, value=column, else_=column) if labels else column
    return func.coalesce(labelled, missing)


def _sql_yes_no(column):
    """formatting.si_no in SQL."""
    return case((column.is_(True), "Sí"), (column.is_(False), "No"), else_="Sin información")


def _sql_date(column):
    """_date in SQL."""
    return func.coalesce(dia_texto(column), "")


# ---- the person's columns, shared by the bases that name a person ------------------------------

PERSONA = (
    Columna("Centro", _field("centro"), sql=_sql_text(Centro.nombre)),
    Columna("Tipo de documento", _label("tipo_documento", TIPOS_DOCUMENTO),
            sql=_sql_label(Participante.tipo_documento, TIPOS_DOCUMENTO), escrito=False),
    Columna("Número de documento", _field("numero_documento"),
            sql=_sql_text(Participante.numero_documento)),
    Columna("Nombres", _field("nombres"), sql=_sql_text(Participante.nombres)),
    Columna("Apellidos", _field("apellidos"), sql=_sql_text(Participante.apellidos)),
)
PERSONA_COLUMNAS = (Centro.nombre.label("centro"), Participante.tipo_documento,
                    Participante.numero_documento, Participante.nombres, Participante.apellidos)

# The differential categories (sensitive). A new category is one line here and a column in
# PARTICIPANTE_COLUMNAS below.
SIN_INFORMACION = "Sin información"
SENSIBLES = (
    Columna("Etnia", _sensitive_label("etnia", ETNIAS), sensible=True,
            sql=_sql_label(Participante.etnia, ETNIAS, SIN_INFORMACION), escrito=False),
    Columna("Discapacidad", _yes_no("discapacidad"), sensible=True,
            sql=_sql_yes_no(Participante.discapacidad), escrito=False),
    Columna("Desplazamiento", _yes_no("desplazamiento"), sensible=True,
            sql=_sql_yes_no(Participante.desplazamiento), escrito=False),
    *(Columna(label, _yes_no(name), sensible=True,
              sql=_sql_yes_no(getattr(Participante, name)), escrito=False)
      for name, label in CATEGORIAS_DIFERENCIALES.items()),
)
SENSIBLES_COLUMNAS = (Participante.etnia, Participante.discapacidad, Participante.desplazamiento,
                      *(getattr(Participante, name) for name in CATEGORIAS_DIFERENCIALES))


def _stream(session: Session, statement: Select, size: int) -> Iterator[list[dict]]:
    """The statement's rows as dicts, a chunk at a time (see _stream_tuples)."""
    for rows in _stream_tuples(session, statement, size):
        yield [row._asdict() for row in rows]


FIRST_CHUNK = 200


def _read(session: Session, statement):
    """The statement on the session's connection for it: the replica's in a read from the
    replica (lectura.py), the primary's otherwise (Core rows: no ORM bookkeeping per row)."""
    return session.connection(bind_arguments={"clause": statement}).execute(statement)


def _stream_tuples(session: Session, statement: Select, size: int) -> Iterator[list[Row]]:
    """The statement's rows a chunk at a time, read through a server-side cursor (Core rows: no
    ORM bookkeeping per row). The first chunk is small, so the first bytes go out soon."""
    # Options on the statement, not the connection: later statements of the same connection
    # (the audit entry) must not run through a server-side cursor.
    connection = session.connection(bind_arguments={"clause": statement})
    if connection.dialect.name == "postgresql":
        # PostgreSQL would compile a base's query (its cost runs to millions) before its first
        # row: about a second of JIT for index lookups that gain nothing from it. Off for the
        # rest of this transaction only.
        connection.exec_driver_sql("SET LOCAL jit = off")
    with _read_once(connection):
        result = connection.execute(
            statement.execution_options(stream_results=True, yield_per=size))
        try:
            yield from _fetched_ahead(result, size)
        finally:
            result.close()


SCAN_CACHE_KIB = 8192


@contextmanager
def _read_once(connection):
    """A read over a base on SQLite reads its pages once: a small page cache for it, emptied
    after. The connection's 64 MiB cache (for the tableros) would otherwise fill with them and
    stay filled in the pool, one per connection that read a base."""
    if connection.dialect.name != "sqlite":
        yield
        return
    size = int(connection.exec_driver_sql("PRAGMA cache_size").scalar())
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SCAN_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={size}")
        connection.exec_driver_sql("PRAGMA shrink_memory")


def _fetched_ahead(result, size: int) -> Iterator[list[Row]]:
    """The result's rows a chunk at a time, the first one small, fetched by a thread of their
    own one chunk ahead: the database works out the next chunk (PostgreSQL in its process,
    SQLite in C without the GIL) while the caller writes this one, instead of each waiting for
    the other. Only that thread touches the result until it ends; leaving early stops it."""
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def fetch() -> None:
        try:
            count = min(size, FIRST_CHUNK)
            while not stop.is_set():
                rows = result.fetchmany(count)
                count = size
                ahead.put(rows)
                if not rows:
                    return
        except BaseException as error:  # handed to the reader, raised there
            ahead.put(error)

    thread = threading.Thread(target=fetch, name="bases-fetch", daemon=True)
    thread.start()
    try:
        while True:
            rows = ahead.get()
            if isinstance(rows, BaseException):
                raise rows
            if not rows:
                return
            yield rows
    finally:
        stop.set()
        while thread.is_alive():  # a put waiting for room: take it
            try:
                ahead.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


def _count(session: Session, statement: Select) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    connection = session.connection(bind_arguments={"clause": counted})
    with _read_once(connection):
        return connection.execute(counted).scalar_one()


def _first_dates(session: Session, ids: list[int], tipos: tuple[str, ...], hasta: date) -> dict[tuple[int, str], date]:
    """(person, tipo) → date of the first valid actuación of that tipo up to `hasta`: one query."""
    rows = _read(session,
        select(Actuacion.participante_id, Actuacion.tipo, func.min(Actuacion.fecha))
        .where(Actuacion.participante_id.in_(ids), Actuacion.tipo.in_(tipos), vigentes(),
               Actuacion.fecha <= hasta)
        .group_by(Actuacion.participante_id, Actuacion.tipo))
    return {(person, tipo): first for person, tipo, first in rows}


# ---- participantes ------------------------------------------------------------------------------

def _participantes_select(f: Filtro, columns: tuple | None = None, centre: bool = True) -> Select:
    """The people of the base; `columns` (their cells computed by the database) instead of the
    raw values the Python readers take; without `centre`, only their ids and no join with the
    centre (every person has one: the count, which SQLite would otherwise read centre by centre,
    several times slower)."""
    p = Participante
    start, end = day_bounds(f.desde, f.hasta)
    active = exists().where(Actuacion.participante_id == p.id, vigentes(),
                            Actuacion.fecha >= f.desde, Actuacion.fecha <= f.hasta)
    given = columns is not None
    if columns is None:
        columns = (*PERSONA_COLUMNAS, p.sexo, p.fecha_nacimiento, p.municipio,
                   p.municipio_oficial, p.subregion, p.zona, p.telefono, p.correo, p.tipo_poblacion,
                   p.remitido_dps, p.programa_dps, *SENSIBLES_COLUMNAS, p.creado_en)
    # The cells alone when given (the first is the person's id); the raw values after the id.
    statement = select(*columns) if given else select(p.id, *columns) if centre else select(p.id)
    if centre:
        statement = statement.select_from(p).join(Centro, Centro.id == p.centro_id)
    statement = (statement.where(or_(and_(p.creado_en >= start, p.creado_en < end), active))
                 .order_by(p.id))
    if f.centro_id is not None:
        statement = statement.where(p.centro_id == f.centro_id)
    return statement


ROUTE_EVENTS = (Tipo.INGRESO_RUTA, Tipo.DESISTIMIENTO)
FIRSTS = (Tipo.CARACTERIZACION, Tipo.ENRUTAMIENTO)


def _itinerary_events(session: Session, chunk: list[Row], key: str, tipos: tuple[str, ...],
                      hasta: date) -> dict[int, list[tuple]]:
    """Person → their valid actuaciones of `tipos` up to `hasta`, as (fecha, id, tipo, categoria)
    in itinerary order: one query per chunk, over the chunk's id range (the streams are ordered by
    person or by a key that follows it closely, so the range is tight)."""
    return _events_of(session, {row[key] for row in chunk}, tipos, hasta)


def _events_of(session: Session, ids: set[int], tipos: tuple[str, ...],
               hasta: date) -> dict[int, list[tuple]]:
    found = _read(session,
        select(Actuacion.participante_id, Actuacion.fecha, Actuacion.id, Actuacion.tipo,
               Actuacion.categoria)
        .where(Actuacion.participante_id >= min(ids), Actuacion.participante_id <= max(ids),
               Actuacion.tipo.in_(tipos), vigentes(), Actuacion.fecha <= hasta)
        .order_by(Actuacion.participante_id, Actuacion.fecha, Actuacion.id)
        ).all()  # at once: a fetch per row costs more than the rows themselves
    events: dict[int, list[tuple]] = {}
    for person, day, actuacion_id, tipo, categoria in found:
        if person in ids:
            events.setdefault(person, []).append((day, actuacion_id, tipo, categoria))
    return events


def _firsts_and_route(events: list[tuple]) -> tuple[date | None, date | None, str | None]:
    """First caracterización, first enrutamiento, and the current route: the latest ingreso_ruta
    not followed by a desistimiento (events in itinerary order)."""
    caracterizacion = enrutamiento = ruta = None
    for day, _, tipo, categoria in events:
        if tipo == Tipo.CARACTERIZACION:
            caracterizacion = caracterizacion or day
        elif tipo == Tipo.ENRUTAMIENTO:
            enrutamiento = enrutamiento or day
        elif tipo == Tipo.INGRESO_RUTA:
            ruta = categoria
        elif tipo == Tipo.DESISTIMIENTO:
            ruta = None
    return caracterizacion, enrutamiento, ruta


def _participantes_lotes(session: Session, f: Filtro, size: int) -> Iterator[list[Row]]:
    for chunk in _stream(session, _participantes_select(f), size):
        events = _itinerary_events(session, chunk, "id", FIRSTS + ROUTE_EVENTS, f.hasta)
        for row in chunk:
            (row["primera_caracterizacion"], row["primer_enrutamiento"],
             row["ruta"]) = _firsts_and_route(events.get(row["id"], ()))
        yield chunk


def _participantes_filas(session: Session, f: Filtro, columnas: tuple[Columna, ...],
                         size: int) -> Iterator[list[list]]:
    """The base's final cells, every one computed by the database in one streamed query (the
    first dates and the current route by correlated lookups on the person's actuaciones, over
    the index that starts with the person; for the whole network on PostgreSQL, by the
    actuaciones grouped by person and merged in person order)."""
    # The rows as they come (tuples): the writers read them, quote_formulas copies a row it
    # changes.
    yield from _stream_tuples(session, _participantes_cells(session, f, columnas), size)


def _participantes_lineas(session: Session, f: Filtro, columnas: tuple[Columna, ...],
                          size: int) -> Iterator[list[str]]:
    """_participantes_filas, each row joined into one text by the database."""
    statement = _participantes_cells(session, f, columnas, joined=True)
    for rows in _stream_tuples(session, statement, size):
        yield [row[0] for row in rows]


def _participantes_filas_de(session: Session, f: Filtro, columnas: tuple[Columna, ...],
                            ids: list[str]) -> list[list]:
    """The final cells of the given people's rows, in the base's order, on a connection of
    their own: the session's is being read by the stream's fetching thread."""
    statement = _participantes_cells(session, f, columnas).where(
        Participante.id.in_([int(i) for i in ids]))
    engine = session.connection(bind_arguments={"clause": statement}).engine
    with engine.connect() as connection:
        return [list(row) for row in connection.execute(statement)]


def _participantes_cells(session: Session, f: Filtro, columnas: tuple[Columna, ...],
                         joined: bool = False) -> Select:
    """The statement of _participantes_filas (of _participantes_lineas when `joined`)."""
    if any(c.sql is None for c in columnas):
        raise ValueError("Every column of a base read as final cells declares its SQL.")
    cells = tuple(c.sql for c in columnas)
    events = None
    dialect = session.get_bind(clause=Participante.__table__).dialect.name
    if f.centro_id is None and dialect == "postgresql":
        # The whole network on PostgreSQL: the itinerary's dates and route of everyone in one
        # pass over the actuaciones grouped by person (merged in person order), instead of
        # three lookups per person (about a third less work for the database). One centre, or
        # SQLite (no ordered aggregate; a grouped pass by a sortable key measured no faster there
        # and held more memory), keeps the lookups.
        events = _itinerary_grouped()
        by_cell = {id(FIRST_CARACTERIZACION): _sql_date(events.c.caracterizacion),
                   id(FIRST_ENRUTAMIENTO): _sql_date(events.c.enrutamiento),
                   id(CURRENT_ROUTE): func.coalesce(events.c.ruta, "")}
        cells = tuple(by_cell.get(id(cell), cell) for cell in cells)
    if joined:
        cells = (csv_line_sql(cells),)
    statement = _participantes_select(f, cells)
    if events is not None:
        statement = statement.outerjoin(events, events.c.participante_id == Participante.id)
    return statement.params(bases_hasta=f.hasta)


HASTA = bindparam("bases_hasta", type_=Date)  # the filter's cut date, given at execution


def _sql_first(tipo: str):
    """The date of the person's first valid actuación of `tipo` up to the cut, as text."""
    a = aliased(Actuacion)
    return _sql_date(select(func.min(a.fecha))
                     .where(a.participante_id == Participante.id, a.tipo == tipo, vigentes(a),
                            a.fecha <= HASTA)
                     .correlate(Participante).scalar_subquery())


def _sql_route():
    """The current route as of the cut: the categoria of the latest ingreso_ruta, unless a
    desistimiento follows it (itinerary order: fecha, then id), as its label."""
    a = aliased(Actuacion)
    # The label inside the lookup: a CASE around it would make the database run it twice.
    latest = (select(case((a.tipo == Tipo.INGRESO_RUTA,
                           case(RUTAS, value=a.categoria, else_=a.categoria))))
              .where(a.participante_id == Participante.id, a.tipo.in_(ROUTE_EVENTS), vigentes(a),
                     a.fecha <= HASTA)
              .order_by(a.fecha.desc(), a.id.desc()).limit(1)
              .correlate(Participante).scalar_subquery())
    return func.coalesce(latest, "")


def _itinerary_grouped():
    """Per person with valid actuaciones of the four tipos up to the cut: the first
    caracterización and enrutamiento dates and the current route's label (_sql_first and
    _sql_route, grouped; PostgreSQL)."""
    a = aliased(Actuacion)
    route = case((a.tipo == Tipo.INGRESO_RUTA, case(RUTAS, value=a.categoria, else_=a.categoria)))
    first = func.min(a.fecha)
    return (select(a.participante_id,
                   first.filter(a.tipo == Tipo.CARACTERIZACION).label("caracterizacion"),
                   first.filter(a.tipo == Tipo.ENRUTAMIENTO).label("enrutamiento"),
                   array_agg(aggregate_order_by(route, a.fecha.desc(), a.id.desc()))
                   .filter(a.tipo.in_(ROUTE_EVENTS))[1].label("ruta"))
            .where(a.tipo.in_(FIRSTS + ROUTE_EVENTS), vigentes(a), a.fecha <= HASTA)
            .group_by(a.participante_id)
            .subquery("itinerario"))


FIRST_CARACTERIZACION = _sql_first(Tipo.CARACTERIZACION)
FIRST_ENRUTAMIENTO = _sql_first(Tipo.ENRUTAMIENTO)
CURRENT_ROUTE = _sql_route()

p_ = Participante
PARTICIPANTES = Base(
    "participantes", "Participantes",
    "Una fila por persona del centro con alguna actuación en el periodo o registrada en él.",
    (
        Columna("ID participante", _field("id"), sql=p_.id, escrito=False),
        *PERSONA,
        Columna("Sexo", _sensitive_label("sexo", SEXOS),
                sql=_sql_label(p_.sexo, SEXOS, SIN_INFORMACION), escrito=False),
        Columna("Fecha de nacimiento", _date("fecha_nacimiento"),
                sql=_sql_date(p_.fecha_nacimiento), escrito=False),
        Columna("Municipio", _field("municipio"), sql=_sql_text(p_.municipio)),
        Columna("Municipio (catálogo)", _sensitive_label("municipio_oficial", {}),
                sql=_sql_label(p_.municipio_oficial, {}, SIN_INFORMACION)),
        Columna("Subregión", _sensitive_label("subregion", {}),
                sql=_sql_label(p_.subregion, {}, SIN_INFORMACION)),
        Columna("Zona", _sensitive_label("zona", ZONAS),
                sql=_sql_label(p_.zona, ZONAS, SIN_INFORMACION), escrito=False),
        Columna("Teléfono", _field("telefono"), sql=_sql_text(p_.telefono)),
        Columna("Correo", _field("correo"), sql=_sql_text(p_.correo)),
        Columna("Tipo de población", _sensitive_label("tipo_poblacion", TIPOS_POBLACION),
                sql=_sql_label(p_.tipo_poblacion, TIPOS_POBLACION, SIN_INFORMACION), escrito=False),
        Columna("Remitido por DPS", _yes_no("remitido_dps"), sql=_sql_yes_no(p_.remitido_dps),
                escrito=False),
        Columna("Programa DPS", _field("programa_dps"), sql=_sql_text(p_.programa_dps)),
        *SENSIBLES,
        Columna("Fecha de registro", _date("creado_en"), sql=_sql_date(bogota_date(p_.creado_en)),
                escrito=False),
        Columna("Primera caracterización", _date("primera_caracterizacion"),
                sql=FIRST_CARACTERIZACION, escrito=False),
        Columna("Primer enrutamiento", _date("primer_enrutamiento"),
                sql=FIRST_ENRUTAMIENTO, escrito=False),
        Columna("Ruta actual", _label("ruta", RUTAS), sql=CURRENT_ROUTE, escrito=False),
    ),
    _participantes_lotes,
    lambda session, f: _count(session, _participantes_select(f, centre=False)),
    _participantes_filas,
    _participantes_lineas,
    _participantes_filas_de,
)


# ---- actuaciones --------------------------------------------------------------------------------

def _actuaciones_select(f: Filtro, tipos: tuple[str, ...] | None = None) -> Select:
    a = Actuacion
    statement = (
        select(a.id, *PERSONA_COLUMNAS, a.participante_id, a.tipo, a.fecha, a.categoria, a.valor,
               a.vacante_id, a.autoempleos, a.directos, a.datos, a.creado_en,
               Staff.nombre.label("asesor"))
        .join(Participante, Participante.id == a.participante_id)
        .join(Centro, Centro.id == a.centro_id)
        .join(Staff, Staff.id == a.asesor_id)
        .where(vigentes(), a.fecha >= f.desde, a.fecha <= f.hasta)
        .order_by(a.id))
    if tipos:
        statement = statement.where(a.tipo.in_(tipos))
    if f.centro_id is not None:
        statement = statement.where(a.centro_id == f.centro_id)
    return statement


CON_ITEMS = tuple(nombre for nombre, tipo in TIPOS.items() if tipo.admite_items)


def _item_text(descripcion: str, cantidad: int, precio: int) -> str:
    return f"{descripcion} × {cantidad} @ {dinero(precio)}"


def _actuaciones_lotes(session: Session, f: Filtro, size: int) -> Iterator[list[Row]]:
    for chunk in _stream(session, _actuaciones_select(f), size):
        with_items = [row["id"] for row in chunk if row["tipo"] in CON_ITEMS]
        items: dict[int, list[str]] = {}
        if with_items:
            found = _read(session,
                select(ActuacionItem.actuacion_id, ActuacionItem.descripcion,
                       ActuacionItem.cantidad, ActuacionItem.precio_unitario)
                .where(ActuacionItem.actuacion_id.in_(with_items)).order_by(ActuacionItem.id))
            for actuacion_id, descripcion, cantidad, precio in found:
                items.setdefault(actuacion_id, []).append(_item_text(descripcion, cantidad, precio))
        for row in chunk:
            row["items"] = "; ".join(items.get(row["id"], ()))
        yield chunk


def _campo(nombre: str) -> Callable[[Row], Any]:
    """The value of the tipo's field `nombre`, as its label says; empty where it does not apply."""
    def read(row: Row) -> Any:
        definicion = TIPOS[row["tipo"]].campo(nombre)
        if definicion is None:
            return ""
        raw = (row["datos"] or {}).get(nombre) if definicion.columna == "datos" else row[definicion.columna]
        if raw is None:
            return ""
        if definicion.opciones:
            return definicion.opciones.get(raw, raw)
        return raw
    return read


def _campos() -> tuple[Columna, ...]:
    """One column per field name of any tipo, in the order the tipos declare them."""
    seen: dict[str, str] = {}
    for tipo in TIPOS.values():
        for campo in tipo.campos:
            seen.setdefault(campo.nombre, campo.etiqueta)
    return tuple(Columna(etiqueta, _campo(nombre)) for nombre, etiqueta in seen.items())


ACTUACIONES = Base(
    "actuaciones", "Actuaciones",
    "Una fila por actuación no anulada del periodo, con los campos de cada tipo y sus ítems.",
    (
        Columna("ID actuación", _field("id")),
        Columna("ID participante", _field("participante_id")),
        *PERSONA,
        Columna("Proceso", lambda row: PROCESOS[TIPOS[row["tipo"]].proceso]),
        Columna("Tipo de actuación", lambda row: TIPOS[row["tipo"]].etiqueta),
        Columna("Fecha", _date("fecha")),
        Columna("Asesor(a)", _field("asesor")),
        Columna("Registrada el", _date("creado_en")),
        *_campos(),
        Columna("Ítems", _field("items")),
    ),
    _actuaciones_lotes,
    lambda session, f: _count(session, _actuaciones_select(f)),
)


# ---- remisiones_dps -----------------------------------------------------------------------------

def _remisiones_select(f: Filtro) -> Select:
    p = Participante
    statement = (
        select(Actuacion.id, Actuacion.participante_id, Actuacion.fecha, Actuacion.datos,
               *PERSONA_COLUMNAS, p.sexo, p.municipio, p.telefono, p.correo, *SENSIBLES_COLUMNAS)
        .join(p, p.id == Actuacion.participante_id)
        .join(Centro, Centro.id == Actuacion.centro_id)
        .where(Actuacion.tipo == Tipo.REMISION_DPS, vigentes(),
               Actuacion.fecha >= f.desde, Actuacion.fecha <= f.hasta)
        .order_by(Actuacion.id))
    if f.centro_id is not None:
        statement = statement.where(Actuacion.centro_id == f.centro_id)
    return statement


def estado_contacto(row: Row) -> str:
    """The person's contact state (API.md "Importaciones"), its Spanish label."""
    return ESTADOS_CONTACTO[row.get("estado_contacto") or "pendiente"]


def _remisiones_lotes(session: Session, f: Filtro, size: int) -> Iterator[list[Row]]:
    for chunk in _stream(session, _remisiones_select(f), size):
        people = [row["participante_id"] for row in chunk]
        firsts = _first_dates(session, people, FIRSTS, f.hasta)
        states = dict(session.execute(contactos.results_in_order(people)).all())
        for row in chunk:
            row["estado_contacto"] = states.get(row["participante_id"])
            row["programa"] = (row["datos"] or {}).get("programa")
            row["primera_caracterizacion"] = firsts.get((row["participante_id"], Tipo.CARACTERIZACION))
            row["primer_enrutamiento"] = firsts.get((row["participante_id"], Tipo.ENRUTAMIENTO))
        yield chunk


REMISIONES_DPS = Base(
    "remisiones_dps", "Remisiones DPS",
    "Una fila por remisión del DPS del periodo, con su estado de contacto.",
    (
        Columna("ID participante", _field("participante_id")),
        *PERSONA,
        Columna("Sexo", _sensitive_label("sexo", SEXOS)),
        Columna("Municipio", _field("municipio")),
        Columna("Teléfono", _field("telefono")),
        Columna("Correo", _field("correo")),
        *SENSIBLES,
        Columna("Fecha de remisión", _date("fecha")),
        Columna("Programa DPS", _field("programa")),
        Columna("Estado de contacto", estado_contacto),
        Columna("Primera caracterización", _date("primera_caracterizacion")),
        Columna("Primer enrutamiento", _date("primer_enrutamiento")),
    ),
    _remisiones_lotes,
    lambda session, f: _count(session, _remisiones_select(f)),
)


# ---- capitalizacion -----------------------------------------------------------------------------

def _capitalizacion_select(f: Filtro) -> Select:
    statement = (
        select(Actuacion.id, Actuacion.participante_id, Actuacion.fecha, Actuacion.valor,
               Actuacion.datos, *PERSONA_COLUMNAS)
        .join(Participante, Participante.id == Actuacion.participante_id)
        .join(Centro, Centro.id == Actuacion.centro_id)
        .where(Actuacion.tipo == Tipo.COMITE, Actuacion.categoria == Decision.APROBADO, vigentes(),
               Actuacion.fecha >= f.desde, Actuacion.fecha <= f.hasta)
        .order_by(Actuacion.id))
    if f.centro_id is not None:
        statement = statement.where(Actuacion.centro_id == f.centro_id)
    return statement


def _capitalizacion_lotes(session: Session, f: Filtro, size: int) -> Iterator[list[Row]]:
    """What followed each approval up to the cut date and before the person's next approval
    (the measure of microfinanciamiento.reglas.approval): deliveries, suppliers, follow-up visits."""
    for chunk in _stream(session, _capitalizacion_select(f), size):
        ids = {row["participante_id"] for row in chunk}
        events: dict[int, list[tuple]] = {}
        found = _read(session,
            select(Actuacion.participante_id, Actuacion.fecha, Actuacion.id, Actuacion.tipo,
                   Actuacion.valor, Actuacion.datos)
            .where(Actuacion.participante_id.in_(ids), vigentes(), Actuacion.fecha <= f.hasta,
                   or_(and_(Actuacion.tipo == Tipo.COMITE, Actuacion.categoria == Decision.APROBADO),
                       Actuacion.tipo == Tipo.DESEMBOLSO,
                       and_(Actuacion.tipo == Tipo.VISITA_ACOMPANAMIENTO,
                            Actuacion.categoria == ClaseVisita.SEGUIMIENTO)))
            .order_by(Actuacion.participante_id, Actuacion.fecha, Actuacion.id))
        for person, day, actuacion_id, tipo, valor, datos in found:
            events.setdefault(person, []).append(((day, actuacion_id), tipo, valor, datos or {}))
        for row in chunk:
            key = (row["fecha"], row["id"])
            entregas, visitas, proveedores = [], [], []
            for when, tipo, valor, datos in events.get(row["participante_id"], ()):
                if when <= key:
                    continue
                if tipo == Tipo.COMITE:
                    break  # the next approval: what follows belongs to it
                if tipo == Tipo.DESEMBOLSO:
                    entregas.append((when[0], valor or 0))
                    supplier = datos.get("proveedor")
                    if supplier and supplier not in proveedores:
                        proveedores.append(supplier)
                else:
                    visitas.append(when[0])
            entregado = sum(valor for _, valor in entregas)
            row.update(
                acta=(row["datos"] or {}).get("acta"), valor_entregado=entregado,
                pendiente=max((row["valor"] or 0) - entregado, 0), entregas=len(entregas),
                proveedores="; ".join(proveedores),
                primera_entrega=entregas[0][0] if entregas else None,
                ultima_entrega=entregas[-1][0] if entregas else None,
                visitas=len(visitas), ultima_visita=visitas[-1] if visitas else None)
        yield chunk


CAPITALIZACION = Base(
    "capitalizacion", "Capitalización",
    "Una fila por aprobación del Comité de Asignación en el periodo: valor aprobado y entregado, "
    "proveedores y visitas de seguimiento hasta la fecha de corte.",
    (
        Columna("ID participante", _field("participante_id")),
        *PERSONA,
        Columna("Fecha del comité", _date("fecha")),
        Columna("Acta", _field("acta")),
        Columna("Valor aprobado", _field("valor")),
        Columna("Valor entregado", _field("valor_entregado")),
        Columna("Pendiente por entregar", _field("pendiente")),
        Columna("Entregas", _field("entregas")),
        Columna("Proveedor(es)", _field("proveedores")),
        Columna("Primera entrega", _date("primera_entrega")),
        Columna("Última entrega", _date("ultima_entrega")),
        Columna(f"Visitas de {CLASES_VISITA[ClaseVisita.SEGUIMIENTO].lower()}", _field("visitas")),
        Columna("Última visita de seguimiento", _date("ultima_visita")),
    ),
    _capitalizacion_lotes,
    lambda session, f: _count(session, _capitalizacion_select(f)),
)


BASES: dict[str, Base] = {b.nombre: b for b in (PARTICIPANTES, ACTUACIONES, REMISIONES_DPS,
                                                  CAPITALIZACION)}
