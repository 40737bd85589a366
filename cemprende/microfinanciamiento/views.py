"""Microfinanciamiento pages: the pipeline, the Comité de Asignación, deliveries, alerts."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from ..admin.services import visible_centros
from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff
from ..errors import DomainError
from ..forms import offer_centres, submit
from ..itinerario.tipos import CATEGORIAS_INVERSION, CLASES_VISITA, DECISIONES
from ..models.comite import ESTADOS_CONTROL
from ..models.llamada import ESTADO_BIENES, RECIBIDO
from ..models.proveedor import ESTADOS_PROVEEDOR, MAX_COTIZACIONES
from ..models.verificador import ESTADOS_REVISION
from ..pagination import Page, current_filters, page_args
from ..participantes import services as participantes
from . import comite as comites, entregas, llamadas, proveedores, seguimiento, services
from .alertas import TIPOS_ALERTA
from .forms import (AccionForm, ActaSesionForm, AlertasForm, EntregaForm, ListaLlamadasForm,
                    LlamadaForm, PeriodoForm, PreciosReferenciaForm, ProveedoresFiltroForm,
                    ProveedorForm, SesionComiteForm)
from ..itinerario.dia import today_bogota

bp = Blueprint("microfinanciamiento", __name__, url_prefix="/microfinanciamiento")

ITEM_ROWS = 8



def _pdf(content, name: str):
    return send_file(content, mimetype="application/pdf", download_name=f"{name}.pdf")


# ---- pipeline -----------------------------------------------------------------------------------

@bp.route("/")
@login_required
def inicio():
    actor = current_staff()
    form = PeriodoForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    args, errors = request.args.to_dict(), {}
    try:
        found = services.pipeline(actor, args)
    except DomainError as error:
        if error.status == 404:
            raise
        errors, found = error.fields, services.pipeline(actor, {})
    filas = {f.fila.codigo: f for f in found.tablero.filas}
    return render_template("microfinanciamiento/inicio.html", form=form, p=found, filas=filas,
                           errors=errors, puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), \
        422 if errors else 200


# ---- Comité de Asignación -------------------------------------------------------------------

@bp.route("/comite")
@login_required
def comite():
    actor = current_staff()
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("microfinanciamiento/comite.html", result=comites.sesiones(actor, page, per_page),
                           pendientes=comites.pending_plans(actor),
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO))


def _decisions_from(form_data, pendientes) -> list[dict]:
    """The rows the committee decided on; a row left without a decision was not presented."""
    chosen = []
    for p in pendientes:
        decision = form_data.get(f"d-{p.plan.id}-decision", "")
        if decision:
            chosen.append({"plan_id": p.plan.id, "decision": decision,
                           "valor": form_data.get(f"d-{p.plan.id}-valor") or None,
                           "observacion": form_data.get(f"d-{p.plan.id}-observacion")})
    return chosen


@bp.route("/comite/nueva", methods=["GET", "POST"])
@login_required
def nueva_sesion():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = SesionComiteForm()
    offer_centres(form, actor)
    pendientes = comites.pending_plans(actor)
    if request.method == "GET":
        form.fecha.data = today_bogota().isoformat()

    def hold(values):
        values["decisiones"] = _decisions_from(request.form, pendientes)
        return comites.hold_session(actor, values)

    outcome = submit(form, hold)
    if outcome.done:
        flash(f"Sesión del comité registrada: {len(outcome.result.decisiones)} decisiones.", "ok")
        return redirect(url_for(".sesion", sesion_comite_id=outcome.result.id))
    quotes = proveedores.quotes_for([i.id for p in pendientes for i in p.plan.items])
    return render_template("microfinanciamiento/sesion_form.html", form=form, errors=outcome.errors,
                           pendientes=list(enumerate(pendientes)), decisiones=DECISIONES,
                           cotizaciones=quotes, max_cotizaciones=MAX_COTIZACIONES,
                           enviado=request.form), outcome.status


def _session_page(found, form=None, errors=None, status: int = 200):
    actor = current_staff()
    return render_template("microfinanciamiento/sesion.html", s=found, decisiones=DECISIONES,
                           personas=comites.people_of(found), form=form or ActaSesionForm(),
                           errors=errors or {}, estados=ESTADOS_REVISION,
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


@bp.route("/comite/<int:sesion_comite_id>")
@login_required
def sesion(sesion_comite_id: int):
    return _session_page(comites.get_sesion(current_staff(), sesion_comite_id))


@bp.route("/comite/<int:sesion_comite_id>/acta", methods=["POST"])
@login_required
def subir_acta(sesion_comite_id: int):
    actor = current_staff()
    found = comites.get_sesion(actor, sesion_comite_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, found.centro_id)
    form = ActaSesionForm()
    uploaded = [(f.filename, f.stream) for f in request.files.getlist("archivo") if f.filename]
    outcome = submit(form, lambda _: comites.upload_acta(actor, found.id, uploaded))
    if outcome.done:
        flash("Acta de la sesión guardada: es la evidencia (ACA) de cada persona aprobada en ella.", "ok")
        return redirect(url_for(".sesion", sesion_comite_id=found.id), code=303)
    return _session_page(found, form, outcome.errors, outcome.status if outcome.error else 400)


@bp.route("/comite/<int:sesion_comite_id>/acta.pdf")
@login_required
def acta_aprobacion(sesion_comite_id: int):
    found = comites.get_sesion(current_staff(), sesion_comite_id)
    return _pdf(comites.acta_aprobacion(current_staff(), found.id), f"acta_aprobacion_{found.acta}")


# ---- deliveries -----------------------------------------------------------------------------------

def _items_from(form_data, prefix: str = "item") -> list[dict]:
    rows = []
    for n in range(1, ITEM_ROWS + 1):
        values = {k: (form_data.get(f"{prefix}_{n}_{k}") or "").strip()
                  for k in ("descripcion", "cantidad", "precio_unitario")}
        if any(values.values()):
            rows.append({**values, "categoria": form_data.get(f"{prefix}_{n}_categoria") or None})
    return rows


def _plan_page(person, form=None, errors=None, status=200, abierto=None):
    actor = current_staff()
    try:
        aprobado = entregas.approved_plan(actor, person.id)
    except DomainError:
        aprobado = None
    if form is None:
        form = EntregaForm(formdata=None, data={"fecha": today_bogota().isoformat()})
    base = seguimiento.plan_to_adjust(person)
    cotizado = aprobado.plan if aprobado else base
    items = list(cotizado.items) if cotizado else []
    return render_template(
        "microfinanciamiento/plan.html", persona=person, aprobado=aprobado, form=form,
        errors=errors or {}, filas=ITEM_ROWS, enviado=request.form, abierto=abierto,
        base=base, controles=seguimiento.controls_of(person),
        estados_control=ESTADOS_CONTROL, clases=CLASES_VISITA, hoy=today_bogota().isoformat(),
        categorias=CATEGORIAS_INVERSION, cotizado=cotizado, items_cotizados=items,
        cotizaciones=proveedores.quotes_for([i.id for i in items]),
        proveedores_activos=proveedores.active_suppliers(person.centro_id),
        max_cotizaciones=MAX_COTIZACIONES,
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


def _editable(participante_id: int):
    actor = current_staff()
    return actor, participantes.get_editable(actor, participante_id)


def _step(participante_id: int, action, message: str, abierto: str):
    """One of the plan page's forms: the service's answer, then back to the page either way."""
    actor, person = _editable(participante_id)
    outcome = submit(AccionForm(), lambda _: action(actor, person))
    if outcome.done:
        flash(message, "ok")
        return redirect(url_for(".plan", participante_id=person.id), code=303)
    return _plan_page(person, errors=outcome.errors, status=outcome.status, abierto=abierto)


@bp.route("/personas/<int:participante_id>", methods=["GET", "POST"])
@login_required
def plan(participante_id: int):
    if request.method == "GET":
        return _plan_page(participantes.get_visible(current_staff(), participante_id))
    actor, person = _editable(participante_id)
    form = EntregaForm()

    def record(values):
        values["items"] = _items_from(request.form)
        return entregas.deliver(actor, person.id, values)

    outcome = submit(form, record)
    if outcome.done:
        flash("Entrega registrada. Imprima el acta de entrega para la firma.", "ok")
        return redirect(url_for(".plan", participante_id=person.id), code=303)
    return _plan_page(person, form, outcome.errors, outcome.status, "entrega")


@bp.route("/personas/<int:participante_id>/ajuste", methods=["POST"])
@login_required
def ajuste(participante_id: int):
    return _step(participante_id, lambda actor, person: seguimiento.adjust(actor, person.id, {
        "fecha": request.form.get("fecha"), "items": _items_from(request.form, "ajuste")}),
        "Plan ajustado registrado; queda pendiente de comité.", "ajuste")


@bp.route("/personas/<int:participante_id>/visitas", methods=["POST"])
@login_required
def visita(participante_id: int):
    photos = [(f.filename or "foto", f.stream) for f in request.files.getlist("fotos") if f.filename]
    return _step(participante_id, lambda actor, person: seguimiento.visit(actor, person.id, {
        "fecha": request.form.get("fecha"), "clase": request.form.get("clase"),
        "notas": request.form.get("notas")}, photos), "Visita registrada.", "visita")


@bp.route("/personas/<int:participante_id>/control", methods=["POST"])
@login_required
def control(participante_id: int):
    estados = {key[len("estado-"):]: value for key, value in request.form.items() if key.startswith("estado-")}
    return _step(participante_id, lambda actor, person: seguimiento.control(actor, person.id, {
        "fecha": request.form.get("fecha"), "observaciones": request.form.get("observaciones"),
        "estados": estados}), "Control de inversiones registrado.", "control")


@bp.route("/entregas/<int:actuacion_id>/acta.pdf")
@login_required
def acta_entrega(actuacion_id: int):
    return _pdf(entregas.acta_entrega(current_staff(), actuacion_id), f"acta_entrega_{actuacion_id}")


# ---- alerts ---------------------------------------------------------------------------------------

@bp.route("/alertas")
@login_required
def alertas():
    actor = current_staff()
    form = AlertasForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    found = services.alerts(actor, request.args.to_dict())
    page, per_page = page_args(request.args.get("page"), None)
    start = (page - 1) * per_page
    result = Page(found.items[start:start + per_page], page, per_page, len(found.items))
    centros = {c.id: c.nombre for c in visible_centros(actor)}
    return render_template("microfinanciamiento/alertas.html", form=form, alertas=found,
                           result=result, tipos=TIPOS_ALERTA, centros=centros,
                           filtros=current_filters(request.args))


# ---- verification calls ---------------------------------------------------------------------

@bp.route("/llamadas")
@login_required
def llamadas_lista():
    actor = current_staff()
    ensure(actor, Accion.VERIFICAR_ENTREGAS)
    form = ListaLlamadasForm(request.args)
    offer_centres(form, actor, blank="Toda la red")
    args = request.args.to_dict()
    try:
        lista, errors = llamadas.call_list(actor, args), {}
    except DomainError as error:
        lista, errors = None, error.fields
    return render_template("microfinanciamiento/llamadas.html", form=form, lista=lista,
                           errors=errors, recibido=RECIBIDO), 422 if errors else 200


def _call_answers(form_data) -> dict:
    """The per-item radios of the call page, as the service's `items`."""
    items = []
    for n in range(1, 201):
        descripcion = form_data.get(f"items-{n}-descripcion")
        if descripcion is None:
            break
        items.append({"descripcion": descripcion,
                      "recibido": form_data.get(f"items-{n}-recibido"),
                      "cantidad_recibida": form_data.get(f"items-{n}-cantidad_recibida"),
                      "estado_bienes": form_data.get(f"items-{n}-estado_bienes")})
    return items


