from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField, widgets

from ..forms import choices, select
from ..itinerario.tipos import PLATAFORMAS
from ..models.vacante import ESTADOS_VACANTE, HORARIOS, NIVELES


class VacanteForm(FlaskForm):
    empresa = StringField("Empresa")
    cargo = StringField("Cargo")
    nivel = select("Nivel educativo que pide", NIVELES, blank="Sin requisito")
    experiencia_meses = StringField("Meses de experiencia que pide", render_kw={"inputmode": "numeric"})
    municipio = StringField("Municipio donde se trabaja")
    horario = select("Horario", HORARIOS, blank="Sin requisito")
    cupos = StringField("Cupos", render_kw={"inputmode": "numeric"})
    fecha = StringField("Fecha", render_kw={"type": "date"})
    estado = select("Estado", ESTADOS_VACANTE, default="abierta")
    centro_id = select("Centro", {}, blank="Seleccione…")
    version = HiddenField()


class BusquedaVacantesForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar por empresa o cargo")
    estado = select("Estado", ESTADOS_VACANTE, blank="Todas")
    nivel = select("Nivel", NIVELES, blank="Todos")


def people_field(label: str) -> SelectMultipleField:
    """Checkboxes of people; the choices are set per request from who may be chosen."""
    return SelectMultipleField(label, choices=[], validate_choice=False,
                               widget=widgets.ListWidget(prefix_label=False),
                               option_widget=widgets.CheckboxInput())


class RemisionForm(FlaskForm):
    fecha = StringField("Fecha de la remisión", render_kw={"type": "date"})
    participante_ids = people_field("Personas a remitir")


class ColocacionForm(FlaskForm):
    fecha = StringField("Fecha de la colocación", render_kw={"type": "date"})
    participante_id = HiddenField()


class CursoForm(FlaskForm):
    nombre = StringField("Nombre del curso")
    descripcion = TextAreaField("Descripción")
    fecha_inicio = StringField("Fecha de inicio", render_kw={"type": "date"})
    centro_id = select("Centro", {}, blank="Seleccione…")


class SesionForm(FlaskForm):
    fecha = StringField("Fecha de la sesión", render_kw={"type": "date"})
    tema = StringField("Tema")


class AsistenciaForm(FlaskForm):
    participante_ids = people_field("Asistentes")


class PerfilLaboralForm(FlaskForm):
    nivel_educativo = select("Nivel educativo", NIVELES, blank="Sin información")
    experiencia_meses = StringField("Meses de experiencia laboral", render_kw={"inputmode": "numeric"})
    municipios_trabajo = StringField("Municipios donde puede trabajar (separados por comas)")
    horarios = SelectMultipleField("Horarios en que puede trabajar", choices=choices(HORARIOS),
                                   option_widget=widgets.CheckboxInput(),
                                   widget=widgets.ListWidget(prefix_label=False), validate_choice=False)
    version = HiddenField()


class HojaDeVidaForm(FlaskForm):
    fecha = StringField("Fecha de registro", render_kw={"type": "date"})
    plataforma = select("Plataforma", PLATAFORMAS, blank="Seleccione…")
    codigo = StringField("Código en la plataforma")


class BuscarPersonaForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar persona (documento o nombre)")
