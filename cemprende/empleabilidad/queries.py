"""Reading for the empleabilidad index: the people in the route, open vacancies with free cupos,
and remissions waiting for an answer; each one grouped SQL with its count.

"In the route" is services.job_seekers: the latest routing sends the person to empleabilidad and
they are neither placed nor desisted. A remission is pending while its person is still in the
route (so not placed anywhere) and its vacancy is still open (a closed one takes no colocación).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..auth.guards import Accion, ensure, scoped_select
from ..models import Actuacion, Participante, Vacante
from ..models.actuacion import vigentes
from ..pagination import Page, paginate
from ..participantes.services import matches
from .services import job_seekers
from ..itinerario.tipos import Tipo

SHOWN = 10


def _valid(alias, tipo: str):
    return (alias.tipo == tipo) & vigentes(alias)


def people_in_route(actor, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    """(person, routed on, vacancies remitted to) of everyone in the route, longest waiting first."""
    routing, remission = aliased(Actuacion), aliased(Actuacion)
    routed_on = (select(func.max(routing.fecha))
                 .where(routing.participante_id == Participante.id, _valid(routing, Tipo.ENRUTAMIENTO))
                 .correlate(Participante).scalar_subquery())
    remitted = (select(func.count())
                .where(remission.participante_id == Participante.id,
                       _valid(remission, Tipo.REMISION_SELECCION))
                .correlate(Participante).scalar_subquery())
    statement = job_seekers(actor).add_columns(routed_on.label("desde"), remitted.label("remisiones"))
    if q and q.strip():
        statement = statement.where(matches(q))
    return paginate(statement.order_by(routed_on, Participante.id), page, per_page, rows=True)


def open_vacancies(actor, limit: int = SHOWN) -> Page:
    """(vacancy, free cupos, pending remissions) of the open vacancies with room, newest first."""
    placement, remission = aliased(Actuacion), aliased(Actuacion)
    placed = (select(placement.vacante_id, func.count().label("ocupados"))
              .where(_valid(placement, Tipo.COLOCACION), placement.vacante_id.is_not(None))
              .group_by(placement.vacante_id).subquery("ocupados"))
    seekers = job_seekers(actor).with_only_columns(Participante.id).scalar_subquery()
    waiting = (select(remission.vacante_id, func.count().label("pendientes"))
               .where(_valid(remission, Tipo.REMISION_SELECCION), remission.participante_id.in_(seekers))
               .group_by(remission.vacante_id).subquery("pendientes"))
    free = Vacante.cupos - func.coalesce(placed.c.ocupados, 0)
    statement = (scoped_select(actor, Vacante)
                 .add_columns(free.label("libres"), func.coalesce(waiting.c.pendientes, 0).label("pendientes"))
                 .outerjoin(placed, placed.c.vacante_id == Vacante.id)
                 .outerjoin(waiting, waiting.c.vacante_id == Vacante.id)
                 .where(Vacante.estado == "abierta", free > 0)
                 .order_by(Vacante.fecha.desc(), Vacante.id.desc()))
    return paginate(statement, 1, limit, rows=True)


def pending_remissions(actor, limit: int = SHOWN) -> Page:
    """(person, vacancy, remitted on) of the remissions still waiting, oldest first."""
    remission = aliased(Actuacion)
    statement = (job_seekers(actor)
                 .add_columns(Vacante, remission.fecha.label("remitida_el"))
                 .join(remission, remission.participante_id == Participante.id)
                 .join(Vacante, Vacante.id == remission.vacante_id)
                 .where(_valid(remission, Tipo.REMISION_SELECCION), Vacante.estado == "abierta")
                 .order_by(remission.fecha, remission.id))
    return paginate(statement, 1, limit, rows=True)


@dataclass
class Empleabilidad:
    personas: Page
    vacantes: Page
    remisiones: Page


def overview(actor, q: str | None = None, page: int = 1, per_page: int = 25) -> Empleabilidad:
    """The index: who is in the route (paginated, searchable), and the first few vacancies with
    room and remissions waiting, each with its total."""
    ensure(actor, Accion.VER)
    return Empleabilidad(people_in_route(actor, q, page, per_page), open_vacancies(actor),
                         pending_remissions(actor))
