"""Reading what a centre uploads: loose files or one zip, checked by their bytes, never trusted.

A zip is opened without extracting anything to disk: entries with absolute paths or `..` are
refused, as are nested zips, encrypted entries and entries over the per-file limit; the whole zip
is refused when it declares too many entries or too many uncompressed bytes (a zip bomb). Python's
zipfile stops reading an entry at its declared size and checks its CRC, so a header that lies
cannot make it produce more.
"""
from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from PIL import Image

from ..errors import DomainError
from .prefijos import EXTENSIONES

MiB = 1024 * 1024
TIPOS_PERMITIDOS = {"application/pdf", "image/jpeg", "image/png"}
ZIP_MIME = "application/zip"
IGNORED_ENTRIES = ("__MACOSX/",)
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


class ZipRefused(DomainError):
    status = 413
    code = "zip_rechazado"


class ZipUnreadable(DomainError):
    status = 422
    code = "zip_invalido"


@dataclass
class Entrada:
    """One file to consider: its name as sent, its bytes, or why it was refused before reading."""

    nombre: str
    datos: bytes | None = None
    estado: str | None = None
    motivo: str | None = None


@dataclass(frozen=True)
class Limites:
    max_archivo: int = 10 * MiB
    max_entradas_zip: int = 2000
    max_descomprimido_zip: int = 500 * MiB


def read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """The bytes, or None when there are more than `limit`."""
    data = stream.read(limit + 1)
    return None if len(data) > limit else data


def too_big(nombre: str, limites: Limites) -> Entrada:
    return Entrada(nombre, estado="demasiado_grande",
                   motivo=f"Supera el límite de {limites.max_archivo // MiB} MiB por archivo.")


def is_zip(nombre: str, head: bytes) -> bool:
    return nombre.lower().endswith(".zip") or filetype.guess_mime(head) == ZIP_MIME


def unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or ".." in parts
            or (len(name) > 1 and name[1] == ":"))


def entries_of_zip(stream: BinaryIO, limites: Limites) -> Iterator[Entrada]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        raise ZipUnreadable("El archivo .zip está dañado o no es un zip.") from None
    with archive:
        infos = [i for i in archive.infolist()
                 if not i.is_dir() and not i.filename.startswith(IGNORED_ENTRIES)
                 and i.filename.replace("\\", "/").rsplit("/", 1)[-1] not in IGNORED_NAMES]
        if len(infos) > limites.max_entradas_zip:
            raise ZipRefused(f"El zip tiene {len(infos)} archivos; el máximo es "
                             f"{limites.max_entradas_zip}. Divídalo en varios.")
        declared = sum(i.file_size for i in infos)
        if declared > limites.max_descomprimido_zip:
            raise ZipRefused(
                f"El zip descomprimido ocuparía {declared // MiB} MiB; el máximo es "
                f"{limites.max_descomprimido_zip // MiB} MiB.")
        for info in infos:
            yield _zip_entry(archive, info, limites)


def _zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limites: Limites) -> Entrada:
    name = info.filename
    if unsafe_path(name):
        return Entrada(name, estado="nombre_invalido",
                       motivo="Ruta no permitida dentro del zip (absoluta o con '..').")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if info.flag_bits & 0x1:
        return Entrada(base, estado="tipo_no_permitido", motivo="Archivo cifrado dentro del zip.")
    if info.file_size > limites.max_archivo:
        return too_big(base, limites)
    try:
        with archive.open(info) as member:
            data = read_capped(member, limites.max_archivo)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
        return Entrada(base, estado="tipo_no_permitido",
                       motivo="La entrada del zip está dañada o usa una compresión no soportada.")
    if data is None:
        return too_big(base, limites)
    if is_zip(base, data[:262]):
        return Entrada(base, estado="tipo_no_permitido", motivo="No se admiten zip dentro del zip.")
    return Entrada(base, data)


def expand(files: list[tuple[str, BinaryIO]], limites: Limites) -> Iterator[Entrada]:
    """Each uploaded file as an Entrada; a zip becomes its entries."""
    for nombre, stream in files:
        head = stream.read(262)
        stream.seek(0)
        if is_zip(nombre, head):
            yield from entries_of_zip(stream, limites)
            continue
        data = read_capped(stream, limites.max_archivo)
        yield Entrada(nombre, data) if data is not None else too_big(nombre, limites)


def content_type(data: bytes, extension: str | None) -> tuple[str | None, str | None]:
    """(the MIME type the bytes are, or None) and why they are refused, if they are."""
    mime = filetype.guess_mime(data)
    if mime not in TIPOS_PERMITIDOS:
        return None, "El contenido no es PDF, JPEG ni PNG."
    if extension is not None and EXTENSIONES.get(extension) != mime:
        return None, f"El contenido es {mime.split('/')[1].upper()} pero la extensión dice .{extension}."
    if mime.startswith("image/") and not _readable_image(data):
        return None, "La imagen está dañada o es demasiado grande en píxeles."
    if mime == "application/pdf" and b"%%EOF" not in data[-2048:]:
        return None, "El PDF está incompleto (no termina en %%EOF)."
    return mime, None


def _readable_image(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        return True
    except Exception:  # any decoder failure means the bytes are not a usable image
        return False
