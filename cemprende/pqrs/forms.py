from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from ..forms import select
from ..models.pqrs import CANALES_PQRS, ESTADOS_PQRS, TIPOS_PQRS


class PqrsForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    tipo = select("Tipo", TIPOS_PQRS, blank="Seleccione…")
    canal = select("Canal de recepción", CANALES_PQRS, blank="Seleccione…")
    fecha_radicacion = StringField("Fecha de recepción", render_kw={"type": "date"})
    asunto = StringField("Asunto", render_kw={"maxlength": 150})
    texto = TextAreaField("Texto de la PQRS", render_kw={"rows": 6})
    anonima = BooleanField("Anónima (sin persona ni nombre)")
    participante_id = HiddenField()
    nombre_peticionario = StringField("Nombre de quien la presenta (si no es una persona registrada)")
    contacto = StringField("Teléfono o correo para la respuesta")
    plan_id = select("Plan de negocio (quejas sobre capital semilla)", {}, blank="Ninguno")


class RespuestaForm(FlaskForm):
    respuesta = TextAreaField("Respuesta dada", render_kw={"rows": 6})
    fecha_respuesta = StringField("Fecha de la respuesta", render_kw={"type": "date"})
    version = HiddenField()


class NotaForm(FlaskForm):
    nota = TextAreaField("Nota de seguimiento", render_kw={"rows": 3})


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Asunto")
    estado = select("Estado", ESTADOS_PQRS, blank="Todos")
    tipo = select("Tipo", TIPOS_PQRS, blank="Todos")
    centro_id = select("Centro", {}, blank="Todos")
    vencidas = BooleanField("Solo vencidas")
