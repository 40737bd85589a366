"""Audit sample pages: the samples, drawing one, reviewing each unit against its documents."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..forms import offer_centres, submit
from ..models.muestra import VEREDICTOS
from ..pagination import page_args
from ..tableros.registry import POR_CODIGO
from ..verificadores import services as verificadores
from . import services
from .forms import MuestraForm, VeredictoForm

bp = Blueprint("muestras", __name__, url_prefix="/muestras")


@bp.route("/", methods=["GET", "POST"])
@login_required
def lista():
    actor = current_staff()
    form = MuestraForm()
    offer_centres(form, actor)
    outcome = None
    if request.method == "POST":
        outcome = submit(form, lambda values: services.draw(actor, values))
        if outcome.done:
            flash(f"Muestra tomada con la semilla {outcome.result.semilla}: "
                  f"{len(outcome.result.items)} unidades.", "ok")
            return redirect(url_for(".detalle", muestra_id=outcome.result.id), code=303)
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("muestras/lista.html", form=form,
                           errors=outcome.errors if outcome else {},
                           result=services.listing(actor, page, per_page),
                           puede_auditar=may(actor, Accion.AUDITAR_MUESTRAS)), \
        outcome.status if outcome else 200


@bp.route("/<int:muestra_id>")
@login_required
def detalle(muestra_id: int):
    actor = current_staff()
    muestra = services.get(actor, muestra_id)
    filas, total = services.error_rates(muestra)
    return render_template("muestras/detalle.html", m=muestra, filas=filas, total=total,
                           veredictos=VEREDICTOS, registro=POR_CODIGO)


@bp.route("/<int:muestra_id>.csv")
@login_required
def descargar(muestra_id: int):
    content = services.export_csv(current_staff(), muestra_id)
    return Response(content, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=muestra_{muestra_id}.csv"})


@bp.route("/items/<int:muestra_item_id>", methods=["GET", "POST"])
@login_required
def item(muestra_item_id: int):
    actor = current_staff()
    found = services.item_of(actor, muestra_item_id)
    if request.method == "POST":
        ensure(actor, Accion.AUDITAR_MUESTRAS, found.muestra.centro_id)
    form = VeredictoForm(obj=None if request.method == "POST" else found)
    if request.method == "GET":
        form.version.data = found.version
    outcome = submit(form, lambda values: services.review(actor, found.id, values))
    if outcome.done:
        flash("Veredicto guardado.", "ok")
        return redirect(url_for(".detalle", muestra_id=found.muestra_id, _anchor=f"item-{found.id}"),
                        code=303)
    documentos = (verificadores.of_participant(actor, found.participante_id)
                  if found.participante_id else [])
    return render_template("muestras/item.html", i=found, form=form, errors=outcome.errors,
                           documentos=documentos, fila=POR_CODIGO.get(found.codigo),
                           puede_auditar=may(actor, Accion.AUDITAR_MUESTRAS)), outcome.status
