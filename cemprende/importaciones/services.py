"""Importing DPS remission lists (API.md "Importaciones").

An upload is read whole and refused at once when it cannot be (`lectura`); otherwise it is kept by
content hash and a background job (`run`, through `cemprende.jobs`) judges every row and, when
asked to apply, writes in chunks: each chunk finds or creates its people (registration's own
checks, `participantes.services`) and records one `remision_dps` per valid row through the batch
form of the gate (`itinerario.services.register_many`), then commits, so advisors' saves keep
answering. A remission's key is (documento, programa, fecha_remision): rows already recorded change
nothing, which makes an interrupted apply safe to run again.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, text, update

from .. import audit, jobs
from ..auth.guards import Accion, centro_for_write, ensure, visible_or_404
from ..errors import Conflict, DomainError, ValidationFailed
from ..extensions import db
from ..itinerario import reglas
from ..itinerario import services as itinerario
from ..itinerario.dia import today_bogota
from ..formatting import fecha as fecha_texto
from ..itinerario.tipos import Tipo
from ..locking import insert_rows
from ..membership import among
from ..models import Actuacion, Centro, Importacion, ImportacionFila, Participante, Staff
from ..models.importacion import cuentas
from ..models.actuacion import vigentes
from ..models.base import utcnow
from ..models.importacion import TIPOS_IMPORTACION
from ..participantes import services as participantes
from ..scoping import ALL_CENTRES_OPTION
from . import archivo, lectura, legado, mapeo, queries

JOB = "cemprende.importaciones.services:run"
FORMULA_STARTS = ("=", "+", "-", "@")
EARLIEST_REMISION = date(2000, 1, 1)
PREVIEW_CHUNK = 5000
PERSON_FIELDS = ("tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento",
                 "sexo", "municipio", "telefono")
COMPARED = ("nombres", "apellidos", "fecha_nacimiento", "sexo", "municipio", "telefono")
ETIQUETAS = {
    "tipo_documento": "tipo de documento", "numero_documento": "número de documento",
    "nombres": "nombres", "apellidos": "apellidos", "fecha_nacimiento": "fecha de nacimiento",
    "sexo": "sexo", "municipio": "municipio", "telefono": "teléfono",
    "programa_dps": "programa DPS", "fecha_remision": "fecha de remisión",
    "ciudad_centro": "ciudad del centro",
}


class ImportacionOcupada(Conflict):
    code = "importacion_en_curso"


# ---- the request side ---------------------------------------------------------------------------

def upload(actor, nombre_archivo: str, stream, *, tipo: str | None, aplicar, centro_id=None,
           mapeo_stream=None, autorizacion_datos=None) -> Importacion:
    """Reads and checks the file (refused at once when unreadable), keeps it and starts the job.
    A legacy base (`legado`) comes with its column mapping (`mapeo_stream`, JSON) and, unless the
    mapping names a consent column, the importer's declaration that the base has the people's
    data authorisation (`autorizacion_datos`)."""
    centro_id = centro_for_write(actor, centro_id, Accion.EDITAR_ITINERARIO)
    if tipo not in TIPOS_IMPORTACION:
        raise ValidationFailed({"tipo": "Elija el tipo: remision_dps o legado."})
    aplicar = _flag(aplicar)
    autorizacion = _flag(autorizacion_datos, "autorizacion_datos")
    mapeo_legado = None
    if tipo == "legado":
        if mapeo_stream is None:
            raise lectura.ArchivoRechazado(
                "Adjunte el archivo de mapeo de columnas (JSON) en la parte «mapeo».", 400,
                "mapeo_invalido")
        mapeo_legado = mapeo.read(mapeo_stream.read(mapeo.MAX_BYTES + 1))
        if mapeo_legado.clave("consentimiento") is None and not autorizacion:
            raise ValidationFailed({"autorizacion_datos": (
                "Declare que las personas de la base autorizaron el tratamiento de sus datos "
                "(Ley 1581 de 2012), o indique en el mapeo la columna «consentimiento».")})
    limit = current_app.config["IMPORTACION_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise lectura.ArchivoRechazado(
            f"El archivo pasa de {limit // (1024 * 1024)} MB.", 413, "demasiado_grande")
    max_rows = current_app.config["IMPORTACION_MAX_FILAS"]
    tabla = (legado.read(data, mapeo_legado, max_rows) if mapeo_legado is not None
             else lectura.read(data, max_rows=max_rows))
    sha256 = hashlib.sha256(data).hexdigest()
    nombre = (nombre_archivo or "archivo")[-255:]
    opciones = ({"mapeo": mapeo_legado.as_json(), "autorizacion_datos": autorizacion}
                if mapeo_legado is not None else {})
    reused = _resumable(centro_id, tipo, sha256, opciones) if aplicar else None
    if reused is not None:
        return _queue_apply(actor, reused, accion="aplicar")
    _refuse_if_running(centro_id, sha256)
    importacion = Importacion(
        centro_id=centro_id, tipo=tipo, staff_id=actor.id, nombre_archivo=nombre, sha256=sha256,
        tamano=len(data), estado="en_cola", aplicar=aplicar, filas=len(tabla.filas),
        creado_en=utcnow(), **opciones)
    db.session.add(importacion)
    db.session.flush()
    archivo.stage(db.session, sha256, data)
    audit.record("importar", actor=actor, entidad="importacion", entidad_id=importacion.id,
                 centro_id=centro_id, despues={"tipo": tipo, "formato": tabla.formato,
                                               "filas": len(tabla.filas), "aplicar": aplicar,
                                               "tamano": len(data),
                                               **_audited(opciones)})
    jobs.submit(JOB, importacion.id)
    return importacion


def _audited(opciones: dict) -> dict:
    """What the audit keeps of a legacy base's options: the mapping's name and fields, the
    declaration."""
    if not opciones:
        return {}
    return {"mapeo": {"nombre": opciones["mapeo"]["nombre"],
                      "campos": sorted(opciones["mapeo"]["columnas"])},
            "autorizacion_datos": opciones["autorizacion_datos"]}


def list_for(actor, page: int = 1, per_page: int = 25):
    """The caller's centre's imports (PNUD supervisors do not import: 403)."""
    ensure(actor, Accion.EDITAR_ITINERARIO)
    return queries.list_for(actor, page, per_page)


def upload_allowed(actor, centro_id=None) -> int:
    """The centre an upload would go to, or the caller's refusal (403 a role, 404 a centre)."""
    return centro_for_write(actor, centro_id, Accion.EDITAR_ITINERARIO)


