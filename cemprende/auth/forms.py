from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        "Usuario", validators=[DataRequired("Escriba su usuario."), Length(max=60, message="Máximo 60 caracteres.")])
    password = PasswordField(
        "Contraseña", validators=[DataRequired("Escriba su contraseña."), Length(max=256, message="Máximo 256 caracteres.")]
    )


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST."""


class CodigoForm(FlaskForm):
    codigo = StringField(
        "Código", validators=[Length(max=40, message="Máximo 40 caracteres.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True})


class CambiarContrasenaForm(FlaskForm):
    actual = PasswordField("Contraseña actual", validators=[Length(max=256, message="Máximo 256 caracteres.")],
                           render_kw={"autocomplete": "current-password"})
    nueva = PasswordField("Nueva contraseña", validators=[Length(max=256, message="Máximo 256 caracteres.")],
                          render_kw={"autocomplete": "new-password"})
    repetir = PasswordField("Repita la nueva contraseña",
                            validators=[Length(max=256, message="Máximo 256 caracteres.")],
                            render_kw={"autocomplete": "new-password"})
