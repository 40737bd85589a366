"""The Comité de Asignación: plans waiting for a decision, sittings that decide them all or none,
the session's acta (PDF and the signed copy)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, selectinload

from .. import actas, audit
from ..auth.guards import (
    Accion,
    centro_for_write,
    ensure,
    scoped_select,
    visible_or_404,
)
from ..extensions import db
from ..formatting import dinero
from ..itinerario import services as itinerario
from ..itinerario.dia import today_bogota
from ..itinerario.tipos import DECISIONES, Decision, Tipo
from ..models import (
    Actuacion,
    Centro,
    ComiteDecision,
    ComiteSesion,
    Participante,
    Verificador,
)
from ..models.actuacion import comes_after, superseded, vigentes
from ..models.base import utcnow
from ..pagination import paginate
from ..validation import Fields
from ..verificadores import carga as cargas
from .reglas import FINAL_DECISIONS


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
        .where(plan.tipo == Tipo.PLAN_AJUSTADO, vigentes(plan), ~superseded(plan))
        .options(selectinload(plan.items))
        .order_by(plan.fecha, plan.id))
    if undecided_only:
        statement = statement.where(~exists().where(
            decided.participante_id == plan.participante_id, decided.tipo == Tipo.COMITE,
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
        observacion = d.text("observacion", required=decision == Decision.RECHAZADO, max_length=1000)
        pendiente = pending.get(plan_id)
        if plan_id and (pendiente is None or plan_id in seen):
            d.fail("plan_id", "Ese plan no es el último plan ajustado de una persona de este centro "
                              "(o está repetido).")
        elif pendiente and fecha and pendiente.plan.fecha > fecha:
            d.fail("plan_id", "El plan se ajustó después de la fecha del comité.")
        valor = pendiente.plan.valor if pendiente else None
        if decision == Decision.APROBADO and pendiente:
            # Never more than the plan: the gate's comité rule says so for every door.
            valor = d.integer("valor", required=False, minimum=1, money=True) or pendiente.plan.valor
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
            "tipo": Tipo.COMITE, "fecha": fecha.isoformat(), "decision": d["decision"],
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


def people_of(sesion: ComiteSesion) -> dict[int, Participante]:
    ids = [d.actuacion.participante_id for d in sesion.decisiones]
    return {p.id: p for p in db.session.scalars(select(Participante).where(Participante.id.in_(ids)))}


def acta_aprobacion(actor, sesion_id: int):
    sesion = get_sesion(actor, sesion_id)
    rows = [["Persona", "Documento", "Plan ajustado", "Decisión", "Valor aprobado", "Observación"]]
    people = people_of(sesion)
    for d in sesion.decisiones:
        person = people[d.actuacion.participante_id]
        rows.append([person.nombre_completo, f"{person.tipo_documento} {person.numero_documento}",
                     dinero(d.plan.valor), DECISIONES[d.actuacion.categoria],
                     dinero(d.actuacion.valor) if d.actuacion.categoria == Decision.APROBADO else "—",
                     d.observacion or ""])
    approved = [d for d in sesion.decisiones if d.actuacion.categoria == Decision.APROBADO]
    return actas.render(actas.Acta(
        titulo=f"Acta de aprobación del Comité de Asignación {sesion.acta}",
        centro=db.session.get(Centro, sesion.centro_id).nombre, fecha=sesion.fecha,
        datos=[("Lugar", sesion.lugar), ("Miembros presentes", "; ".join(sesion.lista_miembros)),
               ("Planes analizados", str(len(sesion.decisiones))),
               ("Planes aprobados", f"{len(approved)} por {dinero(sum(d.actuacion.valor for d in approved))}")],
        introduccion="El Comité de Asignación analizó los planes de negocio ajustados presentados y decidió:",
        tabla=rows, firmas=sesion.lista_miembros))