@bp.route("/llamadas/<int:participante_id>", methods=["GET", "POST"])
@login_required
def llamada(participante_id: int):
    actor = current_staff()
    ensure(actor, Accion.VERIFICAR_ENTREGAS)
    try:
        plan = entregas.approved_plan(actor, participante_id)
    except entregas.NoApprovedPlan as error:
        flash(error.message, "error")
        return redirect(url_for(".llamadas_lista"))
    form = LlamadaForm()
    if request.method == "GET":
        form.fecha.data = today_bogota().isoformat()

    def record(values: dict):
        values.update(participante_id=participante_id, items=_call_answers(request.form),
                      proveedor_confirmado=values.get("proveedor_confirmado") or None)
        return llamadas.record_call(actor, values)

    outcome = submit(form, record)
    if outcome.done:
        flash(outcome.result.resumen, "error" if outcome.result.discrepancia else "ok")
        return redirect(url_for(".llamada", participante_id=participante_id), code=303)
    return render_template("microfinanciamiento/llamada.html", form=form, plan=plan,
                           errors=outcome.errors, recibido=RECIBIDO, estados=ESTADO_BIENES,
                           anteriores=llamadas.calls_of(actor, participante_id),
                           enviado=request.form), outcome.status


# ---- suppliers, quotes, reference prices ----------------------------------------------------

