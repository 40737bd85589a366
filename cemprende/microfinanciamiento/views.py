"""Microfinanciamiento pages: integrity alerts."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from ..admin.services import visible_centros
from ..auth.guards import is_centre_bound
from ..auth.loader import current_staff
from ..pagination import Page, current_filters, page_args
from ..tableros.forms import centre_choices
from . import bp, services
from .alertas import TIPOS_ALERTA
from .forms import AlertasForm


@bp.route("/alertas")
@login_required
def alertas():
    actor = current_staff()
    form = AlertasForm(request.args)
    if is_centre_bound(actor):
        del form.centro_id
    else:
        form.centro_id.choices = centre_choices(visible_centros(actor), network=True)
    found = services.alerts(actor, request.args.to_dict())
    page, per_page = page_args(request.args.get("page"), None)
    start = (page - 1) * per_page
    result = Page(found.items[start:start + per_page], page, per_page, len(found.items))
    centros = {c.id: c.nombre for c in visible_centros(actor)}
    return render_template("microfinanciamiento/alertas.html", form=form, alertas=found,
                           result=result, tipos=TIPOS_ALERTA, centros=centros,
                           filtros=current_filters(request.args))
