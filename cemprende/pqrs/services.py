"""Recording, answering and following up PQRS.

Centre staff record and answer the PQRS of their centre; supervisors see every centre's and add
follow-up notes. Nothing is ever deleted or hidden: there is no such operation.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, select

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, may, scoped_select, visible_or_404
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..itinerario.dia import business_days_after, today_bogota
from ..itinerario.tipos import Tipo
from ..models import Actuacion, Pqrs, PqrsNota
from ..models.pqrs import (CANALES_PQRS, ESTADOS_PQRS, PLAZO_GENERAL, PLAZOS_DIAS_HABILES,
                           TIPOS_PQRS)
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields, check_version

# Seed-capital complaints point at the plan the capital was decided on.
PLAN_TIPOS = (Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO)
LONG_TEXT = 5000


def deadline(tipo: str, fecha_radicacion: date) -> date:
    return business_days_after(fecha_radicacion, PLAZOS_DIAS_HABILES.get(tipo, PLAZO_GENERAL))


def _plan_of(person_id: int | None, plan_id: int | None, f: Fields) -> int | None:
    if plan_id is None:
        return None
    plan = db.session.get(Actuacion, plan_id)
    if (person_id is None or plan is None or plan.participante_id != person_id
            or plan.tipo not in PLAN_TIPOS or plan.anulada):
        f.fail("plan_id", "Elija un plan de negocio de la misma persona.")
        return None
    return plan.id


def create(actor, data: dict, today: date | None = None) -> Pqrs:
    today = today or today_bogota()
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.ATENDER_PQRS)
    f = Fields(data)
    tipo = f.choice("tipo", TIPOS_PQRS)
    f.choice("canal", CANALES_PQRS)
    fecha = f.date("fecha_radicacion", not_future=True, today=today)
    f.text("asunto", max_length=150)
    f.text("texto", max_length=LONG_TEXT)
    anonima = bool(f.boolean("anonima"))
    person_id = f.integer("participante_id", required=False, minimum=1)
    f.text("nombre_peticionario", required=False, max_length=100)
    f.text("contacto", required=False, max_length=100)
    plan_id = f.integer("plan_id", required=False, minimum=1)
    if anonima and (person_id or f.clean.get("nombre_peticionario")):
        f.fail("anonima", "Una PQRS anónima no lleva persona ni nombre.")
    if not anonima and not person_id and not f.clean.get("nombre_peticionario"):
        f.fail("nombre_peticionario", "Indique la persona, su nombre, o marque la PQRS anónima.")
    f.raise_if_errors()
    if person_id:
        person = participantes.get_visible(actor, person_id)
        if person.centro_id != centro_id:
            raise ValidationFailed({"participante_id": "La persona no está en ese centro."})
    plan_id = _plan_of(person_id, plan_id, f)
    f.raise_if_errors()
    values = {key: f.clean[key] for key in ("tipo", "canal", "fecha_radicacion", "asunto",
                                            "texto", "nombre_peticionario", "contacto")}
    values.update(anonima=anonima, participante_id=person_id, plan_id=plan_id,
                  fecha_limite=deadline(tipo, fecha))
    pqrs = Pqrs(**values, centro_id=centro_id, estado="radicada", creado_por_id=actor.id)
    # Only the kind and the dates reach the audit text: the complaint itself may be personal.
    return audit.add_audited(pqrs, actor=actor, entidad="pqrs", centro_id=centro_id,
                             values={"tipo": tipo, "canal": values["canal"],
                                     "fecha_radicacion": fecha,
                                     "fecha_limite": values["fecha_limite"]})


def get(actor, pqrs_id: int) -> Pqrs:
    return visible_or_404(actor, Pqrs, pqrs_id, "No se encontró la PQRS.")


def answer(actor, pqrs_id: int, data: dict, today: date | None = None) -> Pqrs:
    today = today or today_bogota()
    pqrs = get(actor, pqrs_id)
    ensure(actor, Accion.ATENDER_PQRS, pqrs.centro_id, entidad="pqrs", entidad_id=pqrs.id)
    check_version(data, pqrs.version)
    if not pqrs.abierta:
        raise Conflict("Esta PQRS ya fue respondida; agregue una nota de seguimiento si hace falta.")
    f = Fields(data)
    f.text("respuesta", max_length=LONG_TEXT)
    f.date("fecha_respuesta", not_future=True, today=today, earliest=pqrs.fecha_radicacion)
    f.raise_if_errors()
    values = {"respuesta": f.clean["respuesta"], "fecha_respuesta": f.clean["fecha_respuesta"],
              "estado": "respondida", "respondida_por_id": actor.id}
    return audit.update_audited(pqrs, values, actor=actor, entidad="pqrs",
                                centro_id=pqrs.centro_id)


def add_note(actor, pqrs_id: int, data: dict) -> PqrsNota:
    """Staff of the centre mark it in trámite with their first note; a supervisor only adds one."""
    pqrs = get(actor, pqrs_id)
    ensure(actor, Accion.SEGUIR_PQRS, pqrs.centro_id, entidad="pqrs", entidad_id=pqrs.id)
    f = Fields(data)
    nota = f.text("nota", max_length=LONG_TEXT)
    f.raise_if_errors()
    entry = PqrsNota(pqrs=pqrs, staff_id=actor.id, nota=nota)
    db.session.add(entry)
    if pqrs.estado == "radicada" and may(actor, Accion.ATENDER_PQRS):
        pqrs.estado = "en_tramite"
    db.session.flush()
    audit.record("nota", actor=actor, entidad="pqrs", entidad_id=pqrs.id,
                 centro_id=pqrs.centro_id, despues={"estado": pqrs.estado})
    return entry


def parse_filters(args: dict) -> dict:
    f = Fields(args)
    f.choice("estado", ESTADOS_PQRS, required=False)
    f.choice("tipo", TIPOS_PQRS, required=False)
    f.integer("centro_id", required=False, minimum=1)
    vencidas = f.boolean("vencidas")
    f.text("q", required=False, max_length=100)
    f.raise_if_errors()
    return {"estado": f.clean.get("estado"), "tipo": f.clean.get("tipo"),
            "centro_id": f.clean.get("centro_id"), "vencidas": bool(vencidas),
            "q": f.clean.get("q")}


def listing(actor, *, estado: str | None = None, tipo: str | None = None,
            centro_id: int | None = None, vencidas: bool = False, q: str | None = None,
            page: int = 1, per_page: int = 25, today: date | None = None) -> Page:
    """Overdue ones first, then open ones by deadline, answered ones last (newest first)."""
    today = today or today_bogota()
    statement = scoped_select(actor, Pqrs)
    overdue = and_(Pqrs.estado != "respondida", Pqrs.fecha_limite < today)
    if estado:
        statement = statement.where(Pqrs.estado == estado)
    if tipo:
        statement = statement.where(Pqrs.tipo == tipo)
    if centro_id:
        statement = statement.where(Pqrs.centro_id == centro_id)
    if vencidas:
        statement = statement.where(overdue)
    if q:
        statement = statement.where(Pqrs.asunto.icontains(q, autoescape=True))
    rank = case((overdue, 0), (Pqrs.estado != "respondida", 1), else_=2)
    statement = statement.order_by(rank, case((Pqrs.estado != "respondida", Pqrs.fecha_limite)),
                                   Pqrs.fecha_radicacion.desc(), Pqrs.id.desc())
    return paginate(statement, page, per_page)


def overdue_count(actor, today: date | None = None) -> int:
    return listing(actor, vencidas=True, per_page=1, today=today).total
