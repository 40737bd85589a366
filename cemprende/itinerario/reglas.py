"""The rule registry of the gate: what each tipo of actuación needs before it may be written.

Each process package declares the rules of its own tipos here with `@regla(...)` (in its
`reglas.py`); the gate (`itinerario.services.register`) judges every write, whatever door brought
it, against the same rules and the same facts: the person's whole itinerary, whichever centre
recorded it. A broken rule raises `Incumple` with its own `code` and Spanish message, so every door
answers the same 422.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from ..errors import DomainError
from ..models import Actuacion


class Incumple(DomainError):
    """A rule of the itinerary refuses the write: 422 with the rule's own code."""

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields)
        self.code = code


@dataclass
class Hechos:
    """What a rule may read: the write being judged and the person's itinerary around it.

    `itinerario` holds the person's non-annulled actuaciones (every centre), oldest first, without
    the one being judged. When stored records are re-judged (`revisar`), it holds only those that
    came before, so the first of two duplicates passes and the second does not.
    """

    participante_id: int
    tipo: str
    fecha: date
    valores: dict
    items: list[dict] = field(default_factory=list)
    itinerario: list[Actuacion] = field(default_factory=list)
    centro_id: int | None = None  # the centre recording it (the person's centre)
    repaso: bool = False  # re-judging a stored record: facts that change over time are skipped

    def earlier(self, tipo: str, categoria: str | None = None) -> list[Actuacion]:
        """Actuaciones of `tipo` dated on or before the fecha being judged, oldest first."""
        return [a for a in self.itinerario if a.tipo == tipo and a.fecha <= self.fecha
                and (categoria is None or a.categoria == categoria)]

    def latest_earlier(self, tipo: str, categoria: str | None = None) -> Actuacion | None:
        found = self.earlier(tipo, categoria)
        return found[-1] if found else None

    def require_earlier(self, tipo: str, code: str, message: str, missing: str,
                        categoria: str | None = None, campo: str = "tipo") -> Actuacion:
        """The latest earlier actuación of `tipo`, or the rule's refusal when there is none."""
        found = self.latest_earlier(tipo, categoria)
        if found is None:
            raise Incumple(code, message, {campo: missing})
        return found

    def following(self, anchor: Actuacion, tipo: str, categorias: Iterable[str] | None = None
                  ) -> list[Actuacion]:
        """Actuaciones of `tipo` that come after `anchor` and before the next actuación of the
        anchor's own tipo (what belongs to that plan, not to a later one)."""
        wanted = set(categorias) if categorias is not None else None
        after = [a for a in self.itinerario if comes_after(a, anchor)]
        until = next((a for a in after if a.tipo == anchor.tipo), None)
        return [a for a in after if a.tipo == tipo
                and (until is None or comes_after(until, a))
                and (wanted is None or a.categoria in wanted)]


def comes_after(later: Actuacion, earlier: Actuacion) -> bool:
    """In Python what `models.actuacion.comes_after` says in SQL: a later fecha, or typed later."""
    return (later.fecha, later.id or 0) > (earlier.fecha, earlier.id or 0)


Regla = Callable[[Hechos], None]
REGLAS: dict[str, list[Regla]] = {}
# Checks run on every write and every annulment with (centro_id, fecha): the month close plugs in
# here and raises Incumple("periodo_cerrado", ...) for a date in a closed month.
PERIODO: list[Callable[[int, date], None]] = []


def regla(*tipos: str, primero: bool = False):
    """Declares a rule for the given tipos (a process package's reglas.py uses it); `primero`
    puts it before the rules already declared (a rule about the person, not the itinerary)."""

    def register(function: Regla) -> Regla:
        for tipo in tipos:
            rules = REGLAS.setdefault(tipo, [])
            rules.insert(0, function) if primero else rules.append(function)
        return function

    return register


def judge(hechos: Hechos) -> None:
    """Every rule of the tipo, in the order declared; the first broken one answers."""
    for check in REGLAS.get(hechos.tipo, ()):
        check(hechos)


def check_period(centro_id: int, fecha: date, cache: dict | None = None) -> None:
    """The period hooks for a write dated `fecha`. A batch (one transaction) passes a `cache`:
    each (centre, month) is then judged once, since the hooks' answer cannot change inside the
    transaction (the first check takes the centre's share lock, which a close waits for)."""
    if cache is None:
        for check in PERIODO:
            check(centro_id, fecha)
        return
    key = (centro_id, fecha.year, fecha.month)
    if key not in cache:
        try:
            for check in PERIODO:
                check(centro_id, fecha)
            cache[key] = None
        except DomainError as error:
            cache[key] = error
    if cache[key] is not None:
        raise cache[key]
