"""Empleabilidad pages: the index, vacancies, sending people and placing them, FIS courses, a
person's page."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..itinerario.dia import today_bogota
from ..auth.guards import Accion, ensure, may
from ..auth.loader import current_staff as _actor
from ..forms import choices, offer_centres, submit
from ..itinerario.tipos import PLATAFORMAS
from ..models.vacante import ESTADOS_VACANTE, HORARIOS, NIVELES
from ..pagination import current_filters, page_args
from ..participantes import services as participantes
from . import ajuste, formacion, queries, services
from .forms import (
    PerfilLaboralForm,
    AsistenciaForm, BuscarPersonaForm, BusquedaVacantesForm, ColocacionForm, CursoForm,
    HojaDeVidaForm, RemisionForm, SesionForm, VacanteForm,
)

bp = Blueprint("empleabilidad", __name__, url_prefix="/empleabilidad")


def _today() -> str:
    return today_bogota().isoformat()


def _people_choices(field, people) -> None:
    field.choices = choices({str(p.id): f"{p.nombre_completo} · {p.tipo_documento} {p.numero_documento}"
                             for p in people})


# ---- the index --------------------------------------------------------------------------------

@bp.route("/")
@login_required
def inicio():
    form = BuscarPersonaForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("empleabilidad/inicio.html", form=form,
                           resumen=queries.overview(_actor(), form.q.data, page, per_page),
                           puede_editar=may(current_user, Accion.EDITAR_ITINERARIO))


# ---- vacancies --------------------------------------------------------------------------------

@bp.route("/vacantes")
@login_required
def vacantes():
    form = BusquedaVacantesForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    result = services.search(_actor(), q=form.q.data, estado=form.estado.data,
                             nivel=form.nivel.data, page=page, per_page=per_page)
    return render_template("empleabilidad/vacantes.html", form=form, result=result,
                           cupos={row["id"]: row for row in services.with_occupancy(result.items)},
                           niveles=NIVELES, estados=ESTADOS_VACANTE,
                           query=current_filters(request.args),
                           puede_crear=may(current_user, Accion.EDITAR_ITINERARIO))


@bp.route("/vacantes/nueva", methods=["GET", "POST"])
@login_required
def nueva_vacante():
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = VacanteForm()
    offer_centres(form, _actor())
    del form.version
    if request.method == "GET":
        form.fecha.data = _today()
    outcome = submit(form, lambda values: services.create(_actor(), values))
    if outcome.done:
        flash(f"Vacante registrada: {outcome.result.cargo} en {outcome.result.empresa}.", "ok")
        return redirect(url_for(".vacante", vacante_id=outcome.result.id))
    return render_template("empleabilidad/vacante_form.html", form=form, titulo="Registrar vacante",
                           errors=outcome.errors), outcome.status


@bp.route("/vacantes/<int:vacante_id>/editar", methods=["GET", "POST"])
@login_required
def editar_vacante(vacante_id: int):
    vacante = services.get_visible(_actor(), vacante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO, vacante.centro_id)
    form = VacanteForm(obj=None if request.method == "POST" else vacante)
    del form.centro_id
    if request.method == "GET":
        form.fecha.data = vacante.fecha.isoformat()
        form.version.data = vacante.version
    outcome = submit(form, lambda values: services.update(_actor(), vacante.id, values))
    if outcome.done:
        flash("Vacante actualizada.", "ok")
        return redirect(url_for(".vacante", vacante_id=vacante.id))
    return render_template("empleabilidad/vacante_form.html", form=form, errors=outcome.errors,
                           titulo=f"Editar vacante: {vacante.cargo}"), outcome.status


def _vacancy_page(vacante, remision_form=None, errors=None, status=200):
    actor = _actor()
    search = BuscarPersonaForm(request.args)
    page, _ = page_args(request.args.get("page"), None)
    candidatos = services.candidates(actor, vacante, q=search.q.data, page=page)
    form = remision_form or RemisionForm(formdata=None, data={"fecha": _today()})
    _people_choices(form.participante_ids, candidatos.items)
    cupos = services.with_occupancy([vacante])[0]  # the same figures the API gives
    ocupados, libres = cupos["cupos_ocupados"], cupos["cupos_libres"]
    puede_remitir = may(actor, Accion.EDITAR_ITINERARIO) and vacante.acepta_remisiones
    ajustes = {p.id: ajuste.criterios(p, vacante) for p in candidatos.items}
    return render_template(
        "empleabilidad/vacante.html", v=vacante, ocupados=ocupados, libres=libres, ajustes=ajustes,
        horarios=HORARIOS,
        puede_remitir=puede_remitir, puede_colocar=puede_remitir and libres > 0,
        enviados=services.sent_to(vacante), candidatos=candidatos, form=form, busqueda=search,
        colocar=ColocacionForm(formdata=None, data={"fecha": _today()}), errors=errors or {},
        niveles=NIVELES, estados=ESTADOS_VACANTE,
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


@bp.route("/vacantes/<int:vacante_id>")
@login_required
def vacante(vacante_id: int):
    return _vacancy_page(services.get_visible(_actor(), vacante_id))


@bp.route("/vacantes/<int:vacante_id>/remitir", methods=["POST"])
@login_required
def remitir(vacante_id: int):
    vacante = services.get_visible(_actor(), vacante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO, vacante.centro_id)
    form = RemisionForm()
    outcome = submit(form, lambda values: services.remit(_actor(), vacante.id, values))
    if outcome.done:
        flash(f"{len(outcome.result)} personas remitidas a la selección.", "ok")
        return redirect(url_for(".vacante", vacante_id=vacante.id), code=303)
    return _vacancy_page(vacante, form, outcome.errors, outcome.status)


@bp.route("/vacantes/<int:vacante_id>/colocar", methods=["POST"])
@login_required
def colocar(vacante_id: int):
    vacante = services.get_visible(_actor(), vacante_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO, vacante.centro_id)
    form = ColocacionForm()
    outcome = submit(form, lambda values: services.hire(_actor(), vacante.id, values))
    if outcome.done:
        flash("Colocación registrada.", "ok")
        return redirect(url_for(".vacante", vacante_id=vacante.id), code=303)
    return _vacancy_page(vacante, None, outcome.errors, outcome.status)


# ---- FIS courses ------------------------------------------------------------------------------

@bp.route("/cursos")
@login_required
def cursos():
    form = BuscarPersonaForm(request.args)
    page, per_page = page_args(request.args.get("page"), None)
    return render_template("empleabilidad/cursos.html", form=form,
                           result=formacion.cursos(_actor(), form.q.data, page, per_page),
                           puede_crear=may(current_user, Accion.EDITAR_ITINERARIO))


@bp.route("/cursos/nuevo", methods=["GET", "POST"])
@login_required
def nuevo_curso():
    ensure(_actor(), Accion.EDITAR_ITINERARIO)
    form = CursoForm()
    offer_centres(form, _actor())
    if request.method == "GET":
        form.fecha_inicio.data = _today()
    outcome = submit(form, lambda values: formacion.create_curso(_actor(), values))
    if outcome.done:
        flash(f"Curso «{outcome.result.nombre}» creado. Agregue sus sesiones.", "ok")
        return redirect(url_for(".curso", curso_id=outcome.result.id))
    return render_template("empleabilidad/curso_form.html", form=form,
                           errors=outcome.errors), outcome.status


def _course_page(curso, sesion_form=None, asistencia=None, errors=None, status=200):
    actor = _actor()
    search = BuscarPersonaForm(request.args)
    people = services.candidates_for_training(actor, curso.centro_id, search.q.data)
    forms = {}
    for sesion in curso.sesiones:
        form = asistencia if asistencia and asistencia[0] == sesion.id else None
        forms[sesion.id] = form[1] if form else AsistenciaForm(formdata=None, prefix=f"s{sesion.id}")
        _people_choices(forms[sesion.id].participante_ids, people)
    if asistencia and errors:  # the attendance forms carry a prefix: "s<id>-participante_ids"
        errors = {**errors, **{f"s{asistencia[0]}-{k}": v for k, v in errors.items()}}
    return render_template(
        "empleabilidad/curso.html", curso=curso, forms=forms, busqueda=search,
        sesion_form=sesion_form or SesionForm(formdata=None, data={"fecha": _today()}),
        asistentes=formacion.attendees_by_session(curso), errors=errors or {},
        puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


@bp.route("/cursos/<int:curso_id>")
@login_required
def curso(curso_id: int):
    return _course_page(formacion.get_curso(_actor(), curso_id))


@bp.route("/cursos/<int:curso_id>/sesiones", methods=["POST"])
@login_required
def nueva_sesion(curso_id: int):
    curso = formacion.get_curso(_actor(), curso_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO, curso.centro_id)
    form = SesionForm()
    outcome = submit(form, lambda values: formacion.add_sesion(_actor(), curso.id, values))
    if outcome.done:
        flash("Sesión agregada.", "ok")
        return redirect(url_for(".curso", curso_id=curso.id), code=303)
    return _course_page(curso, form, None, outcome.errors, outcome.status)


@bp.route("/sesiones/<int:sesion_id>/asistencia", methods=["POST"])
@login_required
def asistencia(sesion_id: int):
    sesion = formacion.get_sesion(_actor(), sesion_id)
    ensure(_actor(), Accion.EDITAR_ITINERARIO, sesion.centro_id)
    form = AsistenciaForm(prefix=f"s{sesion.id}")
    outcome = submit(form, lambda values: formacion.mark_attendance(_actor(), sesion.id, values))
    if outcome.done:
        flash(f"Asistencia registrada: {len(outcome.result)} personas.", "ok")
        return redirect(url_for(".curso", curso_id=sesion.curso_id) + f"#sesion-{sesion.id}", code=303)
    return _course_page(sesion.curso, None, (sesion.id, form), outcome.errors, outcome.status)


@bp.route("/asistencias/<int:asistencia_id>/retirar", methods=["POST"])
@login_required
def retirar_asistencia(asistencia_id: int):
    actor = _actor()
    ensure(actor, Accion.EDITAR_ITINERARIO)
    curso_id = formacion.course_of_attendance(actor, asistencia_id)
    outcome = submit(AsistenciaForm(), lambda _: formacion.remove_attendance(actor, asistencia_id))
    if outcome.done:
        flash("Asistencia retirada; la capacitación quedó anulada en el itinerario.", "ok")
    return redirect(url_for(".curso", curso_id=curso_id), code=303)


# ---- a person's employability -----------------------------------------------------------------

@bp.route("/personas/<int:participante_id>", methods=["GET", "POST"])
@login_required
def persona(participante_id: int):
    actor = _actor()
    person = participantes.get_visible(actor, participante_id)
    form = HojaDeVidaForm()
    if request.method == "GET":
        form.fecha.data = _today()
    else:
        ensure(actor, Accion.EDITAR_ITINERARIO, person.centro_id)
    outcome = submit(form, lambda values: services.register_cv(actor, person.id, values))
    if outcome.done:
        flash("Hoja de vida registrada.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _person_page(person, form, PerfilLaboralForm(formdata=None), outcome.errors,
                        outcome.status)


def _person_page(person, form, perfil_form, errors, status):
    actor = _actor()
    if perfil_form.version.data is None:
        current = ajuste.profile_dict(person)
        perfil_form.nivel_educativo.data = current["nivel_educativo"] or ""
        perfil_form.experiencia_meses.data = current["experiencia_meses"]
        perfil_form.municipios_trabajo.data = ", ".join(current["municipios_trabajo"])
        perfil_form.horarios.data = current["horarios"]
        perfil_form.version.data = person.version
    return render_template("empleabilidad/persona.html", persona=person, form=form,
                           perfil_form=perfil_form, errors=errors, niveles=NIVELES,
                           horarios=HORARIOS, perfil=services.person_summary(actor, person.id),
                           plataformas=PLATAFORMAS,
                           puede_editar=may(actor, Accion.EDITAR_ITINERARIO)), status


@bp.route("/personas/<int:participante_id>/perfil-laboral", methods=["POST"])
@login_required
def perfil_laboral(participante_id: int):
    actor = _actor()
    person = participantes.get_editable(actor, participante_id)
    form = PerfilLaboralForm()
    outcome = submit(form, lambda values: ajuste.update_profile(actor, person.id, values))
    if outcome.done:
        flash("Perfil laboral guardado.", "ok")
        return redirect(url_for(".persona", participante_id=person.id), code=303)
    return _person_page(person, HojaDeVidaForm(formdata=None), form, outcome.errors,
                        outcome.status if outcome.error else 400)
