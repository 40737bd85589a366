"""Form helpers shared by every blueprint.

Page forms carry the CSRF token and render the fields; the checking itself is the services' (the
same for pages and API), so fields here are plain text and selects without WTForms validators.
"""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select, html_params

from .admin.services import centros_en_servicio
from .auth.guards import is_centre_bound
from .errors import DomainError


def choices(options: dict[str, str], blank: str | None = None) -> list[SelectChoice]:
    pairs = ([("", blank)] if blank is not None else []) + list(options.items())
    return [SelectChoice(value, label) for value, label in pairs]


class Lista(Select):
    """WTForms' Select writing the same HTML for plain text options (no group, no attributes of
    their own) without WTForms' per-option machinery (a Choice, a sorted attribute dict and a
    Markup each): the tablero page writes a 77-option indicator list on every load, which took
    WTForms about 2 ms. Anything else goes to WTForms itself."""

    def __call__(self, field, **kwargs):
        options = field.choices
        plain = (not self.multiple and isinstance(options, list)
                 and all(type(o) is SelectChoice and type(o.value) is str and o.optgroup is None
                         and not o.render_kw for o in options))
        if not plain:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for name in self.validation_attrs:
            if name not in kwargs and getattr(field.flags, name, False):
                kwargs[name] = getattr(field.flags, name)
        coerce, data = field.coerce, field.data
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for option in options:
            selected = " selected" if coerce(option.value) == data else ""
            html.append(f'<option{selected} value="{escape(option.value)}">'
                        f"{escape(option.label or option.value)}</option>")
        html.append("</select>")
        return Markup("".join(html))  # nosec B704 - every value and label went through escape()


def select(label: str, options: dict[str, str], blank: str | None = None, **kwargs) -> SelectField:
    return SelectField(label, choices=choices(options, blank), validate_choice=False, widget=Lista(), **kwargs)


YES_NO = {"si": "Sí", "no": "No"}


def form_values(form: FlaskForm) -> dict:
    """The submitted values as the services take them (without the CSRF token)."""
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


def bool_to_choice(value: bool | None) -> str:
    return {True: "si", False: "no"}.get(value, "")


class Outcome:
    """What a submitted page form led to: the service's result, or the error it raised."""

    def __init__(self, result=None, error: DomainError | None = None):
        self.result, self.error = result, error

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def errors(self) -> dict[str, str]:
        return self.error.fields if self.error else {}

    @property
    def status(self) -> int:
        return self.error.status if self.error else 200


def submit(form: FlaskForm, action, values=None) -> Outcome:
    """On a valid POST, runs the service with the form's values; a refusal is flashed."""
    if not form.validate_on_submit():
        return Outcome()
    try:
        return Outcome(result=action(values(form) if values else form_values(form)))
    except DomainError as error:
        flash(error.message, "error")
        return Outcome(error=error)


def offer_centres(form: FlaskForm, actor, blank: str = "Seleccione…", keep: int | None = None) -> None:
    """Staff bound to a centre never choose one; the others pick among the centres in service
    they may see (plus `keep`, the centre the record being edited already has)."""
    if is_centre_bound(actor):
        del form.centro_id
    else:
        form.centro_id.choices = choices(
            {str(c.id): c.nombre for c in centros_en_servicio(actor, keep=keep)}, blank=blank)

