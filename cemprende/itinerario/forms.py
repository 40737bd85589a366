from __future__ import annotations

from flask_wtf import FlaskForm

from ..forms import select


class RevisionForm(FlaskForm):
    class Meta:
        csrf = False  # reading the review changes nothing

    centro_id = select("Centro", {}, blank="Toda la red")
