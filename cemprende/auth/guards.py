"""The one place that decides what a staff member may see and change (roles table of API.md)."""
from __future__ import annotations

from enum import StrEnum

from .. import audit
from sqlalchemy import select

from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Centro
from ..models.staff import ROLES_CON_CENTRO
from ..scoping import ALL_CENTRES_OPTION


class Accion(StrEnum):
    VER = "ver"
    EDITAR_ITINERARIO = "editar_itinerario"  # participants, actuaciones, vacantes, verificadores
    EDITAR_METAS = "editar_metas"
    GESTIONAR_STAFF = "gestionar_staff"
    GESTIONAR_CENTROS = "gestionar_centros"
    REVISAR_VERIFICADORES = "revisar_verificadores"
    VER_ALERTAS = "ver_alertas"  # integrity alerts: directors, supervisors, admins
    ATENDER_PQRS = "atender_pqrs"  # record and answer the centre's PQRS
    SEGUIR_PQRS = "seguir_pqrs"  # follow-up notes, also by supervisors
    VERIFICAR_ENTREGAS = "verificar_entregas"  # verification calls to seed-capital beneficiaries
    VER_CALIDAD = "ver_calidad"  # data-quality scores: directors, supervisors, admins
    AUDITAR_MUESTRAS = "auditar_muestras"  # draw and review audit samples: supervisors (admins)
    DESCARGAR_BASES = "descargar_bases"  # the downloadable bases (API.md): not asesores
    VER_SENSIBLES = "ver_sensibles"  # sensitive columns of the bases (etnia, discapacidad...)
    VER_CIERRES = "ver_cierres"  # month closes: directors (their centre), supervisors, admins
    CERRAR_MES = "cerrar_mes"  # the director of the centre (and admins)
    REVISAR_CIERRES = "revisar_cierres"  # accept, return, reopen: supervisors (and admins)
    VER_AUDITORIA = "ver_auditoria"  # the audit trail viewer: supervisors and admins
    VER_DUPLICADOS = "ver_duplicados"  # the queue of possible duplicates; "no son la misma persona"
    FUSIONAR_PARTICIPANTES = "fusionar_participantes"  # merge two records: directors and admins
    VER_CONVENIOS = "ver_convenios"  # convenios and cuatrienios: directors (theirs), supervisors
    GESTIONAR_CONVENIOS = "gestionar_convenios"  # create and edit them, with their metas: admins
    VER_INFORMES = "ver_informes"  # monthly informes: directors (their centre), supervisors, admins
    GENERAR_INFORMES = "generar_informes"  # a new version, with the narrative: the centre's director
    RESPONDER_DPS = "responder_dps"  # apply DPS's answer to the centre's people: its director, admins


PERMISOS: dict[str, frozenset[Accion]] = {
    "asesor": frozenset({Accion.VER, Accion.EDITAR_ITINERARIO, Accion.ATENDER_PQRS,
                         Accion.SEGUIR_PQRS}),
    "director": frozenset({
        Accion.VER, Accion.EDITAR_ITINERARIO, Accion.EDITAR_METAS, Accion.GESTIONAR_STAFF,
        Accion.VER_ALERTAS, Accion.ATENDER_PQRS, Accion.SEGUIR_PQRS, Accion.VER_CALIDAD,
        Accion.DESCARGAR_BASES, Accion.VER_SENSIBLES, Accion.VER_CIERRES, Accion.CERRAR_MES,
        Accion.VER_DUPLICADOS, Accion.FUSIONAR_PARTICIPANTES,
        Accion.VER_CONVENIOS,
        Accion.VER_INFORMES, Accion.GENERAR_INFORMES,
        Accion.RESPONDER_DPS,
    }),
    "supervisor": frozenset({Accion.VER, Accion.REVISAR_VERIFICADORES, Accion.VER_ALERTAS,
                             Accion.SEGUIR_PQRS, Accion.VERIFICAR_ENTREGAS, Accion.VER_CALIDAD,
                             Accion.DESCARGAR_BASES, Accion.VER_SENSIBLES, Accion.VER_CIERRES,
                             Accion.REVISAR_CIERRES, Accion.AUDITAR_MUESTRAS,
                             Accion.VER_AUDITORIA, Accion.VER_CONVENIOS, Accion.VER_DUPLICADOS,
                             Accion.VER_INFORMES}),
    "admin": frozenset(Accion),
}


