"""DPS: the follow-up view, its people, the export of the remitted people and DPS's answer."""
from __future__ import annotations

from flask import jsonify, request, send_file

from .. import exports
from ..auth.guards import Accion, ensure
from ..dps import services
from ..errors import ValidationFailed
from .base import UnsupportedType, actor, bp, page_of, paging


@bp.get("/dps/seguimiento")
def get_dps_seguimiento():
    filtro = services.read_filter(actor(), request.args.to_dict())
    return jsonify(services.seguimiento(actor(), filtro).to_dict())


@bp.get("/dps/seguimiento.csv")
def get_dps_seguimiento_csv():
    filtro = services.read_filter(actor(), request.args.to_dict())
    return exports.csv_response(services.seguimiento_export(actor(), filtro),
                                services.ENCABEZADO_SEGUIMIENTO,
                                f"seguimiento_dps_{filtro.hasta.isoformat()}.csv")


@bp.get("/dps/seguimiento/personas")
def get_dps_personas():
    consulta = services.read_consulta(actor(), request.args.to_dict())
    page, per_page = paging()
    answer = page_of(services.personas(actor(), consulta, page, per_page), services.persona_dict)
    answer.update(consulta.to_args())
    return jsonify(answer)


@bp.get("/dps/remitidos.csv")
def get_dps_remitidos_csv():
    filtro = services.read_filter(actor(), request.args.to_dict())
    return exports.csv_response(services.remitidos_export(actor(), filtro, "csv"),
                                services.ENCABEZADO_REMITIDOS,
                                services.remitidos_filename(filtro, "csv"))


@bp.get("/dps/remitidos.xlsx")
def get_dps_remitidos_xlsx():
    filtro = services.read_filter(actor(), request.args.to_dict())
    content = exports.xlsx_file("Remitidos DPS", services.ENCABEZADO_REMITIDOS,
                                services.remitidos_export(actor(), filtro, "xlsx"))
    return send_file(content, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                     download_name=services.remitidos_filename(filtro, "xlsx"), max_age=0)


@bp.post("/dps/respuestas")
def post_dps_respuesta():
    """multipart: `archivo`, `centro_id` (admins), `aplicar` false (preview) or true → 200."""
    ensure(actor(), Accion.RESPONDER_DPS)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe el archivo como multipart/form-data en la parte 'archivo'.")
    centro_id = services.answer_centre(actor(), request.form.get("centro_id"))
    archivo = request.files.get("archivo")
    if archivo is None or not archivo.filename:
        raise ValidationFailed({"archivo": "Adjunte el archivo CSV o XLSX."})
    aplicar = (request.form.get("aplicar") or "").strip().lower() in ("true", "1", "si", "sí")
    if aplicar:
        informe = services.apply_answer(actor(), archivo.filename, archivo.stream, centro_id)
    else:
        informe = services.preview_answer(actor(), archivo.filename, archivo.stream, centro_id)
    return jsonify(informe.to_dict())
