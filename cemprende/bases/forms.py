from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import select


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False  # choosing what to download changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    desde = StringField("Desde (vacío: inicio de la vigencia)", render_kw={"type": "date"})
    hasta = StringField("Hasta (fecha de corte)", render_kw={"type": "date"})
