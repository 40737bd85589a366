"""The SQL of the cross-check with DPS: every figure and every row in one grouped statement.

The unit is a `remision_dps` actuación (not annulled) recorded by a centre and dated in the
period: the export lists one row per remission; the follow-up view groups them by centre and list
(programa and the import that brought them; by hand: no import) and counts distinct people:

- remitidos: every person remitted in the group;
- localizados: their contact state (latest attempt) is `localizado`, or they got a service (any
  actuación but a remission) dated on or after the remission;
- atendidos: an orientación caracterización dated on or after the remission.

The per-person facts (latest contact, latest service dates, first service, latest route and
desistimiento) are read once per person with grouped or window subqueries over the remitted
people and joined, never looked up once per remission.

Services and contact attempts count whichever centre recorded them (a person who moved keeps
them); the remission's centre is the centre the row belongs to.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ..itinerario.tipos import Tipo
from ..models import Actuacion, Centro, ContactoIntento, Participante
from ..models.actuacion import vigentes
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


def _people(centro_id: int | None, desde: date | None, hasta: date):
    """The remitted people of the same centre and period (their own alias), for the per-person
    summaries below to read only those people."""
    r, conditions = _remissions(centro_id, desde, hasta)
    return select(r.participante_id).where(*conditions)


def _latest(model, people, columns: tuple, *conditions, first: bool = False):
    """Each person's latest (or first) row of `model` meeting the conditions, by (fecha, id),
    with the given columns: one window over those people, not one lookup per row."""
    order = (model.fecha, model.id) if first else (model.fecha.desc(), model.id.desc())
    ranked = (select(model.participante_id, model.fecha, model.id, *columns,
                     func.row_number().over(partition_by=model.participante_id,
                                            order_by=order).label("n"))
              .where(model.participante_id.in_(people), *conditions).subquery())
    return select(ranked).where(ranked.c.n == 1).subquery()


def _contacts(people):
    """Each person's latest contact attempt (no row: `pendiente`)."""
    contact = aliased(ContactoIntento)
    return _latest(contact, people, (contact.resultado,))


def _services(people):
    """Per person: the latest fecha of any service (any actuación but a remission) and of a
    caracterización."""
    s = aliased(Actuacion, name="servicio")
    return (select(s.participante_id.label("participante_id"),
                   func.max(case((s.tipo != Tipo.REMISION_DPS, s.fecha))).label("ultimo_servicio"),
                   func.max(case((s.tipo == Tipo.CARACTERIZACION, s.fecha))).label("ultima_caracterizacion"))
            .where(vigentes(s), s.participante_id.in_(people))
            .group_by(s.participante_id).subquery())


def _flags(r, services, contacts):
    """Localizado and atendido for the remission `r`: a service on or after its fecha counts."""
    localizado = or_(contacts.c.resultado == "localizado", services.c.ultimo_servicio >= r.fecha)
    return localizado, services.c.ultima_caracterizacion >= r.fecha


# ---- the follow-up view ---------------------------------------------------------------------

