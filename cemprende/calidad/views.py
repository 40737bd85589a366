"""The data-quality page: a centre's advisors (directors) or the network's centres."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..admin.services import centros_en_servicio
from ..auth.loader import current_staff
from ..errors import DomainError
from ..forms import choices
from ..itinerario.dia import today_bogota
from . import services
from .forms import CalidadForm

bp = Blueprint("calidad", __name__, url_prefix="/calidad")


@bp.route("/")
@login_required
def inicio():
    actor = current_staff()
    form = CalidadForm(request.args)
    try:
        calidad, errors = services.score(actor, request.args.to_dict()), {}
    except DomainError as error:
        if error.status != 422:
            raise
        calidad, errors = None, error.fields
    if form.centro_id is not None:
        form.centro_id.choices = choices(
            {str(c.id): c.nombre for c in centros_en_servicio(actor)}, blank="Toda la red")
    if not form.mes.data:
        form.mes.data = f"{today_bogota():%Y-%m}"
    return render_template("calidad/inicio.html", form=form, calidad=calidad, errors=errors,
                           castigo_rechazo=services.PENALTY_REJECTED,
                           castigo_alerta=services.PENALTY_ALERT), 422 if errors else 200
