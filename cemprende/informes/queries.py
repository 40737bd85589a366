"""The figures and lists of the monthly informes, read with grouped SQL over the actuaciones a
centre recorded (an actuación counts for the centre that recorded it, INDICADORES.md), never by
looping over participants. Every function answers plain values (ints, strings, ISO dates) ready
to freeze in a version's JSON snapshot."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..itinerario.tipos import (
    CATEGORIAS_INVERSION, CLASES_VISITA, DECISIONES, DESTINOS_ENRUTAMIENTO, ClaseVisita, Decision, Tipo,
)
from ..models import Actuacion, ActuacionItem, Participante, Staff
from ..models.actuacion import comes_after, vigentes
from ..scoping import ALL_CENTRES_OPTION
from ..tableros.queries import first_routing

SIN_CATEGORIA = "Sin categoría"
SIN_DETALLE = "Entregas sin detalle de ítems"
SIN_PROVEEDOR = "Sin proveedor registrado"


def _run(statement):
    """The centre is filtered explicitly: a person routed here and since moved to another centre
    still belongs to this centre's informe, whoever reads it (the ORM's centre scope would hide
    the person's row)."""
    return db.session.execute(statement.execution_options(**{ALL_CENTRES_OPTION: True}))


def _in_month(a, centro_id: int, desde: date, hasta: date, tipo: str):
    return and_(a.centro_id == centro_id, a.tipo == tipo, vigentes(a), a.fecha.between(desde, hasta))


# ---- enrutamiento ---------------------------------------------------------------------------

def enrutamiento(centro_id: int, desde: date, hasta: date) -> dict:
    """People routed in the month by destino: distinct persons, enrutamientos, and of them the
    persons routed for the first time ever (rows 1.3-1.6 of the tablero); and the list."""
    a = aliased(Actuacion)
    nuevo = case((first_routing(a), a.participante_id), else_=None)
    rows = _run(select(a.categoria, func.count(func.distinct(a.participante_id)).label("personas"),
                       func.count().label("enrutamientos"),
                       func.count(func.distinct(nuevo)).label("nuevos"))
                .where(_in_month(a, centro_id, desde, hasta, Tipo.ENRUTAMIENTO))
                .group_by(a.categoria)).all()
    found = {r.categoria: r for r in rows}
    por_destino = [{"destino": destino, "etiqueta": etiqueta,
                    "personas": found[destino].personas if destino in found else 0,
                    "enrutamientos": found[destino].enrutamientos if destino in found else 0,
                    "nuevos": found[destino].nuevos if destino in found else 0}
                   for destino, etiqueta in DESTINOS_ENRUTAMIENTO.items()]
    total = _run(select(func.count(func.distinct(a.participante_id)).label("personas"),
                        func.count().label("enrutamientos"),
                        func.count(func.distinct(nuevo)).label("nuevos"))
                 .where(_in_month(a, centro_id, desde, hasta, Tipo.ENRUTAMIENTO))).one()
    p = aliased(Participante)
    asesor = aliased(Staff)
    personas = [
        {"tipo_documento": r.tipo_documento, "numero_documento": r.numero_documento,
         "nombres": r.nombres, "apellidos": r.apellidos, "destino": r.categoria,
         "destino_etiqueta": DESTINOS_ENRUTAMIENTO.get(r.categoria, r.categoria or ""),
         "fecha": r.fecha.isoformat(), "asesor": r.asesor, "nuevo": bool(r.nuevo)}
        for r in _run(select(p.tipo_documento, p.numero_documento, p.nombres, p.apellidos,
                             a.categoria, a.fecha, asesor.nombre.label("asesor"),
                             first_routing(a).label("nuevo"))
                      .join(p, p.id == a.participante_id).join(asesor, asesor.id == a.asesor_id)
                      .where(_in_month(a, centro_id, desde, hasta, Tipo.ENRUTAMIENTO))
                      .order_by(a.fecha, p.apellidos, p.nombres, a.id))]
    return {"por_destino": por_destino,
            "total": {"personas": total.personas, "enrutamientos": total.enrutamientos,
                      "nuevos": total.nuevos},
            "personas": personas}


# ---- capitalización -------------------------------------------------------------------------

def _count_sum(statement) -> dict:
    row = _run(statement).one()
    return {"numero": row.numero or 0, "valor": int(row.valor or 0)}


