from flask import Blueprint, render_template
from flask_login import login_required

from ..auth.loader import current_staff
from ..itinerario.tipos import TIPOS
from ..verificadores.prefijos import PREFIJOS
from . import services

bp = Blueprint("trabajo", __name__)


@bp.route("/mi-trabajo")
@login_required
def inicio():
    return render_template("trabajo/inicio.html", trabajo=services.my_work(current_staff()),
                           tipos=TIPOS, prefijos=PREFIJOS)
