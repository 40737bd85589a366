from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField


class FusionForm(FlaskForm):
    superviviente_id = RadioField("Persona que se conserva", choices=[], validate_choice=False)
    confirmar = BooleanField("Entiendo que la otra persona desaparece y que su historia pasa a la "
                             "que se conserva; esto no se puede deshacer.")
    version = HiddenField()


class DescarteForm(FlaskForm):
    motivo = TextAreaField("Por qué no son la misma persona (opcional)")
    version = HiddenField()


class DeteccionForm(FlaskForm):
    pass
