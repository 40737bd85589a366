"""Uploading, finding, reading and reviewing verifier documents."""
from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass
from datetime import date
from typing import BinaryIO

from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, scoped_select, visible_or_404
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import CargaVerificadores, Participante, Verificador
from ..models.base import utcnow
from ..models.verificador import ESTADOS_REVISION
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..tableros import services as tableros
from ..validation import Fields, check_version
from . import intake, queries, storage
from .prefijos import PREFIJOS, NombreInvalido, nombre_canonico, parse_nombre

ESTADOS_CARGA = {
    "vinculado": "Vinculado",
    "nombre_invalido": "Nombre inválido",
    "participante_no_encontrado": "Persona no encontrada",
    "tipo_no_permitido": "Tipo no permitido",
    "demasiado_grande": "Demasiado grande",
    "duplicado": "Duplicado",
}
EXTENSION_OF = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
THUMBNAIL_SIZE = (240, 240)


@dataclass
class Resultado:
    archivo: str
    estado: str
    motivo: str | None = None
    verificador_id: int | None = None
    participante_id: int | None = None
    prefijo: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def limits() -> intake.Limites:
    config = current_app.config
    return intake.Limites(
        max_archivo=config["VERIFICADOR_MAX_BYTES"],
        max_entradas_zip=config["VERIFICADOR_ZIP_MAX_ENTRADAS"],
        max_descomprimido_zip=config["VERIFICADOR_ZIP_MAX_BYTES"],
    )


# ---- upload ---------------------------------------------------------------------------------

class _Target:
    """Who a file belongs to: fixed (a participant's page) or read from its name (bulk)."""

    def __init__(self, centro_id: int, person: Participante | None, prefijo: str | None):
        self.centro_id, self.person, self.prefijo = centro_id, person, prefijo
        self._by_document: dict[str, list[Participante]] = {}

    def resolve(self, entrada: intake.Entrada) -> tuple[Participante | None, str, int, str | None, Resultado | None]:
        """(person, prefijo, secuencia, extension from the name) or a refusal."""
        if self.person is not None:
            return self.person, self.prefijo, 0, None, None
        try:
            nombre = parse_nombre(entrada.nombre)
        except NombreInvalido as error:
            return None, "", 0, None, Resultado(entrada.nombre, "nombre_invalido", str(error))
        found = self._people(nombre.documento)
        if len(found) != 1:
            motivo = ("Ninguna persona de su centro tiene ese documento." if not found else
                      "Más de una persona de su centro tiene ese número de documento.")
            return None, nombre.prefijo, 0, None, Resultado(
                entrada.nombre, "participante_no_encontrado", motivo, prefijo=nombre.prefijo)
        return found[0], nombre.prefijo, nombre.secuencia, nombre.extension, None

    def _people(self, documento: str) -> list[Participante]:
        if documento not in self._by_document:
            self._by_document[documento] = list(db.session.scalars(
                select(Participante).where(Participante.centro_id == self.centro_id,
                                           Participante.numero_documento == documento)))
        return self._by_document[documento]


def _target(actor, centro_id, participante_id, prefijo) -> _Target:
    if participante_id is None:
        return _Target(centro_for_write(actor, centro_id, Accion.EDITAR_ITINERARIO), None, None)
    person = participantes.get_editable(actor, participante_id)
    if prefijo not in PREFIJOS:
        raise ValidationFailed({"prefijo": "Elija qué documento es."})
    return _Target(person.centro_id, person, prefijo)


