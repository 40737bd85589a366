from flask_wtf import FlaskForm
from wtforms import StringField

from ..forms import choices, select
from .registry import FILAS


class TableroForm(FlaskForm):
    class Meta:
        csrf = False  # reading a tablero changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    hasta = StringField("Fecha de corte", render_kw={"type": "date"})
    desde = StringField("Desde (vacío: inicio de la vigencia o del mes)", render_kw={"type": "date"})
    indicador = select("Indicador por centro", {f.codigo: f"{f.codigo} {f.descripcion}"[:70]
                                                for f in FILAS}, default="1.1")


def centre_choices(centros, network: bool):
    return choices({str(c.id): c.nombre for c in centros}, blank="Toda la red" if network else None)


def meta_field_name(codigo: str) -> str:
    return "meta_" + codigo.replace(".", "_")


def _metas_form_class() -> type[FlaskForm]:
    attrs = {
        "centro_id": select("Centro", {}, blank="Seleccione…"),
        "vigencia_nombre": StringField("Nombre de la vigencia"),
        "vigencia_desde": StringField("Desde", render_kw={"type": "date"}),
        "vigencia_hasta": StringField("Hasta", render_kw={"type": "date"}),
    }
    for fila in FILAS:
        attrs[meta_field_name(fila.codigo)] = StringField(
            fila.codigo, render_kw={"inputmode": "numeric", "aria-label": f"Meta {fila.codigo}"})
    return type("MetasForm", (FlaskForm,), attrs)


MetasForm = _metas_form_class()


class CopiarMetasForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    origen_id = select("Copiar las metas de la vigencia", {}, blank="Seleccione…")
    vigencia_nombre = StringField("A la vigencia (nombre)")
    vigencia_desde = StringField("Desde", render_kw={"type": "date"})
    vigencia_hasta = StringField("Hasta", render_kw={"type": "date"})


def metas_values(form) -> dict:
    """The grid's values shaped like the body of PUT /metas."""
    return {
        "centro_id": form.centro_id.data if form.centro_id else None,
        "vigencia": {"nombre": form.vigencia_nombre.data, "desde": form.vigencia_desde.data,
                     "hasta": form.vigencia_hasta.data},
        "metas": {fila.codigo: form[meta_field_name(fila.codigo)].data for fila in FILAS},
    }
