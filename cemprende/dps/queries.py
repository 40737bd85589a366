"""The SQL of the cross-check with DPS: every figure and every row in one grouped statement.

The unit is a `remision_dps` actuación (not annulled) recorded by a centre and dated in the
period: the export lists one row per remission; the follow-up view groups them by centre and list
(programa and the import that brought them; by hand: no import) and counts distinct people:

- remitidos: every person remitted in the group;
- localizados: their contact state (latest attempt) is `localizado`, or any service (any other
  actuación) follows the remission;
- atendidos: an orientación caracterización follows the remission.

Services and contact attempts count whichever centre recorded them (a person who moved keeps
them); the remission's centre is the centre the row belongs to.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from ..itinerario.tipos import Tipo
from ..models import Actuacion, Centro, ContactoIntento, Participante
from ..models.actuacion import comes_after, superseded, vigentes
from ..scoping import ALL_CENTRES_OPTION

ETAPAS = {"remitidos": "Remitidos", "localizados": "Localizados", "atendidos": "Atendidos"}


def _remissions(centro_id: int | None, desde: date | None, hasta: date):
    """The remissions alias and its conditions (centre, period)."""
    r = aliased(Actuacion, name="remision")
    conditions = [r.tipo == Tipo.REMISION_DPS, vigentes(r), r.fecha <= hasta]
    if desde is not None:
        conditions.append(r.fecha >= desde)
    if centro_id is not None:
        conditions.append(r.centro_id == centro_id)
    return r, conditions


def programa_of(r):
    return r.datos["programa"].as_string()


def importacion_of(r):
    return r.datos["importacion_id"].as_integer()


def latest_contact(participante_id):
    """The person's latest contact result (None: no attempt, i.e. `pendiente`)."""
    return (select(ContactoIntento.resultado)
            .where(ContactoIntento.participante_id == participante_id)
            .order_by(ContactoIntento.fecha.desc(), ContactoIntento.id.desc())
            .limit(1).scalar_subquery())


def _later(r, tipos: tuple[str, ...] | None = None, exclude: str | None = None):
    """An actuación of the same person (not annulled) after the remission `r`."""
    s = aliased(Actuacion)
    conditions = [s.participante_id == r.participante_id, vigentes(s), comes_after(s, r)]
    if tipos:
        conditions.append(s.tipo.in_(tipos))
    if exclude:
        conditions.append(s.tipo != exclude)
    return exists().where(*conditions)


def localizado(r):
    return or_(func.coalesce(latest_contact(r.participante_id), "pendiente") == "localizado",
               _later(r, exclude=Tipo.REMISION_DPS))


def atendido(r):
    return _later(r, tipos=(Tipo.CARACTERIZACION,))


# ---- the follow-up view ---------------------------------------------------------------------

def seguimiento(centro_id: int | None, desde: date | None, hasta: date):
    """Rows (centro_id, centro, programa, importacion_id, remitidos, localizados, atendidos),
    one statement: a subquery of flagged remissions, grouped."""
    r, conditions = _remissions(centro_id, desde, hasta)
    flagged = (select(r.centro_id.label("centro_id"), programa_of(r).label("programa"),
                      importacion_of(r).label("importacion_id"),
                      r.participante_id.label("participante_id"),
                      case((localizado(r), r.participante_id)).label("localizado"),
                      case((atendido(r), r.participante_id)).label("atendido"))
               .where(*conditions).subquery())
    statement = (select(flagged.c.centro_id, Centro.nombre.label("centro"), flagged.c.programa,
                        flagged.c.importacion_id,
                        func.count(flagged.c.participante_id.distinct()).label("remitidos"),
                        func.count(flagged.c.localizado.distinct()).label("localizados"),
                        func.count(flagged.c.atendido.distinct()).label("atendidos"))
                 .join(Centro, Centro.id == flagged.c.centro_id)
                 .group_by(flagged.c.centro_id, Centro.nombre, flagged.c.programa,
                           flagged.c.importacion_id)
                 .order_by(Centro.nombre, flagged.c.programa, flagged.c.importacion_id))
    return statement.execution_options(**{ALL_CENTRES_OPTION: True})


