"""How full a vacancy is: read by the gate's rules and by the vacancy pages."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Actuacion, Vacante
from ..models.actuacion import vigentes
from ..itinerario.tipos import Tipo


def occupied_by_vacante(vacante_ids: list[int]) -> dict[int, int]:
    """Colocaciones (not annulled) per vacancy."""
    if not vacante_ids:
        return {}
    statement = (
        select(Actuacion.vacante_id, func.count().label("ocupados"))
        .where(Actuacion.tipo == Tipo.COLOCACION, vigentes(), Actuacion.vacante_id.in_(vacante_ids))
        .group_by(Actuacion.vacante_id))
    return {row.vacante_id: row.ocupados for row in db.session.execute(statement)}


def free_cupos(vacante: Vacante) -> int:
    return vacante.cupos - occupied_by_vacante([vacante.id]).get(vacante.id, 0)


def vacante_in_centre(vacante_id: int, centro_id: int, fresh: bool = False) -> Vacante | None:
    """The vacancy when it belongs to the centre. fresh=True reads it again from the database
    (the gate, which holds its lock, needs today's estado and cupos, not a copy loaded earlier in
    the request); otherwise the session's copy will do (re-judging stored records asks for the same
    vacancies again and again)."""
    if not fresh:
        vacante = db.session.get(Vacante, vacante_id)
        return vacante if vacante is not None and vacante.centro_id == centro_id else None
    return db.session.scalar(
        select(Vacante).where(Vacante.id == vacante_id, Vacante.centro_id == centro_id)
        .execution_options(populate_existing=True))
