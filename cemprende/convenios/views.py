"""Convenios y cuatrienios: the list, the progress of each across its vigencias, and the admin's
form to create and edit them with their metas."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..forms import choices, submit
from ..extensions import db
from ..models import Centro
from ..models.convenio import CLASES_CONVENIO
from ..pagination import page_args
from ..tableros.forms import meta_field_name
from ..tableros.registry import FILAS
from . import services
from .forms import ConvenioForm, convenio_values, fill

bp = Blueprint("convenios", __name__, url_prefix="/convenios")


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    page, per_page = page_args(request.args.get("page"), None)
    clase = request.args.get("clase") or None
    result = services.listing(actor, page, per_page, clase)
    return render_template("convenios/lista.html", result=result, clase=clase, clases=CLASES_CONVENIO,
                           puede_gestionar=may(actor, Accion.GESTIONAR_CONVENIOS))


@bp.route("/<int:convenio_id>")
@login_required
def detalle(convenio_id: int):
    actor = current_staff()
    convenio = services.get(actor, convenio_id)
    avance = services.progress(convenio)
    todas = request.args.get("todas") == "1"
    filas = [f for f in avance.filas if todas or f.meta is not None]
    return render_template("convenios/detalle.html", c=convenio, avance=avance, filas=filas,
                           todas=todas, puede_gestionar=may(actor, Accion.GESTIONAR_CONVENIOS))


def _offer(form) -> None:
    form.centros.choices = choices({str(c.id): c.nombre for c in
                                    db.session.scalars(select(Centro).order_by(Centro.nombre))})


def _form_page(form, outcome, convenio=None):
    return render_template("convenios/form.html", form=form, errors=outcome.errors, c=convenio,
                           filas=FILAS, field_name=meta_field_name,
                           meta_keys=[f"metas.{f.codigo}" for f in FILAS]), outcome.status


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def nuevo():
    actor = current_staff()
    ensure(actor, Accion.GESTIONAR_CONVENIOS)
    form = ConvenioForm()
    _offer(form)
    outcome = submit(form, lambda values: services.create(actor, values), values=convenio_values)
    if outcome.done:
        flash(f"{outcome.result.clase_nombre} «{outcome.result.nombre}» creado.", "ok")
        return redirect(url_for(".detalle", convenio_id=outcome.result.id), code=303)
    return _form_page(form, outcome)


@bp.route("/<int:convenio_id>/editar", methods=["GET", "POST"])
@login_required
def editar(convenio_id: int):
    actor = current_staff()
    convenio = services.get(actor, convenio_id)
    ensure(actor, Accion.GESTIONAR_CONVENIOS, entidad="convenio", entidad_id=convenio.id)
    form = ConvenioForm()
    _offer(form)
    if request.method == "GET":
        fill(form, convenio)
    outcome = submit(form, lambda values: services.update(actor, convenio.id, values),
                     values=convenio_values)
    if outcome.done:
        flash(f"{outcome.result.clase_nombre} «{outcome.result.nombre}» guardado.", "ok")
        return redirect(url_for(".detalle", convenio_id=outcome.result.id), code=303)
    return _form_page(form, outcome, convenio)