def seguimiento(centro_id: int | None, desde: date | None, hasta: date):
    """Rows (centro_id, centro, programa, importacion_id, remitidos, localizados, atendidos),
    one statement: the remissions flagged from per-person summaries, grouped."""
    r, conditions = _remissions(centro_id, desde, hasta)
    people = _people(centro_id, desde, hasta)
    services, contacts = _services(people), _contacts(people)
    localizado, atendido = _flags(r, services, contacts)
    flagged = (select(r.centro_id.label("centro_id"), programa_of(r).label("programa"),
                      importacion_of(r).label("importacion_id"),
                      r.participante_id.label("participante_id"),
                      case((localizado, r.participante_id)).label("localizado"),
                      case((atendido, r.participante_id)).label("atendido"))
               .select_from(r)
               .outerjoin(services, services.c.participante_id == r.participante_id)
               .outerjoin(contacts, contacts.c.participante_id == r.participante_id)
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
    """The people behind one figure of the follow-up view: (id, tipo_documento,
    numero_documento, nombres, apellidos, centro_id, fecha_remision, estado_contacto,
    localizado, atendido), one row per person, by name."""
    r, conditions = _remissions(centro_id, desde, hasta)
    if programa is not None:
        conditions.append(programa_of(r) == programa)
    if sin_importacion:
        conditions.append(importacion_of(r).is_(None))
    elif importacion_id is not None:
        conditions.append(importacion_of(r) == importacion_id)
    people = _people(centro_id, desde, hasta)
    services, contacts = _services(people), _contacts(people)
    localizado, atendido = _flags(r, services, contacts)
    flags = (select(r.participante_id.label("participante_id"),
                    func.min(r.fecha).label("fecha_remision"),
                    func.max(case((localizado, 1), else_=0)).label("localizado"),
                    func.max(case((atendido, 1), else_=0)).label("atendido"),
                    func.max(contacts.c.resultado).label("ultimo_contacto"))
             .select_from(r)
             .outerjoin(services, services.c.participante_id == r.participante_id)
             .outerjoin(contacts, contacts.c.participante_id == r.participante_id)
             .where(*conditions).group_by(r.participante_id).subquery())
    p = Participante
    statement = (select(p.id, p.tipo_documento, p.numero_documento, p.nombres, p.apellidos,
                        p.centro_id, flags.c.fecha_remision,
                        func.coalesce(flags.c.ultimo_contacto, "pendiente").label("estado_contacto"),
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
    ingreso_ruta that no desistimiento follows), centre name; by centre, fecha, name. The
    per-person facts come from windows over the remitted people, joined once."""
    r, conditions = _remissions(centro_id, desde, hasta)
    p = Participante
    people = _people(centro_id, desde, hasta)
    contacts = _contacts(people)
    a = aliased(Actuacion)
    first = _latest(a, people, (a.tipo,), vigentes(a), a.tipo != Tipo.REMISION_DPS, first=True)
    b = aliased(Actuacion)
    route = _latest(b, people, (b.categoria,), vigentes(b), b.tipo == Tipo.INGRESO_RUTA)
    c = aliased(Actuacion)
    left = _latest(c, people, (), vigentes(c), c.tipo == Tipo.DESISTIMIENTO)
    followed = or_(left.c.fecha > route.c.fecha,
                   and_(left.c.fecha == route.c.fecha, left.c.id > route.c.id))
    current_route = case((and_(left.c.id.is_not(None), followed), None), else_=route.c.categoria)
    statement = (select(p.id.label("participante_id"), p.tipo_documento, p.numero_documento,
                        p.nombres, p.apellidos, programa_of(r).label("programa"),
                        r.fecha.label("fecha_remision"),
                        func.coalesce(contacts.c.resultado, "pendiente").label("estado_contacto"),
                        first.c.tipo.label("primer_servicio"),
                        first.c.fecha.label("fecha_primer_servicio"),
                        current_route.label("ruta_actual"), Centro.nombre.label("centro"),
                        r.centro_id.label("centro_id"))
                 .select_from(r).join(p, p.id == r.participante_id)
                 .join(Centro, Centro.id == r.centro_id)
                 .outerjoin(contacts, contacts.c.participante_id == r.participante_id)
                 .outerjoin(first, first.c.participante_id == r.participante_id)
                 .outerjoin(route, route.c.participante_id == r.participante_id)
                 .outerjoin(left, left.c.participante_id == r.participante_id)
                 .where(*conditions)
                 .order_by(Centro.nombre, r.fecha, p.apellidos, p.nombres, r.id))
    return statement.execution_options(**{ALL_CENTRES_OPTION: True})


def count_remitidos(centro_id: int | None, desde: date | None, hasta: date):
    r, conditions = _remissions(centro_id, desde, hasta)
    return (select(func.count()).select_from(r).where(*conditions)
            .execution_options(**{ALL_CENTRES_OPTION: True}))

