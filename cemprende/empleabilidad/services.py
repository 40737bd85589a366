"""Vacantes: the job openings a centre manages and fills with colocaciones."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, centro_for_write, scoped_select, visible_or_404
from ..extensions import db
from ..models import Actuacion, Vacante
from ..models.base import utcnow
from ..pagination import Page, paginate
from ..validation import Fields

EARLIEST_FECHA = date(2000, 1, 1)


def _colocaciones(vacante_ids):
    return (
        select(Actuacion.vacante_id, func.count().label("ocupados"))
        .where(Actuacion.tipo == "colocacion", Actuacion.anulada.is_(False),
               Actuacion.vacante_id.in_(vacante_ids))
        .group_by(Actuacion.vacante_id)
    )


def occupied_by_vacante(vacante_ids: list[int]) -> dict[int, int]:
    if not vacante_ids:
        return {}
    return {row.vacante_id: row.ocupados for row in db.session.execute(_colocaciones(vacante_ids))}


def free_cupos(vacante: Vacante) -> int:
    return vacante.cupos - occupied_by_vacante([vacante.id]).get(vacante.id, 0)


def vacante_in_centre(vacante_id: int, centro_id: int, lock: bool = False) -> Vacante | None:
    statement = select(Vacante).where(Vacante.id == vacante_id, Vacante.centro_id == centro_id)
    if lock:  # two colocaciones at once must not both take the last cupo
        statement = statement.with_for_update()
    return db.session.scalar(statement)


def create(actor, data: dict, today: date | None = None) -> Vacante:
    today = today or date.today()
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    f = Fields(data)
    f.text("empresa", max_length=150)
    f.text("cargo", max_length=150)
    f.integer("cupos", minimum=1, maximum=10_000)
    f.date("fecha", not_future=True, today=today, earliest=EARLIEST_FECHA)
    f.raise_if_errors()
    vacante = Vacante(**f.clean, centro_id=centro_id, creado_por_id=actor.id, creado_en=utcnow())
    return audit.add_audited(vacante, actor=actor, entidad="vacante", centro_id=centro_id,
                             values=f.clean)


def get_visible(actor, vacante_id: int) -> Vacante:
    return visible_or_404(actor, Vacante, vacante_id, "No se encontró la vacante.")


def search(actor, *, q: str | None = None, solo_con_cupos: bool = False,
           page: int = 1, per_page: int = 25) -> Page:
    statement = scoped_select(actor, Vacante)
    if q and q.strip():
        term = q.strip()
        statement = statement.where(
            Vacante.empresa.icontains(term, autoescape=True)
            | Vacante.cargo.icontains(term, autoescape=True)
        )
    if solo_con_cupos:
        ocupados = (
            select(func.count()).where(Actuacion.vacante_id == Vacante.id,
                                       Actuacion.tipo == "colocacion",
                                       Actuacion.anulada.is_(False))
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
