"""Informe pages: the history of versions, «Generar versión», a version and its PDF / XLSX."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..admin.services import visible_centros
from ..auth.guards import Accion, ensure, is_centre_bound, may
from ..auth.loader import current_staff
from ..cierres.periodo import nombre_mes
from ..errors import DomainError
from ..exports import XLSX_MIMETYPE
from ..forms import choices, offer_centres
from ..itinerario.dia import today_bogota
from ..lectura import from_replica
from ..models.informe import TIPOS_INFORME
from ..pagination import current_filters, page_args
from . import documentos, services
from .forms import FiltroForm, GenerarForm

bp = Blueprint("informes", __name__, url_prefix="/informes")


@bp.route("/")
@login_required
@from_replica
def lista():
    actor = current_staff()
    ensure(actor, Accion.VER_INFORMES)
    form = FiltroForm(request.args)
    centros = {c.id: c.nombre for c in visible_centros(actor)}
    if is_centre_bound(actor):
        del form.centro_id
    else:
        form.centro_id.choices = choices({str(k): v for k, v in centros.items()}, blank="Todos")
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        result = services.listing(actor, request.args.to_dict(), page, per_page)
    except DomainError as error:
        if error.status == 404:
            raise
        errors, result = error.fields, services.listing(actor, {}, page, per_page)
    return render_template("informes/lista.html", form=form, result=result, errors=errors,
                           centros=centros, tipos=TIPOS_INFORME, nombre_mes=nombre_mes,
                           puede_generar=may(actor, Accion.GENERAR_INFORMES),
                           query=current_filters(request.args)), 422 if errors else 200


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def nuevo():
    """GET (?centro_id=&tipo=&mes=): the form, the técnico's narrative started from the month's
    latest version; POST: «Generar versión»."""
    actor = current_staff()
    ensure(actor, Accion.GENERAR_INFORMES)
    form = GenerarForm() if request.method == "POST" else GenerarForm(formdata=None)
    offer_centres(form, actor)
    errors, status = {}, 200
    if request.method == "GET":
        form.tipo.data = request.args.get("tipo") or "enrutamiento"
        form.mes.data = request.args.get("mes") or f"{today_bogota():%Y-%m}"
        centro_id = actor.centro_id if is_centre_bound(actor) else request.args.get("centro_id")
        if form.centro_id is not None and centro_id:
            form.centro_id.data = str(centro_id)
        if centro_id:
            try:
                previous = services.last_narrative(actor, centro_id, form.mes.data)
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                previous = {}
            for name in GenerarForm.NARRATIVA:
                form[name].data = previous.get(name, "")
    elif not form.validate_on_submit():
        status = 400
    else:
        try:
            version = services.generate(actor, form.values())
        except DomainError as error:
            if error.status in (403, 404):
                raise
            flash(error.message, "error")
            errors, status = error.fields, error.status
        else:
            flash(f"Se generó la versión {version.numero} del {version.titulo.lower()} de "
                  f"{nombre_mes(version.mes)}.", "ok")
            return redirect(url_for(".detalle", informe_id=version.id), 303)
    return render_template("informes/nuevo.html", form=form, errors=errors,
                           narrativa=GenerarForm.NARRATIVA), status


@bp.route("/<int:informe_id>")
@login_required
@from_replica
def detalle(informe_id: int):
    actor = current_staff()
    version = services.get_visible(actor, informe_id)
    return render_template("informes/detalle.html", version=version, datos=version.datos,
                           secciones=documentos.secciones(version.datos),
                           periodo=documentos.periodo_texto(version.datos),
                           generada=documentos.version_texto(version.datos),
                           puede_generar=may(actor, Accion.GENERAR_INFORMES))


@bp.route("/<int:informe_id>.pdf")
@login_required
@from_replica
def pdf(informe_id: int):
    content, filename = services.pdf(current_staff(), informe_id)
    return send_file(content, mimetype="application/pdf", as_attachment=False, download_name=filename)


@bp.route("/<int:informe_id>.xlsx")
@login_required
@from_replica
def xlsx(informe_id: int):
    content, filename = services.xlsx(current_staff(), informe_id)
    return send_file(content, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
