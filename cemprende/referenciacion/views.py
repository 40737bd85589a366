"""Referenciación pages: the directory, referring a person, the follow-up and its queue."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..errors import DomainError
from ..forms import choices, offer_centres, submit
from ..itinerario.tipos import DESTINOS_REFERENCIACION
from ..models.referencia import ESTADOS_REFERENCIA, TRANSICIONES
from ..pagination import current_filters, page_args
from ..participantes import services as participantes
from . import services
from .forms import FiltroForm, ProgramaForm, ProgramasFiltroForm, ReferirForm, SeguimientoForm
from ..itinerario.dia import today_bogota

bp = Blueprint("referenciacion", __name__, url_prefix="/referenciacion")


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    form = FiltroForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        filtros = services.parse_list_args(request.args.to_dict(), today_bogota())
    except DomainError as error:
        errors, filtros = error.fields, {}
    result = services.referencias(actor, page=page, per_page=per_page, **filtros)
    vencidas = services.referencias(actor, vencidas_al=today_bogota(), per_page=1).total
    query = current_filters(request.args)
    return render_template("referenciacion/lista.html", form=form, result=result, errors=errors,
                           vencidas=vencidas, estados=ESTADOS_REFERENCIA, hoy=today_bogota(),
                           query=query, destinos=DESTINOS_REFERENCIACION), 422 if errors else 200


# ---- directory --------------------------------------------------------------------------------

@bp.route("/programas")
@login_required
def programas():
    actor = current_staff()
    form = ProgramasFiltroForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.programas(actor, q=form.q.data, categoria=form.categoria.data,
                                page=page, per_page=per_page)
    return render_template("referenciacion/programas.html", form=form, result=result,
                           destinos=DESTINOS_REFERENCIACION,
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO),
                           query=current_filters(request.args))


@bp.route("/programas/nuevo", methods=["GET", "POST"])
@login_required
def nuevo_programa():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = ProgramaForm()
    offer_centres(form, actor)
    del form.version
    outcome = submit(form, lambda values: services.create_programa(actor, values))
    if outcome.done:
        flash(f"Programa «{outcome.result.nombre}» agregado al directorio.", "ok")
        return redirect(url_for(".programas"))
    return render_template("referenciacion/programa_form.html", form=form, errors=outcome.errors,
                           titulo="Nuevo programa"), outcome.status


@bp.route("/programas/<int:programa_id>", methods=["GET", "POST"])
@login_required
def editar_programa(programa_id: int):
    actor = current_staff()
    programa = services.get_programa(actor, programa_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, programa.centro_id)
    form = ProgramaForm(obj=None if request.method == "POST" else programa)
    del form.centro_id
    if request.method == "GET":
        form.version.data = programa.version
    outcome = submit(form, lambda values: services.update_programa(actor, programa.id, values))
    if outcome.done:
        flash("Programa actualizado.", "ok")
        return redirect(url_for(".programas"))
    return render_template("referenciacion/programa_form.html", form=form, errors=outcome.errors,
                           titulo=f"Editar «{programa.nombre}»"), outcome.status


# ---- referring and following up --------------------------------------------------------------

@bp.route("/personas/<int:participante_id>/nueva", methods=["GET", "POST"])
@login_required
def referir(participante_id: int):
    actor = current_staff()
    person = participantes.get_editable(actor, participante_id)
    form = ReferirForm()
    opciones = services.active_programas(person.centro_id)
    form.programa_id.choices = choices(
        {str(p.id): f"{p.nombre} — {p.entidad} ({DESTINOS_REFERENCIACION[p.categoria]})"
         for p in opciones}, blank="Seleccione…")
    if request.method == "GET":
        form.fecha.data = today_bogota().isoformat()
    outcome = submit(form, lambda values: services.refer(actor, person.id, values))
    if outcome.done:
        flash(f"Referida a {outcome.result.programa.nombre}; seguimiento el "
              f"{outcome.result.fecha_seguimiento.strftime('%d/%m/%Y')}.", "ok")
        return redirect(url_for("participantes.perfil", participante_id=person.id))
    return render_template("referenciacion/referir.html", form=form, errors=outcome.errors,
                           persona=person, sin_programas=not opciones,
                           anteriores=services.of_participant(person)), outcome.status


@bp.route("/<int:referencia_id>", methods=["GET", "POST"])
@login_required
def seguimiento(referencia_id: int):
    actor = current_staff()
    referencia = services.get_referencia(actor, referencia_id)
    form = SeguimientoForm(obj=None if request.method == "POST" else referencia)
    form.estado.choices = choices({e: ESTADOS_REFERENCIA[e] for e in
                                   (referencia.estado, *TRANSICIONES[referencia.estado])})
    if request.method == "GET":
        form.version.data = referencia.version
        form.fecha_seguimiento.data = referencia.fecha_seguimiento.isoformat()
    if request.method == "POST":
        ensure(actor, Accion.EDITAR_ITINERARIO, referencia.centro_id)
    outcome = submit(form, lambda values: services.follow_up(actor, referencia.id, values))
    if outcome.done:
        flash("Seguimiento guardado.", "ok")
        return redirect(url_for(".seguimiento", referencia_id=referencia.id), code=303)
    return render_template("referenciacion/seguimiento.html", form=form, errors=outcome.errors,
                           r=referencia, estados=ESTADOS_REFERENCIA, hoy=today_bogota(),
                           destinos=DESTINOS_REFERENCIACION,
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), outcome.status
