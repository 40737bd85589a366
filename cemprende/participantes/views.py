
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..itinerario.dia import today_bogota
from ..auth.guards import Accion, ensure, may
from ..empleabilidad import services as vacantes
from ..errors import StaleVersion, ValidationFailed
from ..habeas import queries as habeas
from ..forms import offer_centres, submit
from ..itinerario import services as itinerario
from ..itinerario.tipos import PROCESOS, TIPOS, Tipo
from ..models.verificador import ESTADOS_REVISION
from ..pagination import Page, page_args
from ..verificadores import cobertura, services as verificadores
from ..verificadores.forms import CargaParticipanteForm
from ..verificadores.prefijos import PREFIJOS
from ..auth.loader import current_staff as _actor
from . import services
from .forms import (
    AnulacionForm, BusquedaForm, EdicionForm, RegistroForm, actuacion_form_class, fill_edit_form,
    actuacion_values,
)

bp = Blueprint("participantes", __name__, url_prefix="/participantes")


@bp.route("/")
@login_required
def lista():
    form = BusquedaForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        result = services.search(_actor(), q=form.q.data, page=page, per_page=per_page)
    except ValidationFailed as error:  # the search box says what is wrong, the page stays
        errors, result = error.fields, Page([], 1, per_page, 0)
    return render_template("participantes/lista.html", form=form, result=result, errors=errors,
                           puede_registrar=may(current_user, Accion.EDITAR_ITINERARIO)), 422 if errors else 200


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def nuevo():
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = RegistroForm()
    offer_centres(form, _actor())
    # The intake's link sends numero_documento; the page's own first step sends documento.
    consulta = (request.args.get("documento") or request.args.get("numero_documento") or "")[:20]
    if request.method == "GET" and consulta:
        form.numero_documento.data = consulta
    outcome = submit(form, lambda values: services.register(_actor(), values))
    if outcome.done:
        flash(f"Se registró a {outcome.result.nombre_completo}.", "ok")
        if request.args.get("siguiente") == "orientacion":  # the walk-in intake goes on
            return redirect(url_for("orientacion.persona", participante_id=outcome.result.id))
        return redirect(url_for(".perfil", participante_id=outcome.result.id))
    duplicate = outcome.error if isinstance(outcome.error, services.DuplicateDocument) else None
    # The early warning: the document typed first says at once where the person is registered.
    ubicaciones = services.locate(_actor(), consulta) if request.method == "GET" and consulta else []
    if duplicate is not None and duplicate.extra.get("centro_id"):  # offer the transfer there
        ubicaciones = [services.Ubicacion(form.tipo_documento.data,
                                          services.normalise_document(form.numero_documento.data),
                                          duplicate.extra["centro_id"], duplicate.extra["centro"], None)]
    return render_template("participantes/formulario.html", form=form, errors=outcome.errors,
                           duplicate=duplicate, titulo="Registrar persona", registro=True,
                           consulta=consulta, ubicaciones=ubicaciones,
                           consultado=bool(request.method == "GET" and consulta)), outcome.status


@bp.route("/consulta-documento")
@login_required
def consulta_documento():
    """The early warning as an HTML fragment, for the registration form's small script."""
    numero = (request.args.get("numero_documento") or "")[:20]
    tipo = request.args.get("tipo_documento") or None
    return render_template("traslados/_aviso.html", consultado=bool(numero),
                           ubicaciones=services.locate(_actor(), numero, tipo))


@bp.route("/<int:participante_id>")
@login_required
def perfil(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    timeline = itinerario.itinerary(person, newest_first=True)
    puede_editar = may(current_user, Accion.EDITAR_ITINERARIO)
    return render_template(
        "participantes/perfil.html", persona=person, timeline=timeline, hoy=today_bogota(),
        vacantes=vacantes.by_ids({a.vacante_id for a in timeline if a.vacante_id}),
        tipos=TIPOS, procesos=PROCESOS, valores=itinerario.field_values,
        puede_editar=puede_editar,
        documentos=verificadores.of_participant(_actor(), person.id),
        faltan=cobertura.missing_for_participant(person),
        carga_form=CargaParticipanteForm() if puede_editar else None,
        prefijos=PREFIJOS, estados_revision=ESTADOS_REVISION,
        reclamo_en_tramite=habeas.claim_in_process(person.id))


@bp.route("/<int:participante_id>/editar", methods=["GET", "POST"])
@login_required
def editar(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = EdicionForm(obj=None if request.method == "POST" else person)
    del form.centro_id
    if request.method == "GET":
        fill_edit_form(form, person)
    outcome = submit(form, lambda values: services.update(_actor(), person.id, values))
    if outcome.done:
        flash("Datos actualizados.", "ok")
        return redirect(url_for(".perfil", participante_id=person.id))
    stale = isinstance(outcome.error, StaleVersion)
    return render_template("participantes/formulario.html", form=form, errors=outcome.errors,
                           persona=person, stale=stale, titulo="Editar datos",
                           registro=False), outcome.status


@bp.route("/<int:participante_id>/actuaciones/nueva", methods=["GET", "POST"])
@login_required
def nueva_actuacion(participante_id: int):
    person = services.get_visible(_actor(), participante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    tipo = TIPOS.get(request.args.get("tipo", ""))
    if tipo is None:
        return render_template("participantes/elegir_tipo.html", persona=person,
                               tipos=TIPOS, procesos=PROCESOS)
    abiertas = vacantes.search(_actor(), solo_con_cupos=tipo.nombre == Tipo.COLOCACION,
                               per_page=200).items
    options = {str(v.id): f"{v.cargo} — {v.empresa}" for v in abiertas
               if v.centro_id == person.centro_id}
    form = actuacion_form_class(tipo, options)()
    if request.method == "GET":
        form.fecha.data = today_bogota().isoformat()
    outcome = submit(form, lambda values: itinerario.register(_actor(), person.id, values),
                     values=lambda f: actuacion_values(f, tipo))
    if outcome.done:
        flash(f"Se registró: {tipo.etiqueta}.", "ok")
        return redirect(url_for(".perfil", participante_id=person.id))
    return render_template("participantes/actuacion.html", persona=person, tipo=tipo, form=form,
                           errors=outcome.errors), outcome.status


@bp.route("/actuaciones/<int:actuacion_id>/anular", methods=["GET", "POST"])
@login_required
def anular_actuacion(actuacion_id: int):
    actuacion = itinerario.get_visible_actuacion(_actor(), actuacion_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    person = services.get_visible(_actor(), actuacion.participante_id)
    form = AnulacionForm()
    outcome = submit(form, lambda values: itinerario.annul(_actor(), actuacion.id, values))
    if outcome.done:
        flash("La actuación quedó anulada; sigue en el itinerario y no cuenta en los tableros.", "ok")
        return redirect(url_for(".perfil", participante_id=person.id))
    return render_template("participantes/anular.html", actuacion=actuacion, persona=person,
                           tipo=TIPOS[actuacion.tipo], form=form, errors=outcome.errors,
                           valores=itinerario.field_values(actuacion)), outcome.status
