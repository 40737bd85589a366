"""Microfinanciamiento: the Comité de Asignación, deliveries of goods, and integrity alerts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta


from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from .. import actas, audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import DomainError
from ..extensions import db
from ..formatting import dinero
from ..itinerario import services as itinerario
from ..itinerario.tipos import DECISIONES
from .reglas import FINAL_DECISIONS, Aprobacion, approval, item_key, no_approval
from ..models import (
    Actuacion, Centro, ComiteDecision, ComiteSesion, ControlInversionItem, Participante, Verificador,
)
from ..models.actuacion import comes_after, superseded, vigentes
from ..models.comite import ESTADOS_CONTROL
from ..models.base import utcnow
from ..pagination import paginate
from ..participantes import services as participantes
from ..tableros import services as tableros
from ..validation import Fields
from ..verificadores import carga as cargas
from . import alertas
from .alertas import TIPOS_ALERTA, Alerta, Umbrales
from ..itinerario.dia import today_bogota


@dataclass
class Alertas:
    centro_id: int | None
    tipo: str | None
    umbrales: Umbrales
    desde: date
    hasta: date
    items: list[Alerta]

    @property
    def por_tipo(self) -> dict[str, int]:
        counts = Counter(a.tipo for a in self.items)
        return {tipo: counts.get(tipo, 0) for tipo in TIPOS_ALERTA}


def _vigencia(today: date) -> tuple[date, date]:
    """The vigencia containing today, else the calendar year: the span supplier shares are over."""
    vigencia = tableros.vigencia_containing(today)
    return (vigencia.desde, vigencia.hasta) if vigencia else (date(today.year, 1, 1), date(today.year, 12, 31))


def alerts(actor, args: dict, today: date | None = None) -> Alertas:
    """The alerts the caller may see: a director its centre's, supervisors and admins any scope."""
    ensure(actor, Accion.VER_ALERTAS)
    today = today or today_bogota()
    f = Fields(args)
    tipo = f.choice("tipo", TIPOS_ALERTA, required=False)
    f.raise_if_errors()
    centro_id = tableros.resolve_scope(actor, args.get("centro_id"))
    umbrales = Umbrales.from_config(current_app.config)
    desde, hasta = _vigencia(today)
    found = alertas.compute(centro_id, tipo, today, umbrales, (desde, hasta))
    return Alertas(centro_id, tipo, umbrales, desde, hasta, found)


# ---- plans, the Comité de Asignación and deliveries -------------------------------------------

@dataclass
class PlanPendiente:
    plan: Actuacion
    persona: Participante
    dias: int


def pending_plans(actor, centro_id: int | None = None, today: date | None = None,
                  undecided_only: bool = True) -> list[PlanPendiente]:
    """Each person's latest adjusted plan with no final decision after it (aplazado keeps it);
    with undecided_only=False also the decided ones (the gate then says why they may not be
    decided again)."""
    today = today or today_bogota()
    plan, decided = aliased(Actuacion), aliased(Actuacion)
    statement = (
        scoped_select(actor, Participante).add_columns(plan)
        .join(plan, plan.participante_id == Participante.id)
        .where(plan.tipo == "plan_ajustado", vigentes(plan), ~superseded(plan))
        .order_by(plan.fecha, plan.id))
    if undecided_only:
        statement = statement.where(~exists().where(
            decided.participante_id == plan.participante_id, decided.tipo == "comite",
            vigentes(decided), decided.categoria.in_(FINAL_DECISIONS), comes_after(decided, plan)))
    if centro_id is not None:
        statement = statement.where(Participante.centro_id == centro_id)
    return [PlanPendiente(p, person, (today - p.fecha).days)
            for person, p in db.session.execute(statement)]


def _decisions(raw, pending: dict[int, PlanPendiente], fecha: date | None, f: Fields) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        f.fail("decisiones", "Registre al menos una decisión.")
        return []
    clean, seen = [], set()
    for index, item in enumerate(raw):
        d = Fields(item if isinstance(item, dict) else {})
        plan_id = d.integer("plan_id", minimum=1)
        decision = d.choice("decision", DECISIONES)
        observacion = d.text("observacion", required=decision == "rechazado", max_length=1000)
        pendiente = pending.get(plan_id)
        if plan_id and (pendiente is None or plan_id in seen):
            d.fail("plan_id", "Ese plan no es el último plan ajustado de una persona de este centro "
                              "(o está repetido).")
        elif pendiente and fecha and pendiente.plan.fecha > fecha:
            d.fail("plan_id", "El plan se ajustó después de la fecha del comité.")
        valor = pendiente.plan.valor if pendiente else None
        if decision == "aprobado" and pendiente:
            valor = d.integer("valor", required=False, minimum=1, money=True) or pendiente.plan.valor
            if valor > pendiente.plan.valor:
                d.fail("valor", f"No puede aprobar más que el plan ajustado ({dinero(pendiente.plan.valor)}).")
        for name, message in d.errors.items():
            f.fail(f"decisiones[{index}].{name}", message)
        seen.add(plan_id)
        clean.append({"pendiente": pendiente, "decision": decision, "valor": valor,
                      "observacion": observacion})
    return clean


