"""Municipalities and their subregion, from `data/municipios.csv`.

Norte de Santander's 40 municipalities carry their subregion (Centro, Norte, Occidente,
Oriente/Metropolitana, Suroccidente, Suroriente); elsewhere the subregion is the department.
People type the municipality freely: it is matched without regard to case, accents, spaces or
punctuation, and against the other names a municipality goes by. What does not match stays
"Sin información" until an administrator maps that spelling (`MunicipioAlias`).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "municipios.csv"
SIN_INFORMACION = "Sin información"


@dataclass(frozen=True)
class Municipio:
    nombre: str
    departamento: str
    subregion: str


def clave(texto: str | None) -> str:
    """'  Cúcuta, N. de S.' and 'CUCUTA n de s' give the same key."""
    if not texto:
        return ""
    plain = unicodedata.normalize("NFKD", texto).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())[:80]


@cache
def catalogo() -> dict[str, Municipio]:
    """Every known spelling's key → its municipality."""
    found: dict[str, Municipio] = {}
    with DATA_FILE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            municipio = Municipio(row["municipio"], row["departamento"], row["subregion"])
            for name in [row["municipio"], *filter(None, row["otros_nombres"].split("|"))]:
                found.setdefault(clave(name), municipio)
    return found


def municipios() -> list[Municipio]:
    return sorted(set(catalogo().values()), key=lambda m: (m.departamento, m.nombre))


def buscar(texto: str | None) -> Municipio | None:
    """The municipality a typed text names, if the catalogue knows that spelling."""
    key = clave(texto)
    if not key:
        return None
    found = catalogo().get(key)
    if found is not None:
        return found
    # "Ocaña, Norte de Santander": a known name followed by its own department.
    words = key.split()
    for end in range(len(words) - 1, 0, -1):
        found = catalogo().get(" ".join(words[:end]))
        if found is not None and " ".join(words[end:]) == clave(found.departamento):
            return found
    return None