@bp.route("/proveedores")
@login_required
def proveedores_lista():
    actor = current_staff()
    form = ProveedoresFiltroForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = proveedores.suppliers(actor, q=form.q.data, estado=form.estado.data, page=page,
                                   per_page=per_page)
    return render_template("microfinanciamiento/proveedores.html", form=form, result=result,
                           estados=ESTADOS_PROVEEDOR, query=current_filters(request.args),
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO))


@bp.route("/proveedores/nuevo", methods=["GET", "POST"])
@login_required
def proveedor_nuevo():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    form = ProveedorForm()
    offer_centres(form, actor)
    del form.version
    outcome = submit(form, lambda values: proveedores.create_supplier(actor, values))
    if outcome.done:
        flash(f"Proveedor «{outcome.result.nombre}» registrado.", "ok")
        return redirect(url_for(".proveedores_lista"), code=303)
    return render_template("microfinanciamiento/proveedor_form.html", form=form,
                           errors=outcome.errors, titulo="Nuevo proveedor"), outcome.status


@bp.route("/proveedores/<int:proveedor_id>", methods=["GET", "POST"])
@login_required
def proveedor_editar(proveedor_id: int):
    actor = current_staff()
    supplier = proveedores.get_supplier(actor, proveedor_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, supplier.centro_id)
    form = ProveedorForm(obj=None if request.method == "POST" else supplier)
    del form.centro_id
    del form.nit
    if request.method == "GET":
        form.version.data = supplier.version
    outcome = submit(form, lambda values: proveedores.update_supplier(actor, supplier.id, values))
    if outcome.done:
        flash("Proveedor actualizado.", "ok")
        return redirect(url_for(".proveedores_lista"), code=303)
    return render_template("microfinanciamiento/proveedor_form.html", form=form,
                           errors=outcome.errors, proveedor=supplier,
                           titulo=f"Editar «{supplier.nombre}» (NIT {supplier.nit_completo})"), \
        outcome.status


