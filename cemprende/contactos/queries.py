"""The "Por contactar" queue: remitted people of the centre whose contact is still open."""
from __future__ import annotations

from sqlalchemy import case, func, select

from ..auth.guards import Accion, ensure, scoped_select
from ..itinerario.tipos import Tipo
from ..models import Actuacion, ContactoIntento, Participante
from ..models.actuacion import vigentes
from ..models.traslado import RESULTADOS_CIERRAN, RESULTADOS_FALLIDOS
from ..pagination import Page, paginate
from ..participantes.services import matches
from ..scoping import ALL_CENTRES_OPTION


def results_in_order(person_ids: list[int]):
    """Every contact result of these people, oldest first per person: the last one read for a
    person is their contact state (`pendiente` when there is none)."""
    return (select(ContactoIntento.participante_id, ContactoIntento.resultado)
            .where(ContactoIntento.participante_id.in_(person_ids))
            .order_by(ContactoIntento.participante_id, ContactoIntento.fecha, ContactoIntento.id)
            .execution_options(**{ALL_CENTRES_OPTION: True}))


def por_contactar(actor, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    """Rows (person, remitted on, attempts, failed attempts, latest result), oldest remission
    first (people marked remitted without a remisión actuación after them, by registration)."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    latest = (select(ContactoIntento.resultado)
              .where(ContactoIntento.participante_id == Participante.id)
              .order_by(ContactoIntento.fecha.desc(), ContactoIntento.id.desc())
              .limit(1).correlate(Participante).scalar_subquery())
    intentos = (select(func.count(ContactoIntento.id))
                .where(ContactoIntento.participante_id == Participante.id)
                .correlate(Participante).scalar_subquery())
    fallidos = (select(func.count(ContactoIntento.id))
                .where(ContactoIntento.participante_id == Participante.id,
                       ContactoIntento.resultado.in_(RESULTADOS_FALLIDOS))
                .correlate(Participante).scalar_subquery())
    remitido = (select(func.min(Actuacion.fecha))
                .where(Actuacion.participante_id == Participante.id,
                       Actuacion.tipo == Tipo.REMISION_DPS, vigentes())
                .correlate(Participante).scalar_subquery())
    # The person is scoped to the caller's centre here; their attempts and remission count
    # whichever centre recorded them (a moved person keeps them).
    statement = (scoped_select(actor, Participante)
                 .add_columns(remitido.label("remitido_en"), intentos.label("intentos"),
                              fallidos.label("fallidos"), latest.label("ultimo"))
                 .where(Participante.remitido_dps.is_(True),
                        func.coalesce(latest, "pendiente").not_in(RESULTADOS_CIERRAN)))
    if q and q.strip():
        statement = statement.where(matches(q))
    statement = statement.order_by(case((remitido.is_(None), 1), else_=0), remitido,
                                   Participante.creado_en, Participante.id)
    return paginate(statement.execution_options(**{ALL_CENTRES_OPTION: True}), page, per_page,
                    rows=True)

