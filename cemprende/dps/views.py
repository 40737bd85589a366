"""DPS pages: the follow-up view (beside the tablero), its people and CSV, the export of the
remitted people for DPS (CSV, XLSX) and DPS's answer (upload, preview, apply)."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request, send_file
from flask_login import login_required

from .. import exports
from ..admin.services import centros_en_servicio
from ..auth.guards import Accion, ensure, is_centre_bound, may
from ..auth.loader import current_staff
from ..errors import DomainError, ValidationFailed
from ..forms import offer_centres
from ..models.traslado import ESTADOS_CONTACTO
from ..pagination import page_args
from ..tableros.forms import centre_choices
from . import queries, services
from .forms import AplicarRespuestaForm, FiltroForm, RespuestaForm

bp = Blueprint("dps", __name__, url_prefix="/dps")


@bp.app_context_processor
def _respuesta_dps():
    """The person's page shows the "Respuesta DPS" box through this (dps/_respuesta.html)."""
    return {"respuesta_dps": lambda persona: services.respuesta_persona(current_staff(), persona)}


def _filter_form(actor) -> FiltroForm:
    form = FiltroForm(request.args)
    form.centro_id.choices = centre_choices(centros_en_servicio(actor), not is_centre_bound(actor))
    return form


@bp.route("/")
@login_required
def seguimiento():
    actor = current_staff()
    form = _filter_form(actor)
    errors, status = {}, 200
    try:
        filtro = services.read_filter(actor, request.args.to_dict())
    except ValidationFailed as error:
        errors, status = error.fields, 422
        filtro = services.read_filter(actor, {"centro_id": request.args.get("centro_id")})
    result = services.seguimiento(actor, filtro)
    return render_template("dps/seguimiento.html", form=form, errors=errors, result=result,
                           args=filtro.to_args(),
                           puede_responder=may(actor, Accion.RESPONDER_DPS)), status


@bp.route("/seguimiento.csv")
@login_required
def seguimiento_csv():
    actor = current_staff()
    filtro = services.read_filter(actor, request.args.to_dict())
    rows = services.seguimiento_export(actor, filtro)
    return exports.csv_response(rows, services.ENCABEZADO_SEGUIMIENTO,
                                f"seguimiento_dps_{filtro.hasta.isoformat()}.csv")


@bp.route("/personas")
@login_required
def personas():
    actor = current_staff()
    consulta = services.read_consulta(actor, request.args.to_dict())
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"), 50)
    return render_template("dps/personas.html", consulta=consulta,
                           result=services.personas(actor, consulta, page, per_page),
                           etapas=queries.ETAPAS, estados=ESTADOS_CONTACTO, args=consulta.to_args())


@bp.route("/remitidos.csv")
@login_required
def remitidos_csv():
    actor = current_staff()
    filtro = services.read_filter(actor, request.args.to_dict())
    rows = services.remitidos_export(actor, filtro, "csv")
    return exports.csv_response(rows, services.ENCABEZADO_REMITIDOS,
                                services.remitidos_filename(filtro, "csv"))


@bp.route("/remitidos.xlsx")
@login_required
def remitidos_xlsx():
    actor = current_staff()
    filtro = services.read_filter(actor, request.args.to_dict())
    rows = services.remitidos_export(actor, filtro, "xlsx")
    content = exports.xlsx_file("Remitidos DPS", services.ENCABEZADO_REMITIDOS, rows)
    return send_file(content, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                     download_name=services.remitidos_filename(filtro, "xlsx"), max_age=0)


@bp.route("/respuesta", methods=["GET", "POST"])
@login_required
def respuesta():
    """Upload DPS's answer: the preview comes back on this page, with the form that applies it."""
    actor = current_staff()
    ensure(actor, Accion.RESPONDER_DPS)  # 403 before the form shows
    form = RespuestaForm()
    offer_centres(form, actor)
    errors, status, informe = {}, 200, None
    if form.validate_on_submit():
        archivo = form.archivo.data
        try:
            if not getattr(archivo, "filename", None):
                raise ValidationFailed({"archivo": "Elija el archivo CSV o XLSX."})
            informe = services.preview_answer(
                actor, archivo.filename, archivo.stream,
                form.centro_id.data if form.centro_id else None, keep=True)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            flash(error.message, "error")
            errors, status = error.fields or {"archivo": error.message}, error.status
    aplicar = None
    if informe is not None:
        aplicar = AplicarRespuestaForm(formdata=None, huella=informe.huella,
                                       centro_id=str(informe.centro_id),
                                       nombre_archivo=informe.nombre_archivo)
    return render_template("dps/respuesta.html", form=form, errors=errors, informe=informe,
                           aplicar=aplicar), status


@bp.post("/respuesta/aplicar")
@login_required
def aplicar_respuesta():
    actor = current_staff()
    form = AplicarRespuestaForm()  # the CSRF token is checked for every POST before this runs
    services.answer_centre(actor, form.centro_id.data or None)  # 403 / 404 before anything else
    if not form.confirmo.data:
        flash("Marque la confirmación para aplicar la respuesta.", "error")
        return render_template("dps/respuesta.html", form=None, errors={}, informe=None,
                               aplicar=None), 422
    try:
        informe = services.apply_answer(actor, form.nombre_archivo.data, centro_id=form.centro_id.data,
                                        huella=form.huella.data or "")
    except DomainError as error:
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return render_template("dps/respuesta.html", form=None, errors={}, informe=None,
                               aplicar=None), error.status
    flash(f"Respuesta aplicada: {len(informe.cambios)} personas actualizadas.", "ok")
    return render_template("dps/respuesta.html", form=None, errors={}, informe=informe, aplicar=None)
