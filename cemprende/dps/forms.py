from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, StringField

from ..forms import select
from ..importaciones.forms import ACEPTA


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False  # reading changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    desde = StringField("Remitidos desde (vacío: desde el inicio)", render_kw={"type": "date"})
    hasta = StringField("Hasta", render_kw={"type": "date"})


class RespuestaForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    archivo = FileField("Respuesta del DPS (CSV o XLSX)", render_kw={"accept": ACEPTA, "required": True})


class AplicarRespuestaForm(FlaskForm):
    huella = HiddenField()
    centro_id = HiddenField()
    nombre_archivo = HiddenField()
    confirmo = BooleanField("Confirmo que revisé la vista previa: se actualizarán las personas de "
                            "las filas válidas con la respuesta del DPS.")
