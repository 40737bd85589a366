"""The shared form helpers: the fast select widget writes exactly WTForms' own HTML."""
import pytest
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select
from werkzeug.datastructures import MultiDict

from cemprende.forms import Lista, choices, select

TRICKY = {"1": 'Centro "Norte" <b>&</b>', "2": "Ocaña", "a&b": "", "<x>": "Sin nombre"}


class Filtro(FlaskForm):
    class Meta:
        csrf = False

    centro = select("Centro", TRICKY, blank="Toda la red")
    obligatorio = select("Otro", {"x": "Equis"})


@pytest.mark.parametrize("submitted", ["", "1", "a&b", "<x>", "no-such"])
def test_lista_writes_the_same_html_as_wtforms_select(app, submitted):
    with app.test_request_context():
        form = Filtro(MultiDict({"centro": submitted}))
        field = form.centro
        assert isinstance(field.widget, Lista)
        attrs = {"aria-invalid": "false", "aria-describedby": "centro-ayuda", "class_": "ancho"}
        fast, wtforms = field.widget(field, **attrs), Select()(field, **attrs)
        assert fast == wtforms
        assert ' selected value=' in fast if submitted in ("", "1", "a&b", "<x>") else "selected" not in fast
        assert "&lt;b&gt;&amp;&lt;/b&gt;" in fast and "&#34;Norte&#34;" in fast  # escaped as WTForms does


def test_lista_hands_options_it_does_not_write_to_wtforms(app):
    with app.test_request_context():
        form = Filtro(MultiDict({"centro": "2"}))
        field = form.centro
        field.choices = [("1", "Uno"), ("2", "Dos")]  # tuples, not SelectChoice: WTForms writes them
        assert field.widget(field) == Select()(field)
        field.choices = choices({"1": "Uno"}) + [SelectChoice("2", "Dos", render_kw={"disabled": True})]
        written = field.widget(field)
        assert written == Select()(field) and "disabled" in written
