"""The components of the data-quality score, each one grouped SQL per centre, advisor and month.

A month is AAAA-MM of the service's fecha (actuaciones, evidence), of the Bogotá day of the
upload (rejected documents) or of the registration (characterisation).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select

from ..extensions import db
from ..itinerario.dia import bogota_date, day_bounds, days_after, year_month
from ..models import Actuacion, Participante, Verificador
from ..models.actuacion import vigentes
from ..verificadores.queries import coverage_by_advisor_month

# Recorded more than this many days after the service's fecha counts as late.
LATE_AFTER_DAYS = 5
# Fields without which a person's characterisation is incomplete (the rest may stay unknown).
CHARACTERISATION = ("sexo", "fecha_nacimiento", "municipio", "tipo_poblacion")


def _in_centre(statement, column, centro_id):
    return statement.where(column == centro_id) if centro_id is not None else statement


def recorded(centro_id: int | None, desde: date, hasta: date):
    a = Actuacion
    mes = year_month(a.fecha)
    late = bogota_date(a.creado_en) > days_after(a.fecha, LATE_AFTER_DAYS)
    statement = (select(a.centro_id, a.asesor_id, mes.label("mes"),
                        func.count().label("registradas"),
                        func.sum(case((and_(late, ~imported(a)), 1), else_=0)).label("tardias"))
                 .where(vigentes(a), a.fecha >= desde, a.fecha <= hasta)
                 .group_by(a.centro_id, a.asesor_id, mes))
    return _in_centre(statement, a.centro_id, centro_id)


def imported(a):
    """Actuaciones brought by an import keep their original fecha: they are never late."""
    return a.datos["importacion_id"].as_string().is_not(None)


def evidence(centro_id: int | None, desde: date, hasta: date,
             parts: tuple[str, ...] = ("actuaciones", "registros")):
    """The services (actuaciones, registrations or both) needing a document, and with it."""
    return coverage_by_advisor_month(centro_id, desde, hasta, parts)


def rejected(centro_id: int | None, desde: date, hasta: date):
    v = Verificador
    mes = year_month(bogota_date(v.subido_en))
    start, end = day_bounds(desde, hasta)  # the stored instant against the days' bounds: indexed
    statement = (select(v.centro_id, v.subido_por_id.label("asesor_id"), mes.label("mes"),
                        func.count().label("rechazados"))
                 .where(v.estado_revision == "rechazado", v.subido_en >= start, v.subido_en < end)
                 .group_by(v.centro_id, v.subido_por_id, mes))
    return _in_centre(statement, v.centro_id, centro_id)


def characterisation(centro_id: int | None, desde: date, hasta: date):
    p = Participante
    mes = year_month(bogota_date(p.creado_en))
    start, end = day_bounds(desde, hasta)
    incomplete = or_(*(getattr(p, name).is_(None) for name in CHARACTERISATION))
    statement = (select(p.centro_id, p.creado_por_id.label("asesor_id"), mes.label("mes"),
                        func.count().label("personas"),
                        func.sum(case((incomplete, 1), else_=0)).label("sin_caracterizacion"))
                 .where(p.creado_en >= start, p.creado_en < end)
                 .group_by(p.centro_id, p.creado_por_id, mes))
    return _in_centre(statement, p.centro_id, centro_id)


def advisors_of(actuacion_ids: list[int]) -> dict[int, int]:
    """Who recorded each of these actuaciones (alerts name the actuación, not the advisor)."""
    if not actuacion_ids:
        return {}
    rows = db.session.execute(select(Actuacion.id, Actuacion.asesor_id)
                              .where(Actuacion.id.in_(actuacion_ids)))
    return {row.id: row.asesor_id for row in rows}
