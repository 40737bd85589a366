from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..admin.services import visible_centros
from ..auth.guards import Accion, ensure, is_centre_bound, may
from ..empleabilidad import services as vacantes
from ..errors import DomainError
from ..forms import bool_to_choice, choices, form_values
from ..itinerario import services as itinerario
from ..itinerario.tipos import PROCESOS, TIPOS
from ..pagination import page_args
from . import bp, services
from .forms import (
    TIPO_CHOICES, AnulacionForm, BusquedaForm, EdicionForm, RegistroForm, actuacion_form_class,
    actuacion_values,
)


def _actor():
    return current_user._get_current_object()


def _offer_centres(form) -> None:
    if is_centre_bound(current_user):
        del form.centro_id
    else:
        form.centro_id.choices = choices(
            {str(c.id): c.nombre for c in visible_centros(_actor())}, blank="Seleccione…")


@bp.route("/")
@login_required
def lista():
    form = BusquedaForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.search(_actor(), q=form.q.data, page=page, per_page=per_page)
    return render_template("participantes/lista.html", form=form, result=result,
                           puede_registrar=may(current_user, Accion.EDITAR_ITINERARIO))


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def nuevo():
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = RegistroForm()
    _offer_centres(form)
    errors, duplicate = {}, None
    if form.validate_on_submit():
        try:
            person = services.register(_actor(), form_values(form))
        except services.DuplicateDocument as error:
            errors, duplicate = error.fields, error
            flash(error.message, "error")
        except DomainError as error:
            errors = error.fields
            flash(error.message, "error")
        else:
            flash(f"Se registró a {person.nombre_completo}.", "ok")
            return redirect(url_for(".perfil", participante_id=person.id))
    status = 422 if errors else 200
    return render_template("participantes/formulario.html", form=form, errors=errors,
                           duplicate=duplicate, titulo="Registrar persona", registro=True), status


@bp.route("/<int:participante_id>")
@login_required
def perfil(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    timeline = itinerario.itinerary(person, newest_first=True)
    return render_template(
        "participantes/perfil.html", persona=person, timeline=timeline, hoy=date.today(),
        tipos=TIPOS, procesos=PROCESOS, valores=itinerario.field_values,
        tipo_choices=TIPO_CHOICES, puede_editar=may(current_user, Accion.EDITAR_ITINERARIO))


@bp.route("/<int:participante_id>/editar", methods=["GET", "POST"])
@login_required
def editar(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = EdicionForm(obj=None if request.method == "POST" else person)
    del form.centro_id
    if request.method == "GET":
        form.version.data = person.version
        for name in ("discapacidad", "desplazamiento"):
            form[name].data = bool_to_choice(getattr(person, name))
        form.fecha_nacimiento.data = person.fecha_nacimiento.isoformat()
    errors, stale = {}, False
    if form.validate_on_submit():
        try:
            services.update(_actor(), person.id, form_values(form))
        except DomainError as error:
            errors, stale = error.fields, error.status == 409 and error.code != "duplicado"
            flash(error.message, "error")
        else:
            flash("Datos actualizados.", "ok")
            return redirect(url_for(".perfil", participante_id=person.id))
    status = 409 if stale else (422 if errors else 200)
    return render_template("participantes/formulario.html", form=form, errors=errors,
                           persona=person, stale=stale, titulo="Editar datos",
                           registro=False), status


@bp.route("/<int:participante_id>/actuaciones/nueva", methods=["GET", "POST"])
@login_required
def nueva_actuacion(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    tipo = TIPOS.get(request.args.get("tipo", ""))
    if tipo is None:
        return render_template("participantes/elegir_tipo.html", persona=person,
                               tipos=TIPOS, procesos=PROCESOS)
    abiertas = vacantes.search(_actor(), solo_con_cupos=tipo.nombre == "colocacion",
                               per_page=200).items
    options = {str(v.id): f"{v.cargo} — {v.empresa}" for v in abiertas
               if v.centro_id == person.centro_id}
    form = actuacion_form_class(tipo, options)()
    if request.method == "GET":
        form.fecha.data = date.today().isoformat()
    errors = {}
    if form.validate_on_submit():
        try:
            itinerario.register(_actor(), person.id, actuacion_values(form, tipo))
        except DomainError as error:
            errors = error.fields
            flash(error.message, "error")
        else:
            flash(f"Se registró: {tipo.etiqueta}.", "ok")
            return redirect(url_for(".perfil", participante_id=person.id))
    return render_template("participantes/actuacion.html", persona=person, tipo=tipo, form=form,
                           errors=errors), 422 if errors else 200


@bp.route("/actuaciones/<int:actuacion_id>/anular", methods=["GET", "POST"])
@login_required
def anular_actuacion(actuacion_id: int):
    actuacion = itinerario.get_visible_actuacion(_actor(), actuacion_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    person = services.get_visible(_actor(), actuacion.participante_id)
    form = AnulacionForm()
    errors = {}
    if form.validate_on_submit():
        try:
            itinerario.annul(_actor(), actuacion.id, form_values(form))
        except DomainError as error:
            errors = error.fields
            flash(error.message, "error")
        else:
            flash("La actuación quedó anulada; sigue en el itinerario y no cuenta en los tableros.",
                  "ok")
            return redirect(url_for(".perfil", participante_id=person.id))
    return render_template("participantes/anular.html", actuacion=actuacion, persona=person,
                           tipo=TIPOS[actuacion.tipo], form=form, errors=errors,
                           valores=itinerario.field_values(actuacion)), 422 if errors else 200
