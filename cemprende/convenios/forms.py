from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField

from ..forms import YES_NO, select
from ..models.convenio import CLASES_CONVENIO
from ..tableros.forms import meta_field_name
from ..tableros.registry import FILAS


def _convenio_form_class() -> type[FlaskForm]:
    attrs = {
        "clase": select("Clase", CLASES_CONVENIO, blank="Seleccione…"),
        "nombre": StringField("Nombre (por ejemplo «Convenio DPS 2024» o «Plan de Desarrollo 2024–2027»)"),
        "financiador": StringField("Financiador (obligatorio en un convenio)"),
        "recursos": StringField("Recursos en pesos (obligatorio en un convenio)",
                                render_kw={"inputmode": "numeric", "placeholder": "$"}),
        "desde": StringField("Desde", render_kw={"type": "date"}),
        "hasta": StringField("Hasta", render_kw={"type": "date"}),
        "toda_la_red": select("¿Cubre toda la red?", YES_NO, default="no"),
        "centros": SelectMultipleField("Centros que cubre (si no es toda la red)", choices=[],
                                       validate_choice=False, render_kw={"size": 8}),
        "version": HiddenField(),
    }
    for fila in FILAS:
        attrs[meta_field_name(fila.codigo)] = StringField(
            fila.codigo, render_kw={"inputmode": "numeric", "aria-label": f"Meta {fila.codigo}"})
    return type("ConvenioForm", (FlaskForm,), attrs)


ConvenioForm = _convenio_form_class()


def convenio_values(form) -> dict:
    """The form's values shaped like the body of POST /convenios."""
    values = {name: form[name].data for name in
              ("clase", "nombre", "financiador", "recursos", "desde", "hasta", "toda_la_red", "centros")}
    if form.version.data:
        values["version"] = form.version.data
    values["metas"] = {fila.codigo: form[meta_field_name(fila.codigo)].data for fila in FILAS}
    return values


def fill(form, convenio) -> None:
    """The stored convenio in the form, to edit it."""
    for name in ("clase", "nombre", "financiador"):
        form[name].data = getattr(convenio, name) or ""
    form.recursos.data = "" if convenio.recursos is None else str(convenio.recursos)
    form.desde.data, form.hasta.data = convenio.desde.isoformat(), convenio.hasta.isoformat()
    form.toda_la_red.data = "si" if convenio.toda_la_red else "no"
    form.centros.data = [str(c.id) for c in convenio.centros]
    form.version.data = str(convenio.version)
    for meta in convenio.metas:
        form[meta_field_name(meta.codigo)].data = str(meta.valor)
