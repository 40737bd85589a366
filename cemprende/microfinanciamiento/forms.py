from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, StringField, TextAreaField

from ..forms import select
from ..itinerario.tipos import CATEGORIAS_INVERSION
from ..models.proveedor import ESTADOS_PROVEEDOR
from .alertas import TIPOS_ALERTA


class AlertasForm(FlaskForm):
    class Meta:
        csrf = False  # reading alerts changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
    tipo = select("Tipo de alerta", TIPOS_ALERTA, blank="Todas")


class SesionComiteForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    fecha = StringField("Fecha de la sesión", render_kw={"type": "date"})
    lugar = StringField("Lugar")
    miembros = TextAreaField("Miembros presentes (uno por línea: nombre — entidad o cargo)")
    acta = StringField("Número del acta (vacío: se numera sola)")


class ActaSesionForm(FlaskForm):
    archivo = FileField("Acta firmada (PDF, JPEG o PNG, hasta 10 MiB)",
                        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})


class EntregaForm(FlaskForm):
    fecha = StringField("Fecha de la entrega", render_kw={"type": "date"})
    proveedor = StringField("Proveedor")
    nit = StringField("NIT del proveedor", render_kw={"inputmode": "numeric"})


class PeriodoForm(FlaskForm):
    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Toda la red")
    desde = StringField("Desde (vacío: inicio de la vigencia o del mes)", render_kw={"type": "date"})
    hasta = StringField("Fecha de corte", render_kw={"type": "date"})


class AccionForm(FlaskForm):
    """Only the CSRF token: the plan page's forms have rows the view reads itself."""


class ListaLlamadasForm(FlaskForm):
    class Meta:
        csrf = False

    centro_id = select("Centro", {}, blank="Toda la red")
    mes = StringField("Mes de las entregas", render_kw={"type": "month"})
    muestra = StringField("Muestra (personas; vacío: todas)", render_kw={"inputmode": "numeric"})
    semilla = StringField("Semilla (repite la misma muestra)", render_kw={"inputmode": "numeric"})


class LlamadaForm(FlaskForm):
    fecha = StringField("Fecha de la llamada", render_kw={"type": "date"})
    contesto = select("¿Contestó?", {"si": "Sí", "no": "No contestó"})
    proveedor_confirmado = select("¿Reconoce al proveedor?", {"si": "Sí", "no": "No"},
                                  blank="—")
    observacion = TextAreaField("Observación")


class ProveedorForm(FlaskForm):
    centro_id = select("Centro", {}, blank="Seleccione…")
    nit = StringField("NIT con dígito de verificación", render_kw={"placeholder": "900.123.456-8"})
    nombre = StringField("Razón social o nombre")
    ciudad = StringField("Ciudad")
    sector = StringField("Sector (qué vende)")
    estado = select("Estado", ESTADOS_PROVEEDOR)
    version = HiddenField()


class ProveedoresFiltroForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Nombre o NIT")
    estado = select("Estado", ESTADOS_PROVEEDOR, blank="Todos")


class PreciosReferenciaForm(FlaskForm):
    class Meta:
        csrf = False

    mes = StringField("Mes", render_kw={"type": "month"})
    categoria = select("Categoría", CATEGORIAS_INVERSION, blank="Todas")
