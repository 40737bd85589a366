from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from ..forms import select
from ..models.traslado import MEDIOS_CONTACTO, RESULTADOS_CONTACTO


class ContactoForm(FlaskForm):
    fecha = StringField("Fecha del intento", render_kw={"type": "date"})
    medio = select("Medio", MEDIOS_CONTACTO, blank="Seleccione…")
    resultado = select("Resultado", RESULTADOS_CONTACTO, blank="Seleccione…")
    observacion = TextAreaField("Observación")
    consentimiento_datos = BooleanField(
        "La persona autoriza el tratamiento de sus datos personales (Ley 1581 de 2012)")


class BuscarForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar por documento o nombre")
