from flask import Blueprint, render_template
from flask_login import login_required

from ..auth.guards import Accion, may
from ..auth.loader import current_staff
from ..calidad import services as calidad
from ..habeas import services as habeas
from ..itinerario.tipos import TIPOS
from ..pqrs import services as pqrs
from ..verificadores.prefijos import PREFIJOS
from ..microfinanciamiento.alertas import TIPOS_ALERTA
from . import panel, services

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


@bp.route("/inicio/centro")
@login_required
def centro():
    """A director's home: the centre this month against its metas, what waits, alerts."""
    return render_template("trabajo/panel.html", panel=panel.director_home(current_staff()),
                           tipos_alerta=TIPOS_ALERTA)


@bp.route("/inicio/red")
@login_required
def red():
    """A supervisor's home: the network this month, overdue reviews, closes to accept."""
    return render_template("trabajo/panel.html", panel=panel.network_home(current_staff()),
                           tipos_alerta=TIPOS_ALERTA)
