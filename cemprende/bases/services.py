"""Downloading the bases: who may, which columns, streamed CSV, XLSX at once or prepared in the
background (a job), the prepared files kept 24 h, and the audit entry of every download."""
from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import IO

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit, jobs, lectura
from ..auth.guards import Accion, centre_scope, ensure, is_centre_bound, may
from ..errors import DomainError, NotFound, ValidationFailed
from ..exports import (csv_stream, csv_stream_chunks, csv_stream_lines, write_xlsx,
                       write_xlsx_chunks)
from ..extensions import db
from ..models import ArchivoExportado, Centro, Staff
from ..scoping import set_centre_scope
from ..tableros import services as tableros
from .queries import BASES, Base, Columna, Filtro

EXCEL_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
CHUNK_ROWS = 5000
LARGE_XLSX_ROWS = 500_000  # a sheet this long may pass 2 GB of XML: written as ZIP64
KEEP_HOURS = 24
FORMATOS = ("csv", "xlsx")


class TooManyRowsForExcel(DomainError):
    status = 422
    code = "demasiadas_filas"


@dataclass
class Descarga:
    base: Base
    filtro: Filtro
    columnas: tuple[Columna, ...]

    @property
    def encabezados(self) -> list[str]:
        return [c.titulo for c in self.columnas]

    @property
    def escritos(self) -> list[int] | None:
        """The columns whose text people typed, when the base reads final cells (the writer checks
        only those for formulas); None: every cell is checked."""
        if self.base.filas is None:
            return None
        return [index for index, columna in enumerate(self.columnas) if columna.escrito]

    def filename(self, formato: str) -> str:
        scope = "red" if self.filtro.centro_id is None else f"centro{self.filtro.centro_id}"
        return (f"{self.base.nombre}_{scope}_{self.filtro.desde.isoformat()}_"
                f"{self.filtro.hasta.isoformat()}.{formato}")


def columnas(actor, base: Base) -> tuple[Columna, ...]:
    """The base's columns the caller may see: sensitive ones only for roles allowed them."""
    sensitive = may(actor, Accion.VER_SENSIBLES)
    return tuple(c for c in base.columnas if sensitive or not c.sensible)


def bases_for(actor) -> list[Base]:
    return list(BASES.values()) if may(actor, Accion.DESCARGAR_BASES) else []


def prepare(actor, nombre: str, args: dict) -> Descarga:
    """Who may (asesor: 403), which base (unknown: 404), which centre (another centre: 404) and
    period (tablero rules: without desde, the vigencia of hasta)."""
    ensure(actor, Accion.DESCARGAR_BASES, entidad="base")
    base = BASES.get(nombre)
    if base is None:
        raise NotFound("No existe esa base.")
    centro_id, desde, hasta = tableros.parse_request(actor, args)
    return Descarga(base, Filtro(centro_id, desde, hasta), columnas(actor, base))


def xlsx_threshold() -> int:
    """Rows over which an XLSX is prepared in the background (setting BASES_XLSX_FONDO_FILAS)."""
    return current_app.config.get("BASES_XLSX_FONDO_FILAS", 100_000)


def read_filter(actor, args: dict) -> tuple[str, dict[str, str]]:
    """The scope's name and the filter's mistakes (the Descargas page shows them); another
    centre stays a 404."""
    try:
        centro_id, _, _ = tableros.parse_request(actor, args)
    except ValidationFailed as error:
        return centro_nombre(tableros.resolve_scope(actor, None)), error.fields
    return centro_nombre(centro_id), {}


def rows(descarga: Descarga, session: Session) -> Iterator[list]:
    if descarga.base.filas is not None:
        for chunk in descarga.base.filas(session, descarga.filtro, descarga.columnas, CHUNK_ROWS):
            yield from chunk
        return
    readers = [c.valor for c in descarga.columnas]
    for chunk in descarga.base.lotes(session, descarga.filtro, CHUNK_ROWS):
        for row in chunk:
            yield [read(row) for read in readers]


def _record_download(actor_id: int, username: str, descarga: Descarga, formato: str, filas: int,
                     completa: bool = True, archivo_id: int | None = None,
                     origin: dict | None = None) -> None:
    """Who, which base, which filter, how many rows. Takes the actor's id and username, since the
    streamed CSV records after the request's own session work is done."""
    entry = audit.record("descargar", actor=SimpleNamespace(id=actor_id, username=username),
                 entidad="base", entidad_id=archivo_id, centro_id=descarga.filtro.centro_id,
                 despues={"base": descarga.base.nombre, "formato": formato,
                          **descarga.filtro.to_dict(), "filas": filas, "completa": completa})
    if origin:  # the request's address and id, for a stream that outlives its request
        entry.ip, entry.request_id = origin.get("ip"), origin.get("request_id")


