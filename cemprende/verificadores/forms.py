from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, StringField, TextAreaField

from ..forms import select
from ..models.verificador import ESTADOS_REVISION
from .prefijos import PREFIJOS

PREFIJO_OPCIONES = {code: f"{code} — {p.documento}" for code, p in PREFIJOS.items()}
ACEPTA = ".pdf,.jpg,.jpeg,.png,.zip,application/pdf,image/jpeg,image/png,application/zip"


class CargaForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    archivo = MultipleFileField("Archivos o un .zip", render_kw={"accept": ACEPTA, "multiple": True})


class CargaParticipanteForm(FlaskForm):
    prefijo = select("Documento", PREFIJO_OPCIONES, blank="¿Qué documento es?")
    archivo = MultipleFileField("Archivos (PDF, JPEG o PNG)",
                                render_kw={"accept": ACEPTA.replace(".zip,", "").replace(",application/zip", ""),
                                           "multiple": True})


class RevisionForm(FlaskForm):
    estado = select("Decisión", {"aprobado": "Aprobar", "rechazado": "Rechazar"}, blank="Elija…")
    observacion = TextAreaField("Observación (obligatoria para rechazar)", render_kw={"rows": 3})
    version = HiddenField()


class FiltroForm(FlaskForm):
    class Meta:
        csrf = False  # filtering changes nothing

    centro_id = select("Centro", {}, blank="Todos los centros")
    prefijo = select("Documento", PREFIJO_OPCIONES, blank="Todos")
    estado = select("Estado", ESTADOS_REVISION, blank="Todos")


class CoberturaForm(FlaskForm):
    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Toda la red")
    desde = StringField("Desde (vacío: inicio de la vigencia o del mes)", render_kw={"type": "date"})
    hasta = StringField("Fecha de corte", render_kw={"type": "date"})
    prefijo = select("Documento", PREFIJO_OPCIONES, blank="Todos")
