"""Mi trabajo: what waits for an advisor across orientación, empleabilidad and referenciación.

Each list is one query of the process that owns it (its own service), first few rows plus a count;
this module only gathers them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..auth.guards import Accion, ensure
from ..contactos import queries as contactos
from ..empleabilidad import services as empleabilidad

from ..models import Actuacion, Participante, Vacante
from ..models.actuacion import vigentes
from ..orientacion import services as orientacion
from ..pagination import Page, paginate
from ..referenciacion import services as referenciacion
from ..traslados import services as traslados
from ..verificadores import cobertura
from ..verificadores import services as verificadores
from ..itinerario.dia import today_bogota
from ..itinerario.tipos import Tipo

SHOWN = 5


@dataclass
class VacanteLibre:
    vacante: Vacante
    libres: int
    candidatos: int


@dataclass
class MiTrabajo:
    por_enrutar: Page
    dps_sin_caracterizar: Page
    por_colocar: Page
    vacantes: list[VacanteLibre]
    referencias_vencidas: Page
    sin_verificador: Page
    por_contactar: Page
    traslados_por_responder: Page  # asked of this centre (the origin answers)
    traslados_solicitados: Page  # asked by this centre, still waiting
    rechazados: Page  # documents this advisor uploaded that a supervisor rejected, to replace

    @property
    def total(self) -> int:
        return (self.por_enrutar.total + self.dps_sin_caracterizar.total + self.por_colocar.total
                + len(self.vacantes) + self.referencias_vencidas.total + self.sin_verificador.total
                + self.por_contactar.total + self.traslados_por_responder.total
                + self.traslados_solicitados.total + self.rechazados.total)


def _open_vacancies_with_room(actor) -> list[VacanteLibre]:
    """Open vacancies of the centre with free cupos, and how many job seekers could be sent."""
    open_ones = empleabilidad.search(actor, estado="abierta", solo_con_cupos=True, per_page=SHOWN).items
    occupied = empleabilidad.occupied_by_vacante([v.id for v in open_ones])
    found = []
    for vacante in open_ones:  # a handful of vacancies, each one counted in SQL
        candidates = empleabilidad.candidates(actor, vacante, per_page=1).total
        found.append(VacanteLibre(vacante, vacante.cupos - occupied.get(vacante.id, 0), candidates))
    return found


def _waiting_to_be_placed(actor) -> Page:
    """Job seekers without a colocación, longest waiting since their routing first."""
    routed_on = (select(func.max(Actuacion.fecha)).where(
        Actuacion.participante_id == Participante.id, Actuacion.tipo == Tipo.ENRUTAMIENTO,
        vigentes()).correlate(Participante).scalar_subquery())
    statement = empleabilidad.job_seekers(actor).add_columns(routed_on.label("desde"))
    return paginate(statement.order_by(routed_on, Participante.id), 1, SHOWN, rows=True)


def my_work(actor, today: date | None = None) -> MiTrabajo:
    ensure(actor, Accion.EDITAR_ITINERARIO)
    today = today or today_bogota()
    return MiTrabajo(
        por_enrutar=orientacion.queue_to_route(actor, per_page=SHOWN),
        dps_sin_caracterizar=orientacion.queue_dps_to_characterise(actor, per_page=SHOWN),
        por_colocar=_waiting_to_be_placed(actor),
        vacantes=_open_vacancies_with_room(actor),
        referencias_vencidas=referenciacion.referencias(actor, vencidas_al=today, asesor_id=actor.id,
                                                        per_page=SHOWN),
        sin_verificador=cobertura.missing_of_advisor(actor, per_page=SHOWN),
        por_contactar=contactos.por_contactar(actor, per_page=SHOWN),
        traslados_por_responder=traslados.transfers(actor, estado=traslados.ABIERTO, lado="origen",
                                                    per_page=SHOWN),
        traslados_solicitados=traslados.transfers(actor, estado=traslados.ABIERTO, lado="destino",
                                                  per_page=SHOWN),
        rechazados=verificadores.rejected_to_replace(actor, per_page=SHOWN),
    )
