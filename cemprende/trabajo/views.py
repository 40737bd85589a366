from flask import Blueprint, render_template
from flask_login import login_required

from ..auth.guards import Accion, may
from ..auth.loader import current_staff
from ..calidad import services as calidad
from ..habeas import services as habeas
from ..itinerario.tipos import TIPOS
from ..pqrs import services as pqrs
from ..verificadores.prefijos import PREFIJOS
from . import services

bp = Blueprint("trabajo", __name__)


@bp.route("/mi-trabajo")
@login_required
def inicio():
    actor = current_staff()
    return render_template("trabajo/inicio.html", trabajo=services.my_work(actor),
                           tipos=TIPOS, prefijos=PREFIJOS,
                           calidad=calidad.centre_score(actor) if may(actor, Accion.VER_CALIDAD) else None,
                           pqrs_vencidas=pqrs.overdue_count(actor),
                           solicitudes_habeas=habeas.pending(actor, per_page=5))
