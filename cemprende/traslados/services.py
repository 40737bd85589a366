"""Transfers: the receiving centre asks for a person registered elsewhere; the origin's director
(or an admin, when the origin has no active director) accepts or refuses with a reason.

Accepted, the person's centre changes; every actuación keeps the centre that recorded it (the
tableros count by recording centre) and the receiving centre reads them, but only annuls its own
(`itinerario.services.annul` checks the actuación's centre). Refused while a seed-capital plan
approved by the origin is not fully delivered.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select

from .. import audit
from ..auth.guards import Accion, centre_scope, centro_for_write, ensure, is_centre_bound
from ..errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario import services as itinerario
from ..locking import lock_participantes
from ..microfinanciamiento.reglas import approval
from ..models import Participante, Staff, Traslado
from ..models.base import utcnow
from ..models.participante import TIPOS_DOCUMENTO
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..scoping import ALL_CENTRES_OPTION
from ..validation import Fields, to_int

ABIERTO = "solicitado"


class CapitalPendiente(DomainError):
    code = "capital_pendiente"


class TrasladoPendiente(Conflict):
    code = "traslado_pendiente"


class TrasladoRespondido(Conflict):
    code = "traslado_respondido"


def _person_for_request(data: dict) -> Participante:
    """The person named by id or by document, across centres (the caller cannot see them yet)."""
    raw_id = data.get("participante_id")
    if raw_id not in (None, ""):
        participante_id = to_int(raw_id)
        person = db.session.get(Participante, participante_id,
                                execution_options={ALL_CENTRES_OPTION: True}) if participante_id else None
        if person is None:
            raise NotFound("No se encontró la persona.")
        return person
    f = Fields(data)
    tipo = f.choice("tipo_documento", TIPOS_DOCUMENTO)
    numero = f.text("numero_documento", max_length=30)
    f.raise_if_errors()
    person = participantes.find_by_document(tipo, participantes.normalise_document(numero))
    if person is None:
        raise ValidationFailed({"numero_documento": "No hay ninguna persona registrada con ese documento."})
    return person


def request_transfer(actor, data: dict) -> Traslado:
    """Staff of the receiving centre ask for the person (by id or by document)."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    destino_id = centro_for_write(actor, data.get("centro_destino_id"), Accion.EDITAR_ITINERARIO)
    f = Fields(data)
    motivo = f.text("motivo", min_length=5, max_length=1000)
    f.raise_if_errors()
    person = _person_for_request(data)
    if person.centro_id == destino_id:
        raise DomainError("La persona ya está registrada en ese centro.",
                          {"centro_destino_id": "Es el centro de la persona."})
    lock_participantes([person.id])
    open_one = db.session.scalar(select(Traslado.id).where(
        Traslado.participante_id == person.id, Traslado.estado == ABIERTO))
    if open_one is not None:
        raise TrasladoPendiente("Ya hay una solicitud de traslado de esta persona esperando respuesta.")
    traslado = Traslado(participante_id=person.id, centro_origen_id=person.centro_id,
                        centro_destino_id=destino_id, motivo=motivo, estado=ABIERTO,
                        solicitado_por_id=actor.id, solicitado_en=utcnow())
    audit.add_audited(traslado, actor=actor, entidad="traslado", centro_id=destino_id,
                      values={"participante_id": person.id, "centro_origen_id": person.centro_id,
                              "centro_destino_id": destino_id, "motivo": motivo})
    # The origin sees the request in its own trail too.
    audit.record("solicitar_traslado", actor=actor, entidad="participante", entidad_id=person.id,
                 centro_id=person.centro_id, detalle=f"Traslado {traslado.id} solicitado")
    return traslado


