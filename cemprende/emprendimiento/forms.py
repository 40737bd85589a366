from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField

from ..forms import select
from ..itinerario.tipos import RUTAS
from ..models.negocio import ETAPAS


class NegocioForm(FlaskForm):
    nombre = StringField("Nombre del negocio")
    sector = StringField("Sector (p. ej. alimentos, confecciones, comercio)")
    etapa = select("Etapa", ETAPAS, blank="Seleccione…")
    formal = BooleanField("Formalizado (registro mercantil u otro)")
    empleados = StringField("Empleados además de la persona", render_kw={"inputmode": "numeric"})
    version = HiddenField()


class RutaForm(FlaskForm):
    ruta = select("Ruta", RUTAS, blank="Seleccione…")
    fecha = StringField("Fecha", render_kw={"type": "date"})


class BuscarForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar persona (documento o nombre)")
