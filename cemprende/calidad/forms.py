from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import select


class CalidadForm(FlaskForm):
    class Meta:
        csrf = False  # reading changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    mes = StringField("Mes", render_kw={"type": "month"})
