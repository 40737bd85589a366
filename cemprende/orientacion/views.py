"""Orientación pages: the walk-in intake, a person's orientation steps, actas and queues."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..forms import bool_to_choice, offer_centres, submit
from ..itinerario.tipos import DESTINOS_ENRUTAMIENTO, RUTAS, SITUACIONES, Tipo
from ..pagination import page_args
from ..participantes import services as participantes
from ..participantes.services import normalise_document
from . import services
from .forms import (
    ActaForm, BuscarForm, CaracterizacionForm, DesistimientoForm, DocumentoForm, EnrutamientoForm,
    IngresoForm,
)
from ..itinerario.dia import today_bogota

bp = Blueprint("orientacion", __name__, url_prefix="/orientacion")


def _today_forms(person) -> dict:
    today = today_bogota().isoformat()
    forms = {"caracterizacion": CaracterizacionForm(formdata=None), "acta": ActaForm(formdata=None),
             "enrutamiento": EnrutamientoForm(formdata=None),
             "desistimiento": DesistimientoForm(formdata=None)}
    for form in forms.values():
        form.fecha.data = today
    char = forms[Tipo.CARACTERIZACION]
    char.version.data = person.version
    char.tipo_poblacion.data = person.tipo_poblacion or ""
    char.etnia.data = person.etnia or ""
    char.discapacidad.data = bool_to_choice(person.discapacidad)
    char.desplazamiento.data = bool_to_choice(person.desplazamiento)
    return forms


def _person_page(person, replace: dict | None = None, errors: dict | None = None,
                 status: int = 200):
    actor = current_staff()
    etapa = services.stage(person)
    forms = _today_forms(person)
    forms.update(replace or {})
    sugerencia = services.suggest_routing(etapa)
    if sugerencia and not (replace and Tipo.ENRUTAMIENTO in replace):
        forms[Tipo.ENRUTAMIENTO].destino.data = sugerencia.destino
        forms[Tipo.ENRUTAMIENTO].ruta.data = sugerencia.ruta or ""
    return render_template(
        "orientacion/persona.html", persona=person, etapa=etapa, forms=forms,
        errors=errors or {}, sugerencia=sugerencia, situaciones=SITUACIONES,
        destinos=DESTINOS_ENRUTAMIENTO, rutas=RUTAS,
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


def _editable_person(participante_id: int):
    actor = current_staff()
    return actor, participantes.get_editable(actor, participante_id)


def _step(participante_id: int, key: str, form, action, done_message: str, anchor: str):
    """Runs one step's service from its form; back to the person's page either way."""
    actor, person = _editable_person(participante_id)
    outcome = submit(form, lambda values: action(actor, person.id, values))
    if outcome.done:
        flash(done_message, "ok")
        return redirect(url_for(".persona", participante_id=person.id) + f"#{anchor}", code=303)
    return _person_page(person, {key: form}, outcome.errors, outcome.status)


# ---- intake -----------------------------------------------------------------------------------

@bp.route("/")
@login_required
def inicio():
    actor = current_staff()
    form = BuscarForm(request.args)
    q = (form.q.data or "").strip()
    result = participantes.search(actor, q=q, per_page=10) if q else None
    documento = normalise_document(q) if q and any(ch.isdigit() for ch in q) else None
    # Not in this centre: the early warning names the centre holding the document, if any.
    ubicaciones = (participantes.locate(actor, documento)
                   if documento and result is not None and not result.items
                   and may(actor, Accion.EDITAR_ITINERARIO) else [])
    return render_template(
        "orientacion/inicio.html", form=form, q=q, result=result, documento=documento,
        documento_form=DocumentoForm(formdata=None),
        ubicaciones=ubicaciones, consultado=False,
        por_enrutar=services.queue_to_route(actor, per_page=5),
        dps=services.queue_dps_to_characterise(actor, per_page=5),
        puede_registrar=may(actor, Accion.EDITAR_ITINERARIO))


@bp.route("/por-enrutar")
@login_required
def por_enrutar():
    form = BuscarForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.queue_to_route(current_staff(), form.q.data, page, per_page)
    return render_template("orientacion/cola.html", form=form, result=result, cola="por_enrutar",
                           titulo="Caracterizadas sin enrutar",
                           vacio="No hay personas caracterizadas esperando enrutamiento.")


@bp.route("/dps-sin-caracterizar")
@login_required
def dps_sin_caracterizar():
    form = BuscarForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.queue_dps_to_characterise(current_staff(), form.q.data, page, per_page)
    return render_template("orientacion/cola.html", form=form, result=result,
                           cola="dps_sin_caracterizar", titulo="Remitidas por DPS sin caracterizar",
                           vacio="Todas las personas remitidas por DPS ya están caracterizadas.")


# ---- the walk-in: document, then one page to register, characterise and route ------------------

@bp.route("/ingreso", methods=["GET", "POST"])
@login_required
def ingreso():
    """The walk-in in three page loads: the document (from the intake page) → a person of this
    centre opens at once, one of another centre is named with the transfer offered, a new one gets
    this page (registration, characterisation, consent and routing together) → the person's
    orientation page, with the acta de compromiso and the next step. No JavaScript needed."""
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    documento = DocumentoForm(request.args)
    numero = normalise_document(documento.numero_documento.data or "")[:20]
    tipo = documento.tipo_documento.data or "CC"
    ubicaciones = participantes.locate(actor, numero, tipo) if request.method == "GET" and numero else []
    here = next((u for u in ubicaciones if u.participante_id), None)
    if here is not None:
        flash("La persona ya está registrada en su centro.", "ok")
        return redirect(url_for(".persona", participante_id=here.participante_id), code=303)
    form = IngresoForm()
    offer_centres(form, actor)
    if request.method == "GET":
        form.tipo_documento.data, form.numero_documento.data = tipo, numero
    outcome = submit(form, lambda values: services.walk_in(actor, values))
    if outcome.done:
        flash(f"Se registró y caracterizó a {outcome.result.nombre_completo}. Imprima el acta de "
              "compromiso para la firma.", "ok")
        return redirect(url_for(".persona", participante_id=outcome.result.id) + "#acta", code=303)
    duplicate = outcome.error if isinstance(outcome.error, participantes.DuplicateDocument) else None
    if duplicate is not None and duplicate.extra.get("centro_id"):
        ubicaciones = [participantes.Ubicacion(
            form.tipo_documento.data, normalise_document(form.numero_documento.data),
            duplicate.extra["centro_id"], duplicate.extra["centro"], None)]
    return render_template("orientacion/ingreso.html", form=form, errors=outcome.errors,
                           ubicaciones=ubicaciones, numero=numero,
                           otro_centro=bool(ubicaciones)), outcome.status


# ---- a person's steps -------------------------------------------------------------------------

@bp.route("/personas/<int:participante_id>")
@login_required
def persona(participante_id: int):
    return _person_page(participantes.get_visible(current_staff(), participante_id))


@bp.route("/personas/<int:participante_id>/caracterizacion", methods=["POST"])
@login_required
def caracterizar(participante_id: int):
    return _step(participante_id, Tipo.CARACTERIZACION, CaracterizacionForm(), services.characterise,
                 "Caracterización registrada.", "acta")


@bp.route("/personas/<int:participante_id>/acta", methods=["POST"])
@login_required
def firmar_acta(participante_id: int):
    return _step(participante_id, "acta", ActaForm(), services.sign_acta,
                 "Acta de compromiso registrada como firmada. Súbala escaneada como AC.",
                 Tipo.ENRUTAMIENTO)


@bp.route("/personas/<int:participante_id>/enrutamiento", methods=["POST"])
@login_required
def enrutar(participante_id: int):
    return _step(participante_id, Tipo.ENRUTAMIENTO, EnrutamientoForm(), services.route,
                 "Enrutamiento registrado.", Tipo.ENRUTAMIENTO)


@bp.route("/personas/<int:participante_id>/desistimiento", methods=["POST"])
@login_required
def desistir(participante_id: int):
    return _step(participante_id, Tipo.DESISTIMIENTO, DesistimientoForm(), services.desist,
                 "Desistimiento registrado. Imprima el acta para la firma.", Tipo.DESISTIMIENTO)


def _pdf(content, name: str, person):
    return send_file(content, mimetype="application/pdf",
                     download_name=f"{name}_{person.numero_documento}.pdf")


@bp.route("/personas/<int:participante_id>/acta-compromiso.pdf")
@login_required
def acta_compromiso_pdf(participante_id: int):
    actor = current_staff()
    person = participantes.get_visible(actor, participante_id)
    return _pdf(services.acta_compromiso(actor, person.id), Tipo.ACTA_COMPROMISO, person)


@bp.route("/personas/<int:participante_id>/acta-desistimiento.pdf")
@login_required
def acta_desistimiento_pdf(participante_id: int):
    actor = current_staff()
    person = participantes.get_visible(actor, participante_id)
    return _pdf(services.acta_desistimiento(actor, person.id), "acta_desistimiento", person)
