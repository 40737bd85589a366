from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField, widgets

from ..forms import choices, select
from ..itinerario.tipos import DESTINOS_ENRUTAMIENTO, RUTAS, SITUACIONES
from ..participantes.forms import ParticipanteForm, RegistroForm
from .services import NECESIDADES


def _fecha():
    return StringField("Fecha", render_kw={"type": "date"})


class BuscarForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    q = StringField("Documento o nombre de la persona que llega")


class CaracterizacionForm(FlaskForm):
    fecha = _fecha()
    tipo_poblacion = ParticipanteForm.tipo_poblacion
    etnia = ParticipanteForm.etnia
    discapacidad = ParticipanteForm.discapacidad
    desplazamiento = ParticipanteForm.desplazamiento
    situacion = select("Situación de la persona", SITUACIONES, blank="Seleccione…")
    necesidades = SelectMultipleField(
        "Necesidades que expresa", choices=choices(NECESIDADES), validate_choice=False,
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput())
    observaciones = TextAreaField("Observaciones")
    version = HiddenField()


class ActaForm(FlaskForm):
    fecha = _fecha()


class EnrutamientoForm(FlaskForm):
    fecha = _fecha()
    destino = select("Destino", DESTINOS_ENRUTAMIENTO, blank="Seleccione…")
    ruta = select("Ruta de emprendimiento", RUTAS, blank="Sin ruta todavía / no aplica")


class DesistimientoForm(FlaskForm):
    fecha = _fecha()
    motivo = TextAreaField("Motivo del desistimiento")


class DocumentoForm(FlaskForm):
    """The walk-in's first step: the document, looked up before anything is typed."""

    class Meta:
        csrf = False  # a look-up changes nothing

    tipo_documento = ParticipanteForm.tipo_documento
    numero_documento = StringField("Número de documento", render_kw={"inputmode": "numeric",
                                                                     "autocomplete": "off"})


class IngresoForm(RegistroForm):
    """The walk-in's second step: registration, characterisation and (optionally) the routing,
    saved together."""

    situacion = CaracterizacionForm.situacion
    necesidades = CaracterizacionForm.necesidades
    observaciones = CaracterizacionForm.observaciones
    destino = select("Enrutar ahora a", DESTINOS_ENRUTAMIENTO,
                     blank="Decidir después (queda en «Caracterizadas sin enrutar»)")
    ruta = EnrutamientoForm.ruta
