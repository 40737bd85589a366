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

from sqlalchemy import Integer, and_, func, or_, select, text
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


def _halves_match(doc_a: str, doc_b: str) -> bool:
    """The join's condition of `one_digit_documents`: with half the length of the first
    (lower id) document, the two share their first or their last that many characters."""
    half = len(doc_a) // 2
    return doc_a[:half] == doc_b[:half] or doc_a[len(doc_a) - half:] == doc_b[len(doc_b) - half:]


# Blocking keys of `one_digit_documents_blocked`: a person's name key and the first or the last
# h characters of their document, for each h the join above may compare them with: half the
# length of a document one character shorter, as long, or one longer (two values of h).
_CLAVES = """
CREATE TEMPORARY TABLE duplicados_clave AS
SELECT p.nombre_busqueda AS nombre, p.id AS id, p.numero_documento AS documento,
       k.lado || CAST((length(p.numero_documento) + d.delta) / 2 AS VARCHAR) || ':' ||
       CASE k.lado WHEN 'p' THEN substr(p.numero_documento, 1,
                                        (length(p.numero_documento) + d.delta) / 2)
            ELSE substr(p.numero_documento,
                        length(p.numero_documento) - (length(p.numero_documento) + d.delta) / 2 + 1)
       END AS clave
FROM participante p
CROSS JOIN (SELECT -1 AS delta UNION ALL SELECT 0 UNION ALL SELECT 1) d
CROSS JOIN (SELECT 'p' AS lado UNION ALL SELECT 's') k
WHERE p.nombre_busqueda IS NOT NULL AND p.numero_documento IS NOT NULL
  AND (d.delta = 0 OR (length(p.numero_documento) + d.delta) / 2
                      <> length(p.numero_documento) / 2)
"""


def one_digit_documents_blocked() -> Iterator[Pair]:
    """The same pairs as `one_digit_documents`, found by equal blocking keys instead of every
    pair of people sharing a name (SQLite joins those pair by pair: minutes at a million
    people). Every pair that join finds shares a key here (its h is one of each person's two);
    the few pairs sharing a key are then checked with the join's own condition."""
    connection = db.session.connection()
    connection.execute(text("DROP TABLE IF EXISTS duplicados_clave"))
    connection.execute(text(_CLAVES))
    connection.execute(text("CREATE INDEX ix_duplicados_clave ON duplicados_clave "
                            "(nombre, clave, id)"))
    try:
        rows = connection.execute(text(
            "SELECT a.id, b.id, a.documento, b.documento FROM duplicados_clave a "
            "JOIN duplicados_clave b ON b.nombre = a.nombre AND b.clave = a.clave AND b.id > a.id "
            "WHERE b.documento <> a.documento")).all()
    finally:
        connection.execute(text("DROP TABLE duplicados_clave"))
    seen: set[tuple[int, int]] = set()
    for a, b, doc_a, doc_b in rows:
        if (a, b) not in seen and _halves_match(doc_a, doc_b) and one_digit_apart(doc_a, doc_b):
            seen.add((a, b))
            yield a, b, "un_digito"


def likely_pairs() -> dict[tuple[int, int], str]:
    """Every pair with its first reason (birth date and name weigh most, then the document).
    PostgreSQL hashes the name join of `one_digit_documents`; SQLite gets its blocking keys."""
    pairs: dict[tuple[int, int], str] = {}
    blocked = db.session.get_bind().dialect.name == "sqlite"
    for finder in (same_name_and_birth, same_number_other_type,
                   one_digit_documents_blocked if blocked else one_digit_documents):
        for a, b, razon in finder():
            pairs.setdefault((a, b), razon)
    return pairs
