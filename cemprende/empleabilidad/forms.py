from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import select


class VacanteForm(FlaskForm):
    empresa = StringField("Empresa")
    cargo = StringField("Cargo")
    cupos = StringField("Cupos", render_kw={"inputmode": "numeric"})
    fecha = StringField("Fecha", render_kw={"type": "date"})
    centro_id = select("Centro", {}, blank="Seleccione…")


class BusquedaVacantesForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar por empresa o cargo")
