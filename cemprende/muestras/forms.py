from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..forms import select
from ..models.muestra import VEREDICTOS


class MuestraForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    mes = StringField("Mes auditado", render_kw={"type": "month"})
    tamano = StringField("Unidades por fila", default="5", render_kw={"inputmode": "numeric"})
    semilla = StringField("Semilla (vacía: al azar; la misma repite la muestra)",
                          render_kw={"inputmode": "numeric"})


class VeredictoForm(FlaskForm):
    veredicto = select("Veredicto", VEREDICTOS, blank="Seleccione…")
    motivo = TextAreaField("Motivo (si no es conforme)", render_kw={"rows": 2})
    version = HiddenField()
