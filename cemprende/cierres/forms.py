from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from ..forms import select
from ..models.cierre import ESTADOS_CIERRE


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Todos")
    estado = select("Estado", ESTADOS_CIERRE, blank="Todos")


class ElegirMesForm(FlaskForm):
    """GET: the month (and, for an admin, the centre) whose checklist to see before closing."""

    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Seleccione…")
    mes = StringField("Mes a cerrar", render_kw={"type": "month", "placeholder": "AAAA-MM"})


class CerrarForm(FlaskForm):
    centro_id = HiddenField()
    mes = HiddenField()
    confirmar = BooleanField("Revisé la lista de pendientes y confirmo el cierre del mes")


class MotivoForm(FlaskForm):
    motivo = TextAreaField("Motivo")


class AceptarForm(FlaskForm):
    pass
