from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from ..forms import YES_NO, bool_to_choice, select
from ..itinerario.tipos import CATEGORIAS_INVERSION, TipoActuacion
from ..models.participante import (CATEGORIAS_DIFERENCIALES, ETNIAS, SEXOS, TIPOS_DOCUMENTO,
                                   TIPOS_POBLACION, ZONAS)

NO_ANSWER = "Prefiere no responder / sin información"
ITEM_ROWS = 6


class ParticipanteForm(FlaskForm):
    tipo_documento = select("Tipo de documento", TIPOS_DOCUMENTO, default="CC")
    numero_documento = StringField("Número de documento")
    nombres = StringField("Nombres")
    apellidos = StringField("Apellidos")
    sexo = select("Sexo", SEXOS, blank="Sin información")
    fecha_nacimiento = StringField("Fecha de nacimiento", render_kw={"type": "date"})
    municipio = StringField("Municipio de residencia")
    telefono = StringField("Teléfono", render_kw={"inputmode": "tel"})
    correo = StringField("Correo electrónico", render_kw={"type": "email"})
    etnia = select("Pertenencia étnica", ETNIAS, blank=NO_ANSWER)
    discapacidad = select("¿Tiene alguna discapacidad?", YES_NO, blank=NO_ANSWER)
    desplazamiento = select("¿Es víctima de desplazamiento?", YES_NO, blank=NO_ANSWER)
    tipo_poblacion = select("Tipo de población", TIPOS_POBLACION, blank="Sin información")
    zona = select("Zona de residencia", ZONAS, blank="Sin información")
    mujer_cabeza_hogar = select(CATEGORIAS_DIFERENCIALES["mujer_cabeza_hogar"], YES_NO, blank=NO_ANSWER)
    victima_conflicto = select(CATEGORIAS_DIFERENCIALES["victima_conflicto"], YES_NO, blank=NO_ANSWER)
    migrante = select(CATEGORIAS_DIFERENCIALES["migrante"], YES_NO, blank=NO_ANSWER)
    lgbtiq = select(CATEGORIAS_DIFERENCIALES["lgbtiq"], YES_NO, blank=NO_ANSWER)
    reincorporado = select(CATEGORIAS_DIFERENCIALES["reincorporado"], YES_NO, blank=NO_ANSWER)
    acudiente_nombre = StringField("Nombre del acudiente (menores de 18 años)")
    acudiente_documento = StringField("Documento del acudiente")
    remitido_dps = BooleanField("Remitido por un programa DPS")
    programa_dps = StringField("Programa DPS que lo remitió")
    centro_id = select("Centro", {}, blank="Seleccione…")


class RegistroForm(ParticipanteForm):
    consentimiento_datos = BooleanField(
        "La persona autoriza el tratamiento de sus datos personales (Ley 1581 de 2012)")


class EdicionForm(ParticipanteForm):
    version = HiddenField()


class BusquedaForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Buscar por documento o nombre")


class AnulacionForm(FlaskForm):
    motivo = TextAreaField("Motivo de la anulación")


def actuacion_form_class(tipo: TipoActuacion, vacantes: dict[str, str]) -> type[FlaskForm]:
    """A form with the fields of this tipo, plus item rows when it carries investment items."""
    attrs = {"fecha": StringField("Fecha del servicio", render_kw={"type": "date"})}
    for campo in tipo.campos:
        if campo.clase == "opcion":
            attrs[campo.nombre] = select(campo.etiqueta, campo.opciones, blank="Seleccione…")
        elif campo.clase == "vacante":
            attrs[campo.nombre] = select(campo.etiqueta, vacantes, blank="Seleccione…")
        elif campo.clase == "texto" and campo.max_length > 300:
            attrs[campo.nombre] = TextAreaField(campo.etiqueta)
        else:
            kw = {"inputmode": "numeric"} if campo.clase in ("entero", "dinero") else {}
            attrs[campo.nombre] = StringField(campo.etiqueta, render_kw=kw)
    if tipo.admite_items:
        for row in range(1, ITEM_ROWS + 1):
            attrs[f"item_{row}_descripcion"] = StringField("Descripción")
            attrs[f"item_{row}_cantidad"] = StringField("Cantidad", render_kw={"inputmode": "numeric"})
            attrs[f"item_{row}_precio_unitario"] = StringField(
                "Precio unitario", render_kw={"inputmode": "numeric"})
            attrs[f"item_{row}_categoria"] = select("Categoría", CATEGORIAS_INVERSION, blank="—")
    return type(f"Actuacion_{tipo.nombre}_Form", (FlaskForm,), attrs)


def actuacion_values(form: FlaskForm, tipo: TipoActuacion) -> dict:
    """The form's values shaped like the API body: items gathered from the filled rows."""
    data = {"tipo": tipo.nombre, "fecha": form.fecha.data}
    for campo in tipo.campos:
        data[campo.nombre] = form[campo.nombre].data
    if tipo.admite_items:
        items = []
        for row in range(1, ITEM_ROWS + 1):
            item = {key: form[f"item_{row}_{key}"].data
                    for key in ("descripcion", "cantidad", "precio_unitario")}
            if any((value or "").strip() for value in item.values()):
                items.append({**item, "categoria": form[f"item_{row}_categoria"].data or None})
        data["items"] = items
    return data




def fill_edit_form(form: EdicionForm, person) -> None:
    """An edit form showing the stored person (yes/no questions as their choices)."""
    form.version.data = person.version
    for name in ("discapacidad", "desplazamiento", *CATEGORIAS_DIFERENCIALES):
        form[name].data = bool_to_choice(getattr(person, name))
    form.fecha_nacimiento.data = person.fecha_nacimiento.isoformat()
