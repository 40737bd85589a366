"""After the committee and around it: the plan adjustment, visits and investment control."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..auth.guards import Accion, ensure
from ..errors import DomainError
from ..extensions import db
from ..itinerario import services as itinerario
from ..models import (
    Actuacion,
    ControlInversionItem,
    Participante,
)
from ..models.comite import ESTADOS_CONTROL
from ..participantes import services as participantes
from ..validation import Fields
from ..verificadores import carga as cargas
from .entregas import approved_plan
from ..itinerario.tipos import Tipo


def adjust(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """The plan as adjusted after the diagnostic visit (the gate's plan_ajustado rule asks for
    that visit and for the business plan)."""
    person = participantes.get_editable(actor, participante_id)
    f = Fields(data)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        f.fail("items", "Registre al menos un ítem.")
    f.raise_if_errors()
    return itinerario.register(actor, person.id, {
        "tipo": Tipo.PLAN_AJUSTADO, "fecha": data.get("fecha"), "items": items,
        "valor": itinerario.items_total(items)}, today=today)


def plan_to_adjust(person: Participante) -> Actuacion | None:
    """The latest business plan (or adjusted plan) to start the adjustment from."""
    plans = [a for a in itinerario.itinerary(person)
             if a.tipo in (Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO) and not a.anulada and a.items]
    return plans[-1] if plans else None


def visit(actor, participante_id: int, data: dict, photos=(), today: date | None = None) -> Actuacion:
    """A diagnostic or follow-up visit with its notes; photos are filed as its IVAE documents."""
    person = participantes.get_editable(actor, participante_id)
    actuacion = itinerario.register(actor, person.id, {
        "tipo": Tipo.VISITA_ACOMPANAMIENTO, "fecha": data.get("fecha"), "clase": data.get("clase"),
        "notas": data.get("notas")}, today=today)
    if photos:
        carga = cargas.upload(actor, list(photos), participante_id=person.id, prefijo="IVAE")
        refused = [r for r in carga.resultados if r["estado"] not in ("vinculado", "duplicado")]
        if refused:
            raise DomainError("Una foto no se pudo guardar: " + "; ".join(
                f"{r['archivo']}: {r['motivo']}" for r in refused), {"fotos": "Revise las fotos."})
    return actuacion


def control(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """The investment control: what was found for each delivered item, and the % verified."""
    approved = approved_plan(actor, participante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, approved.persona.centro_id)
    delivered = {key: item for key, item in approved.items.items() if item.entregado}
    if not delivered:
        raise DomainError("Aún no hay bienes entregados que controlar.")
    f = Fields(data)
    found = data.get("estados") if isinstance(data.get("estados"), dict) else {}
    states = {}
    for key, item in delivered.items():
        estado = found.get(item.descripcion) or found.get(key)
        if estado not in ESTADOS_CONTROL:
            f.fail(f"estados[{item.descripcion}]", "Indique si se encontró en uso, sin uso o no se encontró.")
        states[key] = estado
    f.raise_if_errors()
    in_use = sum(item.valor_entregado for key, item in delivered.items() if states[key] == "en_uso")
    total = sum(item.valor_entregado for item in delivered.values())
    porcentaje = round(100 * in_use / total) if total else 0
    actuacion = itinerario.register(actor, approved.persona.id, {
        "tipo": Tipo.CONTROL_INVERSION, "fecha": data.get("fecha"),
        "observaciones": data.get("observaciones"), "porcentaje_verificado": porcentaje}, today=today)
    db.session.add_all(ControlInversionItem(
        actuacion_id=actuacion.id, descripcion=item.descripcion, cantidad=item.entregado,
        valor=item.valor_entregado, estado=states[key]) for key, item in delivered.items())
    db.session.flush()
    return actuacion


def controls_of(person: Participante) -> list[tuple[Actuacion, list[ControlInversionItem]]]:
    acts = [a for a in itinerario.itinerary(person) if a.tipo == Tipo.CONTROL_INVERSION and not a.anulada]
    items = db.session.scalars(select(ControlInversionItem).where(
        ControlInversionItem.actuacion_id.in_([a.id for a in acts]))).all() if acts else []
    return [(a, [i for i in items if i.actuacion_id == a.id]) for a in acts]
