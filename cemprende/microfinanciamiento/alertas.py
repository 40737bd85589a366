"""Integrity alerts over seed-capital records, each one grouped SQL over actuaciones and items.

The kinds and their meaning are API.md's ("Alertas"). Thresholds come from the settings
(ALERTA_*), shown on the page. Annulled actuaciones never raise or clear an alert. Items are
matched by description, ignoring case and surrounding spaces. Every alert's text ends with what
to do next (SIGUIENTE_PASO), so the reader knows how to clear it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from .. import versiones
from ..extensions import db
from ..formatting import dinero
from ..models import Actuacion, ActuacionItem, LlamadaVerificacion
from ..models.actuacion import vigentes
from ..itinerario.dia import year_month
from ..itinerario.tipos import CATEGORIAS_INVERSION, ClaseVisita, Decision, Tipo
from ..tableros.queries import scope_centres
from .proveedores import reference_prices_query

TIPOS_ALERTA = {
    "comite_sin_visita_diagnostico": "Aprobado sin visita diagnóstica previa",
    "sobreprecio": "Precio facturado por encima de la cotización",
    "sobreprecio_referencia": "Precio facturado por encima del precio de referencia de su categoría",
    "concentracion_proveedor": "Un proveedor concentra el valor entregado",
    "entrega_parcial": "Entrega por debajo del plan aprobado",
    "aprobado_sin_entrega": "Aprobado sin entrega",
    "sin_seguimiento": "Entrega sin visita de seguimiento",
    "cargo_fijo": "Mismo cargo fijo en la mayoría de los planes",
    "entrega_no_confirmada": "Entrega no confirmada por la persona en la llamada de verificación",
}
# What the centre (or the supervisor following it up) should do about each kind.
SIGUIENTE_PASO = {
    "comite_sin_visita_diagnostico": "Registre la visita de diagnóstico o revise la aprobación.",
    "sobreprecio": "Pida la justificación del precio o la factura corregida al proveedor.",
    "sobreprecio_referencia": "Compare con las cotizaciones del ítem y con el mercado, y pida al proveedor la justificación del precio.",
    "concentracion_proveedor": "Revise las cotizaciones y pida al menos tres proveedores en las próximas entregas.",
    "entrega_parcial": "Complete la entrega de lo que falta o registre por qué no se entregará.",
    "aprobado_sin_entrega": "Programe la entrega de bienes o informe al comité por qué no procede.",
    "sin_seguimiento": "Programe y registre la visita de seguimiento.",
    "cargo_fijo": "Revise con los asesores si ese cargo corresponde a cada plan y corrija los que no.",
    "entrega_no_confirmada": "Verifique los bienes en una visita y pida al proveedor los soportes de la entrega; una nueva llamada que confirme todo cierra la alerta.",
}
PLANES = (Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO)


@dataclass(frozen=True)
class Umbrales:
    sobreprecio_pct: int = 20
    concentracion_pct: int = 50
    concentracion_min_desembolsos: int = 5
    sin_entrega_dias: int = 60
    sin_seguimiento_dias: int = 90
    cargo_fijo_pct: int = 50
    cargo_fijo_min_planes: int = 3
    referencia_min_observaciones: int = 3

    @classmethod
    def from_config(cls, config) -> Umbrales:
        return cls(**{name: int(config.get(f"ALERTA_{name.upper()}", default))
                      for name, default in cls().__dict__.items()})


@dataclass
class Alerta:
    tipo: str
    centro_id: int
    participante_id: int | None
    detalle: str
    actuacion_id: int | None = None
    fecha: date | None = None
    extra: dict = field(default_factory=dict)

    @property
    def siguiente_paso(self) -> str:
        return SIGUIENTE_PASO[self.tipo]

    def to_dict(self) -> dict:
        return {"tipo": self.tipo, "centro_id": self.centro_id,
                "participante_id": self.participante_id, "detalle": self.detalle,
                "siguiente_paso": self.siguiente_paso, "actuacion_id": self.actuacion_id,
                "fecha": self.fecha.isoformat() if self.fecha else None}


def _detalle(tipo: str, hecho: str) -> str:
    """What was found, then what to do about it."""
    return f"{hecho} {SIGUIENTE_PASO[tipo]}"


def _valid(alias, *tipos):
    return and_(alias.tipo.in_(tipos), vigentes(alias))


def _item_key(column):
    return func.lower(func.trim(column))


def _scoped(statement, alias, centro_id):
    return statement.where(alias.centro_id == centro_id) if centro_id is not None else statement


# ---- one query per kind ----------------------------------------------------------------------

def comite_sin_visita(centro_id, today, u: Umbrales) -> list[Alerta]:
    comite, visita = aliased(Actuacion), aliased(Actuacion)
    statement = _scoped(select(comite).where(
        _valid(comite, Tipo.COMITE), comite.categoria == Decision.APROBADO,
        ~exists().where(visita.participante_id == comite.participante_id,
                        _valid(visita, Tipo.VISITA_ACOMPANAMIENTO), visita.categoria == ClaseVisita.DIAGNOSTICO,
                        visita.fecha <= comite.fecha)), comite, centro_id)
    return [Alerta("comite_sin_visita_diagnostico", c.centro_id, c.participante_id, _detalle(
                       "comite_sin_visita_diagnostico",
                       f"Comité del {c.fecha:%d/%m/%Y} aprobó {dinero(c.valor)} sin visita de "
                       f"diagnóstico en esa fecha o antes."), c.id, c.fecha)
            for c in db.session.scalars(statement.order_by(comite.fecha))]


def _people_of(centro_id, tipos):
    """The people with an actuación of these tipos in the centre (any state)."""
    mine = aliased(Actuacion)
    return select(mine.participante_id).where(mine.centro_id == centro_id, mine.tipo.in_(tipos))


def _latest_plans(tipos=PLANES, people=None):
    """Each participant's latest plan that has items, over their whole itinerary (whichever
    centre recorded it); only `people` (a select of participant ids) when given."""
    plan = aliased(Actuacion)
    ranked = select(
        plan.id, plan.participante_id,
        func.row_number().over(partition_by=plan.participante_id,
                               order_by=(plan.fecha.desc(), plan.id.desc())).label("rn")).where(
        _valid(plan, *tipos), exists().where(ActuacionItem.actuacion_id == plan.id))
    if people is not None:
        ranked = ranked.where(plan.participante_id.in_(people))
    ranked = ranked.subquery()
    return select(ranked.c.id, ranked.c.participante_id).where(ranked.c.rn == 1).subquery()


def sobreprecio(centro_id, today, u: Umbrales) -> list[Alerta]:
    latest = _latest_plans(people=None if centro_id is None
                           else _people_of(centro_id, (Tipo.DESEMBOLSO,)))
    quoted = (select(latest.c.participante_id, _item_key(ActuacionItem.descripcion).label("clave"),
                     func.max(ActuacionItem.precio_unitario).label("cotizado"))
              .join(latest, latest.c.id == ActuacionItem.actuacion_id)
              .group_by(latest.c.participante_id, _item_key(ActuacionItem.descripcion))).subquery()
    entrega = aliased(Actuacion)
    statement = _scoped(
        select(entrega.id, entrega.centro_id, entrega.participante_id, entrega.fecha,
               ActuacionItem.descripcion, ActuacionItem.precio_unitario, quoted.c.cotizado)
        .join(ActuacionItem, ActuacionItem.actuacion_id == entrega.id)
        .join(quoted, and_(quoted.c.participante_id == entrega.participante_id,
                           quoted.c.clave == _item_key(ActuacionItem.descripcion)))
        .where(_valid(entrega, Tipo.DESEMBOLSO),
               ActuacionItem.precio_unitario * 100 > quoted.c.cotizado * (100 + u.sobreprecio_pct)),
        entrega, centro_id).order_by(entrega.fecha, entrega.id)
    return [Alerta("sobreprecio", r.centro_id, r.participante_id, _detalle(
                       "sobreprecio",
                       f"{r.descripcion}: facturado a {dinero(r.precio_unitario)}, cotizado a "
                       f"{dinero(r.cotizado)} (+{round(100 * (r.precio_unitario - r.cotizado) / r.cotizado)} %)."),
                   r.id, r.fecha)
            for r in db.session.execute(statement)]


def sobreprecio_referencia(centro_id, today, u: Umbrales) -> list[Alerta]:
    """Delivered items invoiced more than the threshold above their category's reference price
    (network average of approved quotes and deliveries in the delivery's month), once that
    price rests on enough observations."""
    reference = reference_prices_query().subquery()
    entrega = aliased(Actuacion)
    statement = _scoped(
        select(entrega.id, entrega.centro_id, entrega.participante_id, entrega.fecha,
               ActuacionItem.descripcion, ActuacionItem.categoria, ActuacionItem.precio_unitario,
               reference.c.precio.label("referencia"), reference.c.observaciones)
        .join(ActuacionItem, ActuacionItem.actuacion_id == entrega.id)
        .join(reference, and_(reference.c.categoria == ActuacionItem.categoria,
                              reference.c.mes == year_month(entrega.fecha)))
        .where(_valid(entrega, Tipo.DESEMBOLSO),
               reference.c.observaciones >= u.referencia_min_observaciones,
               ActuacionItem.precio_unitario * 100 > reference.c.precio * (100 + u.sobreprecio_pct)),
        entrega, centro_id).order_by(entrega.fecha, entrega.id)
    return [Alerta("sobreprecio_referencia", r.centro_id, r.participante_id, _detalle(
                       "sobreprecio_referencia",
                       f"{r.descripcion} ({CATEGORIAS_INVERSION[r.categoria]}): facturado a "
                       f"{dinero(r.precio_unitario)}, referencia del mes {dinero(int(r.referencia))} "
                       f"(+{round(100 * (r.precio_unitario - r.referencia) / r.referencia)} %, "
                       f"{r.observaciones} precios observados)."), r.id, r.fecha)
            for r in db.session.execute(statement)]


def concentracion_proveedor(centro_id, today, u: Umbrales, desde: date, hasta: date) -> list[Alerta]:
    """A supplier's share of a centre's delivered value, judged only once the centre has enough
    desembolsos in the span for a share to mean something."""
    a = Actuacion
    supplier = func.coalesce(func.nullif(func.trim(a.datos["nit"].as_string()), ""),
                             _item_key(a.datos["proveedor"].as_string()))
    per_supplier = _scoped(
        select(a.centro_id, supplier.label("proveedor"), func.sum(a.valor).label("valor"),
               func.count().label("entregas"),
               func.max(a.datos["proveedor"].as_string()).label("nombre"))
        .where(_valid(a, Tipo.DESEMBOLSO), a.fecha >= desde, a.fecha <= hasta)
        .group_by(a.centro_id, supplier), a, centro_id).subquery()
    totals = (select(per_supplier.c.centro_id, func.sum(per_supplier.c.valor).label("total"),
                     func.sum(per_supplier.c.entregas).label("entregas_centro"))
              .group_by(per_supplier.c.centro_id)).subquery()
    statement = (select(*per_supplier.c, totals.c.total, totals.c.entregas_centro)
                 .join(totals, totals.c.centro_id == per_supplier.c.centro_id)
                 .where(totals.c.entregas_centro >= u.concentracion_min_desembolsos,
                        per_supplier.c.valor * 100 > totals.c.total * u.concentracion_pct))
    return [Alerta("concentracion_proveedor", r.centro_id, None, _detalle(
                "concentracion_proveedor",
                f"{r.nombre} recibió {dinero(r.valor)} de {dinero(r.total)} entregados entre el "
                f"{desde:%d/%m/%Y} y el {hasta:%d/%m/%Y} ({round(100 * r.valor / r.total)} %, "
                f"{r.entregas} de {r.entregas_centro} entregas; se evalúa con al menos "
                f"{u.concentracion_min_desembolsos} entregas en la vigencia)."))
            for r in db.session.execute(statement)]


def entrega_parcial(centro_id, today, u: Umbrales) -> list[Alerta]:
    """Participants with deliveries whose items, added up, fall short of the approved plan's."""
    comite = aliased(Actuacion)
    approved = select(comite.participante_id).where(_valid(comite, Tipo.COMITE),
                                                    comite.categoria == Decision.APROBADO)
    people = None if centro_id is None else _people_of(centro_id, (Tipo.DESEMBOLSO,))
    plan = _latest_plans((Tipo.PLAN_AJUSTADO,), people)
    planned = (select(plan.c.participante_id, _item_key(ActuacionItem.descripcion).label("clave"),
                      func.max(ActuacionItem.descripcion).label("descripcion"),
                      func.sum(ActuacionItem.cantidad).label("planeado"))
               .join(plan, plan.c.id == ActuacionItem.actuacion_id)
               .where(plan.c.participante_id.in_(approved))
               .group_by(plan.c.participante_id, _item_key(ActuacionItem.descripcion))).subquery()
    entrega = aliased(Actuacion)
    delivered = (select(entrega.participante_id, entrega.centro_id,
                        _item_key(ActuacionItem.descripcion).label("clave"),
                        func.sum(ActuacionItem.cantidad).label("entregado"),
                        func.max(entrega.id).label("ultima"), func.max(entrega.fecha).label("fecha"))
                 .join(ActuacionItem, ActuacionItem.actuacion_id == entrega.id)
                 .where(_valid(entrega, Tipo.DESEMBOLSO),
                        *([] if people is None else [entrega.participante_id.in_(people)]))
                 .group_by(entrega.participante_id, entrega.centro_id,
                           _item_key(ActuacionItem.descripcion))).subquery()
    with_deliveries = select(delivered.c.participante_id, delivered.c.centro_id,
                             func.max(delivered.c.ultima).label("ultima"),
                             func.max(delivered.c.fecha).label("fecha")).group_by(
        delivered.c.participante_id, delivered.c.centro_id).subquery()
    statement = (
        select(with_deliveries.c.participante_id, with_deliveries.c.centro_id,
               with_deliveries.c.ultima, with_deliveries.c.fecha, planned.c.descripcion,
               planned.c.planeado, func.coalesce(delivered.c.entregado, 0).label("entregado"))
        .join(planned, planned.c.participante_id == with_deliveries.c.participante_id)
        .outerjoin(delivered, and_(delivered.c.participante_id == planned.c.participante_id,
                                   delivered.c.clave == planned.c.clave))
        .where(func.coalesce(delivered.c.entregado, 0) < planned.c.planeado)
        .order_by(with_deliveries.c.fecha, with_deliveries.c.participante_id, with_deliveries.c.centro_id,
                  planned.c.descripcion))
    short: dict[int, Alerta] = {}
    for r in db.session.execute(statement):
        alerta = short.setdefault(r.participante_id, Alerta(
            "entrega_parcial", r.centro_id, r.participante_id, "", r.ultima, r.fecha))
        alerta.extra.setdefault("items", []).append(f"{r.descripcion}: {r.entregado} de {r.planeado}")
    for alerta in short.values():
        alerta.detalle = _detalle("entrega_parcial", "Entregado menos que el plan aprobado: "
                                  + "; ".join(alerta.extra["items"]) + ".")
    # A person's alert goes to the centre of their earliest-listed deliveries (network order):
    # computed over everyone with a delivery in the centre, then kept if it is that centre's.
    return [a for a in short.values() if centro_id is None or a.centro_id == centro_id]


def aprobado_sin_entrega(centro_id, today, u: Umbrales) -> list[Alerta]:
    comite, entrega = aliased(Actuacion), aliased(Actuacion)
    limit = today - timedelta(days=u.sin_entrega_dias)
    statement = _scoped(select(comite).where(
        _valid(comite, Tipo.COMITE), comite.categoria == Decision.APROBADO, comite.fecha <= limit,
        ~exists().where(entrega.participante_id == comite.participante_id,
                        _valid(entrega, Tipo.DESEMBOLSO), entrega.fecha >= comite.fecha)),
        comite, centro_id).order_by(comite.fecha)
    return [Alerta("aprobado_sin_entrega", c.centro_id, c.participante_id, _detalle(
                       "aprobado_sin_entrega",
                       f"Aprobado el {c.fecha:%d/%m/%Y} por {dinero(c.valor)}; sin desembolso "
                       f"{(today - c.fecha).days} días después."), c.id, c.fecha)
            for c in db.session.scalars(statement)]


def sin_seguimiento(centro_id, today, u: Umbrales) -> list[Alerta]:
    entrega, visita = aliased(Actuacion), aliased(Actuacion)
    limit = today - timedelta(days=u.sin_seguimiento_dias)
    statement = _scoped(select(entrega).where(
        _valid(entrega, Tipo.DESEMBOLSO), entrega.fecha <= limit,
        ~exists().where(visita.participante_id == entrega.participante_id,
                        _valid(visita, Tipo.VISITA_ACOMPANAMIENTO), visita.categoria == ClaseVisita.SEGUIMIENTO,
                        visita.fecha > entrega.fecha)), entrega, centro_id).order_by(entrega.fecha)
    return [Alerta("sin_seguimiento", d.centro_id, d.participante_id, _detalle(
                       "sin_seguimiento",
                       f"Desembolso del {d.fecha:%d/%m/%Y} por {dinero(d.valor)} sin visita de "
                       f"seguimiento posterior ({(today - d.fecha).days} días)."), d.id, d.fecha)
            for d in db.session.scalars(statement)]


def cargo_fijo(centro_id, today, u: Umbrales) -> list[Alerta]:
    plan = aliased(Actuacion)
    plans = _scoped(select(plan.centro_id, func.count().label("planes"))
                    .where(_valid(plan, *PLANES)).group_by(plan.centro_id), plan, centro_id).subquery()
    line = aliased(Actuacion)
    amount = ActuacionItem.cantidad * ActuacionItem.precio_unitario
    lines = _scoped(
        select(line.centro_id, _item_key(ActuacionItem.descripcion).label("clave"),
               func.max(ActuacionItem.descripcion).label("descripcion"), amount.label("monto"),
               func.count(func.distinct(line.id)).label("en_planes"))
        .join(ActuacionItem, ActuacionItem.actuacion_id == line.id)
        .where(_valid(line, *PLANES))
        .group_by(line.centro_id, _item_key(ActuacionItem.descripcion), amount), line, centro_id).subquery()
    statement = (select(*lines.c, plans.c.planes).join(plans, plans.c.centro_id == lines.c.centro_id)
                 .where(plans.c.planes >= u.cargo_fijo_min_planes,
                        lines.c.en_planes * 100 > plans.c.planes * u.cargo_fijo_pct))
    return [Alerta("cargo_fijo", r.centro_id, None, _detalle(
                "cargo_fijo",
                f"«{r.descripcion}» por {dinero(r.monto)} aparece en {r.en_planes} de {r.planes} planes."))
            for r in db.session.execute(statement)]


def entrega_no_confirmada(centro_id, today, u: Umbrales) -> list[Alerta]:
    """People whose latest verification call contradicts the deliveries on record."""
    call = LlamadaVerificacion
    ranked = select(call.id, func.row_number().over(
        partition_by=call.participante_id, order_by=(call.fecha.desc(), call.id.desc())).label("rn"))
    if centro_id is not None:  # the centre's people, ranked over all their calls
        mine = aliased(LlamadaVerificacion)
        ranked = ranked.where(call.participante_id.in_(
            select(mine.participante_id).where(mine.centro_id == centro_id)))
    ranked = ranked.subquery()
    statement = (select(call).join(ranked, ranked.c.id == call.id)
                 .where(ranked.c.rn == 1, call.discrepancia.is_(True)).order_by(call.fecha, call.id))
    if centro_id is not None:
        statement = statement.where(call.centro_id == centro_id)
    return [Alerta("entrega_no_confirmada", c.centro_id, c.participante_id, _detalle(
                       "entrega_no_confirmada", f"Llamada del {c.fecha:%d/%m/%Y}: {c.resumen}"),
                   c.comite_id, c.fecha)
            for c in db.session.scalars(statement)]


RULES = {
    "comite_sin_visita_diagnostico": comite_sin_visita,
    "sobreprecio": sobreprecio,
    "sobreprecio_referencia": sobreprecio_referencia,
    "entrega_parcial": entrega_parcial,
    "aprobado_sin_entrega": aprobado_sin_entrega,
    "sin_seguimiento": sin_seguimiento,
    "cargo_fijo": cargo_fijo,
    "entrega_no_confirmada": entrega_no_confirmada,
}


# The rules whose alerts of a centre read only that centre's rows and the whole itinerary of its
# people (with `centro_id`, each answers exactly the network's alerts of that centre): kept per
# centre. The reference prices are network averages: that rule is kept for the whole network.
POR_CENTRO = tuple(n for n in TIPOS_ALERTA if n not in ("sobreprecio_referencia",
                                                         "concentracion_proveedor"))
RED = ("sobreprecio_referencia",)
PARTES = versiones.Partes(versiones.ALERTAS)


def _order(alerta: Alerta):
    return (alerta.fecha or date.min, alerta.actuacion_id or 0, alerta.centro_id,
            alerta.participante_id or 0, alerta.detalle)


def _by_centre(found: list[Alerta], centros) -> dict[int, list[Alerta]]:
    parts: dict[int, list[Alerta]] = {c: [] for c in centros}
    for alerta in found:
        parts.setdefault(alerta.centro_id, []).append(alerta)
    return parts


def _run(names, centro_id, today, u, vigencia) -> list[Alerta]:
    found: list[Alerta] = []
    for name in names:
        if name == "concentracion_proveedor":
            found += concentracion_proveedor(centro_id, today, u, *vigencia)
        else:
            found += RULES[name](centro_id, today, u)
    return found


def compute(centro_id: int | None, tipo: str | None, today: date, u: Umbrales,
            vigencia: tuple[date, date], red: bool = True) -> list[Alerta]:
    """Every alert of the scope (one kind with `tipo`): a centre's are the network's alerts of
    that centre. Kept per centre while nothing they read has been written since (versiones: the
    centre's data version, bumped in every writer's transaction), so a write in one centre
    recomputes that centre's part only; the supervisor's review queue and the homes count them
    on every load. Each kind in TIPOS_ALERTA order, ordered by date within it. Without `red`,
    the kinds that read the whole network (RED) are left out."""
    centros = scope_centres(centro_id)
    vigencia = tuple(vigencia)
    parts = {
        # the kinds that do not depend on the vigencia, then the supplier concentration (does)
        (): PARTES.get(("reglas", today, u), centros,
                       lambda c: _run(POR_CENTRO, c, today, u, vigencia),
                       lambda: _by_centre(_run(POR_CENTRO, None, today, u, vigencia), centros)),
        ("concentracion_proveedor",): PARTES.get(
            ("concentracion", today, u, vigencia), centros,
            lambda c: _run(("concentracion_proveedor",), c, today, u, vigencia),
            lambda: _by_centre(_run(("concentracion_proveedor",), None, today, u, vigencia), centros)),
    }
    network = PARTES.whole(("red", today, u),
                           lambda: _run(RED, None, today, u, vigencia)) if red else []
    everything = [a for part in parts.values() for c in centros for a in (part.get(c) or [])]
    everything += [a for a in network if centro_id is None or a.centro_id == centro_id]
    found = []
    for name in TIPOS_ALERTA:
        if tipo and name != tipo:
            continue
        found += sorted((a for a in everything if a.tipo == name), key=_order)
    return found


def _compute(centro_id, tipo, today, u, vigencia) -> list[Alerta]:
    """Straight from the rules, no cache (the bench's and the tests' reference)."""
    return _run([n for n in TIPOS_ALERTA if not tipo or n == tipo], centro_id, today, u, vigencia)