def personas(centro_id: int | None, desde: date | None, hasta: date, *, programa: str | None,
             importacion_id: int | None, sin_importacion: bool, etapa: str):
    """The people behind one figure of the follow-up view: (participante_id, tipo_documento,
    numero_documento, nombres, apellidos, centro_id, fecha_remision, estado_contacto,
    localizado, atendido), one row per person, by name."""
    r, conditions = _remissions(centro_id, desde, hasta)
    if programa is not None:
        conditions.append(programa_of(r) == programa)
    if sin_importacion:
        conditions.append(importacion_of(r).is_(None))
    elif importacion_id is not None:
        conditions.append(importacion_of(r) == importacion_id)
    flags = (select(r.participante_id.label("participante_id"),
                    func.min(r.fecha).label("fecha_remision"),
                    func.max(case((localizado(r), 1), else_=0)).label("localizado"),
                    func.max(case((atendido(r), 1), else_=0)).label("atendido"))
             .where(*conditions).group_by(r.participante_id).subquery())
    p = Participante
    statement = (select(p.id, p.tipo_documento, p.numero_documento, p.nombres, p.apellidos,
                        p.centro_id, flags.c.fecha_remision,
                        func.coalesce(latest_contact(p.id), "pendiente").label("estado_contacto"),
                        flags.c.localizado, flags.c.atendido)
                 .join(flags, flags.c.participante_id == p.id))
    if etapa == "localizados":
        statement = statement.where(flags.c.localizado == 1)
    elif etapa == "atendidos":
        statement = statement.where(flags.c.atendido == 1)
    return (statement.order_by(p.apellidos, p.nombres, p.id)
            .execution_options(**{ALL_CENTRES_OPTION: True}))


# ---- the export for DPS -----------------------------------------------------------------------

def remitidos(centro_id: int | None, desde: date | None, hasta: date):
    """One row per remission: the person's document and names, the remission's programa and
    fecha, the contact state, the first service (tipo, fecha) and the current route (the latest
    ingreso_ruta that no desistimiento follows), centre name; by centre, fecha, name."""
    r, conditions = _remissions(centro_id, desde, hasta)
    p = Participante
    first = aliased(Actuacion, name="primero")
    first_service = (select(first.tipo, first.fecha)
                     .where(first.participante_id == r.participante_id, vigentes(first),
                            first.tipo != Tipo.REMISION_DPS)
                     .order_by(first.fecha, first.id).limit(1))
    ruta = aliased(Actuacion, name="ruta")
    left = aliased(Actuacion, name="desiste")
    current_route = (select(ruta.categoria)
                     .where(ruta.participante_id == r.participante_id, ruta.tipo == Tipo.INGRESO_RUTA,
                            vigentes(ruta), not_(superseded(ruta)),
                            not_(exists().where(left.participante_id == ruta.participante_id,
                                                left.tipo == Tipo.DESISTIMIENTO, vigentes(left),
                                                comes_after(left, ruta))))
                     .order_by(ruta.fecha.desc(), ruta.id.desc()).limit(1).scalar_subquery())
    statement = (select(p.id.label("participante_id"), p.tipo_documento, p.numero_documento,
                        p.nombres, p.apellidos, programa_of(r).label("programa"),
                        r.fecha.label("fecha_remision"),
                        func.coalesce(latest_contact(p.id), "pendiente").label("estado_contacto"),
                        first_service.with_only_columns(first.tipo).scalar_subquery()
                        .label("primer_servicio"),
                        first_service.with_only_columns(first.fecha).scalar_subquery()
                        .label("fecha_primer_servicio"),
                        current_route.label("ruta_actual"), Centro.nombre.label("centro"),
                        r.centro_id.label("centro_id"))
                 .select_from(r).join(p, p.id == r.participante_id)
                 .join(Centro, Centro.id == r.centro_id)
                 .where(*conditions)
                 .order_by(Centro.nombre, r.fecha, p.apellidos, p.nombres, r.id))
    return statement.execution_options(**{ALL_CENTRES_OPTION: True})


def count_remitidos(centro_id: int | None, desde: date | None, hasta: date):
    r, conditions = _remissions(centro_id, desde, hasta)
    return (select(func.count()).select_from(r).where(*conditions)
            .execution_options(**{ALL_CENTRES_OPTION: True}))

