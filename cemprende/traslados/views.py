"""Traslados: the request (from the intake's early warning or this page), the origin's answer and
the list of both sides."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure
from ..auth.loader import current_staff
from ..forms import form_values, offer_centres, submit
from ..models.traslado import ESTADOS_TRASLADO
from ..pagination import page_args
from . import services
from .forms import RespuestaForm, SolicitudForm

bp = Blueprint("traslados", __name__, url_prefix="/traslados")


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    page, per_page = page_args(request.args.get("page"), None)
    lado = request.args.get("lado") if request.args.get("lado") in ("origen", "destino") else None
    result = services.transfers(actor, lado=lado, page=page, per_page=per_page)
    return render_template("traslados/lista.html", result=result, lado=lado,
                           estados=ESTADOS_TRASLADO, etiqueta=lambda t: services.person_label(actor, t))


@bp.route("/solicitar", methods=["GET", "POST"])
@login_required
def solicitar():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = SolicitudForm()
    offer_centres(form, actor)
    if request.method == "GET":
        form.numero_documento.data = (request.args.get("numero_documento") or "")[:20]
        form.tipo_documento.data = request.args.get("tipo_documento") or "CC"
    outcome = submit(form, lambda values: services.request_transfer(actor, values),
                     values=_request_values)
    if outcome.done:
        flash("Solicitud de traslado enviada al centro de origen.", "ok")
        return redirect(url_for(".detalle", traslado_id=outcome.result.id), code=303)
    return render_template("traslados/solicitar.html", form=form,
                           errors=outcome.errors), outcome.status


def _request_values(form) -> dict:
    values = form_values(form)
    values["centro_destino_id"] = values.pop("centro_id", None)
    return values


def _detail(traslado, form, errors=None, status=200):
    actor = current_staff()
    return render_template("traslados/detalle.html", traslado=traslado, form=form,
                           errors=errors or {}, estados=ESTADOS_TRASLADO,
                           puede_responder=services.may_answer(actor, traslado),
                           persona=services.person_label(actor, traslado)), status


@bp.route("/<int:traslado_id>")
@login_required
def detalle(traslado_id: int):
    return _detail(services.get_visible(current_staff(), traslado_id), RespuestaForm(formdata=None))


@bp.route("/<int:traslado_id>/respuesta", methods=["POST"])
@login_required
def responder(traslado_id: int):
    actor = current_staff()
    traslado = services.get_visible(actor, traslado_id)
    form = RespuestaForm()
    outcome = submit(form, lambda values: services.answer(actor, traslado.id, values))
    if outcome.done:
        flash("Traslado aceptado: la persona pasa al centro que la pidió." if
              outcome.result.estado == "aceptado" else "Traslado rechazado.", "ok")
        return redirect(url_for(".detalle", traslado_id=traslado.id), code=303)
    return _detail(services.get_visible(actor, traslado_id), form, outcome.errors, outcome.status)
