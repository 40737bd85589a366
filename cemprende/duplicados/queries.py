"""The detection: pairs of people that are likely the same person, found through indexes.

Three joins, never a comparison of every pair: people with the same name key (the accent-free
"nombres apellidos" of registration) and birth date but different documents; the same document
number under two types (a TI that became a CC at 18); people with the same name key whose
documents differ by one digit (a typo). For the last, two documents one edit apart share their
first half or their second half, so the join asks for that in SQL and Python only confirms the
few pairs it returns.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Integer, and_, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Participante
from ..scoping import ALL_CENTRES_OPTION

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
        .execution_options(**{ALL_CENTRES_OPTION: True}))
    for a, b in rows:
        yield a, b, "nombre_fecha"


def same_number_other_type() -> Iterator[Pair]:
    p1, p2 = _people_pairs()
    rows = db.session.execute(
        select(p1.id, p2.id, p1.tipo_documento, p2.tipo_documento)
        .join(p2, and_(p2.numero_documento == p1.numero_documento, p2.id > p1.id))
        .where(p2.tipo_documento != p1.tipo_documento)
        .execution_options(**{ALL_CENTRES_OPTION: True}))
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


def one_digit_documents() -> Iterator[Pair]:
    p1, p2 = _people_pairs()
    def length(column):
        return func.length(column, type_=Integer)

    half = length(p1.numero_documento) // 2
    rows = db.session.execute(
        select(p1.id, p2.id, p1.numero_documento, p2.numero_documento)
        .join(p2, and_(p2.nombre_busqueda == p1.nombre_busqueda, p2.id > p1.id))
        .where(p2.numero_documento != p1.numero_documento,
               func.abs(length(p2.numero_documento) - length(p1.numero_documento)) <= 1,
               or_(func.substr(p1.numero_documento, 1, half)
                   == func.substr(p2.numero_documento, 1, half),
                   func.substr(p1.numero_documento, length(p1.numero_documento) - half + 1)
                   == func.substr(p2.numero_documento, length(p2.numero_documento) - half + 1)))
        .execution_options(**{ALL_CENTRES_OPTION: True}))
    for a, b, doc_a, doc_b in rows:
        if one_digit_apart(doc_a, doc_b):
            yield a, b, "un_digito"


def likely_pairs() -> dict[tuple[int, int], str]:
    """Every pair with its first reason (birth date and name weigh most, then the document)."""
    pairs: dict[tuple[int, int], str] = {}
    for finder in (same_name_and_birth, same_number_other_type, one_digit_documents):
        for a, b, razon in finder():
            pairs.setdefault((a, b), razon)
    return pairs
