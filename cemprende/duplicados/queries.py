"""The detection: pairs of people that are likely the same person, found by grouping on keys.

Never a comparison of every pair: people with the same name key (the accent-free "nombres
apellidos" of registration) and birth date but different documents, and the same document number
under two types (a TI that became a CC at 18), are indexed joins. Documents one digit apart (a
digit changed, added or left out) under the same name key are found by grouping each person's
name key with their document and with every document one character shorter that theirs contains:
two such documents always share one of these keys, so the database groups some eight keys per
person and Python only confirms the few groups of more than one person (joining the people who
share a name compared every pair of them: 60.6 s at 1M people on SQLite, 11.1 s now).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import combinations

from sqlalchemy import Integer, String, and_, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Participante
from ..scoping import ALL_CENTRES_OPTION

ALL = {ALL_CENTRES_OPTION: True}
ID_BATCH = 5_000  # ids per IN list, under SQLite's variable limit
SORT_CACHE_KIB = 2048

Pair = tuple[int, int, str]  # (lower id, higher id, razon)


def _people_pairs():
    p1, p2 = aliased(Participante), aliased(Participante)
    return p1, p2


def same_name_and_birth() -> Iterator[Pair]:
    p1, p2 = _people_pairs()
    rows = db.session.execute(
        select(p1.id, p2.id)
        .join(p2, and_(p2.nombre_busqueda == p1.nombre_busqueda,
                       p2.fecha_nacimiento == p1.fecha_nacimiento, p2.id > p1.id))
        .where(or_(p2.numero_documento != p1.numero_documento,
                   p2.tipo_documento != p1.tipo_documento))
        .execution_options(**ALL))
    for a, b in rows:
        yield a, b, "nombre_fecha"


def same_number_other_type() -> Iterator[Pair]:
    p1, p2 = _people_pairs()
    rows = db.session.execute(
        select(p1.id, p2.id, p1.tipo_documento, p2.tipo_documento)
        .join(p2, and_(p2.numero_documento == p1.numero_documento, p2.id > p1.id))
        .where(p2.tipo_documento != p1.tipo_documento)
        .execution_options(**ALL))
    for a, b, tipo_a, tipo_b in rows:
        yield a, b, "ti_a_cc" if {tipo_a, tipo_b} == {"TI", "CC"} else "mismo_numero"


def one_digit_apart(first: str, second: str) -> bool:
    """One digit changed, added or left out."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        return sum(x != y for x, y in zip(first, second)) == 1
    shorter, longer = sorted((first, second), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _positions(longest: int):
    """0 .. longest - 1, as a table to join the people with."""
    return union_all(*(select(literal(i, Integer).label("i")) for i in range(longest))).subquery()


def _document_keys(longest: int):
    """Per person, their name key with their document and with each document one character
    shorter (theirs with one character left out): two documents one digit apart share one of
    these. Leaving out any character of a run of equal ones gives the same document, so only
    the first of each run is left out and no person holds a key twice."""
    doc, positions = Participante.numero_documento, _positions(longest)
    position = positions.c.i

    def part(*args):
        return func.substr(doc, *args, type_=String)

    own = (select(Participante.nombre_busqueda.label("nombre"), doc.label("clave"),
                  Participante.id.label("id"))
           .where(func.length(doc) < longest))  # the longest is never the shorter of a pair
    shorter = (select(Participante.nombre_busqueda, part(1, position) + part(position + 2),
                      Participante.id)
               .join(positions, position < func.length(doc))
               .where(or_(position == 0, part(position, 1) != part(position + 1, 1))))
    return union_all(own, shorter).subquery("claves")


def _shared_keys() -> Iterator[list[int]]:
    """The ids of the people holding each key held by more than one person."""
    longest = db.session.scalar(select(func.max(func.length(Participante.numero_documento)))
                                .execution_options(**ALL))
    if not longest:
        return
    keys = _document_keys(longest)
    with _sorted_in_files(db.session.connection()):
        rows = db.session.execute(
            select(func.aggregate_strings(cast(keys.c.id, String), ","))
            .group_by(keys.c.nombre, keys.c.clave).having(func.count() > 1)
            .execution_options(**ALL)).all()
    for ids, in rows:
        yield sorted(int(i) for i in ids.split(","))


@contextmanager
def _sorted_in_files(connection):
    """SQLite sorts the keys (some eight per person) in temporary files with a small page cache:
    its sort of a million people's keys takes 10 s of CPU so, 24 s with the connection's own
    in-memory temporary storage and 64 MiB cache (set for the tableros' small sorts). SQLite
    refuses to change the temporary storage inside a transaction: there it keeps its own."""
    if connection.dialect.name != "sqlite" or connection.connection.dbapi_connection.in_transaction:
        yield
        return
    store = connection.exec_driver_sql("PRAGMA temp_store").scalar()
    size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA temp_store=FILE")
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA temp_store={int(store)}")
        connection.exec_driver_sql(f"PRAGMA cache_size={int(size)}")
        connection.exec_driver_sql("PRAGMA shrink_memory")


def _documents(ids: set[int]) -> dict[int, str]:
    ordered, found = sorted(ids), {}
    for start in range(0, len(ordered), ID_BATCH):
        found.update(db.session.execute(
            select(Participante.id, Participante.numero_documento)
            .where(Participante.id.in_(ordered[start:start + ID_BATCH])).execution_options(**ALL)
        ).all())
    return found


def one_digit_documents() -> Iterator[Pair]:
    groups = list(_shared_keys())
    documents = _documents({i for ids in groups for i in ids})
    seen: set[tuple[int, int]] = set()
    for ids in groups:
        for a, b in combinations(ids, 2):
            if (a, b) not in seen and one_digit_apart(documents[a], documents[b]):
                seen.add((a, b))
                yield a, b, "un_digito"


def likely_pairs() -> dict[tuple[int, int], str]:
    """Every pair with its first reason (birth date and name weigh most, then the document)."""
    pairs: dict[tuple[int, int], str] = {}
    for finder in (same_name_and_birth, same_number_other_type, one_digit_documents):
        for a, b, razon in finder():
            pairs.setdefault((a, b), razon)
    return pairs
