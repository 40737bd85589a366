"""Finding and reading verifier documents: one, a person's, a filtered list, the bytes, a thumbnail.

Uploading is in carga.py, the supervisor's review in revision.py, evidence coverage in
cobertura.py.
"""
from __future__ import annotations

import io
from typing import BinaryIO

from flask import current_app
from PIL import Image
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from ..auth.guards import scoped_select, visible_or_404
from ..errors import NotFound
from ..extensions import db
from ..models import Actuacion, ComiteDecision, Verificador
from ..models.verificador import ESTADOS_REVISION
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields
from . import storage
from .prefijos import PREFIJOS

THUMBNAIL_SIZE = (240, 240)


def get_visible(actor, verificador_id: int) -> Verificador:
    return visible_or_404(actor, Verificador, verificador_id, "No se encontró el documento.")


def of_participant(actor, participante_id: int) -> list[Verificador]:
    """The person's documents, and the actas of the committee sessions that decided on them."""
    person = participantes.get_visible(actor, participante_id)
    sessions = (select(ComiteDecision.sesion_id)
                .join(Actuacion, Actuacion.id == ComiteDecision.actuacion_id)
                .where(Actuacion.participante_id == person.id))
    return list(db.session.scalars(
        select(Verificador).where(or_(Verificador.participante_id == person.id,
                                      Verificador.comite_sesion_id.in_(sessions)))
        .order_by(Verificador.prefijo, Verificador.subido_en.desc(), Verificador.id.desc())))


def search(actor, *, centro_id=None, prefijo: str | None = None, estado: str | None = None,
           participante_id=None, page: int = 1, per_page: int = 25) -> Page:
    f = Fields({"centro_id": centro_id, "prefijo": prefijo, "estado_revision": estado,
                "participante_id": participante_id})
    centro = f.integer("centro_id", required=False, minimum=1)
    kind = f.choice("prefijo", PREFIJOS, required=False)
    state = f.choice("estado_revision", ESTADOS_REVISION, required=False)
    person = f.integer("participante_id", required=False, minimum=1)
    f.raise_if_errors()
    statement = scoped_select(actor, Verificador)
    if centro:
        statement = statement.where(Verificador.centro_id == centro)
    if kind:
        statement = statement.where(Verificador.prefijo == kind)
    if state:
        statement = statement.where(Verificador.estado_revision == state)
    if person:
        participantes.get_visible(actor, person)
        statement = statement.where(Verificador.participante_id == person)
    # Oldest first: the review queue is worked through in the order documents arrived.
    statement = statement.order_by(Verificador.subido_en, Verificador.id)
    return paginate(statement, page, per_page)


def rejected_to_replace(actor, per_page: int = 5) -> Page:
    """The documents this person uploaded that a supervisor rejected and that no later upload of
    the same kind for the same participant has replaced yet, newest decision first."""
    replacement = aliased(Verificador)
    replaced = (select(replacement.id).where(
        replacement.participante_id == Verificador.participante_id,
        replacement.prefijo == Verificador.prefijo,
        replacement.estado_revision != "rechazado",
        replacement.subido_en > Verificador.subido_en).exists())
    statement = (scoped_select(actor, Verificador)
                 .where(Verificador.subido_por_id == actor.id,
                        Verificador.estado_revision == "rechazado",
                        Verificador.participante_id.is_not(None), ~replaced)
                 .order_by(Verificador.revisado_en.desc(), Verificador.id.desc()))
    return paginate(statement, 1, per_page)


def open_file(actor, verificador_id: int) -> tuple[Verificador, BinaryIO]:
    verificador = get_visible(actor, verificador_id)
    try:
        return verificador, storage.get_storage().open(verificador.clave)
    except FileNotFoundError:
        current_app.logger.error("Verificador %s sin archivo (%s)", verificador.id, verificador.clave)
        raise NotFound("El archivo de este documento no está en el almacén; avise al administrador.") from None


def thumbnail(actor, verificador_id: int) -> bytes:
    verificador, handle = open_file(actor, verificador_id)
    if not verificador.es_imagen:
        raise NotFound("Este documento no es una imagen.")
    with handle, Image.open(handle) as image:
        image.draft("RGB", THUMBNAIL_SIZE)
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
