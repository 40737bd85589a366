from flask_wtf import FlaskForm

from ..forms import select
from .alertas import TIPOS_ALERTA


class AlertasForm(FlaskForm):
    class Meta:
        csrf = False  # reading alerts changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    tipo = select("Tipo de alerta", TIPOS_ALERTA, blank="Todas")
