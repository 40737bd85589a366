"""Importaciones: upload (preview or apply), the report, its errors CSV, the centre's list."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import ValidationFailed
from ..importaciones import services
from ..importaciones.views import csv_response
from .base import UnsupportedType, actor, bp, page_of, paging


@bp.post("/importaciones")
def create_importacion():
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe el archivo como multipart/form-data en la parte 'archivo'.")
    archivo = request.files.get("archivo")
    if archivo is None or not archivo.filename:
        services.upload_allowed(actor(), request.form.get("centro_id"))
        raise ValidationFailed({"archivo": "Adjunte el archivo CSV o XLSX."})
    mapeo = request.files.get("mapeo")
    importacion = services.upload(actor(), archivo.filename, archivo.stream,
                                  tipo=request.form.get("tipo"), aplicar=request.form.get("aplicar"),
                                  centro_id=request.form.get("centro_id"),
                                  mapeo_stream=mapeo.stream if mapeo is not None else None,
                                  autorizacion_datos=request.form.get("autorizacion_datos"))
    return jsonify({"id": importacion.id, "estado": importacion.estado}), 202


@bp.get("/importaciones")
def list_importaciones():
    page, per_page = paging()
    return jsonify(page_of(services.list_for(actor(), page, per_page), services.summary))


@bp.get("/importaciones/<int:importacion_id>")
def get_importacion(importacion_id: int):
    return jsonify(services.report(services.get_visible(actor(), importacion_id)))


@bp.post("/importaciones/<int:importacion_id>/aplicar")
def apply_importacion(importacion_id: int):
    importacion = services.apply(actor(), importacion_id)
    return jsonify({"id": importacion.id, "estado": importacion.estado}), 202


@bp.get("/importaciones/<int:importacion_id>/errores.csv")
def get_importacion_errores(importacion_id: int):
    importacion = services.get_visible(actor(), importacion_id)
    return csv_response(services.error_rows(actor(), importacion),
                        f"importacion_{importacion_id}_errores.csv")
