"""Uploading verifier documents: from a person's page or in bulk (loose files or one zip), each
file checked by its content, stored by hash and linked to its participant; a report per file."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, centro_for_write, visible_or_404
from ..errors import Conflict, DomainError, ValidationFailed
from ..extensions import db
from ..models import CargaVerificadores, ComiteSesion, Participante, Verificador
from ..models.base import utcnow
from ..participantes import services as participantes
from . import intake, storage
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


# ---- the acta of a Comité de Asignación session ------------------------------------------------

PREFIJO_ACTA_SESION = "ACA"


class ActaDemasiadoGrande(DomainError):
    status = 413
    code = "demasiado_grande"


class ActaTipoNoPermitido(DomainError):
    status = 422
    code = "tipo_no_permitido"


class ActaDuplicada(Conflict):
    code = "duplicado"


def upload_session_acta(actor, sesion: ComiteSesion,
                        files: list[tuple[str, BinaryIO]]) -> Verificador:
    """The signed acta (ACA) of a committee session: one PDF, JPEG or PNG, checked by its bytes,
    stored once and linked to the session, so it is the evidence of everyone decided in it.

    The caller has found the session and checked that the actor may change its centre.
    """
    if len(files) != 1:
        raise ValidationFailed({"archivo": "Adjunte un solo archivo: el acta firmada de la sesión."})
    nombre, stream = files[0]
    limites = limits()
    data = intake.read_capped(stream, limites.max_archivo)
    if data is None:
        message = f"El acta supera el límite de {limites.max_archivo // intake.MiB} MiB."
        raise ActaDemasiadoGrande(message, {"archivo": message})
    mime, why = intake.content_type(data, None)
    if mime is None:
        raise ActaTipoNoPermitido(why, {"archivo": why})
    digest = hashlib.sha256(data).hexdigest()
    if db.session.scalar(select(Verificador.id).where(
            Verificador.comite_sesion_id == sesion.id, Verificador.sha256 == digest)) is not None:
        message = "Ese mismo archivo ya está guardado como acta de esta sesión."
        raise ActaDuplicada(message, {"archivo": message})
    secuencia = (db.session.scalar(select(func.max(Verificador.secuencia)).where(
        Verificador.comite_sesion_id == sesion.id)) or 0) + 1
    key = storage.storage_key(sesion.centro_id, PREFIJO_ACTA_SESION, digest)
    verificador = Verificador(
        centro_id=sesion.centro_id, participante_id=None, comite_sesion_id=sesion.id,
        prefijo=PREFIJO_ACTA_SESION, secuencia=secuencia,
        nombre_archivo=nombre_canonico(PREFIJO_ACTA_SESION, f"SESION{sesion.id}", secuencia,
                                       EXTENSION_OF[mime]),
        clave=key, sha256=digest, tipo_contenido=mime, tamano=len(data),
        subido_por_id=actor.id, subido_en=utcnow(), estado_revision="pendiente")
    db.session.add(verificador)
    db.session.flush()
    storage.stage(db.session, key, data)
    audit.record("subir", actor=actor, entidad="verificador", entidad_id=verificador.id,
                 centro_id=sesion.centro_id,
                 despues={"comite_sesion_id": sesion.id, "prefijo": PREFIJO_ACTA_SESION,
                          "sha256": digest, "archivo": nombre[:200]})
    return verificador


def get_carga(actor, carga_id: int) -> CargaVerificadores:
    return visible_or_404(actor, CargaVerificadores, carga_id, "No se encontró la carga.")


REPORT_HEADER = ["Archivo", "Resultado", "Motivo", "Documento verificador", "Persona",
                 "Documento de la persona", "N.º de verificador"]


def report(carga: CargaVerificadores) -> list[dict]:
    """Every file of the upload with its result in words, and the person it went to (their names
    read in one query)."""
    ids = {r["participante_id"] for r in carga.resultados if r.get("participante_id")}
    people = {p.id: p for p in db.session.scalars(
        select(Participante).where(Participante.id.in_(ids)))} if ids else {}
    rows = []
    for result in carga.resultados:
        person = people.get(result.get("participante_id"))
        prefijo = PREFIJOS.get(result.get("prefijo") or "")
        rows.append({
            "archivo": result["archivo"], "estado": result["estado"],
            "resultado": ESTADOS_CARGA[result["estado"]], "motivo": result.get("motivo") or "",
            "documento": f"{prefijo.codigo} · {prefijo.documento}" if prefijo else "",
            "persona": person, "verificador_id": result.get("verificador_id"),
        })
    return rows


def report_csv(actor, carga_id: int) -> tuple[CargaVerificadores, list[list]]:
    """The upload report as CSV rows (header first), recorded as an export."""
    carga = get_carga(actor, carga_id)
    rows = [[r["archivo"], r["resultado"], r["motivo"], r["documento"],
             r["persona"].nombre_completo if r["persona"] else "",
             f"{r['persona'].tipo_documento} {r['persona'].numero_documento}" if r["persona"] else "",
             r["verificador_id"] or ""] for r in report(carga)]
    audit.record("exportar", actor=actor, entidad="carga_verificadores", entidad_id=carga.id,
                 centro_id=carga.centro_id, detalle=f"Informe de la carga: {len(rows)} filas")
    return carga, [REPORT_HEADER, *rows]
