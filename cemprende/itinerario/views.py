"""Pages of the itinerary as a whole. The blueprint lives here, not in the package's __init__,
because models, validation and formatting import this package (dia, tipos) at start-up."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from ..admin.services import visible_centros
from ..auth.guards import Accion, may
from ..auth.loader import current_staff
from ..forms import offer_centres
from ..pagination import current_filters
from . import revision
from .forms import RevisionForm
from .tipos import TIPOS

bp = Blueprint("itinerario", __name__, url_prefix="/itinerario")


@bp.route("/revision")
@login_required
def revision_page():
    """Stored actuaciones the current rules would refuse, for the centre to annul them."""
    actor = current_staff()
    form = RevisionForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    found = revision.review_page(actor, request.args.to_dict())
    centros = {c.id: c.nombre for c in visible_centros(actor)}
    return render_template("itinerario/revision.html", form=form, revision=found,
                           result=found.pagina, tipos=TIPOS, centros=centros,
                           puede_anular=may(actor, Accion.EDITAR_ITINERARIO),
                           filtros=current_filters(request.args))
