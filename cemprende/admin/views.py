from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import lugares
from ..auth.guards import Accion, ensure
from ..forms import choices, offer_centres, submit
from ..models.staff import ROL_NOMBRES
from ..pagination import page_args
from ..auth.loader import current_staff as _actor
from . import services
from .forms import BusquedaStaffForm, CentroForm, MunicipioForm, StaffForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _save(form, action, success: str, endpoint: str, template: str, **context):
    """Runs the service on a valid POST; re-renders with the messages of a refusal."""
    outcome = submit(form, action)
    if outcome.done:
        flash(success, "ok")
        return redirect(url_for(endpoint))
    return render_template(template, form=form, errors=outcome.errors, **context), outcome.status


@bp.route("/centros")
@login_required
def centros():
    ensure(_actor(), Accion.GESTIONAR_CENTROS)
    return render_template("admin/centros.html", centros=services.centros_con_estado(_actor()))


@bp.route("/centros/nuevo", methods=["GET", "POST"])
@login_required
def nuevo_centro():
    ensure(_actor(), Accion.GESTIONAR_CENTROS)
    form = CentroForm()
    return _save(form, lambda data: services.create_centro(_actor(), data), "Centro creado.",
                 ".centros", "admin/centro_form.html", titulo="Nuevo centro")


@bp.route("/centros/<int:centro_id>", methods=["GET", "POST"])
@login_required
def editar_centro(centro_id: int):
    ensure(_actor(), Accion.GESTIONAR_CENTROS)
    centro = services.get_centro(_actor(), centro_id)
    form = CentroForm(obj=None if request.method == "POST" else centro)
    if request.method == "GET":
        for name in ("fecha_apertura", "fecha_lanzamiento"):
            value = getattr(centro, name)
            form[name].data = value.isoformat() if value else ""
    return _save(form, lambda data: services.update_centro(_actor(), centro.id, data),
                 "Centro actualizado.", ".centros", "admin/centro_form.html",
                 titulo=f"Editar {centro.nombre}")


def _staff_form(form, keep_centre: int | None = None) -> StaffForm:
    actor = _actor()
    if actor.rol == "director":
        form.rol.choices = choices({"asesor": ROL_NOMBRES["asesor"]})
    offer_centres(form, actor, blank="Sin centro (supervisor o administrador)", keep=keep_centre)
    return form


@bp.route("/staff")
@login_required
def staff():
    form = BusquedaStaffForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    actor = _actor()
    result = services.visible_staff(actor, q=form.q.data, page=page, per_page=per_page)
    return render_template("admin/staff.html", form=form, result=result, roles=ROL_NOMBRES,
                           editables={s.id for s in result.items if services.may_manage(actor, s)})


@bp.route("/staff/nuevo", methods=["GET", "POST"])
@login_required
def nuevo_staff():
    ensure(_actor(), Accion.GESTIONAR_STAFF)
    form = _staff_form(StaffForm())
    return _save(form, lambda data: services.create_staff(_actor(), data), "Cuenta creada.",
                 ".staff", "admin/staff_form.html", titulo="Nueva cuenta", nueva=True)


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
@login_required
def editar_staff(staff_id: int):
    target = services.get_staff(_actor(), staff_id)
    form = _staff_form(StaffForm(obj=None if request.method == "POST" else target), target.centro_id)
    if request.method == "GET" and form.centro_id is not None:
        form.centro_id.data = str(target.centro_id or "")
    return _save(form, lambda data: services.update_staff(_actor(), target.id, data),
                 "Cuenta actualizada.", ".staff", "admin/staff_form.html",
                 titulo=f"Editar cuenta de {target.nombre}", nueva=False, cuenta=target)


@bp.route("/municipios", methods=["GET", "POST"])
@login_required
def municipios():
    actor = _actor()
    ensure(actor, Accion.GESTIONAR_CENTROS)
    form = MunicipioForm()
    outcome = submit(form, lambda data: services.map_municipio(actor, data))
    if outcome.done:
        flash(f"Grafía asignada: {outcome.result} personas tomaron el municipio y su subregión.", "ok")
        return redirect(url_for(".municipios"), code=303)
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("admin/municipios.html", form=form, errors=outcome.errors,
                           result=services.unmatched_municipios(actor, page, per_page),
                           catalogo=lugares.municipios()), outcome.status
