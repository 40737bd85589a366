"""Microfinanciamiento: the allocation committee, the approved plan, deliveries and alerts."""
from __future__ import annotations

from flask import jsonify, request

from ..itinerario import services as itinerario
from ..microfinanciamiento import comite as comites
from ..microfinanciamiento import entregas, llamadas, proveedores
from ..microfinanciamiento import services as microfinanciamiento
from ..validation import to_id
from .base import UnsupportedType, actor, body, bp, page_of, paging


@bp.get("/comite/sesiones")
def list_sesiones_comite():
    page, per_page = paging()
    return jsonify(page_of(comites.sesiones(actor(), page, per_page), lambda s: s.to_dict()))


@bp.post("/comite/sesiones")
def create_sesion_comite():
    return jsonify(comites.hold_session(actor(), body()).to_dict()), 201


@bp.get("/comite/sesiones/<int:sesion_comite_id>")
def get_sesion_comite(sesion_comite_id: int):
    return jsonify(comites.get_sesion(actor(), sesion_comite_id).to_dict())


@bp.post("/comite/sesiones/<int:sesion_comite_id>/acta")
def upload_acta_sesion_comite(sesion_comite_id: int):
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe el acta como multipart/form-data en la parte 'archivo'.")
    files = [(f.filename or "acta", f.stream) for f in request.files.getlist("archivo")]
    return jsonify(comites.upload_acta(actor(), sesion_comite_id, files).to_dict()), 201


@bp.get("/participantes/<int:participante_id>/plan-aprobado")
def get_plan_aprobado(participante_id: int):
    found = entregas.approved_plan(actor(), participante_id)
    return jsonify({
        "participante_id": found.persona.id, "comite_id": found.comite.id,
        "plan_id": found.plan.id if found.plan else None, "valor_aprobado": found.comite.valor,
        "valor_entregado": found.valor_entregado, "completo": found.completo,
        "items": [{"descripcion": i.descripcion, "aprobado": i.planeado,
                   "precio_cotizado": i.precio_cotizado, "entregado": i.entregado,
                   "pendiente": i.pendiente} for i in found.items.values()],
        "entregas": [e.id for e in found.entregas]})


@bp.post("/participantes/<int:participante_id>/entregas")
def create_entrega(participante_id: int):
    return jsonify(itinerario.to_dict(entregas.deliver(actor(), participante_id, body()))), 201


@bp.get("/alertas")
def list_alertas():
    page, per_page = paging()
    found = microfinanciamiento.alerts(actor(), request.args.to_dict())
    start = (page - 1) * per_page
    return jsonify({"items": [a.to_dict() for a in found.items[start:start + per_page]],
                    "page": page, "per_page": per_page, "total": len(found.items),
                    "por_tipo": found.por_tipo, "umbrales": found.umbrales.__dict__})


@bp.get("/llamadas/lista")
def call_list():
    return jsonify(llamadas.call_list(actor(), request.args.to_dict()).to_dict())


@bp.post("/llamadas")
def record_call():
    return jsonify(llamadas.record_call(actor(), body()).to_dict()), 201


@bp.get("/participantes/<int:participante_id>/llamadas")
def calls_of(participante_id: int):
    return jsonify({"items": [c.to_dict() for c in llamadas.calls_of(actor(), participante_id)]})


@bp.get("/proveedores")
def list_proveedores():
    page, per_page = paging()
    args = request.args
    result = proveedores.suppliers(actor(), q=args.get("q"), estado=args.get("estado"),
                                   centro_id=to_id(args.get("centro_id")), page=page,
                                   per_page=per_page)
    return jsonify(page_of(result, lambda p: p.to_dict()))


@bp.post("/proveedores")
def create_proveedor():
    return jsonify(proveedores.create_supplier(actor(), body()).to_dict()), 201


@bp.get("/proveedores/<int:proveedor_id>")
def get_proveedor(proveedor_id: int):
    return jsonify(proveedores.get_supplier(actor(), proveedor_id).to_dict())


@bp.patch("/proveedores/<int:proveedor_id>")
def update_proveedor(proveedor_id: int):
    return jsonify(proveedores.update_supplier(actor(), proveedor_id, body()).to_dict())


@bp.get("/items/<int:item_id>/cotizaciones")
def list_cotizaciones(item_id: int):
    return jsonify({"items": [q.to_dict() for q in proveedores.quotes_of_item(actor(), item_id)]})


@bp.post("/items/<int:item_id>/cotizaciones")
def create_cotizacion(item_id: int):
    return jsonify(proveedores.add_quote(actor(), item_id, body()).to_dict()), 201


@bp.delete("/cotizaciones/<int:cotizacion_id>")
def delete_cotizacion(cotizacion_id: int):
    proveedores.withdraw_quote(actor(), cotizacion_id)
    return "", 204


@bp.get("/precios-referencia")
def list_precios_referencia():
    return jsonify({"items": [p.to_dict() for p in
                              proveedores.reference_prices(actor(), request.args.to_dict())]})
