from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth.guards import Accion, ensure, may
from ..forms import offer_centres, submit
from ..pagination import page_args
from ..auth.loader import current_staff as _actor
from . import bp, services
from .forms import BusquedaVacantesForm, VacanteForm


@bp.route("/vacantes")
@login_required
def vacantes():
    form = BusquedaVacantesForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.search(_actor(), q=form.q.data, page=page, per_page=per_page)
    return render_template("empleabilidad/vacantes.html", form=form, result=result,
                           ocupados=services.occupied_by_vacante([v.id for v in result.items]),
                           puede_crear=may(current_user, Accion.EDITAR_ITINERARIO))


@bp.route("/vacantes/nueva", methods=["GET", "POST"])
@login_required
def nueva_vacante():
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = VacanteForm()
    offer_centres(form, _actor())
    if request.method == "GET":
        form.fecha.data = date.today().isoformat()
    outcome = submit(form, lambda values: services.create(_actor(), values))
    if outcome.done:
        flash(f"Vacante registrada: {outcome.result.cargo} en {outcome.result.empresa}.", "ok")
        return redirect(url_for(".vacantes"))
    return render_template("empleabilidad/vacante_form.html", form=form,
                           errors=outcome.errors), outcome.status
