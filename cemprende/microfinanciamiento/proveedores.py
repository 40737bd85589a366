"""Suppliers (with their NIT's check digit verified), the quotes of each plan item, and the
reference price of each category of goods per month.

A plan item should carry three quotes from different suppliers of the centre; fewer is a warning
on the comité page, never a refusal. Quotes may be withdrawn only while the plan is undecided.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import Conflict, NotFound
from ..extensions import db
from ..itinerario.dia import today_bogota, year_month
from ..itinerario.tipos import CATEGORIAS_INVERSION, Decision, Tipo
from ..models import Actuacion, ActuacionItem, Cotizacion, Proveedor
from ..models.actuacion import comes_after, vigentes
from ..models.proveedor import ESTADOS_PROVEEDOR, MAX_COTIZACIONES
from ..pagination import Page, paginate
from ..validation import Fields, check_version
from .reglas import FINAL_DECISIONS

# DIAN's weights, from the rightmost digit of the NIT leftwards.
NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
QUOTABLE = (Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO)


def nit_check_digit(digits: str) -> int:
    remainder = sum(int(d) * w for d, w in zip(reversed(digits), NIT_WEIGHTS)) % 11
    return remainder if remainder < 2 else 11 - remainder


def parse_nit(f: Fields, name: str = "nit") -> tuple[str, int] | None:
    """'900.123.456-8' → ('900123456', 8), after checking the check digit."""
    raw = f.text(name, max_length=20)
    if raw is None:
        return None
    match = re.fullmatch(r"(\d{6,15})-(\d)", re.sub(r"[.\s]", "", raw))
    if not match:
        f.fail(name, "Escriba el NIT con su dígito de verificación, por ejemplo 900.123.456-8.")
        return None
    digits, given = match.group(1), int(match.group(2))
    if nit_check_digit(digits) != given:
        f.fail(name, f"El dígito de verificación no corresponde a ese NIT (sería "
                     f"{nit_check_digit(digits)}). Revise el número.")
        return None
    return digits, given


# ---- the register ---------------------------------------------------------------------------

def _supplier_fields(f: Fields, partial: bool) -> dict:
    for name, required, length in (("nombre", True, 150), ("ciudad", True, 80),
                                   ("sector", False, 100)):
        if not partial or f.present(name):
            f.text(name, required=required, max_length=length)
    if not partial or f.present("estado"):
        f.choice("estado", ESTADOS_PROVEEDOR, required=False)
    return {k: v for k, v in f.clean.items() if k in Proveedor.FIELDS}


def create_supplier(actor, data: dict) -> Proveedor:
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    f = Fields(data)
    nit = parse_nit(f)
    values = _supplier_fields(f, partial=False)
    f.raise_if_errors()
    if db.session.scalar(select(Proveedor.id).where(Proveedor.centro_id == centro_id,
                                                    Proveedor.nit == nit[0])):
        raise Conflict("Ese NIT ya está en el registro de proveedores del centro.",
                       {"nit": "NIT repetido."})
    values["estado"] = values.get("estado") or "activo"
    supplier = Proveedor(**values, nit=nit[0], digito_verificacion=nit[1], centro_id=centro_id)
    return audit.add_audited(supplier, actor=actor, entidad="proveedor", centro_id=centro_id,
                             values={**values, "nit": supplier.nit_completo})


def get_supplier(actor, proveedor_id: int) -> Proveedor:
    return visible_or_404(actor, Proveedor, proveedor_id, "No se encontró el proveedor.")


def update_supplier(actor, proveedor_id: int, data: dict) -> Proveedor:
    supplier = get_supplier(actor, proveedor_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, supplier.centro_id)
    check_version(data, supplier.version)
    f = Fields(data)
    values = _supplier_fields(f, partial=True)
    f.raise_if_errors()
    values = {k: v for k, v in values.items() if v is not None or k == "sector"}
    return audit.update_audited(supplier, values, actor=actor, entidad="proveedor",
                                centro_id=supplier.centro_id)


def suppliers(actor, *, q: str | None = None, estado: str | None = None,
              centro_id: int | None = None, page: int = 1, per_page: int = 25) -> Page:
    statement = scoped_select(actor, Proveedor)
    if centro_id:
        statement = statement.where(Proveedor.centro_id == centro_id)
    if q and q.strip():
        term = q.strip()
        digits = re.sub(r"\D", "", term)
        condition = Proveedor.nombre.icontains(term, autoescape=True)
        if digits:
            condition = condition | Proveedor.nit.startswith(digits, autoescape=True)
        statement = statement.where(condition)
    if estado in ESTADOS_PROVEEDOR:
        statement = statement.where(Proveedor.estado == estado)
    return paginate(statement.order_by(Proveedor.nombre), page, per_page)


def active_suppliers(centro_id: int) -> list[Proveedor]:
    return list(db.session.scalars(select(Proveedor).where(
        Proveedor.centro_id == centro_id, Proveedor.estado == "activo").order_by(Proveedor.nombre)))


# ---- quotes ---------------------------------------------------------------------------------

def _quotable_item(actor, item_id: int) -> ActuacionItem:
    item = db.session.get(ActuacionItem, item_id)
    # The centre scope hides another centre's actuación: its item is then not found either.
    plan = item.actuacion if item is not None else None
    if plan is None or plan.tipo not in QUOTABLE or plan.anulada:
        raise NotFound("No se encontró el ítem del plan.")
    ensure(actor, Accion.VER, item.actuacion.centro_id, entidad="actuacion_item",
           entidad_id=item.id)
    return item


def _decided(plan: Actuacion) -> bool:
    decided = aliased(Actuacion)
    return bool(db.session.scalar(select(exists().where(
        decided.participante_id == plan.participante_id, decided.tipo == Tipo.COMITE,
        vigentes(decided), decided.categoria.in_(FINAL_DECISIONS), comes_after(decided, plan)))))


def add_quote(actor, item_id: int, data: dict, today: date | None = None) -> Cotizacion:
    item = _quotable_item(actor, item_id)
    plan = item.actuacion
    ensure(actor, Accion.EDITAR_ITINERARIO, plan.centro_id)
    f = Fields(data)
    proveedor_id = f.integer("proveedor_id", minimum=1)
    precio = f.integer("precio_unitario", minimum=1, money=True)
    fecha = f.date("fecha", not_future=True, today=today or today_bogota())
    f.raise_if_errors()
    supplier = db.session.get(Proveedor, proveedor_id)
    if supplier is None or supplier.centro_id != plan.centro_id or supplier.estado != "activo":
        f.fail("proveedor_id", "Elija un proveedor activo del registro del centro.")
    existing = list(db.session.scalars(select(Cotizacion).where(Cotizacion.item_id == item.id)))
    if any(q.proveedor_id == proveedor_id for q in existing):
        f.fail("proveedor_id", "Ese proveedor ya cotizó este ítem; las cotizaciones deben ser "
                               "de proveedores distintos.")
    f.raise_if_errors()
    if len(existing) >= MAX_COTIZACIONES:
        raise Conflict(f"El ítem ya tiene {MAX_COTIZACIONES} cotizaciones.")
    if _decided(plan):
        raise Conflict("El comité ya decidió este plan: sus cotizaciones no cambian.")
    quote = Cotizacion(item_id=item.id, proveedor_id=supplier.id, precio_unitario=precio,
                       fecha=fecha, creado_por_id=actor.id)
    return audit.add_audited(quote, actor=actor, entidad="cotizacion", centro_id=plan.centro_id,
                             values={"item_id": item.id, "proveedor_id": supplier.id,
                                     "precio_unitario": precio, "fecha": fecha})


def withdraw_quote(actor, cotizacion_id: int) -> None:
    quote = db.session.get(Cotizacion, cotizacion_id)
    if quote is None:
        raise NotFound("No se encontró la cotización.")
    plan = _quotable_item(actor, quote.item_id).actuacion
    ensure(actor, Accion.EDITAR_ITINERARIO, plan.centro_id)
    if _decided(plan):
        raise Conflict("El comité ya decidió este plan: sus cotizaciones no cambian.")
    audit.record("borrar", actor=actor, entidad="cotizacion", entidad_id=quote.id,
                 centro_id=plan.centro_id, antes=quote.to_dict())
    db.session.delete(quote)
    db.session.flush()


def quotes_for(item_ids: list[int]) -> dict[int, list[Cotizacion]]:
    """The quotes of these items, cheapest first, in one query."""
    found: dict[int, list[Cotizacion]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        for quote in db.session.scalars(select(Cotizacion).where(Cotizacion.item_id.in_(item_ids))
                                        .order_by(Cotizacion.precio_unitario, Cotizacion.id)):
            found[quote.item_id].append(quote)
    return found


def quotes_item(actor, item_id: int) -> ActuacionItem:
    """The plan item a quote is for, when the caller may see it."""
    return _quotable_item(actor, item_id)


def quotes_of_item(actor, item_id: int) -> list[Cotizacion]:
    return quotes_for([_quotable_item(actor, item_id).id])[item_id]


def quoted_item(actor, cotizacion_id: int) -> ActuacionItem:
    """The plan item that holds the quote, when the caller may see it."""
    quote = db.session.get(Cotizacion, cotizacion_id)
    if quote is None:
        raise NotFound("No se encontró la cotización.")
    return _quotable_item(actor, quote.item_id)


# ---- reference prices -----------------------------------------------------------------------

@dataclass
class PrecioReferencia:
    categoria: str
    mes: str  # AAAA-MM
    precio: int
    observaciones: int

    def to_dict(self) -> dict:
        return {"categoria": self.categoria, "mes": self.mes, "precio": self.precio,
                "observaciones": self.observaciones}


def price_observations(centro_id: int | None = None):
    """Unit prices that make a reference, as rows (categoria, mes, precio): quotes of plans the
    comité approved (month of the approval) and items delivered (month of the delivery)."""
    comite, plan = aliased(Actuacion), aliased(Actuacion)
    quoted = (select(ActuacionItem.categoria.label("categoria"),
                     year_month(comite.fecha).label("mes"),
                     Cotizacion.precio_unitario.label("precio"))
              .join(Cotizacion, Cotizacion.item_id == ActuacionItem.id)
              .join(plan, plan.id == ActuacionItem.actuacion_id)
              .join(comite, (comite.participante_id == plan.participante_id)
                    & (comite.tipo == Tipo.COMITE) & (comite.categoria == Decision.APROBADO)
                    & vigentes(comite) & comes_after(comite, plan))
              .where(vigentes(plan), ActuacionItem.categoria.is_not(None)))
    delivery = aliased(Actuacion)
    delivered = (select(ActuacionItem.categoria, year_month(delivery.fecha),
                        ActuacionItem.precio_unitario)
                 .join(delivery, delivery.id == ActuacionItem.actuacion_id)
                 .where(delivery.tipo == Tipo.DESEMBOLSO, vigentes(delivery),
                        ActuacionItem.categoria.is_not(None)))
    if centro_id is not None:
        quoted = quoted.where(plan.centro_id == centro_id)
        delivered = delivered.where(delivery.centro_id == centro_id)
    return quoted.union_all(delivered).subquery()


def reference_prices_query(centro_id: int | None = None):
    """Per category and month: the average observed unit price, rounded to the peso."""
    observed = price_observations(centro_id)
    return (select(observed.c.categoria, observed.c.mes,
                   func.round(func.avg(observed.c.precio)).label("precio"),
                   func.count().label("observaciones"))
            .group_by(observed.c.categoria, observed.c.mes))


def reference_prices(actor, args: dict) -> list[PrecioReferencia]:
    ensure(actor, Accion.VER)
    f = Fields(args)
    desde, _ = f.month("mes", default=today_bogota())
    f.choice("categoria", CATEGORIAS_INVERSION, required=False)
    f.raise_if_errors()
    reference = reference_prices_query().subquery()
    statement = select(reference).where(reference.c.mes == f"{desde:%Y-%m}")
    if f.clean.get("categoria"):
        statement = statement.where(reference.c.categoria == f.clean["categoria"])
    return [PrecioReferencia(r.categoria, r.mes, int(r.precio), r.observaciones)
            for r in db.session.execute(statement.order_by(reference.c.categoria))]
