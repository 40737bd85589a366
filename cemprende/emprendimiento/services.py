"""Emprendimiento: routes, the business (unidad productiva) and its services.

Services of the process are actuaciones recorded through the itinerary's own service; the business
record only fills in what they share (name, sector) and keeps what the tableros do not count.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import audit
from ..auth.guards import scoped_select
from ..errors import DomainError
from ..extensions import db
from ..itinerario import services as itinerario
from ..itinerario.tipos import RUTAS, Tipo
from ..models import Actuacion, Participante, UnidadProductiva
from ..models.actuacion import superseded, vigentes
from ..models.base import utcnow
from ..models.negocio import ETAPAS
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields, check_version

# What the business page records; the adjusted plan, committee and deliveries are microfinanciamiento's.
SERVICIOS = (Tipo.PERFIL_PROYECTO, Tipo.PLAN_NEGOCIO, Tipo.FINANCIACION, Tipo.PLAN_IMPLEMENTADO,
             Tipo.FORTALECIMIENTO_SEDE, Tipo.FORMALIZACION, Tipo.EMPLEO_GENERADO)


def _current_route():
    """Each person's latest valid ingreso a ruta (its ruta and fecha), people who desisted left out."""
    entry, desist = aliased(Actuacion), aliased(Actuacion)
    return (select(entry.participante_id, entry.categoria.label("ruta"), entry.fecha.label("desde"))
            .where(entry.tipo == Tipo.INGRESO_RUTA, vigentes(entry), ~superseded(entry),
                   ~exists().where(desist.participante_id == entry.participante_id,
                                   desist.tipo == Tipo.DESISTIMIENTO, vigentes(desist),
                                   desist.fecha >= entry.fecha))
            .subquery("ruta_actual"))


def route_counts(actor) -> dict[str, int]:
    current = _current_route()
    statement = (scoped_select(actor, Participante).with_only_columns(current.c.ruta, func.count())
                 .select_from(Participante)
                 .join(current, current.c.participante_id == Participante.id).group_by(current.c.ruta))
    found = dict(db.session.execute(statement).all())
    return {ruta: found.get(ruta, 0) for ruta in RUTAS}


def people_in_route(actor, ruta: str, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    current = _current_route()
    statement = (scoped_select(actor, Participante).add_columns(current.c.desde)
                 .join(current, current.c.participante_id == Participante.id)
                 .where(current.c.ruta == ruta).order_by(current.c.desde, Participante.id))
    if q and q.strip():
        statement = statement.where(participantes.matches(q))
    return paginate(statement, page, per_page, rows=True)


def route_of(person: Participante) -> tuple[str, date] | None:
    current = _current_route()
    row = db.session.execute(select(current.c.ruta, current.c.desde)
                             .where(current.c.participante_id == person.id)).first()
    return (row.ruta, row.desde) if row else None


def enter_route(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """Into a route, or from one route to another: a new ingreso_ruta (the gate refuses the
    route the person is already in)."""
    person = participantes.get_visible(actor, participante_id)
    return itinerario.register(actor, person.id, {"tipo": Tipo.INGRESO_RUTA, "fecha": data.get("fecha"),
                                                  "ruta": data.get("ruta")}, today=today)


# ---- the business -------------------------------------------------------------------------------

def business_of(person: Participante) -> UnidadProductiva | None:
    return db.session.scalar(select(UnidadProductiva).where(UnidadProductiva.participante_id == person.id))


def save_business(actor, participante_id: int, data: dict) -> UnidadProductiva:
    person = participantes.get_editable(actor, participante_id)
    current = business_of(person)
    if current is not None:
        check_version(data, current.version)
    f = Fields(data)
    f.text("nombre", max_length=200)
    f.text("sector", max_length=120)
    f.choice("etapa", ETAPAS)
    formal = f.boolean("formal")
    f.integer("empleados", required=False, minimum=0, maximum=10_000)
    f.raise_if_errors()
    values = {**f.clean, "formal": bool(formal), "empleados": f.clean.get("empleados") or 0}
    if current is None:
        business = UnidadProductiva(participante_id=person.id, centro_id=person.centro_id,
                                    actualizado_en=utcnow(), **values)
        return audit.add_audited(business, actor=actor, entidad="unidad_productiva",
                                 centro_id=person.centro_id, values=values)
    values["actualizado_en"] = utcnow()
    return audit.update_audited(current, values, actor=actor, entidad="unidad_productiva",
                                centro_id=person.centro_id)


def record(actor, participante_id: int, tipo: str, data: dict, today: date | None = None) -> Actuacion:
    """A service of the business; its name and sector come from the business record when not given."""
    if tipo not in SERVICIOS:
        raise DomainError("Ese servicio no es de emprendimiento.")
    person = participantes.get_visible(actor, participante_id)
    business = business_of(person)
    values = dict(data, tipo=tipo)
    if business is not None:
        for name, value in (("nombre_negocio", business.nombre), ("sector", business.sector)):
            values[name] = values.get(name) or value
    if tipo == Tipo.PLAN_NEGOCIO and values.get("items") and not values.get("valor_solicitado"):
        values["valor_solicitado"] = itinerario.items_total(values["items"])
    actuacion = itinerario.register(actor, person.id, values, today=today)
    if tipo == Tipo.FORMALIZACION and business is not None and not business.formal:
        audit.update_audited(business, {"formal": True, "actualizado_en": utcnow()}, actor=actor,
                             entidad="unidad_productiva", centro_id=person.centro_id)
    return actuacion


def services_of(person: Participante) -> list[Actuacion]:
    return [a for a in itinerario.itinerary(person, newest_first=True)
            if a.tipo in SERVICIOS or a.tipo == Tipo.INGRESO_RUTA]
