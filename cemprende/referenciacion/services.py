"""Referenciación: each centre's directory of programmes, referring a person, following it up.

The referral itself is a `referenciacion` actuación (what the tablero counts, once, as
INDICADORES.md says); the follow-up (accepted, rejected, attended, next follow-up date) lives
beside it and counts nowhere.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import Conflict
from ..extensions import db
from ..itinerario import services as itinerario
from ..itinerario.tipos import DESTINOS_REFERENCIACION, Tipo
from ..models import Actuacion, Participante, ProgramaReferencia, Referencia
from ..models.actuacion import vigentes
from ..models.base import utcnow
from ..models.referencia import ABIERTOS, ESTADOS_REFERENCIA, TRANSICIONES
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields, check_version
from ..itinerario.dia import today_bogota

DEFAULT_FOLLOW_UP_DAYS = 15


# ---- the directory ---------------------------------------------------------------------------

def _programa_fields(data: dict, partial: bool = False) -> dict:
    f = Fields(data)
    for name, required, length in (("nombre", True, 150), ("entidad", True, 150),
                                   ("contacto", False, 200), ("notas", False, 2000)):
        if not partial or f.present(name):
            f.text(name, required=required, max_length=length)
    if not partial or f.present("categoria"):
        f.choice("categoria", DESTINOS_REFERENCIACION)
    if f.present("activo"):
        f.boolean("activo")
    f.raise_if_errors()
    return f.clean


def _refuse_duplicate_name(centro_id: int, nombre: str, except_id: int | None = None) -> None:
    existing = db.session.scalar(select(ProgramaReferencia.id).where(
        ProgramaReferencia.centro_id == centro_id, ProgramaReferencia.nombre == nombre))
    if existing is not None and existing != except_id:
        raise Conflict("Ya existe un programa con ese nombre en el directorio del centro.",
                       {"nombre": "Nombre repetido."})


def create_programa(actor, data: dict) -> ProgramaReferencia:
    centro_id = centro_for_write(actor, data.get("centro_id"), Accion.EDITAR_ITINERARIO)
    values = _programa_fields(data)
    values.setdefault("activo", True)
    if values["activo"] is None:
        values["activo"] = True
    _refuse_duplicate_name(centro_id, values["nombre"])
    programa = ProgramaReferencia(**values, centro_id=centro_id, creado_en=utcnow())
    return audit.add_audited(programa, actor=actor, entidad="programa_referencia",
                             centro_id=centro_id, values=values)


def get_programa(actor, programa_id: int) -> ProgramaReferencia:
    return visible_or_404(actor, ProgramaReferencia, programa_id, "No se encontró el programa.")


def update_programa(actor, programa_id: int, data: dict) -> ProgramaReferencia:
    programa = get_programa(actor, programa_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, programa.centro_id)
    check_version(data, programa.version)
    values = _programa_fields(data, partial=True)
    if values.get("activo") is None:
        values.pop("activo", None)
    if "nombre" in values:
        _refuse_duplicate_name(programa.centro_id, values["nombre"], programa.id)
    return audit.update_audited(programa, values, actor=actor, entidad="programa_referencia",
                                centro_id=programa.centro_id)


def programas(actor, *, q: str | None = None, categoria: str | None = None,
              solo_activos: bool = False, centro_id: int | None = None, page: int = 1,
              per_page: int = 25) -> Page:
    statement = scoped_select(actor, ProgramaReferencia)
    if centro_id:
        statement = statement.where(ProgramaReferencia.centro_id == centro_id)
    if q and q.strip():
        term = q.strip()
        statement = statement.where(ProgramaReferencia.nombre.icontains(term, autoescape=True)
                                    | ProgramaReferencia.entidad.icontains(term, autoescape=True))
    if categoria in DESTINOS_REFERENCIACION:
        statement = statement.where(ProgramaReferencia.categoria == categoria)
    if solo_activos:
        statement = statement.where(ProgramaReferencia.activo.is_(True))
    statement = statement.order_by(ProgramaReferencia.activo.desc(), ProgramaReferencia.nombre)
    return paginate(statement, page, per_page)


def active_programas(centro_id: int) -> list[ProgramaReferencia]:
    return list(db.session.scalars(select(ProgramaReferencia).where(
        ProgramaReferencia.centro_id == centro_id, ProgramaReferencia.activo.is_(True))
        .order_by(ProgramaReferencia.nombre)))


# ---- referring and following up --------------------------------------------------------------

def refer(actor, participante_id: int, data: dict, today: date | None = None) -> Referencia:
    """Records the referenciacion actuación and opens its follow-up, in one transaction."""
    today = today or today_bogota()
    person = participantes.get_editable(actor, participante_id)
    f = Fields(data)
    programa_id = f.integer("programa_id", minimum=1)
    fecha = f.date("fecha", not_future=True, today=today)
    seguimiento = f.date("fecha_seguimiento", required=False)
    notas = f.text("notas", required=False, max_length=2000)
    programa = db.session.get(ProgramaReferencia, programa_id) if programa_id else None
    if programa_id and (programa is None or programa.centro_id != person.centro_id
                        or not programa.activo):
        f.fail("programa_id", "Elija un programa activo del directorio del centro.")
    if fecha and seguimiento and seguimiento < fecha:
        f.fail("fecha_seguimiento", "El seguimiento no puede ser antes de la referenciación.")
    f.raise_if_errors()
    actuacion = itinerario.register(actor, person.id, {
        "tipo": Tipo.REFERENCIACION, "fecha": fecha.isoformat(), "destino": programa.categoria,
        "programa": programa.nombre}, today=today)
    referencia = Referencia(
        centro_id=person.centro_id, actuacion_id=actuacion.id, participante_id=person.id,
        programa_id=programa.id, estado="enviada",
        fecha_seguimiento=seguimiento or fecha + timedelta(days=DEFAULT_FOLLOW_UP_DAYS),
        notas=notas, actualizado_en=utcnow(), actualizado_por_id=actor.id)
    return audit.add_audited(referencia, actor=actor, entidad="referencia",
                             centro_id=person.centro_id,
                             values={"programa_id": programa.id, "estado": "enviada",
                                     "fecha_seguimiento": referencia.fecha_seguimiento})


def get_referencia(actor, referencia_id: int) -> Referencia:
    return visible_or_404(actor, Referencia, referencia_id, "No se encontró la referenciación.")


def follow_up(actor, referencia_id: int, data: dict) -> Referencia:
    """A new state (only forward: enviada → aceptada/rechazada, aceptada → atendida/rechazada),
    the next follow-up date and notes."""
    referencia = get_referencia(actor, referencia_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, referencia.centro_id)
    check_version(data, referencia.version)
    if referencia.actuacion.anulada:
        raise Conflict("La referenciación fue anulada; ya no tiene seguimiento.")
    f = Fields(data)
    estado = f.choice("estado", ESTADOS_REFERENCIA, required=False) or referencia.estado
    seguimiento = f.date("fecha_seguimiento", required=False)
    notas = f.text("notas", required=False, max_length=2000)
    if estado != referencia.estado and estado not in TRANSICIONES[referencia.estado]:
        allowed = ", ".join(ESTADOS_REFERENCIA[e].lower() for e in TRANSICIONES[referencia.estado])
        f.fail("estado", f"Desde «{ESTADOS_REFERENCIA[referencia.estado].lower()}» solo puede pasar a: "
                         f"{allowed or 'ningún otro estado (está cerrada)'}.")
    if seguimiento and seguimiento < referencia.actuacion.fecha:
        f.fail("fecha_seguimiento", "El seguimiento no puede ser antes de la referenciación.")
    f.raise_if_errors()
    values = {"estado": estado, "actualizado_por_id": actor.id, "actualizado_en": utcnow()}
    if seguimiento:
        values["fecha_seguimiento"] = seguimiento
    if notas is not None:
        values["notas"] = notas
    return audit.update_audited(referencia, values, actor=actor, entidad="referencia",
                                centro_id=referencia.centro_id)


def referencias(actor, *, q: str | None = None, estado: str | None = None,
                vencidas_al: date | None = None, participante_id: int | None = None,
                asesor_id: int | None = None, page: int = 1, per_page: int = 25) -> Page:
    """Referrals the caller may see; `vencidas_al`: the open ones whose follow-up date has passed."""
    statement = (scoped_select(actor, Referencia).join(Referencia.actuacion)
                 .where(vigentes()))
    if estado in ESTADOS_REFERENCIA:
        statement = statement.where(Referencia.estado == estado)
    if vencidas_al:
        statement = statement.where(Referencia.estado.in_(ABIERTOS),
                                    Referencia.fecha_seguimiento < vencidas_al)
        statement = statement.order_by(Referencia.fecha_seguimiento, Referencia.id)
    else:
        statement = statement.order_by(Actuacion.fecha.desc(), Referencia.id.desc())
    if participante_id:
        statement = statement.where(Referencia.participante_id == participante_id)
    if asesor_id:  # the referrals this advisor made
        statement = statement.where(Actuacion.asesor_id == asesor_id)
    if q and q.strip():
        statement = statement.where(Referencia.participante_id.in_(
            select(Participante.id).where(participantes.matches(q))))
    return paginate(statement, page, per_page)


def parse_list_args(args: dict, today: date) -> dict:
    f = Fields(args)
    estado = f.choice("estado", ESTADOS_REFERENCIA, required=False)
    vencidas = f.boolean("vencidas")
    person = f.integer("participante_id", required=False, minimum=1)
    f.raise_if_errors()
    return {"estado": estado, "vencidas_al": today if vencidas else None, "participante_id": person,
            "q": args.get("q")}


def of_participant(person) -> list[Referencia]:
    return list(db.session.scalars(select(Referencia).where(Referencia.participante_id == person.id)
                                   .order_by(Referencia.id.desc())))