@bp.post("/items/<int:item_id>/cotizaciones")
@login_required
def cotizar(item_id: int):
    actor = current_staff()
    item = proveedores.quotes_item(actor, item_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, item.actuacion.centro_id)
    outcome = submit(AccionForm(), lambda _: proveedores.add_quote(actor, item.id, {
        "proveedor_id": request.form.get("proveedor_id"),
        "precio_unitario": request.form.get("precio_unitario"),
        "fecha": request.form.get("fecha")}))
    if outcome.done:
        flash("Cotización registrada.", "ok")
    elif outcome.error is not None and outcome.errors:
        flash(" ".join(outcome.errors.values()), "error")
    return redirect(url_for(".plan", participante_id=item.actuacion.participante_id,
                            _anchor="cotizaciones"), code=303)


@bp.post("/cotizaciones/<int:cotizacion_id>/retirar")
@login_required
def retirar_cotizacion(cotizacion_id: int):
    actor = current_staff()
    item = proveedores.quoted_item(actor, cotizacion_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, item.actuacion.centro_id)
    outcome = submit(AccionForm(), lambda _: proveedores.withdraw_quote(actor, cotizacion_id))
    if outcome.done:
        flash("Cotización retirada.", "ok")
    return redirect(url_for(".plan", participante_id=item.actuacion.participante_id,
                            _anchor="cotizaciones"), code=303)


@bp.route("/precios-referencia")
@login_required
def precios_referencia():
    actor = current_staff()
    form = PreciosReferenciaForm(request.args)
    try:
        precios, errors = proveedores.reference_prices(actor, request.args.to_dict()), {}
    except DomainError as error:
        precios, errors = [], error.fields
    return render_template("microfinanciamiento/precios_referencia.html", form=form,
                           precios=precios, errors=errors, categorias=CATEGORIAS_INVERSION), \
        422 if errors else 200
