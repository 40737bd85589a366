"""The column mapping of a legacy base (`tipo=legado`): which column of the centre's old
spreadsheet holds each field, and how the centre wrote its values (README "Bases heredadas").

A mapping is a JSON object, uploaded with the file (multipart part `mapeo`):

    {"nombre": "...",                                   # optional, shown nowhere but the audit
     "columnas": {"numero_documento": "No. Documento", "tipo": "Actividad", "fecha": "Fecha", ...},
     "valores": {"tipo": {"Comité": "comite", ...}, "sexo": {"Mujer": "F"}, ...}}

`columnas` maps a field (a person's registration field, `tipo`, `fecha`, `centro`,
`consentimiento`, or a field of some tipo of actuación) to the header of the file's column
(matched without regard to case, accents, spaces or underscores; one column may feed several
fields). `valores` translates, per field, what the centre wrote into the value the API expects
(matched the same loose way; a value with no translation is passed as written).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..itinerario.tipos import TIPOS
from ..models.participante import SEXOS, TIPOS_DOCUMENTO
from .lectura import ArchivoRechazado, header_key

MAX_BYTES = 256 * 1024
PERSONA = ("tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento",
           "sexo", "municipio", "telefono", "correo")
REQUERIDOS = ("tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento",
              "municipio", "tipo", "fecha")
PROPIOS = ("tipo", "fecha", "centro", "consentimiento")
# Every field some tipo declares, except a vacancy (an old base has no vacancy of this system).
CAMPOS_ACTUACION = tuple(sorted({c.nombre for t in TIPOS.values() for c in t.campos
                                 if c.clase != "vacante"}))
DESTINOS = PERSONA + PROPIOS + CAMPOS_ACTUACION


@dataclass
class Mapeo:
    columnas: dict[str, str]  # field → the file's header, as the mapping wrote it
    valores: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {header_key: value}
    nombre: str | None = None

    def clave(self, campo: str) -> str | None:
        """The file column's normalised key (lectura names the table's columns with it)."""
        columna = self.columnas.get(campo)
        return header_key(columna) if columna else None

    def columna(self, campo: str) -> str:
        """The file's own name for the column that feeds `campo` (what an error row names)."""
        return self.columnas.get(campo, campo)

    def valor(self, campo: str, texto: str) -> str:
        return self.valores.get(campo, {}).get(header_key(texto), texto)

    def as_json(self) -> dict:
        return {"nombre": self.nombre, "columnas": self.columnas, "valores": self.valores}


def _refuse(message: str) -> ArchivoRechazado:
    return ArchivoRechazado(message, 400, "mapeo_invalido")


def read(data: bytes) -> Mapeo:
    """The uploaded mapping, checked whole; `ArchivoRechazado` (400 `mapeo_invalido`) otherwise."""
    if not data or not data.strip():
        raise _refuse("Adjunte el archivo de mapeo de columnas (JSON) en la parte «mapeo».")
    if len(data) > MAX_BYTES:
        raise _refuse("El archivo de mapeo es demasiado grande (máximo 256 KB).")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse("El mapeo no es un JSON válido (vea el ejemplo "
                      "cemprende/data/legado/ejemplo_mapeo.json).") from None
    return from_json(raw)


def from_json(raw) -> Mapeo:
    if not isinstance(raw, dict) or not isinstance(raw.get("columnas"), dict):
        raise _refuse("El mapeo debe ser un objeto con «columnas»: {campo: columna del archivo}.")
    columnas = {}
    for campo, columna in raw["columnas"].items():
        if campo not in DESTINOS:
            raise _refuse(f"El mapeo nombra el campo «{campo}», que no existe. Campos posibles: "
                          + ", ".join(DESTINOS) + ".")
        if not isinstance(columna, str) or not header_key(columna) or len(columna) > 200:
            raise _refuse(f"La columna del campo «{campo}» debe ser el nombre de una columna.")
        columnas[campo] = columna.strip()
    missing = [c for c in REQUERIDOS if c not in columnas]
    if missing:
        raise _refuse("El mapeo debe indicar la columna de: " + ", ".join(missing) + ".")
    valores_raw = raw.get("valores") or {}
    if not isinstance(valores_raw, dict):
        raise _refuse("«valores» debe ser un objeto {campo: {valor del archivo: valor}}.")
    valores: dict[str, dict[str, str]] = {}
    for campo, traducciones in valores_raw.items():
        if campo not in columnas:
            raise _refuse(f"«valores» traduce el campo «{campo}», que el mapeo no asigna a "
                          "ninguna columna.")
        if not isinstance(traducciones, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in traducciones.items()):
            raise _refuse(f"«valores.{campo}» debe ser un objeto de textos.")
        allowed = {"tipo": TIPOS, "tipo_documento": TIPOS_DOCUMENTO, "sexo": SEXOS}.get(campo)
        for escrito, valor in traducciones.items():
            if allowed is not None and valor not in allowed:
                raise _refuse(f"valores.{campo}: «{valor}» (para «{escrito}») no es un valor "
                              "válido; use uno de: " + ", ".join(allowed) + ".")
        valores[campo] = {header_key(k): v for k, v in traducciones.items()}
    nombre = raw.get("nombre")
    return Mapeo(columnas, valores, nombre[:200] if isinstance(nombre, str) else None)


def check_columns(mapeo: Mapeo, columnas_archivo: list[str]) -> None:
    """Every column the mapping names must be in the file (400 `columnas_faltantes`)."""
    present = set(columnas_archivo)
    missing = sorted({mapeo.columnas[c] for c in mapeo.columnas
                      if mapeo.clave(c) not in present})
    if missing:
        raise ArchivoRechazado("El archivo no tiene las columnas que el mapeo nombra: "
                               + ", ".join(f"«{c}»" for c in missing) + ".", 400,
                               "columnas_faltantes")
