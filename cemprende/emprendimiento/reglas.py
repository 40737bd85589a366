"""Rules of the emprendimiento tipos (API.md "Order rules"), judged by the itinerary's gate."""
from __future__ import annotations

from ..itinerario.reglas import Hechos, Incumple, regla
from ..itinerario.tipos import RUTAS, Tipo


def current_route(h: Hechos) -> str | None:
    """The route the person is in on the fecha: the latest ingreso_ruta, unless a desistimiento
    came after it."""
    entry = h.latest_earlier(Tipo.INGRESO_RUTA)
    if entry is None or any(d.fecha <= h.fecha for d in h.following(entry, Tipo.DESISTIMIENTO)):
        return None
    return entry.categoria


@regla(Tipo.INGRESO_RUTA)
def same_route_twice(h: Hechos) -> None:
    ruta = h.valores.get("ruta")
    if ruta is not None and current_route(h) == ruta:
        raise Incumple("ruta_actual",
                       f"La persona ya está en la ruta {RUTAS[ruta]}: elija otra ruta.",
                       {"ruta": "Es la ruta en la que ya está."})


@regla(Tipo.FINANCIACION)
def one_financing_per_plan(h: Hechos) -> None:
    plan = h.require_earlier(
        Tipo.PLAN_NEGOCIO, "sin_plan_negocio",
        "La financiación necesita un plan de negocio registrado en esa fecha o antes.",
        "Falta un plan de negocio anterior.")
    if h.following(plan, Tipo.FINANCIACION):
        raise Incumple("financiacion_repetida",
                       "El último plan de negocio ya tiene su financiación: un plan se financia "
                       "una sola vez.", {"tipo": "Ese plan ya fue financiado."})


@regla(Tipo.PLAN_IMPLEMENTADO)
def implemented_after_financing(h: Hechos) -> None:
    if h.latest_earlier(Tipo.FINANCIACION) is None and h.latest_earlier(Tipo.DESEMBOLSO) is None:
        raise Incumple("sin_financiacion",
                       "El plan implementado necesita una financiación o un desembolso "
                       "registrados en esa fecha o antes.",
                       {"tipo": "Falta una financiación o un desembolso anterior."})
