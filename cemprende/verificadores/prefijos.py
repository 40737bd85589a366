"""The centres' naming convention for verifier documents, and which actuación each one proves."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..itinerario.tipos import Decision, Tipo


@dataclass(frozen=True)
class Prefijo:
    codigo: str
    proceso: str
    documento: str


PREFIJOS: dict[str, Prefijo] = {p.codigo: p for p in (
    Prefijo("CC", "orientacion", "Cédula de ciudadanía"),
    Prefijo("AC", "orientacion", "Acta de compromiso"),
    Prefijo("AD", "orientacion", "Acta de desistimiento"),
    Prefijo("PFN", "emprendimiento", "Perfil de proyecto de negocio"),
    Prefijo("PN", "emprendimiento", "Plan de negocio"),
    Prefijo("ACA", "microfinanciamiento", "Acta de aprobación del Comité de Asignación"),
    Prefijo("AEB", "microfinanciamiento", "Acta de entrega de bienes"),
    Prefijo("IVAE", "microfinanciamiento", "Informe de visita"),
    Prefijo("ICL", "microfinanciamiento", "Informe de control de inversiones"),
    Prefijo("HV", "empleabilidad", "Hoja de vida"),
)}

# The actuaciones the method requires a document for; a comité needs one only when it approved.
# The registration itself (the participant record) is proven by the CC.
EVIDENCIA_POR_TIPO: dict[str, str] = {
    Tipo.ACTA_COMPROMISO: "AC",
    Tipo.DESISTIMIENTO: "AD",
    Tipo.PERFIL_PROYECTO: "PFN",
    Tipo.PLAN_NEGOCIO: "PN",
    Tipo.COMITE: "ACA",
    Tipo.DESEMBOLSO: "AEB",
    Tipo.VISITA_ACOMPANAMIENTO: "IVAE",
    Tipo.CONTROL_INVERSION: "ICL",
    Tipo.HOJA_DE_VIDA: "HV",
}
PREFIJO_REGISTRO = "CC"
DECISION_CON_EVIDENCIA = {Tipo.COMITE: Decision.APROBADO}

EXTENSIONES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "png": "image/png"}
_NOMBRE = re.compile(
    r"^(?P<prefijo>[A-Za-z]{2,4})_(?P<documento>[A-Za-z0-9]{3,20})(?:_(?P<n>\d{1,3}))?"
    r"\.(?P<ext>[A-Za-z]{3,4})$"
)


@dataclass(frozen=True)
class NombreVerificador:
    prefijo: str
    documento: str
    secuencia: int
    extension: str


class NombreInvalido(ValueError):
    pass


def parse_nombre(nombre: str) -> NombreVerificador:
    """CC_1098765432.pdf, AEB_1098765432_2.jpg → its parts; anything else is NombreInvalido."""
    match = _NOMBRE.match(nombre)
    if not match:
        raise NombreInvalido("El nombre no sigue la convención PREFIJO_documento[_n].ext.")
    prefijo = match["prefijo"].upper()
    if prefijo not in PREFIJOS:
        raise NombreInvalido(f"El prefijo {prefijo} no existe.")
    extension = match["ext"].lower()
    if extension not in EXTENSIONES:
        raise NombreInvalido("La extensión debe ser .pdf, .jpg, .jpeg o .png.")
    secuencia = int(match["n"]) if match["n"] else 1
    if secuencia < 1:
        raise NombreInvalido("El número final debe ser 1 o mayor.")
    return NombreVerificador(prefijo, match["documento"].upper(), secuencia, extension)


def nombre_canonico(prefijo: str, documento: str, secuencia: int, extension: str) -> str:
    suffix = f"_{secuencia}" if secuencia > 1 else ""
    return f"{prefijo}_{documento}{suffix}.{extension}"