def apply(actor, importacion_id: int) -> Importacion:
    """Applies an import already read (its preview, or one that was interrupted)."""
    importacion = get_visible(actor, importacion_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, importacion.centro_id)
    return _queue_apply(actor, importacion, accion="aplicar")


def _queue_apply(actor, importacion: Importacion, *, accion: str) -> Importacion:
    _lock(importacion)
    if importacion.aplicada:
        raise Conflict("Esta importación ya fue aplicada.")
    if estado_visible(importacion) in ("en_cola", "procesando"):
        raise ImportacionOcupada("Esta importación se está procesando; espere a que termine.")
    if not archivo.exists(importacion.sha256):
        raise Conflict("El archivo de esta importación ya no está guardado; súbalo de nuevo.")
    _refuse_if_running(importacion.centro_id, importacion.sha256, except_id=importacion.id)
    importacion.aplicar = True
    importacion.estado = "en_cola"
    importacion.mensaje = None
    audit.record(accion, actor=actor, entidad="importacion", entidad_id=importacion.id,
                 centro_id=importacion.centro_id, despues={"aplicar": True})
    jobs.submit(JOB, importacion.id)
    return importacion


def _lock(importacion: Importacion) -> None:
    """Two requests applying the same import: the second waits, then sees the first's state."""
    db.session.execute(update(Importacion).where(Importacion.id == importacion.id)
                       .values(id=Importacion.id))
    db.session.refresh(importacion)


