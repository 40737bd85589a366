"""Rules of the microfinanciamiento tipos (API.md "Order rules"), judged by the itinerary's gate,
and the approved plan they measure deliveries against (also what the delivery pages show)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..formatting import dinero
from ..itinerario.reglas import Hechos, Incumple, comes_after, regla
from ..models import Actuacion
from ..itinerario.tipos import ClaseVisita, Decision, Tipo

FINAL_DECISIONS = (Decision.APROBADO, Decision.RECHAZADO)  # aplazado leaves the plan open


def item_key(descripcion: str) -> str:
    """Items match by description, whatever the case and spacing."""
    return " ".join(descripcion.lower().split())


@dataclass
class ItemPlan:
    descripcion: str
    planeado: int
    precio_cotizado: int
    entregado: int = 0
    valor_entregado: int = 0
    categoria: str | None = None

    @property
    def pendiente(self) -> int:
        return max(self.planeado - self.entregado, 0)


@dataclass
class Aprobacion:
    """The latest approved comité, the adjusted plan it approved and the deliveries since."""

    comite: Actuacion
    plan: Actuacion | None
    items: dict[str, ItemPlan]
    entregas: list[Actuacion]

    @property
    def valor_entregado(self) -> int:
        return sum(e.valor or 0 for e in self.entregas)


def approval(itinerario: list[Actuacion], fecha: date | None = None) -> Aprobacion | None:
    """From a person's itinerary (oldest first): the approval in force on `fecha` (None: the
    latest), its plan's items and what the desembolsos after it delivered of each."""
    acts = [a for a in itinerario if not a.anulada]
    comites = [a for a in acts if a.tipo == Tipo.COMITE and a.categoria == Decision.APROBADO
               and (fecha is None or a.fecha <= fecha)]
    if not comites:
        return None
    comite = comites[-1]
    plans = [a for a in acts if a.tipo == Tipo.PLAN_AJUSTADO and not comes_after(a, comite)]
    plan = plans[-1] if plans else None
    items: dict[str, ItemPlan] = {}
    for item in (plan.items if plan else []):
        entry = items.setdefault(item_key(item.descripcion),
                                 ItemPlan(item.descripcion, 0, item.precio_unitario,
                                          categoria=item.categoria))
        entry.planeado += item.cantidad
    later_approvals = [a for a in acts if a.tipo == Tipo.COMITE and a.categoria == Decision.APROBADO
                       and comes_after(a, comite)]
    until = later_approvals[0] if later_approvals else None
    entregas = [a for a in acts if a.tipo == Tipo.DESEMBOLSO and comes_after(a, comite)
                and (until is None or comes_after(until, a))]
    for entrega in entregas:
        for item in entrega.items:
            entry = items.get(item_key(item.descripcion))
            if entry:
                entry.entregado += item.cantidad
                entry.valor_entregado += item.cantidad * item.precio_unitario
    return Aprobacion(comite, plan, items, entregas)


@regla(Tipo.PLAN_AJUSTADO)
def adjusted_after_plan_and_diagnostic(h: Hechos) -> None:
    h.require_earlier(
        Tipo.PLAN_NEGOCIO, "sin_plan_negocio",
        "El plan ajustado necesita un plan de negocio registrado en esa fecha o antes.",
        "Falta un plan de negocio anterior.")
    h.require_earlier(
        Tipo.VISITA_ACOMPANAMIENTO, "sin_visita_diagnostico",
        "El plan se ajusta después de la visita de diagnóstico: regístrela primero.",
        "No hay visita de diagnóstico en esta fecha o antes.", categoria=ClaseVisita.DIAGNOSTICO, campo="fecha")


@regla(Tipo.COMITE)
def one_decision_per_adjusted_plan(h: Hechos) -> None:
    plan = h.require_earlier(
        Tipo.PLAN_AJUSTADO, "sin_plan_ajustado",
        "El comité necesita un plan ajustado registrado en esa fecha o antes.",
        "Falta un plan ajustado anterior.")
    if h.following(plan, Tipo.COMITE, FINAL_DECISIONS):
        raise Incumple("plan_ya_decidido",
                       "El último plan ajustado ya tiene decisión del comité: para presentarlo de "
                       "nuevo registre un nuevo plan ajustado.",
                       {"tipo": "Ese plan ajustado ya fue decidido."})
    valor = h.valores.get("valor")
    if h.valores.get("decision") == Decision.APROBADO and valor and plan.valor and valor > plan.valor:
        raise Incumple("excede_plan",
                       f"No se puede aprobar más que el plan ajustado ({dinero(plan.valor)}).",
                       {"valor": f"Como máximo {dinero(plan.valor)}."})


def no_approval() -> Incumple:
    return Incumple("sin_aprobacion",
                    "El desembolso necesita un comité con decisión aprobado en esa fecha o antes.",
                    {"tipo": "Falta un comité aprobado anterior."})


@regla(Tipo.DESEMBOLSO)
def delivery_within_the_approved_plan(h: Hechos) -> None:
    state = approval(h.itinerario, h.fecha)
    if state is None:
        raise no_approval()
    total = state.valor_entregado + (h.valores.get("valor") or 0)
    if total > state.comite.valor:
        raise Incumple("excede_aprobado",
                       f"Los desembolsos sumarían {dinero(total)}, más que el valor aprobado por "
                       f"el comité ({dinero(state.comite.valor)}).",
                       {"valor": "Puede desembolsar como máximo "
                                 f"{dinero(max(state.comite.valor - state.valor_entregado, 0))}."})
    taken: dict[str, int] = {}
    for item in h.items:
        key = item_key(item["descripcion"])
        entry = state.items.get(key)
        if entry is None:
            raise Incumple("item_fuera_del_plan",
                           f"«{item['descripcion']}» no es un ítem del plan aprobado.",
                           {"items": "Entregue solo ítems del plan aprobado."})
        taken[key] = taken.get(key, 0) + item["cantidad"]
        if taken[key] > entry.pendiente:
            raise Incumple("excede_item",
                           f"Quedan {entry.pendiente} por entregar de «{entry.descripcion}».",
                           {"items": f"Como máximo {entry.pendiente} de «{entry.descripcion}»."})