def is_centre_bound(staff) -> bool:
    return staff.rol in ROLES_CON_CENTRO


def centre_scope(staff) -> int | None:
    """The only centre the caller may see, or None when it sees every centre."""
    return staff.centro_id if is_centre_bound(staff) else None


def can_see_centro(staff, centro_id: int | None) -> bool:
    return not is_centre_bound(staff) or centro_id == staff.centro_id


def may(staff, accion: Accion) -> bool:
    return accion in PERMISOS.get(staff.rol, frozenset())


def ensure(staff, accion: Accion, centro_id: int | None = None, *, entidad: str | None = None,
           entidad_id: int | None = None) -> None:
    """Raise NotFound for a centre the caller cannot see, Forbidden for a role that may not act."""
    if centro_id is not None and not can_see_centro(staff, centro_id):
        audit.record_now("denegado", actor=staff, entidad=entidad, entidad_id=entidad_id,
                         centro_id=centro_id, detalle=f"{accion}: otro centro")
        raise NotFound()
    if not may(staff, accion):
        audit.record_now("denegado", actor=staff, entidad=entidad, entidad_id=entidad_id,
                         centro_id=centro_id, detalle=f"{accion}: rol {staff.rol}")
        raise Forbidden()


def centro_for_write(staff, requested: int | str | None, accion: Accion) -> int:
    """The centre a new record goes to: a client's centro_id never widens the caller's reach."""
    if requested in (None, ""):
        if is_centre_bound(staff):
            ensure(staff, accion, staff.centro_id)
            return staff.centro_id
        ensure(staff, accion)
        raise ValidationFailed({"centro_id": "Seleccione el centro."})
    try:
        centro_id = int(requested)
    except (TypeError, ValueError):
        raise ValidationFailed({"centro_id": "El centro no es válido."}) from None
    if is_centre_bound(staff) and centro_id != staff.centro_id:
        ensure(staff, accion)
        raise ValidationFailed({"centro_id": "Solo puede registrar en su propio centro."})
    ensure(staff, accion, centro_id)
    if db.session.get(Centro, centro_id) is None:
        raise ValidationFailed({"centro_id": "El centro no existe."})
    return centro_id


def visible_or_404(staff, model, record_id: int, message: str, *, centre_of=None):
    """The record, or NotFound when it does not exist or lies in a centre the caller cannot see."""
    record = db.session.get(model, record_id)
    if record is None:
        _record_hidden(staff, model, record_id)
        raise NotFound(message)
    centro_id = centre_of(record) if centre_of else record.centro_id
    ensure(staff, Accion.VER, centro_id, entidad=model.__tablename__, entidad_id=record.id)
    return record


def _record_hidden(staff, model, record_id: int) -> None:
    """The centre scope hid a record of another centre (a 404 like a missing one): the attempt
    is still recorded as a denied access, as `ensure` records the others."""
    if not is_centre_bound(staff) or "centro_id" not in model.__table__.columns:
        return
    centro_id = db.session.scalar(select(model.centro_id).where(model.id == record_id)
                                  .execution_options(**{ALL_CENTRES_OPTION: True}))
    if centro_id is not None and centro_id != staff.centro_id:
        audit.record_now("denegado", actor=staff, entidad=model.__tablename__,
                         entidad_id=record_id, centro_id=centro_id,
                         detalle=f"{Accion.VER}: otro centro")


def scoped_select(staff, model, centre_column=None):
    """select(model), limited to the caller's centre when it is bound to one."""
    ensure(staff, Accion.VER)
    statement = select(model)
    scope = centre_scope(staff)
    if scope is not None:
        statement = statement.where((centre_column or model.centro_id) == scope)
    return statement