def _resumable(centro_id: int, tipo: str, sha256: str, opciones: dict | None = None
               ) -> Importacion | None:
    """The centre's import of the same file not applied yet (its preview, or an interrupted
    apply): applying the same file again completes that one (a legacy base: with the same
    mapping and declaration)."""
    candidates = db.session.scalars(
        select(Importacion).where(Importacion.centro_id == centro_id, Importacion.tipo == tipo,
                                  Importacion.sha256 == sha256, Importacion.aplicada.is_(False))
        .order_by(Importacion.id.desc()))
    for candidate in candidates:
        if opciones and (candidate.mapeo != opciones["mapeo"]
                         or candidate.autorizacion_datos != opciones["autorizacion_datos"]):
            continue
        if estado_visible(candidate) in ("terminada", "interrumpida", "fallida"):
            return candidate
    return None


def _refuse_if_running(centro_id: int, sha256: str, except_id: int | None = None) -> None:
    running = db.session.scalars(
        select(Importacion).where(Importacion.centro_id == centro_id,
                                  Importacion.sha256 == sha256, Importacion.aplicar.is_(True),
                                  Importacion.estado.in_(("en_cola", "procesando")),
                                  Importacion.id != (except_id or 0)))
    if any(estado_visible(i) in ("en_cola", "procesando") for i in running):
        raise ImportacionOcupada("Este mismo archivo se está aplicando; espere a que termine.")


def _flag(value, name: str = "aplicar") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "si", "sí", "on", "y"):
        return True
    raise ValidationFailed({name: "Use true o false."})


def get_visible(actor, importacion_id: int) -> Importacion:
    importacion = visible_or_404(actor, Importacion, importacion_id,
                                 "No se encontró la importación.")
    ensure(actor, Accion.EDITAR_ITINERARIO, importacion.centro_id)
    if estado_visible(importacion) != importacion.estado:
        importacion.estado = "interrumpida"
    return importacion


def estado_visible(importacion: Importacion) -> str:
    """`procesando` whose job gave no sign of life for too long is `interrumpida` (its worker
    died: a killed process, a restarted server)."""
    if importacion.estado != "procesando":
        return importacion.estado
    limit = timedelta(seconds=current_app.config["IMPORTACION_LATIDO_SEGUNDOS"])
    last = importacion.latido or importacion.iniciado_en or importacion.creado_en
    return "interrumpida" if utcnow() - last > limit else "procesando"


def report(importacion: Importacion) -> dict:
    """API.md's report: counts, every error row and every aviso."""
    errores, avisos = [], []
    for fila in db.session.scalars(
            select(ImportacionFila).where(ImportacionFila.importacion_id == importacion.id,
                                          (ImportacionFila.veredicto.in_(("error", "otro_centro")))
                                          | ImportacionFila.avisos.is_not(None))
            .order_by(ImportacionFila.fila)):
        errores += [{"fila": fila.fila, **e} for e in fila.errores or []]
        avisos += [{"fila": fila.fila, **a} for a in fila.avisos or []]
    return {**summary(importacion), "errores": errores, "avisos": avisos}


def summary(importacion: Importacion) -> dict:
    legacy = ({"mapeo": importacion.mapeo, "autorizacion_datos": importacion.autorizacion_datos}
              if importacion.tipo == "legado" else {})
    return {**legacy,
        "id": importacion.id, "tipo": importacion.tipo, "estado": estado_visible(importacion),
        "filas": importacion.filas, "procesadas": importacion.procesadas,
        "validas": importacion.validas, "nuevas": importacion.nuevas,
        "existentes": importacion.existentes, "personas_nuevas": importacion.personas_nuevas,
        "con_error": importacion.con_error, "con_aviso": importacion.con_aviso,
        "aplicar": importacion.aplicar, "aplicada": importacion.aplicada,
        "centro_id": importacion.centro_id, "archivo": importacion.nombre_archivo,
        "creado_en": importacion.creado_en.isoformat(), "mensaje": importacion.mensaje,
    }


def error_rows(actor, importacion: Importacion) -> list[list]:
    """The rows of errores.csv (the caller audits the export)."""
    rows = [["Fila", "Campo", "Mensaje", "Tipo de documento", "Número de documento", "Nombre"]]
    legacy = importacion.tipo == "legado"
    if legacy:  # which rule refused the row, and the actuación it brought
        rows[0] += ["Regla", "Actuación", "Fecha"]
    for fila in db.session.scalars(
            select(ImportacionFila).where(ImportacionFila.importacion_id == importacion.id,
                                          ImportacionFila.veredicto.in_(("error", "otro_centro")))
            .order_by(ImportacionFila.fila)):
        for error in fila.errores or []:
            rows.append([fila.fila, error["campo"], error["mensaje"], fila.tipo_documento,
                         fila.numero_documento, fila.nombre])
            if legacy:
                rows[-1] += [error.get("codigo") or "", fila.tipo_actuacion or "",
                             fecha_texto(fila.fecha) if fila.fecha else ""]
    audit.record("exportar", actor=actor, entidad="importacion", entidad_id=importacion.id,
                 centro_id=importacion.centro_id, detalle=f"errores.csv: {len(rows) - 1} filas")
    return rows


