"""The queue of possible duplicates, one pair side by side, the merge and the discard."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..errors import ValidationFailed
from ..forms import submit
from ..models.duplicado import ESTADOS_CANDIDATO, RAZONES_DUPLICADO
from ..pagination import current_filters, page_args
from . import services
from .forms import DescarteForm, DeteccionForm, FusionForm

bp = Blueprint("duplicados", __name__, url_prefix="/duplicados")


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    ensure(actor, Accion.VER_DUPLICADOS)
    page, per_page = page_args(request.args.get("page"), None)
    args = {key: request.args.get(key) for key in ("estado", "razon", "centro_id")}
    try:
        result = services.queue(actor, args, page, per_page)
        errors = {}
    except ValidationFailed as error:
        result, errors = services.queue(actor, {}, page, per_page), error.fields
    return render_template(
        "duplicados/lista.html", result=result, errors=errors, razones=RAZONES_DUPLICADO,
        estados=ESTADOS_CANDIDATO, estado=args["estado"] or "pendiente", razon=args["razon"],
        filtros=current_filters(request.args), deteccion=services.last_detection(),
        form=DeteccionForm())


@bp.route("/deteccion", methods=["POST"])
@login_required
def detectar():
    actor = current_staff()
    ensure(actor, Accion.VER_DUPLICADOS)
    form = DeteccionForm()
    outcome = submit(form, lambda _values: services.request_detection(actor))
    if outcome.done:
        flash("Búsqueda de duplicados en marcha: la lista se actualiza cuando termine.", "ok")
    return redirect(url_for(".lista"), code=303)


def _pair_page(candidato_id: int, fusion_form=None, descarte_form=None, errors=None, status=200):
    actor = current_staff()
    candidato, a, b = services.get_visible(actor, candidato_id)
    counts = services.itinerary_counts(a, b)
    fusion_form = fusion_form or FusionForm(formdata=None)
    fusion_form.superviviente_id.choices = [
        (str(p.id), f"{p.nombres} {p.apellidos} · {p.tipo_documento} {p.numero_documento}")
        for p in (a, b)]
    if fusion_form.superviviente_id.data is None:
        fusion_form.superviviente_id.data = str(services.suggested_survivor(a, b, counts))
    descarte_form = descarte_form or DescarteForm(formdata=None)
    fusion_form.version.data = descarte_form.version.data = str(candidato.version)
    return render_template(
        "duplicados/par.html", candidato=candidato, a=a, b=b, counts=counts,
        razones=RAZONES_DUPLICADO, estados=ESTADOS_CANDIDATO, fusion_form=fusion_form,
        descarte_form=descarte_form, errors=errors or {},
        puede_fusionar=may(actor, Accion.FUSIONAR_PARTICIPANTES)), status


@bp.route("/<int:candidato_id>")
@login_required
def par(candidato_id: int):
    return _pair_page(candidato_id)


@bp.route("/<int:candidato_id>/fusion", methods=["POST"])
@login_required
def fusionar(candidato_id: int):
    actor = current_staff()
    services.get_visible(actor, candidato_id)
    ensure(actor, Accion.FUSIONAR_PARTICIPANTES)
    form = FusionForm()
    if form.validate_on_submit() and not form.confirmar.data:
        flash("Marque la confirmación para fusionar.", "error")
        return _pair_page(candidato_id, fusion_form=form,
                          errors={"confirmar": "Confirme la fusión."}, status=422)
    outcome = submit(form, lambda values: services.merge(actor, candidato_id, values))
    if outcome.done:
        flash("Personas fusionadas: la historia completa quedó en la persona conservada.", "ok")
        return redirect(url_for("participantes.perfil",
                                participante_id=outcome.result.superviviente_id), code=303)
    return _pair_page(candidato_id, fusion_form=form, errors=outcome.errors,
                      status=outcome.status if outcome.error else 400)


@bp.route("/<int:candidato_id>/descarte", methods=["POST"])
@login_required
def descartar(candidato_id: int):
    actor = current_staff()
    services.get_visible(actor, candidato_id)
    form = DescarteForm()
    outcome = submit(form, lambda values: services.discard(actor, candidato_id, values))
    if outcome.done:
        flash("Anotado: este par no se volverá a proponer.", "ok")
        return redirect(url_for(".lista"), code=303)
    return _pair_page(candidato_id, descarte_form=form, errors=outcome.errors,
                      status=outcome.status if outcome.error else 400)
