"""Contact tracking pages: a remitted person's attempts (with the consent at first contact) and
the queue "Por contactar"."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, may
from ..auth.loader import current_staff
from ..forms import submit
from ..itinerario.dia import today_bogota
from ..models.traslado import ESTADOS_CONTACTO, MEDIOS_CONTACTO
from ..pagination import page_args
from ..participantes import services as participantes
from . import queries, services
from .forms import BuscarForm, ContactoForm

bp = Blueprint("contactos", __name__, url_prefix="/contactos")


@bp.route("/personas/<int:participante_id>", methods=["GET", "POST"])
@login_required
def persona(participante_id: int):
    actor = current_staff()
    person = participantes.get_visible(actor, participante_id)
    form = ContactoForm()
    if request.method == "GET":
        form.fecha.data = today_bogota().isoformat()
        if request.args.get("resultado") == "no_localizado":
            form.resultado.data = "no_localizado"
    outcome = submit(form, lambda values: services.record(actor, person.id, values))
    if outcome.done:
        flash("Intento de contacto registrado.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    found = services.attempts(person)
    return render_template(
        "contactos/persona.html", persona=person, form=form, errors=outcome.errors,
        intentos=found, estado=found[0].resultado if found else "pendiente",
        fallidos=services.failed_attempts(found), limite=services.INTENTOS_PARA_NO_LOCALIZADO,
        estados=ESTADOS_CONTACTO, medios=MEDIOS_CONTACTO,
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), outcome.status


@bp.route("/por-contactar")
@login_required
def por_contactar():
    form = BuscarForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = queries.por_contactar(current_staff(), form.q.data, page, per_page)
    return render_template("contactos/por_contactar.html", form=form, result=result,
                           estados=ESTADOS_CONTACTO, limite=services.INTENTOS_PARA_NO_LOCALIZADO)