def _members(raw, f: Fields) -> str | None:
    """One member per line (the text check would join the lines), at least two of them."""
    lines = [" ".join(line.split()) for line in raw.splitlines()] if isinstance(raw, str) else []
    lines = [line[:200] for line in lines if line]
    if len(lines) < 2:
        f.fail("miembros", "Escriba al menos dos miembros presentes, uno por línea.")
        return None
    return "\n".join(lines)


def hold_session(actor, data: dict, today: date | None = None) -> ComiteSesion:
    """A committee sitting and every decision it took, all recorded or none."""
    today = today or today_bogota()
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    f = Fields(data)
    fecha = f.date("fecha", not_future=True, today=today)
    lugar = f.text("lugar", max_length=200)
    acta = f.text("acta", required=False, max_length=120)
    miembros = _members(data.get("miembros"), f)
    pending = {p.plan.id: p for p in pending_plans(actor, centro_id, today, undecided_only=False)}
    decisions = _decisions(data.get("decisiones"), pending, fecha, f)
    f.raise_if_errors()
    sesion = ComiteSesion(centro_id=centro_id, fecha=fecha, lugar=lugar, miembros=miembros,
                          acta=acta or f"ACA-{fecha:%Y%m%d}-{centro_id}", creado_por_id=actor.id,
                          creado_en=utcnow())
    audit.add_audited(sesion, actor=actor, entidad="comite_sesion", centro_id=centro_id,
                      values={"fecha": fecha, "lugar": lugar, "acta": sesion.acta,
                              "decisiones": len(decisions)})
    for d in decisions:
        plan = d["pendiente"].plan
        actuacion = itinerario.register(actor, plan.participante_id, {
            "tipo": "comite", "fecha": fecha.isoformat(), "decision": d["decision"],
            "valor": d["valor"], "acta": sesion.acta}, today=today)
        db.session.add(ComiteDecision(sesion_id=sesion.id, plan_id=plan.id,
                                      actuacion_id=actuacion.id, observacion=d["observacion"]))
    db.session.flush()
    return sesion


def get_sesion(actor, sesion_id: int) -> ComiteSesion:
    return visible_or_404(actor, ComiteSesion, sesion_id, "No se encontró la sesión del comité.")


def upload_acta(actor, sesion_id: int, files) -> Verificador:
    """The signed acta (ACA) of a session, uploaded once: the evidence of every comité decided in
    it (verificadores coverage counts each approved one as covered)."""
    sesion = get_sesion(actor, sesion_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, sesion.centro_id, entidad="comite_sesion",
           entidad_id=sesion.id)
    # Two uploads of the same acta at once: the second waits, then finds the first.
    db.session.execute(select(ComiteSesion.id).where(ComiteSesion.id == sesion.id).with_for_update())
    return cargas.upload_session_acta(actor, sesion, files)


def sesiones(actor, page: int = 1, per_page: int = 25):
    statement = scoped_select(actor, ComiteSesion).order_by(ComiteSesion.fecha.desc(), ComiteSesion.id.desc())
    return paginate(statement, page, per_page)


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
    f = Fields(data)
    rows = data.get("items")
    if not isinstance(rows, list) or not rows:
        f.fail("items", "Registre al menos un ítem entregado.")
        rows = []
    clean = []
    for index, row in enumerate(rows):
        r = Fields(row if isinstance(row, dict) else {})
        descripcion = r.text("descripcion", max_length=200)
        r.integer("cantidad", minimum=1, maximum=100_000)
        r.integer("precio_unitario", minimum=1, money=True)
        entry = approved.items.get(item_key(descripcion or ""))
        for name, message in r.errors.items():
            f.fail(f"items[{index}].{name}", message)
        if not r.errors:  # the plan's own wording, so the acta and the rule match it
            clean.append({**r.clean, "descripcion": entry.descripcion if entry else descripcion})
    f.raise_if_errors()
    return itinerario.register(actor, approved.persona.id, {
        "tipo": "desembolso", "fecha": data.get("fecha"), "proveedor": data.get("proveedor"),
        "nit": data.get("nit"), "valor": sum(i["cantidad"] * i["precio_unitario"] for i in clean),
        "items": clean}, today=today)


# ---- actas ------------------------------------------------------------------------------------

