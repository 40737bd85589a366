"""Informe pages: the history filter and the generation form (with the técnico's narrative)."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..forms import select
from ..models.informe import TIPOS_INFORME


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Todos")
    tipo = select("Informe", TIPOS_INFORME, blank="Todos")
    mes = StringField("Mes", render_kw={"type": "month", "placeholder": "AAAA-MM"})


class GenerarForm(FlaskForm):
    """«Generar versión»: the centre (for an admin), the informe and the month; the técnico also
    carries the director's narrative (checked by the service: up to 5.000 characters each)."""

    centro_id = select("Centro", {}, blank="Seleccione…")
    tipo = select("Informe", TIPOS_INFORME, blank="Seleccione…")
    mes = StringField("Mes", render_kw={"type": "month", "placeholder": "AAAA-MM"})
    logros = TextAreaField("Logros", render_kw={"rows": 6, "maxlength": 5000})
    dificultades = TextAreaField("Dificultades", render_kw={"rows": 6, "maxlength": 5000})
    acciones_mejora = TextAreaField("Acciones de mejora", render_kw={"rows": 6, "maxlength": 5000})
    casos_destacados = TextAreaField("Casos destacados (opcional)", render_kw={"rows": 6, "maxlength": 5000})

    NARRATIVA = ("logros", "dificultades", "acciones_mejora", "casos_destacados")

    def values(self) -> dict:
        data = {"centro_id": self.centro_id.data if self.centro_id else None,
                "tipo": self.tipo.data, "mes": self.mes.data}
        if self.tipo.data == "tecnico":
            data["narrativa"] = {name: self[name].data for name in self.NARRATIVA}
        return data
