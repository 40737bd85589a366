"""Empleabilidad: vacantes with their remissions and placements, FIS courses, sessions and attendance."""
from __future__ import annotations

from flask import jsonify, request

from ..empleabilidad import formacion
from ..empleabilidad import ajuste
from ..empleabilidad import services as vacantes
from ..itinerario import services as itinerario
from .base import actor, body, bp, page_of, paging


@bp.post("/vacantes")
def create_vacante():
    vacante = vacantes.create(actor(), body())
    return jsonify(vacante.to_dict(ocupados=0)), 201


@bp.get("/vacantes")
def list_vacantes():
    page, per_page = paging()
    result = vacantes.search(actor(), q=request.args.get("q"), page=page, per_page=per_page)
    return jsonify({"items": vacantes.with_occupancy(result.items), "page": result.page,
                    "per_page": result.per_page, "total": result.total})


@bp.get("/vacantes/<int:vacante_id>")
def get_vacante(vacante_id: int):
    return jsonify(vacantes.with_occupancy([vacantes.get_visible(actor(), vacante_id)])[0])


@bp.patch("/vacantes/<int:vacante_id>")
def update_vacante(vacante_id: int):
    return jsonify(vacantes.with_occupancy([vacantes.update(actor(), vacante_id, body())])[0])


@bp.post("/vacantes/<int:vacante_id>/remisiones")
def remit_to_vacante(vacante_id: int):
    made = vacantes.remit(actor(), vacante_id, body())
    return jsonify({"items": [itinerario.to_dict(a) for a in made]}), 201


@bp.post("/vacantes/<int:vacante_id>/colocaciones")
def hire_in_vacante(vacante_id: int):
    return jsonify(itinerario.to_dict(vacantes.hire(actor(), vacante_id, body()))), 201


@bp.get("/cursos")
def list_cursos():
    page, per_page = paging()
    result = formacion.cursos(actor(), request.args.get("q"), page, per_page)
    return jsonify(page_of(result, lambda c: c.to_dict()))


@bp.post("/cursos")
def create_curso():
    return jsonify(formacion.create_curso(actor(), body()).to_dict()), 201


@bp.get("/cursos/<int:curso_id>")
def get_curso(curso_id: int):
    curso = formacion.get_curso(actor(), curso_id)
    return jsonify({**curso.to_dict(), "sesiones": [s.to_dict() for s in curso.sesiones]})


@bp.post("/cursos/<int:curso_id>/sesiones")
def create_sesion(curso_id: int):
    return jsonify(formacion.add_sesion(actor(), curso_id, body()).to_dict()), 201


@bp.post("/sesiones/<int:sesion_id>/asistencias")
def mark_asistencias(sesion_id: int):
    made = formacion.mark_attendance(actor(), sesion_id, body())
    return jsonify({"items": [{"id": a.id, "participante_id": a.participante_id,
                               "actuacion_id": a.actuacion_id} for a in made]}), 201


@bp.get("/vacantes/<int:vacante_id>/candidatos")
def vacante_candidatos(vacante_id: int):
    """Job seekers for the vacancy, best fit first, each with the requirements met and why."""
    vacante = vacantes.get_visible(actor(), vacante_id)
    page, per_page = paging()
    result = vacantes.candidates(actor(), vacante, q=request.args.get("q"), page=page,
                                 per_page=per_page)
    return jsonify(page_of(result, lambda p: {
        "participante_id": p.id, "nombres": p.nombres, "apellidos": p.apellidos,
        "criterios": [{"nombre": c.nombre, "cumple": c.cumple, "detalle": c.detalle}
                      for c in ajuste.criterios(p, vacante)]}))


@bp.put("/participantes/<int:participante_id>/perfil-laboral")
def put_perfil_laboral(participante_id: int):
    person = ajuste.update_profile(actor(), participante_id, body())
    return jsonify(ajuste.profile_dict(person))
