"""Verificadores: upload, search, the file, supervisor review, coverage."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import Malformed
from ..verificadores import carga as cargas
from ..verificadores import cobertura as coberturas
from ..verificadores import revision
from ..verificadores import services as verificadores
from ..verificadores.views import send_document
from .base import UnsupportedType, actor, body, bp, page_of, paging


@bp.post("/verificadores")
def upload_verificadores():
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe los archivos como multipart/form-data en partes 'archivo'.")
    files = [(f.filename or "sin_nombre", f.stream) for f in request.files.getlist("archivo")]
    participante_id = request.form.get("participante_id")
    if participante_id not in (None, "") and not participante_id.isdigit():
        raise Malformed("participante_id debe ser un número.")
    carga = cargas.upload(
        actor(), files, centro_id=request.form.get("centro_id"),
        participante_id=int(participante_id) if participante_id else None,
        prefijo=request.form.get("prefijo"))
    return jsonify({"carga_id": carga.id, "total": carga.total, "vinculados": carga.vinculados,
                    "items": carga.resultados})


@bp.get("/verificadores")
def list_verificadores():
    page, per_page = paging()
    args = request.args
    result = verificadores.search(
        actor(), centro_id=args.get("centro_id"), prefijo=args.get("prefijo"),
        estado=args.get("estado_revision"), participante_id=args.get("participante_id"),
        page=page, per_page=per_page)
    return jsonify(page_of(result, lambda v: v.to_dict()))


@bp.get("/verificadores/<int:verificador_id>")
def get_verificador(verificador_id: int):
    return jsonify(verificadores.get_visible(actor(), verificador_id).to_dict())


@bp.get("/verificadores/<int:verificador_id>/archivo")
def get_verificador_archivo(verificador_id: int):
    return send_document(actor(), verificador_id)


@bp.post("/verificadores/<int:verificador_id>/revision")
def review_verificador(verificador_id: int):
    return jsonify(revision.review(actor(), verificador_id, body()).to_dict())


@bp.get("/verificadores/cobertura")
def verificadores_cobertura():
    args = request.args.to_dict()
    page, per_page = paging()
    data = coberturas.coverage(actor(), args).to_dict()
    missing = coberturas.missing(actor(), args, page, per_page)
    data["faltantes"] = page_of(missing, lambda r: {
        "actuacion_id": r.actuacion_id, "participante_id": r.participante_id,
        "centro_id": r.centro_id, "tipo": r.tipo, "fecha": r.fecha.isoformat(),
        "prefijo": r.prefijo, "orden": r.orden})
    return jsonify(data)