def upload(actor, files: list[tuple[str, BinaryIO]], *, centro_id=None,
           participante_id: int | None = None, prefijo: str | None = None) -> CargaVerificadores:
    """Files (or one zip) into the store, each linked to its participant; a report per file.

    From a participant's page the person and the kind are given; otherwise each file's name
    (PREFIJO_documento[_n].ext) decides them, within the uploader's centre only.
    """
    target = _target(actor, centro_id, participante_id, prefijo)
    if not files:
        raise ValidationFailed({"archivo": "Adjunte al menos un archivo."})
    carga = CargaVerificadores(centro_id=target.centro_id, staff_id=actor.id, total=0,
                               vinculados=0, resultados=[])
    db.session.add(carga)
    db.session.flush()
    batch = _Batch()
    results, stored = [], []
    # One flush at the end instead of one per file; the batch remembers what is not flushed yet.
    with db.session.no_autoflush:
        for entrada in intake.expand(files, limits()):
            result, verificador = _take(actor, target, entrada, carga.id, batch)
            results.append(result)
            if verificador is not None:
                stored.append((result, verificador))
    db.session.flush()
    for result, verificador in stored:
        result.verificador_id = verificador.id
        audit.record("subir", actor=actor, entidad="verificador", entidad_id=verificador.id,
                     centro_id=verificador.centro_id,
                     despues={"participante_id": verificador.participante_id,
                              "prefijo": verificador.prefijo, "sha256": verificador.sha256,
                              "carga_id": carga.id})
    carga.total = len(results)
    carga.vinculados = len(stored)
    carga.resultados = [r.to_dict() for r in results]
    return carga


class _Batch:
    """What this upload has added so far, before it reaches the database."""

    def __init__(self):
        self.contents: set[tuple[int, str]] = set()
        self.sequences: dict[tuple[int, str], int] = {}

    def has(self, person_id: int, digest: str) -> bool:
        return (person_id, digest) in self.contents or _already_stored(person_id, digest)

    def add(self, person_id: int, digest: str) -> None:
        self.contents.add((person_id, digest))

    def next_sequence(self, person_id: int, prefijo: str) -> int:
        key = (person_id, prefijo)
        if key not in self.sequences:
            self.sequences[key] = db.session.scalar(select(func.max(Verificador.secuencia)).where(
                Verificador.participante_id == person_id, Verificador.prefijo == prefijo)) or 0
        self.sequences[key] += 1
        return self.sequences[key]


def _take(actor, target: _Target, entrada: intake.Entrada, carga_id: int,
          batch: _Batch) -> tuple[Resultado, Verificador | None]:
    if entrada.estado:
        return Resultado(entrada.nombre, entrada.estado, entrada.motivo), None
    person, prefijo, secuencia, extension, refusal = target.resolve(entrada)
    if refusal:
        return refusal, None
    mime, why = intake.content_type(entrada.datos, extension)
    if mime is None:
        return Resultado(entrada.nombre, "tipo_no_permitido", why, prefijo=prefijo), None
    digest = hashlib.sha256(entrada.datos).hexdigest()
    if batch.has(person.id, digest):
        return Resultado(entrada.nombre, "duplicado",
                         "Ese mismo contenido ya está guardado para esta persona.",
                         participante_id=person.id, prefijo=prefijo), None
    batch.add(person.id, digest)
    secuencia = secuencia or batch.next_sequence(person.id, prefijo)
    key = storage.storage_key(target.centro_id, prefijo, digest)
    nombre = (entrada.nombre if target.person is None else
              nombre_canonico(prefijo, person.numero_documento, secuencia, EXTENSION_OF[mime]))
    verificador = Verificador(
        centro_id=target.centro_id, participante_id=person.id, prefijo=prefijo,
        secuencia=secuencia, nombre_archivo=nombre[:200], clave=key, sha256=digest,
        tipo_contenido=mime, tamano=len(entrada.datos), subido_por_id=actor.id,
        subido_en=utcnow(), carga_id=carga_id, estado_revision="pendiente")
    db.session.add(verificador)
    storage.stage(db.session, key, entrada.datos)
    return Resultado(entrada.nombre, "vinculado", participante_id=person.id,
                     prefijo=prefijo), verificador


def _already_stored(person_id: int, digest: str) -> bool:
    return db.session.scalar(select(Verificador.id).where(
        Verificador.participante_id == person_id, Verificador.sha256 == digest)) is not None


# ---- reading --------------------------------------------------------------------------------

def get_visible(actor, verificador_id: int) -> Verificador:
    return visible_or_404(actor, Verificador, verificador_id, "No se encontró el documento.")


def get_carga(actor, carga_id: int) -> CargaVerificadores:
    return visible_or_404(actor, CargaVerificadores, carga_id, "No se encontró la carga.")


