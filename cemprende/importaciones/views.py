"""Import pages: upload, the import's progress and preview, applying it, the list."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure
from ..auth.loader import current_staff
from ..errors import DomainError, ValidationFailed
from ..exports import csv_text
from ..forms import offer_centres, submit
from ..itinerario.tipos import TIPOS
from ..models.importacion import (ESTADOS_IMPORTACION, TIPOS_IMPORTACION, VEREDICTOS,
                                   VEREDICTOS_LEGADO)
from ..pagination import page_args
from . import queries, services
from .forms import AplicarForm, ImportacionForm

bp = Blueprint("importaciones", __name__, url_prefix="/importaciones")


@bp.route("/", methods=["GET", "POST"])
@login_required
def inicio():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = ImportacionForm()
    offer_centres(form, actor)

    def upload(values):
        archivo = form.archivo.data
        if not getattr(archivo, "filename", None):
            raise ValidationFailed({"archivo": "Elija el archivo CSV o XLSX."})
        mapeo = form.mapeo.data if getattr(form.mapeo.data, "filename", None) else None
        return services.upload(actor, archivo.filename, archivo.stream, tipo=values.get("tipo"),
                               aplicar=False, centro_id=values.get("centro_id"),
                               mapeo_stream=mapeo.stream if mapeo else None,
                               autorizacion_datos=bool(form.autorizacion_datos.data))

    outcome = submit(form, upload)
    if outcome.done:
        return redirect(url_for(".ver", importacion_id=outcome.result.id), code=303)
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"))
    errors = outcome.error.fields if outcome.error else {}
    if outcome.error and not errors:
        campo = "mapeo" if getattr(outcome.error, "code", None) == "mapeo_invalido" else "archivo"
        errors = {campo: outcome.error.message}
    return render_template("importaciones/inicio.html", form=form, errors=errors,
                           importaciones=services.list_for(actor, page, per_page),
                           estados=ESTADOS_IMPORTACION, tipos=TIPOS_IMPORTACION,
                           estado_de=services.estado_visible), outcome.status


@bp.get("/<int:importacion_id>")
@login_required
def ver(importacion_id: int):
    actor = current_staff()
    importacion = services.get_visible(actor, importacion_id)
    veredicto = request.args.get("veredicto") or None
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"), 50)
    estado = services.estado_visible(importacion)
    return render_template(
        "importaciones/ver.html", importacion=importacion, estado=estado,
        resumen=services.summary(importacion), estados=ESTADOS_IMPORTACION,
        tipos=TIPOS_IMPORTACION, veredicto=veredicto,
        veredictos=VEREDICTOS_LEGADO if importacion.tipo == "legado" else VEREDICTOS,
        etiquetas_tipo={n: t.etiqueta for n, t in TIPOS.items()},
        filas=queries.rows(importacion, veredicto, page, per_page)
        if estado in ("terminada", "interrumpida", "fallida") else None,
        form=AplicarForm())


@bp.get("/<int:importacion_id>/estado.json")
@login_required
def estado(importacion_id: int):
    return jsonify(services.summary(services.get_visible(current_staff(), importacion_id)))


@bp.post("/<int:importacion_id>/aplicar")
@login_required
def aplicar(importacion_id: int):
    actor = current_staff()
    form = AplicarForm()  # the CSRF token is checked for every POST before this runs
    if not form.confirmo.data:
        services.get_visible(actor, importacion_id)  # 404 / 403 before telling what is missing
        flash("Marque la confirmación para aplicar la importación.", "error")
        return redirect(url_for(".ver", importacion_id=importacion_id), code=303)
    try:
        services.apply(actor, importacion_id)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return redirect(url_for(".ver", importacion_id=importacion_id), code=303)
    flash("La importación se está aplicando.", "ok")
    return redirect(url_for(".ver", importacion_id=importacion_id), code=303)


@bp.get("/<int:importacion_id>/errores.csv")
@login_required
def errores_csv(importacion_id: int):
    actor = current_staff()
    return csv_response(services.error_rows(actor, services.get_visible(actor, importacion_id)),
                        f"importacion_{importacion_id}_errores.csv")


def csv_response(rows: list[list], filename: str) -> Response:
    return Response(csv_text(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
