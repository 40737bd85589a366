"""Vacantes: the job openings a centre manages and fills with colocaciones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import ValidationFailed
from ..extensions import db
from ..itinerario import services as itinerario
from ..locking import lock_vacantes
from ..models import Actuacion, Participante, Vacante
from ..models.actuacion import superseded, vigentes
from ..models.vacante import ESTADOS_VACANTE, HORARIOS, NIVELES
from ..models.base import utcnow
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields, check_version, to_id
from . import ajuste
from .ocupacion import free_cupos, occupied_by_vacante, vacante_in_centre  # noqa: F401 (pages read them here)
from ..itinerario.dia import today_bogota
from ..itinerario.tipos import Tipo

EARLIEST_FECHA = date(2000, 1, 1)


def _vacante_fields(data: dict, today: date, partial: bool = False) -> dict:
    f = Fields(data)

    def wanted(name):
        return not partial or f.present(name)

    if wanted("empresa"):
        f.text("empresa", max_length=150)
    if wanted("cargo"):
        f.text("cargo", max_length=150)
    if wanted("cupos"):
        f.integer("cupos", minimum=1, maximum=10_000)
    if wanted("fecha"):
        f.date("fecha", not_future=True, today=today, earliest=EARLIEST_FECHA)
    if f.present("nivel"):
        f.choice("nivel", NIVELES, required=False)
    if f.present("experiencia_meses"):
        f.integer("experiencia_meses", required=False, minimum=0, maximum=720)
    if f.present("municipio"):
        f.text("municipio", required=False, max_length=80)
    if f.present("horario"):
        f.choice("horario", HORARIOS, required=False)
    if f.present("estado"):
        f.choice("estado", ESTADOS_VACANTE)
    f.raise_if_errors()
    return f.clean


def create(actor, data: dict, today: date | None = None) -> Vacante:
    today = today or today_bogota()
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    values = _vacante_fields(data, today)
    values.setdefault("estado", "abierta")
    vacante = Vacante(**values, centro_id=centro_id, creado_por_id=actor.id, creado_en=utcnow())
    return audit.add_audited(vacante, actor=actor, entidad="vacante", centro_id=centro_id,
                             values=values)


def update(actor, vacante_id: int, data: dict, today: date | None = None) -> Vacante:
    """Edits a vacancy (optimistic lock); its cupos never drop below the people placed in it."""
    vacante = get_visible(actor, vacante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, vacante.centro_id)
    check_version(data, vacante.version)
    values = _vacante_fields(data, today or today_bogota(), partial=True)
    lock_vacantes([vacante.id])  # no colocación may slip in between the count and the new cupos
    placed = occupied_by_vacante([vacante.id]).get(vacante.id, 0)
    if values.get("cupos") is not None and values["cupos"] < placed:
        raise ValidationFailed({"cupos": f"Ya hay {placed} personas colocadas en esta vacante."})
    return audit.update_audited(vacante, values, actor=actor, entidad="vacante",
                                centro_id=vacante.centro_id)


def get_visible(actor, vacante_id: int) -> Vacante:
    return visible_or_404(actor, Vacante, vacante_id, "No se encontró la vacante.")


def search(actor, *, q: str | None = None, solo_con_cupos: bool = False,
           estado: str | None = None, nivel: str | None = None,
           page: int = 1, per_page: int = 25) -> Page:
    statement = scoped_select(actor, Vacante)
    if estado in ESTADOS_VACANTE:
        statement = statement.where(Vacante.estado == estado)
    if nivel in NIVELES:
        statement = statement.where(Vacante.nivel == nivel)
    if q and q.strip():
        term = q.strip()
        statement = statement.where(
            Vacante.empresa.icontains(term, autoescape=True)
            | Vacante.cargo.icontains(term, autoescape=True)
        )
    if solo_con_cupos:
        ocupados = (
            select(func.count()).where(Actuacion.vacante_id == Vacante.id,
                                       Actuacion.tipo == Tipo.COLOCACION,
                                       vigentes())
            .correlate(Vacante).scalar_subquery()
        )
        statement = statement.where(Vacante.cupos > ocupados)
    statement = statement.order_by(Vacante.fecha.desc(), Vacante.id.desc())
    return paginate(statement, page, per_page)


def by_ids(ids: set[int]) -> dict[int, Vacante]:
    if not ids:
        return {}
    return {v.id: v for v in db.session.scalars(select(Vacante).where(Vacante.id.in_(ids)))}


def with_occupancy(vacantes: list[Vacante]) -> list[dict]:
    occupied = occupied_by_vacante([v.id for v in vacantes])
    return [v.to_dict(occupied.get(v.id, 0)) for v in vacantes]


# ---- people and vacancies --------------------------------------------------------------------

def _latest_routing_is_empleabilidad():
    """The person's latest valid enrutamiento sends them to empleabilidad."""
    latest = aliased(Actuacion)
    return exists().where(latest.participante_id == Participante.id, latest.tipo == Tipo.ENRUTAMIENTO,
                          vigentes(latest), ~superseded(latest),
                          latest.categoria == "empleabilidad").correlate(Participante)


def _has(tipo: str, vacante_id: int | None = None):
    condition = select(Actuacion.id).where(
        Actuacion.participante_id == Participante.id, Actuacion.tipo == tipo,
        vigentes())
    if vacante_id is not None:
        condition = condition.where(Actuacion.vacante_id == vacante_id)
    return condition.correlate(Participante).exists()


def job_seekers(actor, centro_id: int | None = None):
    """People routed to empleabilidad, neither placed nor desisted: who the vacancies are for."""
    statement = scoped_select(actor, Participante).where(
        _latest_routing_is_empleabilidad(), ~_has(Tipo.COLOCACION), ~_has(Tipo.DESISTIMIENTO))
    if centro_id is not None:
        statement = statement.where(Participante.centro_id == centro_id)
    return statement


