"""Deliveries of goods within the approved plan, and their acta de entrega."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import actas
from ..auth.guards import Accion, ensure
from ..errors import DomainError, ValidationFailed
from ..formatting import dinero
from ..itinerario import services as itinerario
from ..models import (
    Actuacion,
    Participante,
)
from ..participantes import services as participantes
from .reglas import Aprobacion, approval, item_key, no_approval
from ..itinerario.tipos import Tipo


class NoApprovedPlan(DomainError):
    code = "sin_aprobacion"


@dataclass
class PlanAprobado(Aprobacion):
    persona: Participante | None = None

    @property
    def disponible(self) -> int:
        return max(self.comite.valor - self.valor_entregado, 0)

    @property
    def completo(self) -> bool:
        return all(item.pendiente == 0 for item in self.items.values())


def approved_plan(actor, participante_id: int) -> PlanAprobado:
    """The latest approved comité, the adjusted plan it approved, and what was delivered since
    (measured as the gate's delivery rule measures it)."""
    person = participantes.get_visible(actor, participante_id)
    state = approval(itinerario.itinerary(person))
    if state is None:
        raise NoApprovedPlan("Esta persona no tiene un plan aprobado por el Comité de Asignación.")
    return PlanAprobado(state.comite, state.plan, state.items, state.entregas, persona=person)


def deliver(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """A delivery of goods of the approved plan, item by item; the gate's desembolso rule keeps it
    within the plan's items, units and approved value."""
    try:
        approved = approved_plan(actor, participante_id)
    except NoApprovedPlan:
        raise no_approval() from None
    ensure(actor, Accion.EDITAR_ITINERARIO, approved.persona.centro_id)
    rows = data.get("items")
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed({"items": "Registre al menos un ítem entregado."})
    # Each item keeps the plan's own wording (and category), so the acta and the rule read the
    # same description; the gate checks the items themselves (with the same field names as
    # every other door).
    items = [_in_the_plans_words(row, approved) for row in rows]
    return itinerario.register(actor, approved.persona.id, {
        "tipo": Tipo.DESEMBOLSO, "fecha": data.get("fecha"), "proveedor": data.get("proveedor"),
        "nit": data.get("nit"), "valor": itinerario.items_total(items), "items": items}, today=today)


def _in_the_plans_words(row, approved: PlanAprobado):
    descripcion = row.get("descripcion") if isinstance(row, dict) else None
    entry = approved.items.get(item_key(descripcion)) if isinstance(descripcion, str) else None
    if entry is None:
        return row
    return {**row, "descripcion": entry.descripcion,
            "categoria": row.get("categoria") or entry.categoria}


def acta_entrega(actor, actuacion_id: int):
    entrega = itinerario.get_visible_actuacion(actor, actuacion_id)
    if entrega.tipo != Tipo.DESEMBOLSO:
        raise DomainError("Esa actuación no es una entrega de bienes.")
    approved = approved_plan(actor, entrega.participante_id)
    person = approved.persona
    rows = [["Ítem", "Cantidad", "Precio unitario facturado", "Subtotal"]]
    rows += [[i.descripcion, str(i.cantidad), dinero(i.precio_unitario), dinero(i.cantidad * i.precio_unitario)]
             for i in entrega.items]
    rows.append(["Total", "", "", dinero(entrega.valor)])
    pending = [f"{i.descripcion}: faltan {i.pendiente} de {i.planeado}" for i in approved.items.values()
               if i.pendiente]
    clauses = [
        "La persona participante recibe a satisfacción los bienes relacionados, nuevos y en buen estado.",
        "Los bienes se destinan exclusivamente a la unidad productiva del plan aprobado y pueden ser "
        "verificados en las visitas de seguimiento y control de inversiones.",
        ("ENTREGA PARCIAL. Quedan pendientes: " + "; ".join(pending) + ".") if pending else
        "Con esta entrega se completan los bienes del plan aprobado.",
    ]
    return actas.render(actas.Acta(
        titulo="Acta de entrega de bienes", centro=person.centro.nombre, fecha=entrega.fecha,
        datos=[("Nombre", person.nombre_completo),
               ("Documento", f"{person.tipo_documento} {person.numero_documento}"),
               ("Proveedor", entrega.datos.get("proveedor", "")), ("NIT", entrega.datos.get("nit", "")),
               ("Valor aprobado por el comité", dinero(approved.comite.valor)),
               ("Entregado con esta acta", dinero(entrega.valor)),
               ("Entregado en total", dinero(approved.valor_entregado))],
        tabla=rows, clausulas=clauses,
        firmas=[f"{person.nombre_completo} — participante", "Proveedor", f"{actor.nombre} — asesor(a)"],
        archivo=f"AEB_{person.numero_documento}"))
