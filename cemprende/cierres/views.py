"""Month close pages: the list, the checklist before closing, a close with its actions per role."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..admin.services import visible_centros
from ..auth.guards import Accion, ensure, is_centre_bound, may
from ..auth.loader import current_staff
from ..errors import DomainError
from ..forms import choices
from ..models.cierre import ESTADOS_CIERRE, VENTANAS
from ..pagination import current_filters, page_args
from . import services
from .forms import AceptarForm, CerrarForm, ElegirMesForm, FiltroForm, MotivoForm
from .periodo import nombre_mes

bp = Blueprint("cierres", __name__, url_prefix="/cierres")

ACCIONES = {"aceptacion": "El cierre fue aceptado.", "devolucion": "El cierre fue devuelto al centro.",
            "reapertura": "El mes fue reabierto: se pueden volver a registrar actuaciones con fecha en él."}


def _centros(actor) -> dict[int, str]:
    return {c.id: c.nombre for c in visible_centros(actor)}


@bp.route("/")
@login_required
def lista():
    actor = current_staff()
    ensure(actor, Accion.VER_CIERRES)
    form = FiltroForm(request.args)
    centros = _centros(actor)
    if is_centre_bound(actor):
        del form.centro_id
    else:
        form.centro_id.choices = choices({str(k): v for k, v in centros.items()}, blank="Todos")
    page, per_page = page_args(request.args.get("page"), None)
    errors = {}
    try:
        result = services.cierres(actor, request.args.to_dict(), page, per_page)
    except DomainError as error:
        errors, result = error.fields, services.cierres(actor, {}, page, per_page)
    return render_template("cierres/lista.html", form=form, result=result, errors=errors,
                           centros=centros, estados=ESTADOS_CIERRE, nombre_mes=nombre_mes,
                           puede_cerrar=may(actor, Accion.CERRAR_MES),
                           query=current_filters(request.args)), 422 if errors else 200


@bp.route("/nuevo", methods=["GET", "POST"])
@login_required
def nuevo():
    """GET ?centro_id=&mes=: the checklist and the confirmation; POST: the close."""
    actor = current_staff()
    ensure(actor, Accion.CERRAR_MES)
    elegir = ElegirMesForm(request.args)
    if is_centre_bound(actor):
        del elegir.centro_id
    else:
        elegir.centro_id.choices = choices({str(k): v for k, v in _centros(actor).items()},
                                           blank="Seleccione…")
    form = CerrarForm()
    values = request.form if request.method == "POST" else request.args
    context = {"elegir": elegir, "form": form, "lista": None, "existente": None, "mes": None,
               "centro_id": None, "errors": {}, "nombre_mes": nombre_mes, "estados": ESTADOS_CIERRE}
    status = 200
    if values.get("mes"):
        try:
            centro_id, mes, lista, existente = services.preparar(actor, values.to_dict())
            context.update(lista=lista, existente=existente, mes=mes, centro_id=centro_id)
            form.centro_id.data, form.mes.data = str(centro_id), mes.strftime("%Y-%m")
        except DomainError as error:
            flash(error.message, "error")
            context["errors"], status = error.fields, error.status
    if request.method == "POST" and status == 200:
        if not form.validate_on_submit():
            status = 400
        elif not form.confirmar.data:
            context["errors"], status = {"confirmar": "Marque la confirmación para cerrar el mes."}, 422
            flash("Marque la confirmación para cerrar el mes.", "error")
        else:
            try:
                cierre = services.close(actor, {"centro_id": form.centro_id.data, "mes": form.mes.data})
            except DomainError as error:
                flash(error.message, "error")
                context["errors"], status = error.fields, error.status
            else:
                flash(f"Se cerró el mes de {nombre_mes(cierre.mes)}. Queda pendiente de la "
                      "aceptación del supervisor.", "ok")
                return redirect(url_for(".detalle", cierre_id=cierre.id), 303)
    return render_template("cierres/nuevo.html", **context), status


def _detalle(actor, cierre, status: int = 200):
    return render_template(
        "cierres/detalle.html", cierre=cierre, lista=services.checklist_of(actor, cierre),
        historia=services.historia(cierre), ventanas=services.ventanas_de(cierre),
        nombres_ventana=VENTANAS, estados=ESTADOS_CIERRE, nombre_mes=nombre_mes,
        centro=_centros(actor).get(cierre.centro_id, ""), aceptar=AceptarForm(),
        devolver=MotivoForm(prefix="devolucion"), reabrir=MotivoForm(prefix="reapertura"),
        puede_revisar=may(actor, Accion.REVISAR_CIERRES),
        puede_cerrar=may(actor, Accion.CERRAR_MES)), status


@bp.route("/<int:cierre_id>")
@login_required
def detalle(cierre_id: int):
    actor = current_staff()
    return _detalle(actor, services.get_visible(actor, cierre_id))


def _review(cierre_id: int, accion: str):
    actor = current_staff()
    cierre = services.get_visible(actor, cierre_id)
    form = AceptarForm() if accion == "aceptacion" else MotivoForm(prefix=accion)
    if not form.validate_on_submit():
        return _detalle(actor, cierre, 400)
    data = {} if accion == "aceptacion" else {"motivo": form.motivo.data}
    try:
        services.review(actor, cierre_id, accion, data)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return _detalle(actor, services.get_visible(actor, cierre_id), error.status)
    flash(ACCIONES[accion], "ok")
    return redirect(url_for(".detalle", cierre_id=cierre_id), 303)


@bp.route("/<int:cierre_id>/aceptacion", methods=["POST"])
@login_required
def aceptacion(cierre_id: int):
    return _review(cierre_id, "aceptacion")


@bp.route("/<int:cierre_id>/devolucion", methods=["POST"])
@login_required
def devolucion(cierre_id: int):
    return _review(cierre_id, "devolucion")


@bp.route("/<int:cierre_id>/reapertura", methods=["POST"])
@login_required
def reapertura(cierre_id: int):
    return _review(cierre_id, "reapertura")
