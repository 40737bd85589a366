from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField

from ..forms import select
from ..models.importacion import TIPOS_IMPORTACION

ACEPTA = (".csv,.xlsx,text/csv,"
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class ImportacionForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    tipo = select("Tipo de archivo", TIPOS_IMPORTACION)
    archivo = FileField("Archivo CSV o XLSX", render_kw={"accept": ACEPTA, "required": True})


class AplicarForm(FlaskForm):
    confirmo = BooleanField("Confirmo que revisé la vista previa: se registrarán las personas "
                            "nuevas y las remisiones de las filas válidas.")
