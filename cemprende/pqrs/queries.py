"""Reads for the PQRS pages."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..formatting import fecha
from ..itinerario.tipos import TIPOS
from ..models import Actuacion
from ..models.actuacion import vigentes
from .services import PLAN_TIPOS


def plan_choices(person) -> dict[str, str]:
    """The person's business plans, for linking a seed-capital complaint to one."""
    if person is None:
        return {}
    plans = db.session.scalars(select(Actuacion).where(
        Actuacion.participante_id == person.id, Actuacion.tipo.in_(PLAN_TIPOS), vigentes())
        .order_by(Actuacion.fecha))
    return {str(plan.id): f"{TIPOS[plan.tipo].etiqueta} del {fecha(plan.fecha)}" for plan in plans}
