"""Verifier document pages: upload (bulk and per person), reports, review queue, coverage."""
from __future__ import annotations


from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..calidad import services as calidad
from ..exports import csv_text
from ..errors import DomainError
from ..formatting import fecha
from ..forms import offer_centres, submit
from ..itinerario.tipos import TIPOS
from ..microfinanciamiento import services as microfinanciamiento
from ..microfinanciamiento.alertas import TIPOS_ALERTA
from ..models.verificador import ESTADOS_REVISION
from ..pagination import current_filters, page_args
from ..participantes import services as participantes
from . import carga as cargas, cobertura as coberturas, revision, services
from .forms import CargaForm, CargaParticipanteForm, CoberturaForm, FiltroForm, RevisionForm
from .prefijos import PREFIJOS
from .queries import REGISTRO

bp = Blueprint("verificadores", __name__, url_prefix="/verificadores")

def uploaded_files(form_field) -> list[tuple[str, object]]:
    return [(f.filename or "sin_nombre", f.stream) for f in (form_field.data or [])
            if getattr(f, "filename", None)]


def _csv_response(rows: list[list], filename: str) -> Response:
    return Response(csv_text(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---- upload ---------------------------------------------------------------------------------

@bp.route("/subir", methods=["GET", "POST"])
@login_required
def subir():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = CargaForm()
    offer_centres(form, actor)
    outcome = submit(form, lambda _: cargas.upload(
        actor, uploaded_files(form.archivo),
        centro_id=form.centro_id.data if form.centro_id else None))
    if outcome.done:
        return redirect(url_for(".carga", carga_id=outcome.result.id), code=303)
    return render_template("verificadores/subir.html", form=form, errors=outcome.errors,
                           prefijos=PREFIJOS), outcome.status


@bp.route("/participantes/<int:participante_id>/subir", methods=["POST"])
@login_required
def subir_participante(participante_id: int):
    actor = current_staff()
    person = participantes.get_editable(actor, participante_id)
    form = CargaParticipanteForm()
    outcome = submit(form, lambda values: cargas.upload(
        actor, uploaded_files(form.archivo), participante_id=person.id, prefijo=values["prefijo"]))
    if outcome.done:
        _flash_report(outcome.result)
    elif outcome.error is None:
        flash("La sesión del formulario expiró; vuelva a intentarlo.", "error")
    return redirect(url_for("participantes.perfil", participante_id=person.id) + "#documentos",
                    code=303)


def _flash_report(carga) -> None:
    refused = [r for r in carga.resultados if r["estado"] != "vinculado"]
    if carga.vinculados:
        flash(f"Documentos guardados: {carga.vinculados}.", "ok")
    for r in refused:
        flash(f"{r['archivo']}: {cargas.ESTADOS_CARGA[r['estado']]}. {r['motivo'] or ''}", "error")


@bp.route("/cargas/<int:carga_id>")
@login_required
def carga(carga_id: int):
    found = cargas.get_carga(current_staff(), carga_id)
    rows = cargas.report(found)
    refused = [r for r in rows if r["estado"] != "vinculado"]
    return render_template("verificadores/carga.html", carga=found, filas=rows,
                           rechazados=refused)


@bp.route("/cargas/<int:carga_id>.csv")
@login_required
def carga_csv(carga_id: int):
    found, rows = cargas.report_csv(current_staff(), carga_id)
    return _csv_response(rows, f"carga_verificadores_{found.id}.csv")


# ---- reading and review ---------------------------------------------------------------------

@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    form = FiltroForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    revisor = may(actor, Accion.REVISAR_VERIFICADORES)
    if "estado" not in request.args and revisor:
        form.estado.data = "pendiente"  # a reviewer's queue starts with what waits for them
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        result = services.search(
            actor, centro_id=form.centro_id.data if "centro_id" in form else None,
            prefijo=form.prefijo.data, estado=form.estado.data, page=page, per_page=per_page)
    except DomainError as error:
        errors, result = error.fields, services.search(actor, page=1, per_page=per_page)
    filtros = {k: v for k, v in (("centro_id", form.centro_id.data if "centro_id" in form else None),
                                  ("prefijo", form.prefijo.data),
                                  ("estado", form.estado.data or "")) if v is not None}
    # A supervisor's home: the integrity alerts are counted here too.
    alertas = microfinanciamiento.alerts(actor, {}) if revisor and may(actor, Accion.VER_ALERTAS) else None
    # ...and the network's data-quality score of the month, worst centres first.
    red = calidad.score(actor, {}) if revisor and may(actor, Accion.VER_CALIDAD) else None
    return render_template("verificadores/lista.html", form=form, result=result, errors=errors,
                           calidad=red,
                           revisor=revisor, filtros=filtros, estados=ESTADOS_REVISION,
                           prefijos=PREFIJOS, alertas=alertas, tipos_alerta=TIPOS_ALERTA), 422 if errors else 200


def queue_filters(args) -> dict:
    """The review queue's own filters (centre and prefijo), carried from the list through every
    decision so a reviewer works through one centre or one kind of document without re-filtering."""
    return {key: args.get(key) for key in ("centro_id", "prefijo") if args.get(key)}


@bp.route("/<int:verificador_id>", methods=["GET"])
@login_required
def ver(verificador_id: int):
    actor = current_staff()
    verificador = services.get_visible(actor, verificador_id)
    form = RevisionForm(data={"version": verificador.version})
    return _render_document(actor, verificador, form, {})


def _render_document(actor, verificador, form, errors, status: int = 200):
    revisor = may(actor, Accion.REVISAR_VERIFICADORES)
    filtros = queue_filters(request.args)
    pendientes = None
    if revisor:
        try:
            pendientes = services.search(actor, estado="pendiente", per_page=1, **filtros).total
        except DomainError:
            filtros = {}
    return render_template(
        "verificadores/ver.html", v=verificador, persona=verificador.participante,
        sesion=verificador.comite_sesion, form=form, filtros=filtros, pendientes=pendientes,
        errors=errors, prefijo=PREFIJOS[verificador.prefijo], estados=ESTADOS_REVISION,
        revisor=revisor), status


@bp.route("/<int:verificador_id>/revision", methods=["POST"])
@login_required
def revisar(verificador_id: int):
    actor = current_staff()
    verificador = services.get_visible(actor, verificador_id)
    ensure(actor, Accion.REVISAR_VERIFICADORES, verificador.centro_id)
    form = RevisionForm()
    outcome = submit(form, lambda values: revision.review(actor, verificador.id, values))
    if outcome.done:
        estado = ESTADOS_REVISION[outcome.result.estado_revision].lower()
        flash(f"Documento {outcome.result.nombre_archivo} {estado}.", "ok")
        filtros = queue_filters(request.args)
        try:
            following = services.search(actor, estado="pendiente", page=1, per_page=1,
                                        **filtros).items
        except DomainError:
            filtros, following = {}, []
        if following:
            return redirect(url_for(".ver", verificador_id=following[0].id, **filtros), code=303)
        flash("No quedan documentos pendientes con este filtro.", "ok")
        return redirect(url_for(".lista", estado="pendiente", **filtros), code=303)
    return _render_document(actor, verificador, form, outcome.errors, outcome.status)


def send_document(actor, verificador_id: int) -> Response:
    """The stored bytes, after the same visibility check as the record (pages and API)."""
    verificador, handle = services.open_file(actor, verificador_id)
    response = send_file(handle, mimetype=verificador.tipo_contenido,
                         as_attachment=request.args.get("descargar") == "1",
                         download_name=verificador.nombre_archivo, max_age=0)
    # Shown inside the review page; nothing else may frame it or run anything in it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/<int:verificador_id>/archivo")
@login_required
def archivo(verificador_id: int):
    return send_document(current_staff(), verificador_id)


@bp.route("/<int:verificador_id>/miniatura")
@login_required
def miniatura(verificador_id: int):
    return Response(services.thumbnail(current_staff(), verificador_id), mimetype="image/jpeg")


# ---- coverage -------------------------------------------------------------------------------

@bp.route("/cobertura")
@login_required
def cobertura():
    actor = current_staff()
    form = CoberturaForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    args = request.args.to_dict()
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        summary = coberturas.coverage(actor, args)
        faltantes = coberturas.missing(actor, args, page, per_page)
    except DomainError as error:
        if error.status == 404:
            raise
        errors, args = error.fields, {}
        summary = coberturas.coverage(actor, args)
        faltantes = coberturas.missing(actor, args, 1, per_page)
    if not form.hasta.data:
        form.hasta.data = summary.hasta.isoformat()
    if not form.desde.data:
        form.desde.data = summary.desde.isoformat()
    return render_template(
        "verificadores/cobertura.html", form=form, errors=errors, cobertura=summary,
        faltantes=faltantes, tipos=TIPOS, prefijos=PREFIJOS, registro=REGISTRO,
        filtros=current_filters(args)), 422 if errors else 200


@bp.route("/cobertura.csv")
@login_required
def cobertura_csv():
    actor = current_staff()
    args = request.args.to_dict()
    summary = coberturas.coverage(actor, args)
    rows = [["centro_id", "prefijo", "documento", "actuacion", "fecha", "orden",
             "tipo_documento", "numero_documento", "nombres", "apellidos", "actuacion_id"]]
    for r in coberturas.missing_rows(actor, args):
        rows.append([r.centro_id, r.prefijo, PREFIJOS[r.prefijo].documento,
                     "Registro" if r.tipo == REGISTRO else TIPOS[r.tipo].etiqueta,
                     fecha(r.fecha), r.orden, r.tipo_documento, r.numero_documento, r.nombres,
                     r.apellidos, r.actuacion_id or ""])
    scope = f"centro_{summary.centro_id}" if summary.centro_id else "red"
    return _csv_response(rows, f"verificadores_faltantes_{scope}_{summary.hasta.isoformat()}.csv")

