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
    # Only a legacy base (tipo legado): its column mapping and the data-authorisation declaration.
    mapeo = FileField("Mapeo de columnas (JSON, solo bases heredadas)",
                      render_kw={"accept": ".json,application/json"})
    autorizacion_datos = BooleanField(
        "Declaro que las personas de esta base autorizaron el tratamiento de sus datos al centro "
        "(Ley 1581 de 2012) y que esas autorizaciones están archivadas en el centro.")


class AplicarForm(FlaskForm):
    confirmo = BooleanField("Confirmo que revisé la vista previa: se registrarán las personas "
                            "nuevas y las remisiones de las filas válidas.")