# ---- judging rows -------------------------------------------------------------------------------

@dataclass
class Juicio:
    fila: int
    values: dict = field(default_factory=dict)  # the person's fields, checked and normalised
    programa: str | None = None
    fecha_remision: date | None = None
    key: tuple[str, str] | None = None  # (tipo_documento, numero_documento), normalised
    nombre: str | None = None
    errores: list[dict] = field(default_factory=list)
    avisos: list[dict] = field(default_factory=list)
    veredicto: str = "error"
    persona: Participante | None = None  # while its chunk is judged and written
    participante_id: int | None = None  # kept once the chunk is committed

    def error(self, campo: str, mensaje: str) -> None:
        self.errores.append({"campo": campo, "mensaje": mensaje})


@functools.lru_cache(maxsize=4096)  # a file repeats its few cities
def _plain(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def judge_file(filas: list[dict[str, str]], centro: Centro, today: date) -> list[Juicio]:
    """Every check a row can fail on its own or against the rest of the file (nothing read from
    the database): formulas, fields as registration checks them, dates, the centre's city, a
    document repeated inside the file."""
    ciudad = _plain(centro.ciudad)
    check = participantes.field_checker(PERSON_FIELDS, today)
    juicios = [_judge_row(number, row, ciudad, today, check)
               for number, row in enumerate(filas, start=2)]
    seen = Counter(j.key for j in juicios if j.key)
    lines: dict[tuple[str, str], list[int]] = {}
    for j in juicios:
        if j.key and seen[j.key] > 1:
            lines.setdefault(j.key, []).append(j.fila)
    for j in juicios:
        if j.key in lines:
            others = ", ".join(str(n) for n in lines[j.key])
            j.error("numero_documento",
                    f"El documento aparece {seen[j.key]} veces en el archivo (filas {others}).")
    return juicios


def _judge_row(number: int, row: dict[str, str], ciudad: str, today: date, check=None
               ) -> Juicio:
    j = Juicio(fila=number)
    j.nombre = f"{row.get('nombres', '')} {row.get('apellidos', '')}".strip()[:210] or None
    for campo, value in row.items():
        if value.startswith(FORMULA_STARTS) and campo in ETIQUETAS:
            j.error(campo, f"La celda de {ETIQUETAS[campo]} empieza con «{value[0]}» (se leería "
                           "como fórmula); corríjala en el archivo.")
    if j.errores:
        j.key = _key(row)
        return j
    if _plain(row.get("ciudad_centro")) != ciudad:
        j.error("ciudad_centro", f"La ciudad del centro es «{row.get('ciudad_centro') or '(vacía)'}», "
                                 "no la de este centro.")
    data = {name: row.get(name) or None for name in PERSON_FIELDS}
    data["tipo_documento"] = (data["tipo_documento"] or "").upper() or None
    data["sexo"] = (data["sexo"] or "").upper() or None
    if data["fecha_nacimiento"]:
        born = lectura.parse_fecha(data["fecha_nacimiento"])
        if born is None:
            j.error("fecha_nacimiento", "Fecha no válida: use DD/MM/AAAA o AAAA-MM-DD.")
        data["fecha_nacimiento"] = born
    try:
        j.values = (check or (lambda d: participantes.check_fields(d, today)))(data)
    except ValidationFailed as error:
        for campo, mensaje in error.fields.items():
            if not (campo == "fecha_nacimiento" and data["fecha_nacimiento"] is None
                    and row.get("fecha_nacimiento")):
                j.error(campo, mensaje)
    j.key = _key(row)
    programa = (row.get("programa_dps") or "").strip()
    if not programa:
        j.error("programa_dps", "Indique el programa DPS que remitió a la persona.")
    elif len(programa) > 120:
        j.error("programa_dps", "El programa DPS admite hasta 120 caracteres.")
    else:
        j.programa = programa
    fecha = lectura.parse_fecha(row.get("fecha_remision", ""))
    if fecha is None:
        j.error("fecha_remision", "Fecha no válida: use DD/MM/AAAA o AAAA-MM-DD.")
    elif fecha > today:
        j.error("fecha_remision", f"La fecha de remisión ({fecha:%d/%m/%Y}) es posterior a hoy.")
    elif fecha < EARLIEST_REMISION:
        j.error("fecha_remision", f"La fecha no puede ser anterior a {EARLIEST_REMISION:%d/%m/%Y}.")
    else:
        j.fecha_remision = fecha
    return j


def _key(row: dict[str, str]) -> tuple[str, str] | None:
    tipo = (row.get("tipo_documento") or "").strip().upper()
    numero = participantes.normalise_document(row.get("numero_documento") or "")
    return (tipo, numero) if tipo and numero else None


def classify(centro_id: int, juicios: list[Juicio], *, for_writing: bool = False) -> None:
    """Against the database, once for the whole chunk: the people the rows name (every centre)
    and the remissions already recorded for them. Judging only (the preview, and the first look
    of an apply) reads the people's columns as plain rows; `for_writing` loads them as objects,
    which the gate needs for the rows it writes."""
    valid = [j for j in juicios if not j.errores]
    keys = {j.key for j in valid}
    people = (participantes.find_by_documents(keys) if for_writing else _people_rows(keys))
    recorded = recorded_remissions({p.id for p in people.values() if p.centro_id == centro_id})
    nombres_centros = {}
    for j in juicios:
        if j.errores:
            j.veredicto = "error"
            continue
        person = people.get(j.key)
        j.persona, j.avisos = (person if for_writing else None), []
        j.participante_id = person.id if person is not None else None
        if person is None:
            j.veredicto = "nueva"
        elif person.centro_id != centro_id:
            if person.centro_id not in nombres_centros:
                nombres_centros[person.centro_id] = db.session.get(Centro, person.centro_id).nombre
            j.veredicto = "otro_centro"
            j.error("numero_documento",
                    f"La persona está registrada en {nombres_centros[person.centro_id]}; una "
                    "importación no la traslada (solicite el traslado a ese centro).")
        else:
            differing = [ETIQUETAS[c] for c in COMPARED
                         if j.values.get(c) not in (None, "") and j.values.get(c) != getattr(person, c)]
            if differing:
                j.avisos.append({"campo": ", ".join(differing), "mensaje":
                                 "Datos distintos de los registrados (" + ", ".join(differing)
                                 + "); no se cambiaron."})
            key = (person.id, j.programa, j.fecha_remision)
            j.veredicto = "existente" if key in recorded else "registrada"


_PERSON_COLUMNS = (Participante.id, Participante.centro_id, Participante.tipo_documento,
                   Participante.numero_documento, *(getattr(Participante, c) for c in COMPARED))


def _people_rows(keys: set[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """`participantes.find_by_documents` as plain rows (the columns a verdict reads): no objects
    built, kept or expired for the rows only judged."""
    found = {}
    numeros = sorted({numero for _, numero in keys})
    for start in range(0, len(numeros), 5000):
        for row in db.session.execute(
                select(*_PERSON_COLUMNS)
                .where(among(Participante.numero_documento, numeros[start:start + 5000]))
                .execution_options(**{ALL_CENTRES_OPTION: True})):
            if (row.tipo_documento, row.numero_documento) in keys:
                found[(row.tipo_documento, row.numero_documento)] = row
    return found


def recorded_remissions(participante_ids: set[int]) -> set[tuple[int, str, date]]:
    found = set()
    ids = sorted(participante_ids)
    for start in range(0, len(ids), 5000):
        for pid, fecha, datos in db.session.execute(
                select(Actuacion.participante_id, Actuacion.fecha, Actuacion.datos)
                .where(among(Actuacion.participante_id, ids[start:start + 5000]),
                       Actuacion.tipo == Tipo.REMISION_DPS, vigentes())
                .execution_options(**{ALL_CENTRES_OPTION: True})):
            found.add((pid, (datos or {}).get("programa"), fecha))
    return found


# ---- the job ------------------------------------------------------------------------------------

def run(importacion_id: int) -> None:
    """The background job: judges every row (the preview) and, when asked, applies them."""
    importacion = db.session.get(Importacion, importacion_id)
    if importacion is None or importacion.estado not in ("en_cola", "interrumpida"):
        return
    importacion.estado = "procesando"
    importacion.iniciado_en = importacion.latido = utcnow()
    importacion.procesadas = 0
    db.session.commit()
    try:
        with _kept_out_of_collections() as freeze_judged:
            _process(importacion, freeze_judged)
    except Exception as error:
        db.session.rollback()
        importacion = db.session.get(Importacion, importacion_id)
        importacion.estado = "fallida"
        importacion.mensaje = (error.message if isinstance(error, DomainError) else
                               "Error interno al procesar la importación; avise al administrador.")
        importacion.terminado_en = utcnow()
        db.session.commit()
        raise


def _process(importacion: Importacion, freeze_judged=lambda: None) -> None:
    importacion_id = importacion.id
    actor = db.session.get(Staff, importacion.staff_id)
    centro = db.session.get(Centro, importacion.centro_id)
    data = archivo.load(importacion.sha256)
    if data is None:
        raise DomainError("El archivo de esta importación ya no está guardado; súbalo de nuevo.")
    max_rows = current_app.config["IMPORTACION_MAX_FILAS"]
    today = today_bogota()
    if importacion.tipo == "legado":
        mapeo_legado = mapeo.from_json(importacion.mapeo)
        tabla = legado.read(data, mapeo_legado, max_rows)
        filas = legado.judge_file(tabla.filas, mapeo_legado, centro, today,
                                  importacion.autorizacion_datos)
        _restart(importacion, len(filas))
        freeze_judged()  # the rows judged live to the end: see _kept_out_of_collections
        _process_legado(importacion, mapeo_legado, filas, today)
    else:
        tabla = lectura.read(data, max_rows=max_rows)
        juicios = judge_file(tabla.filas, centro, today)
        _restart(importacion, len(juicios))
        freeze_judged()  # the verdicts live to the end: see _kept_out_of_collections
        _process_remision(actor, importacion, juicios, today)
    importacion = db.session.get(Importacion, importacion_id)
    actor = db.session.get(Staff, importacion.staff_id)
    _finish(actor, importacion)


@contextmanager
def _kept_out_of_collections():
    """During the job, what is alive when it starts (the application's own objects) and, frozen
    again once the file is judged, its rows and verdicts (hundreds of thousands of objects that
    live to the end of the job) are left out of the garbage collector's full passes, which
    otherwise walk all of them again every few chunks (at 20,000 rows on PostgreSQL, 12 full
    passes took 1.7 of the apply's 7.4 s, and more rows make each pass longer). Only when cyclic
    garbage among them is freed changes (it waits for `gc.unfreeze` at the end of the job), never
    what the job does; a job running beside it in the same process is only spared the same
    walks. Where objects are frozen already (gunicorn's post_worker_init, another job of this
    process), `gc.unfreeze` would thaw theirs too: then the job leaves the collector as it found
    it. Yields what freezes the judged rows (nothing in that case)."""
    if gc.get_freeze_count():
        yield lambda: None
        return
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _restart(importacion: Importacion, filas: int) -> None:
    """A (re)run starts its verdicts and counts afresh (what was written stays written)."""
    db.session.execute(delete(ImportacionFila)
                       .where(ImportacionFila.importacion_id == importacion.id))
    for name in ("validas", "nuevas", "existentes", "personas_nuevas", "con_error", "con_aviso"):
        setattr(importacion, name, 0)
    importacion.filas = filas
    db.session.commit()


def _process_legado(importacion: Importacion, mapeo_legado, filas: list, today: date) -> None:
    """Chunk by chunk, a person's rows together: through the gate, then committed (apply) or
    rolled back (the preview's dry run); the verdicts are stored either way."""
    importacion_id = importacion.id
    for part in legado.chunks(filas, apply_chunk()):
        importacion = db.session.get(Importacion, importacion_id)
        dry = not importacion.aplicar
        personas = legado.run_chunk(importacion, mapeo_legado, part, today, dry=dry)
        if dry:
            db.session.rollback()
            db.session.expunge_all()  # people created by the dry run are gone with it
            importacion = db.session.get(Importacion, importacion_id)
        legado.store(importacion, part, personas)
        importacion.procesadas += len(part)
        importacion.latido = utcnow()
        db.session.commit()
        if not dry:
            follow_statistics()


def _process_remision(actor, importacion: Importacion, juicios: list[Juicio], today: date
                      ) -> None:
    lote = apply_chunk()
    for start in range(0, len(juicios), PREVIEW_CHUNK):
        part = juicios[start:start + PREVIEW_CHUNK]
        classify(importacion.centro_id, part)
        if importacion.aplicar:
            # Only rows with something to write take a writing transaction, in short chunks, each
            # judged again inside it (someone may have registered the person meanwhile); rows
            # already recorded or in error are reported without one (a re-apply writes nothing).
            pending = [j for j in part if j.veredicto in ("nueva", "registrada")]
            for sub_start in range(0, len(pending), lote):
                chunk = pending[sub_start:sub_start + lote]
                classify(importacion.centro_id, chunk, for_writing=True)
                _apply_chunk(actor, importacion, chunk, today)
                # each chunk stands on its own: see interrumpida
                importacion, actor = _progress(importacion, chunk, actor)
                follow_statistics()
            pending_ids = {id(j) for j in pending}
            part = [j for j in part if id(j) not in pending_ids]
        importacion, actor = _progress(importacion, part, actor)


def _finish(actor, importacion: Importacion) -> None:
    importacion.estado = "terminada"
    importacion.terminado_en = utcnow()
    if importacion.aplicar:
        importacion.aplicada = True
        importacion.aplicada_en = importacion.terminado_en
        audit.record("aplicar_terminada", actor=actor, entidad="importacion",
                     entidad_id=importacion.id, centro_id=importacion.centro_id,
                     despues={"nuevas": importacion.nuevas, "existentes": importacion.existentes,
                              "personas_nuevas": importacion.personas_nuevas,
                              "con_error": importacion.con_error})
    db.session.commit()
    if importacion.aplicada:  # applied: nobody needs the file any more, unless another upload does
        sha256 = importacion.sha256

        def still_needed() -> bool:
            db.session.rollback()  # a fresh snapshot: an upload committed a moment ago counts
            return bool(db.session.scalar(
                select(func.count()).select_from(Importacion)
                .where(Importacion.sha256 == sha256, Importacion.aplicada.is_(False))
                .execution_options(**{ALL_CENTRES_OPTION: True})))

        archivo.retire(sha256, still_needed)


def _progress(importacion: Importacion, part: list[Juicio], actor=None):
    """Stores the rows' verdicts and counts, the job's sign of life, and commits. The session is
    then emptied (a commit expires every object it holds, so people and actuaciones kept from
    earlier chunks would make each commit slower than the last): answers the import and the
    actor again."""
    _store(importacion, part)
    importacion.procesadas += len(part)
    importacion.latido = utcnow()
    importacion_id, actor_id = importacion.id, actor.id if actor is not None else None
    db.session.commit()
    for j in part:
        j.persona = None
    db.session.expunge_all()
    return (db.session.get(Importacion, importacion_id),
            db.session.get(Staff, actor_id) if actor_id is not None else None)


# The tables an apply grows whose lookups it plans from PostgreSQL's statistics: the people by
# document and by id, the itineraries by person.
GROWN = ("participante", "actuacion")


def follow_statistics() -> None:
    """After a chunk's commit on PostgreSQL: ANALYZE a table the import has grown by more than half
    of what its statistics know of it. An import can multiply a table within minutes, faster than
    autovacuum's analyze follows (or with autovacuum off); the planner, still counting the table as
    small, then answers each chunk's lookups of a thousand people by scanning the whole table, so
    every chunk is slower than the last (at 100,000 rows, 25 ms instead of 1 ms per lookup).
    ANALYZE reads a sample and blocks neither readers nor writers; where the application's role
    may not analyze a table, PostgreSQL only warns."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite plans these lookups by their indexes whatever its statistics say
    stale = db.session.scalars(text(
        "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
        "WHERE s.relname IN :tables AND s.schemaname = current_schema() "
        "AND s.n_mod_since_analyze > greatest(c.reltuples, 0) / 2 + 1000")
        .bindparams(bindparam("tables", expanding=True)), {"tables": list(GROWN)}).all()
    for table in sorted(stale):
        db.session.execute(text(f'ANALYZE "{table}"'))  # a name from GROWN
    db.session.commit()


def apply_chunk() -> int:
    configured = current_app.config.get("IMPORTACION_LOTE")
    if configured:
        return configured
    return 1000 if db.session.get_bind().dialect.name == "postgresql" else 200


# The gate's names for the file's columns, so an error row names the column to correct.
GATE_TO_FILE = {"fecha": "fecha_remision", "programa": "programa_dps"}


def _apply_chunk(actor, importacion: Importacion, part: list[Juicio], today: date) -> None:
    # A row dated in a closed month creates nobody: the period is judged before the people are
    # (the gate judges it again with everything else when the remissions are written).
    periods: dict = {}
    for j in part:
        if j.veredicto in ("nueva", "registrada"):
            try:
                reglas.check_period(importacion.centro_id, j.fecha_remision, periods)
            except DomainError as error:
                j.veredicto = "error"
                j.error("fecha_remision", error.message)
    nuevas = [j for j in part if j.veredicto == "nueva"]
    created = participantes.register_unconsented(actor, importacion.centro_id, [
        {**j.values, "remitido_dps": True, "programa_dps": j.programa} for j in nuevas])
    for j, person in zip(nuevas, created):
        j.persona, j.participante_id = person, person.id
    writes = [j for j in part if j.veredicto in ("nueva", "registrada")]
    results = itinerario.register_many(
        actor, [(j.persona, {"tipo": Tipo.REMISION_DPS, "fecha": j.fecha_remision,
                             "programa": j.programa}) for j in writes],
        today, detalle=f"importación {importacion.id}", origen={"importacion_id": importacion.id},
        periods=periods)
    for j, result in zip(writes, results):
        if isinstance(result, DomainError):
            j.veredicto = "error"
            # A field check names its fields; a rule (a closed month...) says it in its message.
            fields = result.fields if result.code == "validacion" else {
                next(iter(result.fields), "fecha"): result.message}
            for campo, mensaje in (fields or {"fecha": result.message}).items():
                j.error(GATE_TO_FILE.get(campo, campo), mensaje)


def _store(importacion: Importacion, part: list[Juicio]) -> None:
    rows = []
    counts: Counter = Counter()  # set once: an ORM attribute per row costs as much as the row
    for j in part:
        counts.update(cuentas(j.veredicto, bool(j.avisos)))
        if j.veredicto == "nueva":
            counts["personas_nuevas"] += 1
        rows.append({
            "importacion_id": importacion.id, "fila": j.fila, "veredicto": j.veredicto,
            "tipo_documento": j.key[0][:10] if j.key else None,
            "numero_documento": j.key[1][:40] if j.key else None,
            "nombre": j.nombre, "programa": (j.programa or None),
            "fecha_remision": j.fecha_remision,
            "participante_id": j.participante_id,
            "errores": j.errores or None, "avisos": j.avisos or None,
        })
    importacion.sumar(counts)
    insert_rows(ImportacionFila.__table__, rows)


def aplicar_en_primer_plano(importacion_id: int) -> Importacion:
    """`flask importaciones-aplicar <id>`: applies in this process (a script, or a worker that
    must finish an interrupted import)."""
    importacion = db.session.get(Importacion, importacion_id)
    if importacion is None:
        raise DomainError("No existe esa importación.")
    if importacion.aplicada:
        raise Conflict("Esta importación ya fue aplicada.")
    if estado_visible(importacion) in ("en_cola", "procesando") and importacion.aplicar:
        raise ImportacionOcupada("Esta importación se está procesando; espere a que termine.")
    importacion.aplicar = True
    importacion.estado = "en_cola"
    db.session.commit()
    run(importacion_id)
    db.session.commit()
    return db.session.get(Importacion, importacion_id)


