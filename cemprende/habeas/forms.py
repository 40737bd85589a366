from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..forms import select
from ..models.habeas import TIPOS_SOLICITUD
from ..participantes.forms import EdicionForm


class SolicitudForm(FlaskForm):
    tipo = select("Tipo de solicitud", TIPOS_SOLICITUD, blank="Seleccione…")
    fecha_recibida = StringField("Fecha en que se recibió", render_kw={"type": "date"})
    descripcion = TextAreaField("Qué pide la persona", render_kw={"rows": 4})


class ProrrogaForm(FlaskForm):
    motivo_prorroga = TextAreaField("Motivo de la prórroga (se informa a la persona)")
    version = HiddenField()


class RespuestaForm(FlaskForm):
    respuesta = TextAreaField("Respuesta dada", render_kw={"rows": 4})
    fecha_respuesta = StringField("Fecha de la respuesta", render_kw={"type": "date"})
    version = HiddenField()


class VersionForm(FlaskForm):
    version = HiddenField()


class RectificacionForm(EdicionForm):
    motivo = StringField("Motivo de la rectificación (lo que pidió la persona)")