def csv_download(actor, nombre: str, args: dict,
                 origin: dict | None = None) -> tuple[Descarga, Iterator[str]]:
    """The header and rows as text chunks; the audit entry (with how many rows went out) is
    written once the last row is sent, or when the client stops reading."""
    descarga = prepare(actor, nombre, args)
    actor_id, username = actor.id, actor.username
    # The replica when this request reads from one (lectura.py), else the primary.
    app, engine = current_app._get_current_object(), lectura.reads_engine() or db.engine

    def body() -> Iterator[str]:
        # The response outlives the request: the rows come through a session of the stream's
        # own (the base's query filters by the centre checked above), and the audit entry is
        # written in a short application context of its own once the stream ends.
        sent = 0
        complete = False
        session = Session(engine)

        def counted():
            nonlocal sent
            yield descarga.encabezados
            for row in rows(descarga, session):
                sent += 1
                yield row

        def counted_chunks(read):
            nonlocal sent
            for chunk in read(session, descarga.filtro, descarga.columnas, CHUNK_ROWS):
                sent += len(chunk)
                yield chunk
        try:
            if descarga.base.lineas is not None:  # the lines written by the database
                def cells_of(ids):
                    return descarga.base.filas_de(session, descarga.filtro, descarga.columnas, ids)
                yield from csv_stream_lines(counted_chunks(descarga.base.lineas),
                                            len(descarga.columnas), descarga.escritos,
                                            header=descarga.encabezados, cells_of=cells_of)
            elif descarga.base.filas is not None:  # final cells a chunk at a time
                yield from csv_stream_chunks(counted_chunks(descarga.base.filas),
                                             header=descarga.encabezados, typed=descarga.escritos)
            else:
                yield from csv_stream(counted())
            complete = True
        finally:
            session.close()
            with app.app_context():
                _record_download(actor_id, username, descarga, "csv", sent, complete,
                                 origin=origin)
                db.session.commit()

    return descarga, body()


# ---- XLSX ---------------------------------------------------------------------------------------

@dataclass
class XlsxResult:
    descarga: Descarga
    archivo: ArchivoExportado | None = None  # prepared in the background
    handle: IO[bytes] | None = None  # written in this request


def xlsx_download(actor, nombre: str, args: dict) -> XlsxResult:
    """Small bases are written now; over XLSX_FONDO_FILAS rows the file is prepared by a job;
    over Excel's row limit only the CSV is offered."""
    descarga = prepare(actor, nombre, args)
    total = descarga.base.contar(db.session, descarga.filtro)
    if total > EXCEL_MAX_ROWS:
        raise TooManyRowsForExcel(
            f"La base tiene {total:,} filas; Excel admite hasta {EXCEL_MAX_ROWS:,}. "
            "Descárguela en CSV.".replace(",", "."))
    if total > xlsx_threshold():
        archivo = ArchivoExportado(
            staff_id=actor.id, base=descarga.base.nombre, formato="xlsx",
            centro_id=descarga.filtro.centro_id, desde=descarga.filtro.desde,
            hasta=descarga.filtro.hasta, columnas=descarga.encabezados, estado="en_cola",
            progreso=0, total=total, expira_en=_now() + timedelta(hours=KEEP_HOURS))
        audit.add_audited(archivo, actor=actor, entidad="archivo_exportado",
                          centro_id=archivo.centro_id,
                          values={"base": archivo.base, "formato": "xlsx",
                                  **descarga.filtro.to_dict(), "filas": total})
        jobs.submit("cemprende.bases.services:prepare_xlsx", archivo.id)
        return XlsxResult(descarga, archivo=archivo)
    handle = tempfile.TemporaryFile()
    written = _write_xlsx(handle, descarga, db.session)
    handle.seek(0)
    _record_download(actor.id, actor.username, descarga, "xlsx", written - 1)
    return XlsxResult(descarga, handle=handle)


def _write_xlsx(target, descarga: Descarga, session: Session, **options) -> int:
    """The base's sheet (the header, then the rows); a base read as final cells a chunk at a
    time (write_xlsx_chunks: the same sheet, several times faster). Returns the rows written,
    the header included."""
    if descarga.base.filas is not None:
        def chunks():
            yield [descarga.encabezados]
            yield from descarga.base.filas(session, descarga.filtro, descarga.columnas, CHUNK_ROWS)
        return write_xlsx_chunks(target, descarga.base.titulo, chunks(), typed=descarga.escritos,
                                 **options)
    return write_xlsx(target, descarga.base.titulo, _with_header(descarga, session),
                      typed=descarga.escritos, **options)


def _with_header(descarga: Descarga, session: Session):
    yield descarga.encabezados
    yield from rows(descarga, session)


def _now() -> datetime:
    return datetime.now(UTC)


def export_dir() -> str:
    folder = os.path.join(current_app.config["UPLOAD_ROOT"], "exportaciones")
    os.makedirs(folder, exist_ok=True)
    return folder


def _set_state(archivo_id: int, **values) -> None:
    """Progress on its own connection: the job's read cursor stays open on the session's."""
    with db.engine.begin() as connection:
        connection.execute(update(ArchivoExportado).where(ArchivoExportado.id == archivo_id)
                           .values(**values))


