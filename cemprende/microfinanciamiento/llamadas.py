"""Verification calls: a supervisor's call list of seed-capital beneficiaries and what each says.

The list holds the people with a delivery (desembolso) in a month, all of them or a sample drawn
from a seed (the same seed gives the same people). Each call records, item by item, whether the
person received what the records say was delivered, the state of the goods and whether they
recognise the supplier. A call that contradicts the records raises the `entrega_no_confirmada`
alert until a later call confirms everything.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, ensure
from ..errors import ValidationFailed
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..itinerario.tipos import Tipo
from ..models import Actuacion, LlamadaItem, LlamadaVerificacion, Participante
from ..models.actuacion import vigentes
from ..models.llamada import ESTADO_BIENES, RECIBIDO
from ..participantes import services as participantes
from ..tableros import services as tableros
from ..validation import Fields
from .entregas import NoApprovedPlan, PlanAprobado, approved_plan
from .reglas import item_key

MAX_MUESTRA = 500


@dataclass
class Beneficiario:
    plan: PlanAprobado
    ultima: LlamadaVerificacion | None

    @property
    def persona(self) -> Participante:
        return self.plan.persona

    @property
    def proveedores(self) -> list[str]:
        return sorted({(e.datos or {}).get("proveedor", "") for e in self.plan.entregas} - {""})

    @property
    def entregados(self):
        return [item for item in self.plan.items.values() if item.entregado]

    def to_dict(self) -> dict:
        person = self.persona
        return {"participante_id": person.id, "nombres": person.nombres,
                "apellidos": person.apellidos, "tipo_documento": person.tipo_documento,
                "numero_documento": person.numero_documento, "telefono": person.telefono,
                "centro_id": person.centro_id, "comite_id": self.plan.comite.id,
                "valor_aprobado": self.plan.comite.valor,
                "valor_entregado": self.plan.valor_entregado, "proveedores": self.proveedores,
                "items": [{"descripcion": i.descripcion, "aprobado": i.planeado,
                           "entregado": i.entregado} for i in self.plan.items.values()],
                "ultima_llamada": self.ultima.to_dict() if self.ultima else None}


@dataclass
class ListaLlamadas:
    centro_id: int | None
    mes: date
    con_entrega: int  # people with a delivery in the month, before sampling
    muestra: int | None
    semilla: int | None
    items: list[Beneficiario]

    def to_dict(self) -> dict:
        return {"centro_id": self.centro_id, "mes": f"{self.mes:%Y-%m}",
                "con_entrega": self.con_entrega, "muestra": self.muestra,
                "semilla": self.semilla, "items": [b.to_dict() for b in self.items]}


def call_list(actor, args: dict, today: date | None = None) -> ListaLlamadas:
    ensure(actor, Accion.VERIFICAR_ENTREGAS)
    today = today or today_bogota()
    f = Fields(args)
    desde, hasta = f.month("mes", default=today)
    muestra = f.integer("muestra", required=False, minimum=1, maximum=MAX_MUESTRA)
    semilla = f.integer("semilla", required=False, minimum=0, maximum=2**31 - 1)
    f.raise_if_errors()
    centro_id = tableros.resolve_scope(actor, args.get("centro_id"))
    statement = (select(Actuacion.participante_id).distinct()
                 .where(Actuacion.tipo == Tipo.DESEMBOLSO, vigentes(), Actuacion.fecha >= desde,
                        Actuacion.fecha <= hasta).order_by(Actuacion.participante_id))
    if centro_id is not None:
        statement = statement.where(Actuacion.centro_id == centro_id)
    people = list(db.session.scalars(statement))
    chosen = people
    if muestra:
        semilla = semilla if semilla is not None else secrets.randbelow(1_000_000)
        # Bandit B311: a reproducible draw from a recorded seed (the seed itself comes from secrets)
        chosen = sorted(random.Random(semilla).sample(people, min(muestra, len(people))))  # nosec B311
    else:
        semilla = None
    latest = _latest_calls(chosen)
    items = []
    for person_id in chosen:
        try:
            items.append(Beneficiario(approved_plan(actor, person_id), latest.get(person_id)))
        except NoApprovedPlan:
            continue  # a delivery whose approval was annulled afterwards: the review list shows it
    return ListaLlamadas(centro_id, desde, len(people), muestra, semilla, items)


def _latest_calls(person_ids: list[int]) -> dict[int, LlamadaVerificacion]:
    if not person_ids:
        return {}
    ranked = (select(LlamadaVerificacion.id, func.row_number().over(
        partition_by=LlamadaVerificacion.participante_id,
        order_by=(LlamadaVerificacion.fecha.desc(), LlamadaVerificacion.id.desc())).label("rn"))
        .where(LlamadaVerificacion.participante_id.in_(person_ids))).subquery()
    calls = db.session.scalars(select(LlamadaVerificacion).join(
        ranked, ranked.c.id == LlamadaVerificacion.id).where(ranked.c.rn == 1))
    return {call.participante_id: call for call in calls}


def record_call(actor, data: dict, today: date | None = None) -> LlamadaVerificacion:
    ensure(actor, Accion.VERIFICAR_ENTREGAS)
    today = today or today_bogota()
    f = Fields(data)
    person_id = f.integer("participante_id", minimum=1)
    f.raise_if_errors()
    try:
        plan = approved_plan(actor, person_id)
    except NoApprovedPlan as error:
        raise ValidationFailed({"participante_id": error.message}) from None
    fecha = f.date("fecha", not_future=True, today=today, earliest=plan.comite.fecha)
    contesto = f.boolean("contesto", required=True)
    proveedor = f.boolean("proveedor_confirmado", required=bool(contesto))
    observacion = f.text("observacion", required=False, max_length=5000)
    answers = _item_answers(f, plan, data.get("items")) if contesto else []
    f.raise_if_errors()
    problems = [problem for problem in map(_problem, answers) if problem]
    if contesto and proveedor is False:
        problems.append("no reconoce al proveedor")
    call = LlamadaVerificacion(
        centro_id=plan.persona.centro_id, participante_id=plan.persona.id,
        comite_id=plan.comite.id, fecha=fecha, staff_id=actor.id, contesto=bool(contesto),
        proveedor_confirmado=proveedor if contesto else None, observacion=observacion,
        discrepancia=bool(problems), resumen=_summary(contesto, problems)[:500],
        items=[LlamadaItem(**row) for row in answers])
    return audit.add_audited(call, actor=actor, entidad="llamada_verificacion",
                             centro_id=call.centro_id,
                             values={"participante_id": call.participante_id, "fecha": fecha,
                                     "contesto": call.contesto,
                                     "discrepancia": call.discrepancia})


def _item_answers(f: Fields, plan: PlanAprobado, rows) -> list[dict]:
    """One answer per item recorded as delivered, matched by description like the deliveries."""
    delivered = {key: item for key, item in plan.items.items() if item.entregado}
    given = {}
    for n, row in enumerate(rows if isinstance(rows, list) else [], start=1):
        descripcion = row.get("descripcion") if isinstance(row, dict) else None
        key = item_key(descripcion) if isinstance(descripcion, str) else None
        if key not in delivered:
            f.fail(f"items[{n}].descripcion", "Ese ítem no figura como entregado a la persona.")
            continue
        given[key] = (n, row)
    answers = []
    for key, item in delivered.items():
        if key not in given:
            f.fail("items", f"Falta lo que dijo la persona sobre «{item.descripcion}».")
            continue
        n, row = given[key]
        sub = Fields(row)
        recibido = sub.choice("recibido", RECIBIDO)
        cantidad = sub.integer("cantidad_recibida", required=recibido == "parcial", minimum=0,
                               maximum=item.entregado)
        estado = sub.choice("estado_bienes", ESTADO_BIENES, required=recibido != "no")
        for name, message in sub.errors.items():
            f.fail(f"items[{n}].{name}", message)
        if recibido == "si":
            cantidad = item.entregado
        elif recibido == "no":
            cantidad, estado = 0, estado or "no_verificado"
        answers.append({"descripcion": item.descripcion, "registrado": item.entregado,
                        "recibido": recibido, "cantidad_recibida": cantidad,
                        "estado_bienes": estado})
    return answers


def _problem(row: dict) -> str | None:
    if row["recibido"] == "no":
        return f"no recibió {row['descripcion']} (registrado: {row['registrado']})"
    if row["recibido"] == "parcial":
        return (f"recibió {row['cantidad_recibida']} de {row['registrado']} "
                f"{row['descripcion']}")
    if row["estado_bienes"] == "malo":
        return f"{row['descripcion']} en mal estado"
    return None


def _summary(contesto: bool | None, problems: list[str]) -> str:
    if not contesto:
        return "No contestó."
    if not problems:
        return "Confirma la entrega completa y reconoce al proveedor."
    text = "; ".join(problems)
    return f"La persona {text}."


def calls_of(actor, participante_id: int) -> list[LlamadaVerificacion]:
    """A person's calls, newest first (who may see the person may see them)."""
    person = participantes.get_visible(actor, participante_id)
    return list(db.session.scalars(select(LlamadaVerificacion).where(
        LlamadaVerificacion.participante_id == person.id)
        .order_by(LlamadaVerificacion.fecha.desc(), LlamadaVerificacion.id.desc())))
