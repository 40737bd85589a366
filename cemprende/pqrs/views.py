"""PQRS pages: the list (overdue first), recording one, its page with the answer and notes."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, is_centre_bound, may
from ..auth.loader import current_staff
from ..errors import DomainError, NotFound
from ..forms import choices, offer_centres, submit
from ..itinerario.dia import today_bogota
from ..models.pqrs import CANALES_PQRS, ESTADOS_PQRS, TIPOS_PQRS
from ..pagination import current_filters, page_args
from ..participantes import services as participantes
from ..validation import to_id
from . import queries, services
from .forms import FiltroForm, NotaForm, PqrsForm, RespuestaForm

bp = Blueprint("pqrs", __name__, url_prefix="/pqrs")
ETIQUETAS = {"tipos": TIPOS_PQRS, "canales": CANALES_PQRS, "estados": ESTADOS_PQRS}


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    form = FiltroForm(request.args)
    offer_centres(form, actor, blank="Todos")
    page, per_page = page_args(request.args.get("page"), None)
    errors, filtros = {}, {}
    try:
        filtros = services.parse_filters(request.args.to_dict())
    except DomainError as error:
        errors = error.fields
    today = today_bogota()
    result = services.listing(actor, **filtros, page=page, per_page=per_page, today=today)
    return render_template("pqrs/lista.html", form=form, result=result, errors=errors, hoy=today,
                           vencidas=services.overdue_count(actor, today),
                           puede_registrar=may(actor, Accion.ATENDER_PQRS),
                           query=current_filters(request.args), **ETIQUETAS), \
        422 if errors else 200


@bp.route("/nueva", methods=["GET", "POST"])
@login_required
def nueva():
    actor = current_staff()
    ensure(actor, Accion.ATENDER_PQRS)
    raw = request.values.get("participante_id")
    person_id = to_id(raw)
    if raw and person_id is None:
        raise NotFound("No se encontró la persona.")
    person = participantes.get_visible(actor, person_id) if person_id else None
    form = PqrsForm()
    if person is not None or is_centre_bound(actor):
        del form.centro_id
    else:
        offer_centres(form, actor)
    form.plan_id.choices = choices(queries.plan_choices(person), blank="Ninguno")
    if request.method == "GET":
        form.fecha_radicacion.data = today_bogota().isoformat()
        form.participante_id.data = person.id if person else ""

    def create(values: dict):
        if person is not None:
            values.update(participante_id=person.id, centro_id=person.centro_id)
        return services.create(actor, values)

    outcome = submit(form, create)
    if outcome.done:
        flash(f"PQRS {outcome.result.radicado} registrada; plazo de respuesta: "
              f"{outcome.result.fecha_limite:%d/%m/%Y}.", "ok")
        return redirect(url_for(".detalle", pqrs_id=outcome.result.id), code=303)
    return render_template("pqrs/nueva.html", form=form, errors=outcome.errors, persona=person), \
        outcome.status


def _detail(actor, pqrs, respuesta: RespuestaForm, nota: NotaForm, errors=None, status=200):
    return render_template("pqrs/detalle.html", p=pqrs, respuesta=respuesta, nota=nota,
                           errors=errors or {}, hoy=today_bogota(),
                           puede_responder=pqrs.abierta and may(actor, Accion.ATENDER_PQRS),
                           puede_anotar=may(actor, Accion.SEGUIR_PQRS), **ETIQUETAS), status


@bp.route("/<int:pqrs_id>")
@login_required
def detalle(pqrs_id: int):
    actor = current_staff()
    pqrs = services.get(actor, pqrs_id)
    respuesta = RespuestaForm(version=pqrs.version, fecha_respuesta=today_bogota().isoformat())
    return _detail(actor, pqrs, respuesta, NotaForm(formdata=None))


@bp.post("/<int:pqrs_id>/respuesta")
@login_required
def responder(pqrs_id: int):
    actor = current_staff()
    pqrs = services.get(actor, pqrs_id)
    form = RespuestaForm()
    outcome = submit(form, lambda values: services.answer(actor, pqrs.id, values))
    if outcome.done:
        flash("Respuesta registrada.", "ok")
        return redirect(url_for(".detalle", pqrs_id=pqrs.id), code=303)
    return _detail(actor, pqrs, form, NotaForm(formdata=None), outcome.errors,
                   outcome.status if outcome.error else 400)


@bp.post("/<int:pqrs_id>/notas")
@login_required
def anotar(pqrs_id: int):
    actor = current_staff()
    pqrs = services.get(actor, pqrs_id)
    form = NotaForm()
    outcome = submit(form, lambda values: services.add_note(actor, pqrs.id, values))
    if outcome.done:
        flash("Nota agregada.", "ok")
        return redirect(url_for(".detalle", pqrs_id=pqrs.id), code=303)
    respuesta = RespuestaForm(formdata=None, version=pqrs.version)
    return _detail(actor, pqrs, respuesta, form, outcome.errors,
                   outcome.status if outcome.error else 400)