def of_participant(actor, participante_id: int) -> list[Verificador]:
    person = participantes.get_visible(actor, participante_id)
    return list(db.session.scalars(
        select(Verificador).where(Verificador.participante_id == person.id)
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


# ---- review ---------------------------------------------------------------------------------

def review(actor, verificador_id: int, data: dict) -> Verificador:
    verificador = get_visible(actor, verificador_id)
    ensure(actor, Accion.REVISAR_VERIFICADORES, verificador.centro_id,
           entidad="verificador", entidad_id=verificador.id)
    if data.get("version") not in (None, ""):
        check_version(data, verificador.version)
    f = Fields(data)
    estado = f.choice("estado", {"aprobado": "", "rechazado": ""})
    observacion = f.text("observacion", required=estado == "rechazado", max_length=1000)
    if estado == "rechazado" and "observacion" in f.errors:
        f.errors["observacion"] = "Escriba el motivo del rechazo: el centro lo verá para corregirlo."
    f.raise_if_errors()
    return audit.update_audited(
        verificador,
        {"estado_revision": estado, "observacion": observacion, "revisado_por_id": actor.id,
         "revisado_en": utcnow()},
        actor=actor, entidad="verificador", centro_id=verificador.centro_id)


def prefijo_choices() -> dict[str, str]:
    return {code: f"{code} — {p.documento}" for code, p in PREFIJOS.items()}



# ---- evidence coverage ----------------------------------------------------------------------

@dataclass
class Cobertura:
    centro_id: int | None
    desde: date
    hasta: date
    filas: list[queries.FilaCobertura]

    @property
    def por_tipo(self) -> list[queries.FilaCobertura]:
        """The network's (or the centre's) rows, one per kind, in the convention's order."""
        totals: dict[str, queries.FilaCobertura] = {}
        for fila in self.filas:
            total = totals.setdefault(fila.tipo, queries.FilaCobertura(
                self.centro_id or 0, fila.tipo, fila.prefijo, 0, 0, 0))
            total.actuaciones += fila.actuaciones
            total.con_documento += fila.con_documento
            total.aprobados += fila.aprobados
        order = list(PREFIJOS)
        return sorted(totals.values(), key=lambda f: order.index(f.prefijo))

    def to_dict(self) -> dict:
        return {
            "centro_id": self.centro_id, "desde": self.desde.isoformat(),
            "hasta": self.hasta.isoformat(),
            "filas": [{"tipo": f.tipo, "prefijo": f.prefijo, "actuaciones": f.actuaciones,
                       "con_documento": f.con_documento, "aprobados": f.aprobados,
                       "faltantes": f.faltantes} for f in self.por_tipo],
        }


def coverage(actor, args: dict) -> Cobertura:
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    rows = db.session.execute(queries.summary_statement(centro_id, desde, hasta)).all()
    filas = [queries.FilaCobertura(r.centro_id, r.tipo, r.prefijo, r.actuaciones,
                                   r.con_documento or 0, r.aprobados or 0) for r in rows]
    return Cobertura(centro_id, desde, hasta, filas)


def missing(actor, args: dict, page: int = 1, per_page: int = 25) -> Page:
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    f = Fields(args)
    prefijo = f.choice("prefijo", PREFIJOS, required=False)
    f.raise_if_errors()
    statement = queries.missing_statement(centro_id, None, desde, hasta, prefijo)
    return paginate(statement, page, per_page, rows=True)


def missing_rows(actor, args: dict):
    """Every missing document of the period, for the CSV (streamed, not paginated)."""
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    f = Fields(args)
    prefijo = f.choice("prefijo", PREFIJOS, required=False)
    f.raise_if_errors()
    return db.session.execute(queries.missing_statement(centro_id, None, desde, hasta, prefijo))


def missing_of_advisor(actor, page: int = 1, per_page: int = 5) -> Page:
    """What this advisor recorded (or registered) that still lacks its document, oldest first."""
    ensure(actor, Accion.VER)
    statement = queries.missing_statement(actor.centro_id, None, None, None, asesor_id=actor.id)
    return paginate(statement, page, per_page, rows=True)


def missing_for_participant(person: Participante) -> dict[int | str, str]:
    """{actuacion_id or "registro": prefijo} for what this person's itinerary still lacks."""
    rows = db.session.execute(queries.missing_statement(None, person.id, None, None)).all()
    return {(r.actuacion_id if r.actuacion_id is not None else queries.REGISTRO): r.prefijo
            for r in rows}
