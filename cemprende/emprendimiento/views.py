"""Emprendimiento pages: people per route, a person's business and its services."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, may
from ..auth.loader import current_staff
from ..forms import submit
from ..itinerario.tipos import RUTAS, TIPOS
from ..itinerario import services as itinerario
from ..models.negocio import ETAPAS
from ..pagination import page_args
from ..participantes import services as participantes
from ..participantes.forms import actuacion_form_class, actuacion_values
from . import services
from .forms import BuscarForm, NegocioForm, RutaForm
from ..itinerario.dia import today_bogota

bp = Blueprint("emprendimiento", __name__, url_prefix="/emprendimiento")


@bp.route("/")
@login_required
def inicio():
    actor = current_staff()
    ruta = request.args.get("ruta") if request.args.get("ruta") in RUTAS else "emprende"
    form = BuscarForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("emprendimiento/inicio.html", rutas=RUTAS, ruta=ruta, form=form,
                           conteos=services.route_counts(actor),
                           result=services.people_in_route(actor, ruta, form.q.data, page, per_page))


def _service_forms(person, business, replace=None):
    forms = {}
    for tipo in services.SERVICIOS:
        form = actuacion_form_class(TIPOS[tipo], {})(formdata=None, prefix=tipo)
        form.fecha.data = today_bogota().isoformat()
        if business is not None:
            for name, value in (("nombre_negocio", business.nombre), ("sector", business.sector)):
                if name in form:
                    form[name].data = value
        forms[tipo] = form
    forms.update(replace or {})
    return forms


def _page(person, negocio_form=None, ruta_form=None, service=None, errors=None, status=200):
    actor = current_staff()
    business = services.business_of(person)
    if negocio_form is None:
        negocio_form = NegocioForm(formdata=None, obj=business)
        if business:
            negocio_form.version.data = business.version
            negocio_form.empleados.data = str(business.empleados)
    if ruta_form is None:
        ruta_form = RutaForm(formdata=None, data={"fecha": today_bogota().isoformat()})
    return render_template(
        "emprendimiento/persona.html", persona=person, negocio=business, negocio_form=negocio_form,
        ruta_form=ruta_form, ruta_actual=services.route_of(person), rutas=RUTAS, etapas=ETAPAS,
        forms=_service_forms(person, business, service), tipos=TIPOS, errors=errors or {},
        servicios=services.services_of(person), valores=itinerario.field_values,
        abierto=next(iter(service)) if service else None,
        # The service forms carry a prefix, so their fields are named "<tipo>-<campo>".
        errores_servicio={f"{next(iter(service))}-{k}": v for k, v in (errors or {}).items()} if service else {},
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


def _editable(participante_id: int):
    actor = current_staff()
    return actor, participantes.get_editable(actor, participante_id)


@bp.route("/personas/<int:participante_id>")
@login_required
def persona(participante_id: int):
    return _page(participantes.get_visible(current_staff(), participante_id))


@bp.route("/personas/<int:participante_id>/negocio", methods=["POST"])
@login_required
def negocio(participante_id: int):
    actor, person = _editable(participante_id)
    form = NegocioForm()
    outcome = submit(form, lambda values: services.save_business(actor, person.id, values))
    if outcome.done:
        flash("Datos del negocio guardados.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _page(person, negocio_form=form, errors=outcome.errors, status=outcome.status)


@bp.route("/personas/<int:participante_id>/ruta", methods=["POST"])
@login_required
def ruta(participante_id: int):
    actor, person = _editable(participante_id)
    form = RutaForm()
    outcome = submit(form, lambda values: services.enter_route(actor, person.id, values))
    if outcome.done:
        flash(f"Ingresó a la ruta {RUTAS[outcome.result.categoria]}.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _page(person, ruta_form=form, errors=outcome.errors, status=outcome.status)


@bp.route("/personas/<int:participante_id>/servicios/<tipo>", methods=["POST"])
@login_required
def servicio(participante_id: int, tipo: str):
    if tipo not in services.SERVICIOS:
        abort(404)
    actor, person = _editable(participante_id)
    form = actuacion_form_class(TIPOS[tipo], {})(prefix=tipo)
    outcome = submit(form, lambda values: services.record(actor, person.id, tipo, values),
                     values=lambda f: actuacion_values(f, TIPOS[tipo]))
    if outcome.done:
        flash(f"Se registró: {TIPOS[tipo].etiqueta}.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _page(person, service={tipo: form}, errors=outcome.errors, status=outcome.status)
