"""Reading an uploaded table (CSV with `,` or `;`, UTF-8 with or without BOM, or XLSX) into rows
of plain text keyed by canonical column names. A file that cannot be read whole is refused with
`ArchivoRechazado` (400, 413 or 415) before anything is written."""
from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import filetype

from ..errors import DomainError

COLUMNAS_REMISION = (
    "tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento", "sexo",
    "municipio", "telefono", "programa_dps", "fecha_remision", "ciudad_centro",
)
OPCIONALES_REMISION = {"sexo", "telefono"}
ZIP_SIGNATURE = b"PK\x03\x04"


class ArchivoRechazado(DomainError):
    status = 400
    code = "archivo_invalido"

    def __init__(self, message: str, status: int = 400, code: str | None = None):
        super().__init__(message)
        self.status = status
        if code:
            self.code = code


@dataclass
class Tabla:
    formato: str  # csv | xlsx
    columnas: list[str]  # canonical names, in the file's order (unknown ones kept normalised)
    filas: list[dict[str, str]]  # each row's cells as text; row i is the file's row i + 2


def header_key(name) -> str:
    """`Número de documento`, `NUMERO_DOCUMENTO` and `numero documento` are one column."""
    text = unicodedata.normalize("NFKD", str(name or "")).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-.]+", "", text)


_CANONICAL = {header_key(c): c for c in COLUMNAS_REMISION}


@functools.lru_cache(maxsize=16384)  # a file repeats its dates (remissions, births)
def parse_fecha(text: str) -> date | None:
    """DD/MM/AAAA or AAAA-MM-DD; None when it is neither or not a real day."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def read(data: bytes, *, max_rows: int) -> Tabla:
    """A remission list: its columns named canonically, the required ones present."""
    tabla = read_table(data, max_rows=max_rows)
    missing = [c for c in COLUMNAS_REMISION
               if c not in tabla.columnas and c not in OPCIONALES_REMISION]
    if missing:
        raise ArchivoRechazado("Faltan columnas: " + ", ".join(missing) + ".", 400,
                               "columnas_faltantes")
    return tabla


def read_table(data: bytes, *, max_rows: int, canonical: dict[str, str] | None = None) -> Tabla:
    """Any table: its columns named by `header_key` (or by `canonical`'s name for that key;
    None: the remission list's names). At least one data row."""
    canonical = _CANONICAL if canonical is None else canonical
    if not data or not data.strip():
        raise ArchivoRechazado("El archivo está vacío.")
    if data.startswith(ZIP_SIGNATURE):
        kind = filetype.guess(data)
        if kind is None or kind.extension != "xlsx":
            # A zip that filetype cannot name may still be an XLSX cut short: openpyxl decides.
            if not _looks_like_xlsx(data):
                raise ArchivoRechazado("El archivo no es CSV ni XLSX.", 415, "tipo_no_soportado")
        tabla = _read_xlsx(data, max_rows, canonical)
    else:
        kind = filetype.guess(data)
        if kind is not None or b"\x00" in data[:8192]:
            raise ArchivoRechazado("El archivo no es CSV ni XLSX.", 415, "tipo_no_soportado")
        tabla = _read_csv(data, max_rows, canonical)
    if not tabla.filas:
        raise ArchivoRechazado("El archivo no tiene filas de datos, solo encabezados.")
    return tabla


def _looks_like_xlsx(data: bytes) -> bool:
    return b"[Content_Types].xml" in data[:4096] or b"xl/" in data[:4096]


def _canonical(headers, canonical: dict[str, str]) -> list[str]:
    columnas = []
    for name in headers:
        key = header_key(name)
        columnas.append(canonical.get(key, key))
    if not any(columnas):
        raise ArchivoRechazado("La primera fila debe tener los nombres de las columnas.")
    return columnas


def _too_many(max_rows: int) -> ArchivoRechazado:
    return ArchivoRechazado(f"El archivo tiene más de {max_rows:,} filas.".replace(",", "."), 413,
                            "demasiado_grande")


def _read_csv(data: bytes, max_rows: int, canonical: dict[str, str]) -> Tabla:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchivoRechazado(
            "El archivo no es texto UTF-8 legible (¿está cortado o en otra codificación?). "
            "Guárdelo como «CSV UTF-8».") from None
    sample = text[:20_000]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line or sample, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader, None)
        if headers is None:
            raise ArchivoRechazado("El archivo está vacío.")
        columnas = _canonical(headers, canonical)
        filas = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(filas) >= max_rows:
                raise _too_many(max_rows)
            filas.append(_row(columnas, cells))
    except csv.Error:
        raise ArchivoRechazado("El archivo CSV está mal formado o cortado (comillas sin cerrar)."
                               ) from None
    return Tabla("csv", columnas, filas)


def _row(columnas: list[str], cells) -> dict[str, str]:
    row = {}
    for index, name in enumerate(columnas):
        value = cells[index] if index < len(cells) else ""
        row[name] = _text(value)
    return row


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, max_rows: int, canonical: dict[str, str]) -> Tabla:
    from openpyxl import load_workbook  # heavy; only a spreadsheet needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as error:
        raise ArchivoRechazado("El archivo XLSX está dañado o incompleto (¿se cortó al subirlo?)."
                               ) from error
    try:
        sheet = workbook.worksheets[0]
        rows: Iterator = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None:
            raise ArchivoRechazado("El archivo está vacío.")
        columnas = _canonical(headers, canonical)
        filas = []
        for cells in rows:
            if not any(_text(c) for c in cells):
                continue
            if len(filas) >= max_rows:
                raise _too_many(max_rows)
            filas.append(_row(columnas, cells))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as error:
        raise ArchivoRechazado("El archivo XLSX está dañado o incompleto (¿se cortó al subirlo?)."
                               ) from error
    finally:
        workbook.close()
    return Tabla("xlsx", columnas, filas)
