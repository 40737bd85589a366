from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField

from ..forms import select
from ..models.centro import MODALIDADES
from ..models.staff import ROL_NOMBRES


class CentroForm(FlaskForm):
    nombre = StringField("Nombre (vacío: modalidad y ciudad)")
    ciudad = StringField("Ciudad")
    departamento = StringField("Departamento")
    modalidad = select("Modalidad", {m: m for m in MODALIDADES}, blank="Seleccione…")
    fecha_apertura = StringField("Fecha de apertura (sin ella el centro no se ofrece)",
                                 render_kw={"type": "date"})
    fecha_lanzamiento = StringField("Fecha de lanzamiento", render_kw={"type": "date"})
    activo = BooleanField("Centro activo", default=True)
    version = HiddenField()


class StaffForm(FlaskForm):
    username = StringField("Usuario")
    nombre = StringField("Nombre completo")
    rol = select("Rol", ROL_NOMBRES, blank="Seleccione…")
    centro_id = select("Centro", {}, blank="Sin centro (supervisor o administrador)")
    password = PasswordField("Contraseña (mínimo 10 caracteres)")
    activo = BooleanField("Cuenta activa", default=True)
    version = HiddenField()


class BusquedaStaffForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Buscar por usuario o nombre")


class MunicipioForm(FlaskForm):
    clave = HiddenField()
    municipio = StringField("Municipio del catálogo")
