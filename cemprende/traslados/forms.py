from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..forms import select
from ..models.participante import TIPOS_DOCUMENTO

RESPUESTAS = {"si": "Aceptar el traslado", "no": "Rechazar el traslado"}


class SolicitudForm(FlaskForm):
    tipo_documento = select("Tipo de documento", TIPOS_DOCUMENTO, default="CC")
    numero_documento = StringField("Número de documento")
    motivo = TextAreaField("Motivo de la solicitud (p. ej. la persona ahora vive en esta ciudad)")
    centro_id = select("Centro que recibe", {}, blank="Seleccione…")
    participante_id = HiddenField()


class RespuestaForm(FlaskForm):
    aceptar = select("Respuesta", RESPUESTAS, blank="Seleccione…")
    motivo = TextAreaField("Motivo (obligatorio para rechazar)")