def candidates(actor, vacante: Vacante, q: str | None = None, page: int = 1,
               per_page: int = 50) -> Page:
    """Job seekers of the vacancy's centre not yet sent to it, best fit to its requirements first
    (`ajuste`), then the longest waiting."""
    statement = job_seekers(actor, vacante.centro_id).where(~_has(Tipo.REMISION_SELECCION, vacante.id))
    if q and q.strip():
        statement = statement.where(participantes.matches(q))
    statement = statement.order_by(ajuste.score(vacante).desc(), Participante.creado_en, Participante.id)
    return paginate(statement, page, per_page)


def sent_to(vacante: Vacante) -> list[tuple[Participante, Actuacion | None, Actuacion | None]]:
    """(person, remisión, colocación) for everyone sent to or placed in this vacancy."""
    rows = db.session.scalars(select(Actuacion).where(
        Actuacion.vacante_id == vacante.id, vigentes(),
        Actuacion.tipo.in_((Tipo.REMISION_SELECCION, Tipo.COLOCACION))).order_by(Actuacion.fecha, Actuacion.id))
    by_person: dict[int, dict[str, Actuacion]] = {}
    for actuacion in rows:
        by_person.setdefault(actuacion.participante_id, {}).setdefault(actuacion.tipo, actuacion)
    people = {p.id: p for p in db.session.scalars(
        select(Participante).where(Participante.id.in_(list(by_person))))} if by_person else {}
    return [(people[pid], acts.get(Tipo.REMISION_SELECCION), acts.get(Tipo.COLOCACION))
            for pid, acts in by_person.items()]


def participant_ids(raw) -> list[int]:
    """The people chosen on a page (checkboxes) or sent by the API (a list of ids)."""
    values = [raw] if isinstance(raw, (str, int)) else raw
    if not isinstance(values, list) or not values:
        raise ValidationFailed({"participante_ids": "Elija al menos una persona."})
    ids = {to_id(v) for v in values}
    if None in ids:  # not a whole number, or beyond any stored id
        raise ValidationFailed({"participante_ids": "Identificadores de persona no válidos."})
    return sorted(ids)


def remit(actor, vacante_id: int, data: dict, today: date | None = None) -> list[Actuacion]:
    """Sends several people to the vacancy's selection process in one transaction (the gate
    refuses anyone already sent to it, and then nobody is sent)."""
    vacante = get_visible(actor, vacante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, vacante.centro_id)
    people = participant_ids(data.get("participante_ids"))
    return [itinerario.register(actor, person_id, {"tipo": Tipo.REMISION_SELECCION,
                                                   "fecha": data.get("fecha"),
                                                   "vacante_id": vacante.id}, today=today)
            for person_id in people]


def hire(actor, vacante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """Records the colocación; the gate's rules want an earlier remisión and a free cupo."""
    vacante = get_visible(actor, vacante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, vacante.centro_id)
    f = Fields(data)
    person_id = f.integer("participante_id", minimum=1)
    f.raise_if_errors()
    return itinerario.register(actor, person_id, {"tipo": Tipo.COLOCACION, "fecha": data.get("fecha"),
                                                  "vacante_id": vacante.id}, today=today)


@dataclass
class PerfilEmpleo:
    hoja_de_vida: Actuacion | None
    capacitaciones: list[Actuacion]
    postulaciones: list[tuple[Vacante, Actuacion | None, Actuacion | None]]
    colocacion: Actuacion | None


def person_summary(actor, participante_id: int) -> PerfilEmpleo:
    """A person's employability at a glance: CV, trainings, vacancies applied to, outcome."""
    person = participantes.get_visible(actor, participante_id)
    acts = list(db.session.scalars(select(Actuacion).where(
        Actuacion.participante_id == person.id, vigentes(),
        Actuacion.tipo.in_((Tipo.HOJA_DE_VIDA, Tipo.CAPACITACION_FIS, Tipo.REMISION_SELECCION, Tipo.COLOCACION)))
        .order_by(Actuacion.fecha, Actuacion.id)))
    vacantes = by_ids({a.vacante_id for a in acts if a.vacante_id})
    applied: dict[int, list] = {}
    for a in acts:
        if a.vacante_id:
            entry = applied.setdefault(a.vacante_id, [vacantes[a.vacante_id], None, None])
            entry[1 if a.tipo == Tipo.REMISION_SELECCION else 2] = a
    cvs = [a for a in acts if a.tipo == Tipo.HOJA_DE_VIDA]
    placed = [a for a in acts if a.tipo == Tipo.COLOCACION]
    return PerfilEmpleo(cvs[-1] if cvs else None, [a for a in acts if a.tipo == Tipo.CAPACITACION_FIS],
                        [tuple(v) for v in applied.values()], placed[-1] if placed else None)


def register_cv(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    return itinerario.register(actor, participante_id, {
        "tipo": Tipo.HOJA_DE_VIDA, "fecha": data.get("fecha"), "plataforma": data.get("plataforma"),
        "codigo": data.get("codigo")}, today=today)


def candidates_for_training(actor, centro_id: int, q: str | None = None,
                            limit: int = 50) -> list[Participante]:
    """Whom a FIS session is offered to: anyone of the course's centre matching q, or by default
    the centre's job seekers."""
    if q and q.strip():
        statement = scoped_select(actor, Participante).where(Participante.centro_id == centro_id,
                                                             participantes.matches(q))
    else:
        statement = job_seekers(actor, centro_id)
    statement = statement.order_by(Participante.nombres, Participante.apellidos)
    return list(db.session.scalars(statement.limit(limit)))
