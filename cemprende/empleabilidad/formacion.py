"""FIS training: courses, their sessions and who attended; attending is a capacitacion_fis."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..itinerario import services as itinerario
from ..models import AsistenciaFis, CursoFis, Participante, SesionFis
from ..models.base import utcnow
from ..pagination import Page, paginate
from ..validation import Fields
from .services import participant_ids
from ..itinerario.tipos import Tipo

EARLIEST = date(2000, 1, 1)


def create_curso(actor, data: dict) -> CursoFis:
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    f = Fields(data)
    f.text("nombre", max_length=150)
    f.text("descripcion", required=False, max_length=2000)
    f.date("fecha_inicio", earliest=EARLIEST)
    f.raise_if_errors()
    curso = CursoFis(**f.clean, centro_id=centro_id, activo=True, creado_en=utcnow())
    return audit.add_audited(curso, actor=actor, entidad="curso_fis", centro_id=centro_id,
                             values=f.clean)


def get_curso(actor, curso_id: int) -> CursoFis:
    return visible_or_404(actor, CursoFis, curso_id, "No se encontró el curso.")


def get_sesion(actor, sesion_id: int) -> SesionFis:
    return visible_or_404(actor, SesionFis, sesion_id, "No se encontró la sesión.")


def cursos(actor, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    # The list shows how many sessions each course has: loaded in one more query, not one per row.
    statement = scoped_select(actor, CursoFis).options(selectinload(CursoFis.sesiones))
    if q and q.strip():
        statement = statement.where(CursoFis.nombre.icontains(q.strip(), autoescape=True))
    return paginate(statement.order_by(CursoFis.fecha_inicio.desc(), CursoFis.id.desc()), page, per_page)


def add_sesion(actor, curso_id: int, data: dict) -> SesionFis:
    curso = get_curso(actor, curso_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, curso.centro_id)
    f = Fields(data)
    fecha = f.date("fecha", earliest=EARLIEST)
    f.text("tema", max_length=200)
    if fecha and fecha < curso.fecha_inicio:
        f.fail("fecha", "La sesión no puede ser antes del inicio del curso.")
    f.raise_if_errors()
    sesion = SesionFis(curso_id=curso.id, centro_id=curso.centro_id, **f.clean)
    return audit.add_audited(sesion, actor=actor, entidad="sesion_fis", centro_id=curso.centro_id,
                             values=f.clean)


def mark_attendance(actor, sesion_id: int, data: dict, today: date | None = None) -> list[AsistenciaFis]:
    """Each person present gets a capacitacion_fis on the session's date, in one transaction."""
    sesion = get_sesion(actor, sesion_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, sesion.centro_id)
    people = participant_ids(data.get("participante_ids"))
    others = db.session.scalars(select(Participante.id).where(
        Participante.id.in_(people), Participante.centro_id != sesion.centro_id)).all()
    if others:
        raise ValidationFailed({"participante_ids": "Solo personas del centro del curso."})
    present = set(db.session.scalars(select(AsistenciaFis.participante_id).where(
        AsistenciaFis.sesion_id == sesion.id, AsistenciaFis.participante_id.in_(people))))
    if present:
        raise DomainError(f"{len(present)} de las personas elegidas ya tienen asistencia en esta sesión.",
                          {"participante_ids": "Quite a quienes ya asistieron."})
    made = []
    for person_id in people:
        actuacion = itinerario.register(actor, person_id, {
            "tipo": Tipo.CAPACITACION_FIS, "fecha": sesion.fecha.isoformat(),
            "curso": f"{sesion.curso.nombre} — {sesion.tema}"[:200]}, today=today)
        made.append(audit.add_audited(
            AsistenciaFis(sesion_id=sesion.id, participante_id=person_id,
                          centro_id=sesion.centro_id, actuacion_id=actuacion.id),
            actor=actor, entidad="asistencia_fis", centro_id=sesion.centro_id,
            values={"sesion_id": sesion.id, "participante_id": person_id}))
    return made


def remove_attendance(actor, asistencia_id: int) -> int:
    """A mistaken attendance: its capacitacion_fis is annulled (kept, counts nowhere)."""
    asistencia = visible_or_404(actor, AsistenciaFis, asistencia_id, "No se encontró la asistencia.")
    ensure(actor, Accion.EDITAR_ITINERARIO, asistencia.centro_id)
    actuacion_id, centro_id, curso_id = asistencia.actuacion_id, asistencia.centro_id, asistencia.sesion.curso_id
    db.session.execute(delete(AsistenciaFis).where(AsistenciaFis.id == asistencia.id))
    itinerario.annul(actor, actuacion_id, {"motivo": "Asistencia a la sesión FIS retirada."})
    audit.record("eliminar", actor=actor, entidad="asistencia_fis", entidad_id=asistencia_id,
                 centro_id=centro_id)
    return curso_id


def attendees_by_session(curso: CursoFis) -> dict[int, list[AsistenciaFis]]:
    """Who attended each session of the course, in one query."""
    found: dict[int, list[AsistenciaFis]] = {s.id: [] for s in curso.sesiones}
    for asistencia in db.session.scalars(
            select(AsistenciaFis).join(SesionFis).where(SesionFis.curso_id == curso.id)
            .order_by(AsistenciaFis.id)):
        found[asistencia.sesion_id].append(asistencia)
    return found


def course_of_attendance(actor, asistencia_id: int) -> int:
    asistencia = visible_or_404(actor, AsistenciaFis, asistencia_id, "No se encontró la asistencia.")
    return asistencia.sesion.curso_id
