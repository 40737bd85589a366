"""How well a job seeker fits a vacancy: its requirements (education level, months of experience,
municipality, schedule) against the person's employability profile.

The ranking is one SQL expression (a point per requirement met), so the candidates list is ordered
by fit in the database; the reasons shown beside each candidate of a page are worked out from the
same rules in `criterios`. A requirement the vacancy does not set is not counted; a profile field
the person has not given counts as not met, and says "sin información".
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, literal, or_

from .. import audit, lugares
from ..errors import ValidationFailed
from ..models import Participante, Vacante
from ..models.vacante import HORARIOS, NIVELES
from ..participantes import services as participantes
from ..validation import Fields, check_version

NIVEL_RANGO = {nivel: rango for rango, nivel in enumerate(NIVELES, start=1)}
MAX_MUNICIPIOS = 10


def _keys(values: list[str]) -> str | None:
    return "|" + "|".join(values) + "|" if values else None


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def score(vacante: Vacante):
    """The SQL points of a person (Participante's columns) for this vacancy."""
    points = []
    if vacante.nivel:
        rango = case(*((Participante.nivel_educativo == nivel, rango)
                       for nivel, rango in NIVEL_RANGO.items()), else_=0)
        points.append(case((rango >= NIVEL_RANGO[vacante.nivel], 1), else_=0))
    if vacante.experiencia_meses:
        points.append(case((Participante.experiencia_meses >= vacante.experiencia_meses, 1), else_=0))
    if vacante.municipio_clave:
        points.append(case((or_(
            Participante.municipio_clave == vacante.municipio_clave,
            Participante.municipios_trabajo_claves.contains(f"|{vacante.municipio_clave}|")), 1),
            else_=0))
    if vacante.horario:
        points.append(case((Participante.horarios.contains(f"|{vacante.horario}|"), 1), else_=0))
    return sum(points[1:], points[0]) if points else literal(0)


@dataclass
class Criterio:
    nombre: str
    cumple: bool | None  # None: the person has not given that information
    detalle: str


def criterios(person: Participante, vacante: Vacante) -> list[Criterio]:
    """Each requirement of the vacancy and whether the person meets it, in words."""
    found = []
    if vacante.nivel:
        nivel = person.nivel_educativo
        found.append(Criterio(
            "Nivel educativo", None if nivel is None else NIVEL_RANGO[nivel] >= NIVEL_RANGO[vacante.nivel],
            f"pide {NIVELES[vacante.nivel].lower()}; "
            + ("sin información" if nivel is None else f"tiene {NIVELES[nivel].lower()}")))
    if vacante.experiencia_meses:
        meses = person.experiencia_meses
        found.append(Criterio(
            "Experiencia", None if meses is None else meses >= vacante.experiencia_meses,
            f"pide {vacante.experiencia_meses} meses; "
            + ("sin información" if meses is None else f"tiene {meses}")))
    if vacante.municipio_clave:
        where = set((person.municipios_trabajo_claves or "").strip("|").split("|")) - {""}
        ok = vacante.municipio_clave == person.municipio_clave or vacante.municipio_clave in where
        found.append(Criterio("Municipio", ok if (where or person.municipio_clave) else None,
                              f"en {vacante.municipio}; vive en {person.municipio}"
                              + (f", puede trabajar en {person.municipios_trabajo}"
                                 if person.municipios_trabajo else "")))
    if vacante.horario:
        horarios = set((person.horarios or "").strip("|").split("|")) - {""}
        found.append(Criterio(
            "Horario", (vacante.horario in horarios) if horarios else None,
            f"{HORARIOS[vacante.horario].lower()}; "
            + (", ".join(HORARIOS[h].lower() for h in sorted(horarios)) if horarios
               else "sin información")))
    return found


PROFILE_FIELDS = ("nivel_educativo", "experiencia_meses", "municipios_trabajo", "horarios")


def update_profile(actor, participante_id: int, data: dict) -> Participante:
    """The person's employability profile (all optional), audited, with the record's version."""
    person = participantes.get_editable(actor, participante_id)
    check_version(data, person.version)
    f = Fields(data)
    nivel = f.choice("nivel_educativo", NIVELES, required=False)
    meses = f.integer("experiencia_meses", required=False, minimum=0, maximum=720)
    raw = data.get("municipios_trabajo")
    municipios = raw if isinstance(raw, list) else _split(raw if isinstance(raw, str) else None)
    if not all(isinstance(m, str) and 0 < len(m) <= 80 for m in municipios):
        f.fail("municipios_trabajo", "Cada municipio debe ser un texto de hasta 80 caracteres.")
    elif len(municipios) > MAX_MUNICIPIOS:
        f.fail("municipios_trabajo", f"Indique a lo sumo {MAX_MUNICIPIOS} municipios.")
    raw = data.get("horarios")
    horarios = raw if isinstance(raw, list) else ([raw] if raw else [])
    if any(h not in HORARIOS for h in horarios):
        f.fail("horarios", "Elija horarios de la lista.")
    f.raise_if_errors()
    if any("\x00" <= ch < " " for m in municipios for ch in m):
        raise ValidationFailed({"municipios_trabajo": "El texto tiene caracteres no permitidos."})
    values = {
        "nivel_educativo": nivel, "experiencia_meses": meses,
        "municipios_trabajo": ", ".join(municipios) or None,
        "municipios_trabajo_claves": _keys(sorted({lugares.clave(m) for m in municipios} - {""})),
        "horarios": _keys(sorted(set(horarios))),
    }
    return audit.update_audited(person, values, actor=actor, entidad="participante",
                                centro_id=person.centro_id)


def profile_dict(person: Participante) -> dict:
    return {"participante_id": person.id, "version": person.version,
            "nivel_educativo": person.nivel_educativo,
            "experiencia_meses": person.experiencia_meses,
            "municipios_trabajo": _split(person.municipios_trabajo),
            "horarios": sorted(set((person.horarios or "").strip("|").split("|")) - {""})}