def prepare_xlsx(archivo_id: int) -> None:
    """The job: writes the file under UPLOAD_ROOT/exportaciones/, keeping its progress on its row.
    A failure leaves no file and says so on the row."""
    archivo = db.session.get(ArchivoExportado, archivo_id)
    if archivo is None or archivo.estado != "en_cola":
        return
    staff = db.session.get(Staff, archivo.staff_id)
    set_centre_scope(centre_scope(staff))
    base = BASES[archivo.base]
    descarga = Descarga(base, Filtro(archivo.centro_id, archivo.desde, archivo.hasta),
                        columnas(staff, base))
    total = max(archivo.total, 1)
    db.session.commit()
    _set_state(archivo_id, estado="procesando")
    path = os.path.join(export_dir(), f"{archivo_id}_{secrets.token_hex(8)}.xlsx")
    partial = path + ".parcial"
    try:
        # The rows from the replica when there is one (the progress goes to the primary).
        with lectura.read_replica():
            written = _write_xlsx(partial, descarga, db.session, every=5000,
                                  progress=lambda n: _set_state(
                                      archivo_id, progreso=min(99, (n - 1) * 100 // total)),
                                  large=total > LARGE_XLSX_ROWS)
        os.replace(partial, path)
    except Exception:
        db.session.rollback()
        if os.path.exists(partial):
            os.remove(partial)
        _set_state(archivo_id, estado="fallido", terminado_en=_now(),
                   error="No se pudo preparar el archivo. Inténtelo de nuevo.")
        raise
    db.session.rollback()
    _set_state(archivo_id, estado="listo", progreso=100, filas=written - 1,
               ruta=os.path.relpath(path, current_app.config["UPLOAD_ROOT"]),
               terminado_en=_now(), expira_en=_now() + timedelta(hours=KEEP_HOURS))


def archivo_visible(actor, archivo_id: int) -> ArchivoExportado:
    """A prepared file: for its creator, or staff who may download bases of the same scope;
    another's or an expired one is 404."""
    archivo = db.session.get(ArchivoExportado, archivo_id)
    if archivo is None:
        raise NotFound("No se encontró el archivo.")
    if archivo.staff_id != actor.id:
        bound = is_centre_bound(actor)
        if not may(actor, Accion.DESCARGAR_BASES) or (bound and archivo.centro_id != actor.centro_id):
            raise NotFound("No se encontró el archivo.")
    if archivo.estado == "vencido" or archivo.expira_en <= _now():
        raise NotFound("El archivo venció (se guarda 24 horas). Prepárelo de nuevo.")
    return archivo


def archivo_path(actor, archivo: ArchivoExportado) -> str | None:
    """The ready file's path (recording the download), or None while it is being prepared."""
    if archivo.estado != "listo" or not archivo.ruta:
        return None
    path = os.path.join(current_app.config["UPLOAD_ROOT"], archivo.ruta)
    if not os.path.exists(path):
        raise NotFound("No se encontró el archivo.")
    base = BASES[archivo.base]
    descarga = Descarga(base, Filtro(archivo.centro_id, archivo.desde, archivo.hasta), ())
    _record_download(actor.id, actor.username, descarga, "xlsx", archivo.filas or 0,
                     archivo_id=archivo.id)
    return path


def archivo_filename(archivo: ArchivoExportado) -> str:
    descarga = Descarga(BASES[archivo.base], Filtro(archivo.centro_id, archivo.desde, archivo.hasta), ())
    return descarga.filename(archivo.formato)


def mis_archivos(actor, limit: int = 20) -> list[ArchivoExportado]:
    return list(db.session.scalars(
        select(ArchivoExportado).where(ArchivoExportado.staff_id == actor.id,
                                       ArchivoExportado.expira_en > _now())
        .order_by(ArchivoExportado.creado_en.desc(), ArchivoExportado.id.desc()).limit(limit)))


def archivo_dict(archivo: ArchivoExportado, enlace: str) -> dict:
    return {"id": archivo.id, "base": archivo.base, "formato": archivo.formato,
            "estado": archivo.estado, "progreso": archivo.progreso, "filas": archivo.filas,
            "total": archivo.total, "centro_id": archivo.centro_id,
            "desde": archivo.desde.isoformat(), "hasta": archivo.hasta.isoformat(),
            "creado_en": archivo.creado_en.isoformat(), "expira_en": archivo.expira_en.isoformat(),
            "error": archivo.error, "enlace": enlace}


def sweep(now: datetime | None = None) -> int:
    """Deletes the files past their 24 h and marks their rows vencido; returns how many."""
    now = now or _now()
    expired = list(db.session.scalars(
        select(ArchivoExportado).where(ArchivoExportado.expira_en <= now,
                                       ArchivoExportado.estado != "vencido")))
    root = current_app.config["UPLOAD_ROOT"]
    for archivo in expired:
        if archivo.ruta:
            path = os.path.join(root, archivo.ruta)
            if os.path.exists(path):
                os.remove(path)
        archivo.estado, archivo.ruta = "vencido", None
    db.session.flush()
    return len(expired)


def centro_nombre(centro_id: int | None) -> str:
    if centro_id is None:
        return "Toda la red"
    centro = db.session.get(Centro, centro_id)
    return centro.nombre if centro else ""
