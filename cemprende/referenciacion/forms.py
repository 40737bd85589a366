from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from ..forms import select
from ..itinerario.tipos import DESTINOS_REFERENCIACION
from ..models.referencia import ESTADOS_REFERENCIA


class ProgramaForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    nombre = StringField("Nombre del programa")
    entidad = StringField("Entidad que lo ofrece")
    categoria = select("Categoría", DESTINOS_REFERENCIACION, blank="Seleccione…")
    contacto = StringField("Contacto (persona, teléfono, correo)")
    notas = TextAreaField("Notas (requisitos, horarios…)")
    activo = BooleanField("Activo (se ofrece al referir)", default=True)
    version = HiddenField()


class ReferirForm(FlaskForm):
    programa_id = select("Programa", {}, blank="Seleccione…")
    fecha = StringField("Fecha de la referenciación", render_kw={"type": "date"})
    fecha_seguimiento = StringField("Fecha de seguimiento (vacía: en 15 días)", render_kw={"type": "date"})
    notas = TextAreaField("Notas")


class SeguimientoForm(FlaskForm):
    estado = select("Estado", ESTADOS_REFERENCIA)
    fecha_seguimiento = StringField("Próximo seguimiento", render_kw={"type": "date"})
    notas = TextAreaField("Notas del seguimiento")
    version = HiddenField()


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Persona (documento o nombre)")
    estado = select("Estado", ESTADOS_REFERENCIA, blank="Todos")
    vencidas = BooleanField("Solo con seguimiento vencido")


class ProgramasFiltroForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Programa o entidad")
    categoria = select("Categoría", DESTINOS_REFERENCIACION, blank="Todas")
