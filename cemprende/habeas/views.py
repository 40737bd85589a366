"""Habeas data pages: a person's requests, rectification, sensitive-data authorisation, report."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..errors import StaleVersion
from ..forms import submit
from ..itinerario.dia import today_bogota
from ..models.habeas import ESTADOS_SOLICITUD, TIPOS_SOLICITUD
from ..pagination import page_args
from ..participantes import services as participantes
from ..participantes.forms import fill_edit_form
from . import services
from .forms import ProrrogaForm, RectificacionForm, RespuestaForm, SolicitudForm, VersionForm

bp = Blueprint("habeas", __name__, url_prefix="/habeas")


@bp.route("/")
@login_required
def pendientes():
    actor = current_staff()
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("habeas/pendientes.html", result=services.pending(actor, page, per_page),
                           hoy=today_bogota(), tipos=TIPOS_SOLICITUD)


def _person_page(person, solicitud=None, errors=None, status=200):
    actor = current_staff()
    if solicitud is None:
        solicitud = SolicitudForm(formdata=None, fecha_recibida=today_bogota().isoformat())
    return render_template(
        "habeas/persona.html", persona=person, solicitudes=services.requests_of(person),
        solicitud=solicitud, errors=errors or {}, hoy=today_bogota(), tipos=TIPOS_SOLICITUD,
        estados=ESTADOS_SOLICITUD, version=VersionForm(formdata=None, version=person.version),
        prorroga=ProrrogaForm(formdata=None),
        respuesta=RespuestaForm(formdata=None, fecha_respuesta=today_bogota().isoformat()),
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


@bp.route("/personas/<int:participante_id>")
@login_required
def persona(participante_id: int):
    return _person_page(participantes.get_visible(current_staff(), participante_id))


@bp.post("/personas/<int:participante_id>/solicitudes")
@login_required
def nueva_solicitud(participante_id: int):
    actor = current_staff()
    person = participantes.get_editable(actor, participante_id)
    form = SolicitudForm()
    outcome = submit(form, lambda values: services.create_request(actor, person.id, values))
    if outcome.done:
        flash(f"Solicitud registrada; plazo de respuesta: {outcome.result.fecha_limite:%d/%m/%Y}.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _person_page(person, form, outcome.errors, outcome.status if outcome.error else 400)


def _request_step(solicitud_id: int, form, action, message: str):
    actor = current_staff()
    found = services.get_request(actor, solicitud_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, found.centro_id)
    outcome = submit(form, lambda values: action(actor, found.id, values))
    if outcome.done:
        flash(message, "ok")
    return redirect(url_for(".persona", participante_id=found.participante_id), code=303)


@bp.post("/solicitudes/<int:solicitud_id>/prorroga")
@login_required
def prorrogar(solicitud_id: int):
    return _request_step(solicitud_id, ProrrogaForm(), services.extend, "Plazo prorrogado.")


@bp.post("/solicitudes/<int:solicitud_id>/respuesta")
@login_required
def responder(solicitud_id: int):
    return _request_step(solicitud_id, RespuestaForm(), services.answer, "Respuesta registrada.")


@bp.route("/personas/<int:participante_id>/rectificar", methods=["GET", "POST"])
@login_required
def rectificar(participante_id: int):
    actor = current_staff()
    person = participantes.get_editable(actor, participante_id)
    form = RectificacionForm(obj=None if request.method == "POST" else person)
    del form.centro_id
    if request.method == "GET":
        fill_edit_form(form, person)
    outcome = submit(form, lambda values: services.rectify(actor, person.id, values))
    if outcome.done:
        flash("Datos rectificados; el motivo queda en la auditoría.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return render_template("participantes/formulario.html", form=form, errors=outcome.errors,
                           persona=person, stale=isinstance(outcome.error, StaleVersion),
                           titulo="Rectificar datos", registro=False), outcome.status


def _authorisation_step(participante_id: int, action, message: str):
    actor = current_staff()
    person = participantes.get_editable(actor, participante_id)
    outcome = submit(VersionForm(), lambda values: action(actor, person.id, values))
    if outcome.done:
        flash(message, "ok")
    return redirect(url_for(".persona", participante_id=person.id), code=303)


@bp.post("/personas/<int:participante_id>/revocar-sensibles")
@login_required
def revocar_sensibles(participante_id: int):
    return _authorisation_step(participante_id, services.revoke_sensitive,
                               "Autorización de datos sensibles revocada: esos datos se borraron.")


@bp.post("/personas/<int:participante_id>/autorizar-sensibles")
@login_required
def autorizar_sensibles(participante_id: int):
    return _authorisation_step(participante_id, services.grant_sensitive,
                               "Autorización de datos sensibles registrada de nuevo.")


@bp.route("/personas/<int:participante_id>/reporte.pdf")
@login_required
def reporte(participante_id: int):
    content = services.report(current_staff(), participante_id)
    return send_file(content, mimetype="application/pdf",
                     download_name=f"reporte_titular_{participante_id}.pdf")