def acta_aprobacion(actor, sesion_id: int):
    sesion = get_sesion(actor, sesion_id)
    rows = [["Persona", "Documento", "Plan ajustado", "Decisión", "Valor aprobado", "Observación"]]
    people = people_of(sesion)
    for d in sesion.decisiones:
        person = people[d.actuacion.participante_id]
        rows.append([person.nombre_completo, f"{person.tipo_documento} {person.numero_documento}",
                     dinero(d.plan.valor), DECISIONES[d.actuacion.categoria],
                     dinero(d.actuacion.valor) if d.actuacion.categoria == "aprobado" else "—",
                     d.observacion or ""])
    approved = [d for d in sesion.decisiones if d.actuacion.categoria == "aprobado"]
    return actas.render(actas.Acta(
        titulo=f"Acta de aprobación del Comité de Asignación {sesion.acta}",
        centro=db.session.get(Centro, sesion.centro_id).nombre, fecha=sesion.fecha,
        datos=[("Lugar", sesion.lugar), ("Miembros presentes", "; ".join(sesion.lista_miembros)),
               ("Planes analizados", str(len(sesion.decisiones))),
               ("Planes aprobados", f"{len(approved)} por {dinero(sum(d.actuacion.valor for d in approved))}")],
        introduccion="El Comité de Asignación analizó los planes de negocio ajustados presentados y decidió:",
        tabla=rows, firmas=sesion.lista_miembros))


def acta_entrega(actor, actuacion_id: int):
    entrega = itinerario.get_visible_actuacion(actor, actuacion_id)
    if entrega.tipo != "desembolso":
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


# ---- the pipeline -------------------------------------------------------------------------------

STUCK_DAYS = 30


@dataclass
class Pipeline:
    tablero: object
    sin_comite: list[PlanPendiente]
    sin_entrega: list[alertas.Alerta]
    entrega_incompleta: list[alertas.Alerta]


def pipeline(actor, args: dict, today: date | None = None) -> Pipeline:
    """ajustados → analizados → aprobados → desembolsados (the M rows), and who is stuck 30+ days."""
    today = today or today_bogota()
    centro_id, desde, hasta = tableros.parse_request(actor, args, today)
    tablero = tableros.compute(actor, "microcapitalizacion", centro_id, desde, hasta)
    waiting = [p for p in pending_plans(actor, centro_id, today) if p.dias > STUCK_DAYS]
    thirty = Umbrales(sin_entrega_dias=STUCK_DAYS)
    limit = today - timedelta(days=STUCK_DAYS)
    partial = [a for a in alertas.entrega_parcial(centro_id, today, thirty) if a.fecha <= limit]
    return Pipeline(tablero, waiting, alertas.aprobado_sin_entrega(centro_id, today, thirty), partial)


def people_of(sesion: ComiteSesion) -> dict[int, Participante]:
    ids = [d.actuacion.participante_id for d in sesion.decisiones]
    return {p.id: p for p in db.session.scalars(select(Participante).where(Participante.id.in_(ids)))}


# ---- adjustment, visits and investment control --------------------------------------------

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
        "tipo": "plan_ajustado", "fecha": data.get("fecha"), "items": items,
        "valor": itinerario.items_total(items)}, today=today)


def plan_to_adjust(person: Participante) -> Actuacion | None:
    """The latest business plan (or adjusted plan) to start the adjustment from."""
    plans = [a for a in itinerario.itinerary(person)
             if a.tipo in ("plan_negocio", "plan_ajustado") and not a.anulada and a.items]
    return plans[-1] if plans else None


def visit(actor, participante_id: int, data: dict, photos=(), today: date | None = None) -> Actuacion:
    """A diagnostic or follow-up visit with its notes; photos are filed as its IVAE documents."""
    person = participantes.get_editable(actor, participante_id)
    actuacion = itinerario.register(actor, person.id, {
        "tipo": "visita_acompanamiento", "fecha": data.get("fecha"), "clase": data.get("clase"),
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
        "tipo": "control_inversion", "fecha": data.get("fecha"),
        "observaciones": data.get("observaciones"), "porcentaje_verificado": porcentaje}, today=today)
    db.session.add_all(ControlInversionItem(
        actuacion_id=actuacion.id, descripcion=item.descripcion, cantidad=item.entregado,
        valor=item.valor_entregado, estado=states[key]) for key, item in delivered.items())
    db.session.flush()
    return actuacion


def controls_of(person: Participante) -> list[tuple[Actuacion, list[ControlInversionItem]]]:
    acts = [a for a in itinerario.itinerary(person) if a.tipo == "control_inversion" and not a.anulada]
    items = db.session.scalars(select(ControlInversionItem).where(
        ControlInversionItem.actuacion_id.in_([a.id for a in acts]))).all() if acts else []
    return [(a, [i for i in items if i.actuacion_id == a.id]) for a in acts]
