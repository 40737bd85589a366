"""The audit trail page and its CSV."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..auth.loader import current_staff
from ..errors import DomainError
from ..exports import csv_response
from ..forms import choices, offer_centres
from ..pagination import current_filters, page_args
from . import services
from .forms import FiltroForm

bp = Blueprint("auditoria", __name__, url_prefix="/auditoria")


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    form = FiltroForm(request.args)
    errors, result, filtro = {}, None, None
    try:
        filtro = services.parse(actor, request.args.to_dict())
        page, per_page = page_args(request.args.get("page"), None)
        result = services.listing(actor, filtro, page, per_page)
    except DomainError as error:
        if error.status != 422:
            raise
        errors = error.fields
    form.accion.choices = choices({a: a for a in services.actions()}, blank="Todas")
    offer_centres(form, actor, blank="Todos")
    return render_template("auditoria/lista.html", form=form, errors=errors, result=result,
                           query=current_filters(request.args)), 422 if errors else 200


@bp.route("/auditoria.csv")
@login_required
def descargar():
    actor = current_staff()
    rows = services.export(actor, services.parse(actor, request.args.to_dict()))
    return csv_response(rows, services.HEADER, "auditoria.csv")