def capitalizacion(centro_id: int, desde: date, hasta: date) -> dict:
    a = aliased(Actuacion)
    count_value = (func.count().label("numero"), func.coalesce(func.sum(a.valor), 0).label("valor"))

    planes = {r.tipo: {"numero": r.numero, "valor": int(r.valor)} for r in _run(
        select(a.tipo, *count_value)
        .where(a.centro_id == centro_id, a.tipo.in_((Tipo.PLAN_NEGOCIO, Tipo.PLAN_AJUSTADO)),
               vigentes(a), a.fecha.between(desde, hasta))
        .group_by(a.tipo))}
    empty = {"numero": 0, "valor": 0}

    decided = {r.categoria: {"numero": r.numero, "valor": int(r.valor)} for r in _run(
        select(a.categoria, *count_value)
        .where(_in_month(a, centro_id, desde, hasta, Tipo.COMITE)).group_by(a.categoria))}
    decisiones = [{"decision": str(d), "etiqueta": etiqueta, **decided.get(d, empty)}
                  for d, etiqueta in DECISIONES.items()]

    entregado = _count_sum(select(*count_value)
                           .where(_in_month(a, centro_id, desde, hasta, Tipo.DESEMBOLSO)))

    # Delivered value by the category of each item (an item's value: units × invoiced price); a
    # delivery recorded without items counts apart, so the rows add up to the value delivered.
    item_value = func.sum(ActuacionItem.cantidad * ActuacionItem.precio_unitario)
    por_categoria_raw = {r.categoria: {"items": r.items, "valor": int(r.valor)} for r in _run(
        select(ActuacionItem.categoria, func.count().label("items"), item_value.label("valor"))
        .join(a, a.id == ActuacionItem.actuacion_id)
        .where(_in_month(a, centro_id, desde, hasta, Tipo.DESEMBOLSO))
        .group_by(ActuacionItem.categoria))}
    por_categoria = [{"categoria": code, "etiqueta": etiqueta, **por_categoria_raw[code]}
                     for code, etiqueta in CATEGORIAS_INVERSION.items() if code in por_categoria_raw]
    if None in por_categoria_raw:
        por_categoria.append({"categoria": None, "etiqueta": SIN_CATEGORIA, **por_categoria_raw[None]})
    without_items = _count_sum(
        select(*count_value).where(_in_month(a, centro_id, desde, hasta, Tipo.DESEMBOLSO),
                                   ~exists().where(ActuacionItem.actuacion_id == a.id)))
    if without_items["numero"]:
        por_categoria.append({"categoria": "sin_detalle", "etiqueta": SIN_DETALLE,
                              "items": 0, "valor": without_items["valor"]})

    proveedor = a.datos["proveedor"].as_string()
    nit = a.datos["nit"].as_string()
    por_proveedor = [
        {"proveedor": r.proveedor or SIN_PROVEEDOR, "nit": r.nit or "", "entregas": r.numero,
         "personas": r.personas, "valor": int(r.valor)}
        for r in _run(select(proveedor.label("proveedor"), nit.label("nit"), *count_value,
                             func.count(func.distinct(a.participante_id)).label("personas"))
                      .where(_in_month(a, centro_id, desde, hasta, Tipo.DESEMBOLSO))
                      .group_by(proveedor, nit)
                      .order_by(func.sum(a.valor).desc(), proveedor))]

    visitas_raw = {r.categoria: {"visitas": r.visitas, "personas": r.personas} for r in _run(
        select(a.categoria, func.count().label("visitas"),
               func.count(func.distinct(a.participante_id)).label("personas"))
        .where(_in_month(a, centro_id, desde, hasta, Tipo.VISITA_ACOMPANAMIENTO))
        .group_by(a.categoria))}
    visitas = [{"clase": str(clase), "etiqueta": etiqueta,
                **visitas_raw.get(clase, {"visitas": 0, "personas": 0})}
               for clase, etiqueta in CLASES_VISITA.items()]

    pendientes = pending_deliveries(centro_id, hasta)
    return {
        "planes": {"plan_negocio": planes.get(Tipo.PLAN_NEGOCIO, empty),
                   "plan_ajustado": planes.get(Tipo.PLAN_AJUSTADO, empty)},
        "decisiones": decisiones,
        "aprobado": decided.get(Decision.APROBADO, empty),
        "entregado": entregado,
        "por_categoria": por_categoria,
        "por_proveedor": por_proveedor,
        "visitas": visitas,
        "visitas_seguimiento": next(v["visitas"] for v in visitas if v["clase"] == ClaseVisita.SEGUIMIENTO),
        "pendientes": pendientes,
        "pendiente_total": {"personas": len(pendientes),
                            "valor": sum(p["pendiente"] for p in pendientes)},
    }


def pending_deliveries(centro_id: int, corte: date) -> list[dict]:
    """As of the cut date: each person of the centre whose approval in force (the latest approved
    comité on or before the cut) has delivered less than its approved value, with the deliveries
    after that approval and up to the cut (as the gate's delivery rule measures them)."""
    comite, later, entrega = aliased(Actuacion), aliased(Actuacion), aliased(Actuacion)
    approved = and_(comite.tipo == Tipo.COMITE, comite.categoria == Decision.APROBADO, vigentes(comite))
    delivered = (select(func.coalesce(func.sum(entrega.valor), 0))
                 .where(entrega.participante_id == comite.participante_id,
                        entrega.tipo == Tipo.DESEMBOLSO, vigentes(entrega),
                        entrega.fecha <= corte, comes_after(entrega, comite))
                 .correlate(comite).scalar_subquery())
    p = aliased(Participante)
    statement = (
        select(p.tipo_documento, p.numero_documento, p.nombres, p.apellidos,
               comite.fecha, comite.valor, delivered.label("entregado"))
        .join(p, p.id == comite.participante_id)
        .where(approved, comite.centro_id == centro_id, comite.fecha <= corte,
               ~exists().where(later.participante_id == comite.participante_id,
                               later.tipo == Tipo.COMITE, later.categoria == Decision.APROBADO,
                               vigentes(later), later.fecha <= corte, comes_after(later, comite)),
               delivered < comite.valor)
        .order_by(comite.fecha, p.apellidos, p.nombres, comite.id))
    return [{"tipo_documento": r.tipo_documento, "numero_documento": r.numero_documento,
             "nombres": r.nombres, "apellidos": r.apellidos, "fecha_aprobacion": r.fecha.isoformat(),
             "aprobado": int(r.valor or 0), "entregado": int(r.entregado or 0),
             "pendiente": int(r.valor or 0) - int(r.entregado or 0)}
            for r in _run(statement)]

