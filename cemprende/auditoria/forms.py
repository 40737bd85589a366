from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import select


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False  # reading changes nothing

    usuario = StringField("Usuario")
    accion = select("Acción", {}, blank="Todas")
    entidad = StringField("Entidad (participante, actuacion, verificador…)")
    entidad_id = StringField("Id del registro", render_kw={"inputmode": "numeric"})
    centro_id = select("Centro", {}, blank="Todos")
    desde = StringField("Desde", render_kw={"type": "date"})
    hasta = StringField("Hasta", render_kw={"type": "date"})