def get_visible(actor, traslado_id: int) -> Traslado:
    """A transfer of the caller's centre (either side); another one is 404."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    traslado = db.session.get(Traslado, traslado_id)
    scope = centre_scope(actor)
    if traslado is None or (scope is not None and scope not in (traslado.centro_origen_id,
                                                                traslado.centro_destino_id)):
        raise NotFound("No se encontró el traslado.")
    return traslado


def origin_has_director(centro_id: int) -> bool:
    return bool(db.session.scalar(select(func.count(Staff.id)).where(
        Staff.centro_id == centro_id, Staff.rol == "director", Staff.activo.is_(True))))


def may_answer(actor, traslado: Traslado) -> bool:
    if traslado.estado != ABIERTO:
        return False
    if actor.rol == "director":
        return actor.centro_id == traslado.centro_origen_id
    return actor.rol == "admin" and not origin_has_director(traslado.centro_origen_id)


def pending_capital(person: Participante, origen_id: int) -> int | None:
    """What is still to deliver of a seed-capital plan the origin approved (None: nothing)."""
    state = approval(itinerario.whole_itinerary(person.id))
    if state is None or state.comite.centro_id != origen_id:
        return None
    missing = max((state.comite.valor or 0) - state.valor_entregado, 0)
    items_missing = any(item.pendiente for item in state.items.values())
    return missing if (missing or items_missing) else None


def answer(actor, traslado_id: int, data: dict) -> Traslado:
    traslado = get_visible(actor, traslado_id)
    if traslado.estado != ABIERTO:
        raise TrasladoRespondido("Este traslado ya fue respondido.")
    if not may_answer(actor, traslado):
        audit.record_now("denegado", actor=actor, entidad="traslado", entidad_id=traslado_id,
                         centro_id=traslado.centro_origen_id, detalle="responder traslado")
        if actor.rol == "admin":
            raise Forbidden("El centro de origen tiene director(a) activo(a): le corresponde responder.")
        raise Forbidden("Solo el director(a) del centro de origen responde el traslado.")
    f = Fields(data)
    aceptar = f.boolean("aceptar", required=True)
    motivo = f.text("motivo", required=aceptar is False, min_length=5, max_length=1000)
    f.raise_if_errors()
    lock_participantes([traslado.participante_id])
    db.session.refresh(traslado)
    if traslado.estado != ABIERTO:  # another answer committed meanwhile
        raise TrasladoRespondido("Este traslado ya fue respondido.")
    person = db.session.get(Participante, traslado.participante_id,
                            execution_options={ALL_CENTRES_OPTION: True})
    if aceptar:
        if person.centro_id != traslado.centro_origen_id:
            raise DomainError("La persona ya no está en el centro de origen de esta solicitud.")
        pending = pending_capital(person, traslado.centro_origen_id)
        if pending is not None:
            raise CapitalPendiente(
                "No se puede trasladar: el capital semilla aprobado por el centro de origen no se "
                "ha entregado por completo. Complete la entrega antes de aceptar el traslado.")
        audit.update_audited(person, {"centro_id": traslado.centro_destino_id}, actor=actor,
                             entidad="participante", centro_id=traslado.centro_origen_id,
                             extra_after={"traslado_id": traslado.id})
    before = {"estado": traslado.estado}
    traslado.estado = "aceptado" if aceptar else "rechazado"
    traslado.respuesta_motivo = motivo
    traslado.respondido_por_id = actor.id
    traslado.respondido_en = utcnow()
    db.session.flush()
    for centro_id in {traslado.centro_origen_id, traslado.centro_destino_id}:
        audit.record("responder", actor=actor, entidad="traslado", entidad_id=traslado.id,
                     centro_id=centro_id, antes=before,
                     despues={"estado": traslado.estado, "motivo": motivo})
    return traslado


def transfers(actor, *, estado: str | None = None, lado: str | None = None, page: int = 1,
              per_page: int = 25) -> Page:
    """The caller's centre's transfers, both sides (admins: all), open ones and newest first."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    statement = select(Traslado)
    scope = centre_scope(actor)
    if scope is not None:
        sides = {"origen": Traslado.centro_origen_id == scope,
                 "destino": Traslado.centro_destino_id == scope}
        statement = statement.where(sides[lado] if lado in sides else or_(*sides.values()))
    if estado:
        statement = statement.where(Traslado.estado == estado)
    statement = statement.order_by((Traslado.estado != ABIERTO), Traslado.solicitado_en.desc(),
                                   Traslado.id.desc())
    return paginate(statement, page, per_page)


def to_dict(actor, traslado: Traslado) -> dict:
    """What either side may read; the person's name only once the caller may see the person."""
    data = {
        "id": traslado.id, "estado": traslado.estado, "participante_id": traslado.participante_id,
        "centro_origen_id": traslado.centro_origen_id,
        "centro_origen": traslado.centro_origen.nombre,
        "centro_destino_id": traslado.centro_destino_id,
        "centro_destino": traslado.centro_destino.nombre,
        "motivo": traslado.motivo, "respuesta_motivo": traslado.respuesta_motivo,
        "solicitado_en": traslado.solicitado_en.isoformat(),
        "respondido_en": traslado.respondido_en.isoformat() if traslado.respondido_en else None,
        "solicitado_por": traslado.solicitado_por.username,
        "respondido_por": traslado.respondido_por.username if traslado.respondido_por else None,
    }
    return data


def person_label(actor, traslado: Traslado) -> str:
    """The name for whoever may see the person; the document otherwise (which the requester typed)."""
    person = db.session.get(Participante, traslado.participante_id,
                            execution_options={ALL_CENTRES_OPTION: True})
    if not is_centre_bound(actor) or person.centro_id == actor.centro_id:
        return f"{person.nombre_completo} ({person.tipo_documento} {person.numero_documento})"
    return f"{person.tipo_documento} {person.numero_documento}"


