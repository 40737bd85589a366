"""Importing a centre's legacy base (`tipo=legado`): its old spreadsheet of participants and
actuaciones, one row per actuación with the person's columns repeated, read through the column
mapping uploaded with it (`mapeo`).

Every row is judged on its own first (formulas, the person's fields as registration checks them,
the tipo as the centre wrote it, the fecha, the centre); then the rows are ordered by person and
fecha and go, a person's rows always in the same chunk, through the batch form of the gate
(`itinerario.services.register_many`) with their original fecha, after the people are found or
created. The preview does exactly that and rolls each chunk back (a dry run: every row's real
verdict, the rule that refuses it included); the apply commits each chunk.

Each written actuación keeps its file (sha256) and row in `datos` (`legado_archivo`,
`legado_fila`): a row already brought, by this import or any earlier one of the same file, is
`existente` and writes nothing, so applying again, or completing an interrupted apply, never
duplicates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..itinerario import services as itinerario
from ..itinerario.tipos import TIPOS
from ..models import Actuacion, Centro, Importacion, ImportacionFila, Staff
from ..participantes import services as participantes
from ..scoping import ALL_CENTRES_OPTION
from . import lectura
from .lectura import header_key
from .mapeo import CAMPOS_ACTUACION, Mapeo

FORMULA_STARTS = ("=", "+", "-", "@")
PERSONA = ("tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento",
           "sexo", "municipio", "telefono", "correo", "acudiente_nombre", "acudiente_documento")
COMPARED = ("nombres", "apellidos", "fecha_nacimiento", "sexo", "municipio", "telefono")
ETIQUETAS = {"nombres": "nombres", "apellidos": "apellidos",
             "fecha_nacimiento": "fecha de nacimiento", "sexo": "sexo", "municipio": "municipio",
             "telefono": "teléfono"}
SI = {"si", "s", "x", "1", "true", "verdadero", "autoriza", "autorizo", "yes"}
NO = {"no", "n", "0", "false", "falso", ""}
# A tipo may also be written as its API name or its label ("Comité de asignación").
_TIPO_POR_TEXTO = {**{header_key(t.etiqueta): n for n, t in TIPOS.items()},
                   **{header_key(n): n for n in TIPOS}}


@dataclass
class Fila:
    """One row of the legacy base and its verdict."""

    fila: int  # the file's row number (the header is row 1)
    key: tuple[str, str] | None = None
    nombre: str | None = None
    persona: dict | None = None  # the person's fields, checked and normalised
    tipo: str | None = None
    fecha: date | None = None
    datos: dict = field(default_factory=dict)  # the actuación's fields, as the gate takes them
    consiente: bool | None = None
    errores: list[dict] = field(default_factory=list)
    avisos: list[dict] = field(default_factory=list)
    veredicto: str = "error"
    persona_id: int | None = None

    def error(self, campo: str, mensaje: str, codigo: str | None = None) -> None:
        entry = {"campo": campo, "mensaje": mensaje}
        if codigo:
            entry["codigo"] = codigo
        self.errores.append(entry)


def read(data: bytes, mapeo: Mapeo, max_rows: int) -> lectura.Tabla:
    from .mapeo import check_columns

    tabla = lectura.read_table(data, max_rows=max_rows, canonical={})
    check_columns(mapeo, tabla.columnas)
    return tabla


# ---- judging rows on their own and across the file ----------------------------------------------

def judge_file(filas: list[dict[str, str]], mapeo: Mapeo, centro: Centro, today: date,
               autorizacion_datos: bool) -> list[Fila]:
    """Every row judged on its own, then ordered by person and fecha (the order the gate judges
    them in); a person's later rows whose data differ from their first valid row get an aviso
    (the first valid row's data is what a new person is registered with)."""
    centro_textos = {_plain(centro.nombre), _plain(centro.ciudad)}
    judged = [_judge_row(n, row, mapeo, centro_textos, today) for n, row in enumerate(filas, 2)]
    judged.sort(key=lambda f: (f.key is None, f.key or ("", ""), f.fecha or date.max, f.fila))
    first: dict[tuple[str, str], Fila] = {}
    consiente: dict[tuple[str, str], bool] = {}
    for f in judged:
        if f.key is None or f.persona is None:
            continue
        if f.consiente:
            consiente[f.key] = True
        reference = first.setdefault(f.key, f)
        if reference is f:
            continue
        differing = [ETIQUETAS[c] for c in COMPARED
                     if f.persona.get(c) is not None and f.persona.get(c) != reference.persona.get(c)]
        if differing:
            f.avisos.append({"campo": ", ".join(mapeo.columna(c) for c in COMPARED
                                                if ETIQUETAS[c] in differing),
                             "mensaje": f"Datos de la persona distintos de los de la fila "
                                        f"{reference.fila} ({', '.join(differing)}); se usan los "
                                        f"de la fila {reference.fila}."})
    for f in judged:
        if f.key in first:
            f.persona = first[f.key].persona
            f.consiente = autorizacion_datos if mapeo.clave("consentimiento") is None \
                else consiente.get(f.key, False)
    return judged


def _plain(text: str | None) -> str:
    return " ".join((header_key(w) for w in (text or "").split()))


def _judge_row(number: int, row: dict[str, str], mapeo: Mapeo, centro_textos: set[str],
               today: date) -> Fila:
    f = Fila(fila=number)

    def cell(campo: str) -> str:
        clave = mapeo.clave(campo)
        return row.get(clave, "") if clave else ""

    f.nombre = f"{cell('nombres')} {cell('apellidos')}".strip()[:210] or None
    f.key = _key(cell("tipo_documento"), cell("numero_documento"), mapeo)
    for campo in mapeo.columnas:
        value = cell(campo)
        if value.startswith(FORMULA_STARTS):
            f.error(mapeo.columna(campo),
                    f"La celda de «{mapeo.columna(campo)}» empieza con «{value[0]}» (se leería "
                    "como fórmula); corríjala en el archivo.")
    if f.errores:
        return f
    _judge_person(f, cell, mapeo, today)
    texto_tipo = cell("tipo")
    tipo = mapeo.valor("tipo", texto_tipo) if texto_tipo else ""
    tipo = tipo if tipo in TIPOS else _TIPO_POR_TEXTO.get(header_key(tipo))
    if tipo is None:
        f.error(mapeo.columna("tipo"),
                f"«{texto_tipo or '(vacío)'}» no es un tipo de actuación conocido: tradúzcalo en "
                "«valores.tipo» del mapeo.", "tipo_desconocido")
    else:
        f.tipo = tipo
    fecha = lectura.parse_fecha(cell("fecha"))
    if fecha is None:
        f.error(mapeo.columna("fecha"), f"Fecha no válida «{cell('fecha')}»: use DD/MM/AAAA "
                                        "(una fecha que exista).", "fecha_invalida")
    elif fecha > today:
        f.error(mapeo.columna("fecha"), f"La fecha ({fecha:%d/%m/%Y}) es posterior a hoy.",
                "fecha_futura")
    else:
        f.fecha = fecha
    if mapeo.clave("centro") and _plain(cell("centro")) not in centro_textos:
        f.error(mapeo.columna("centro"), f"El centro «{cell('centro') or '(vacío)'}» no es el "
                                         "centro que importa esta base.", "otro_centro")
    if mapeo.clave("consentimiento"):
        texto = header_key(mapeo.valor("consentimiento", cell("consentimiento")))
        if texto in SI:
            f.consiente = True
        elif texto in NO:
            f.consiente = False
        else:
            f.error(mapeo.columna("consentimiento"),
                    f"«{cell('consentimiento')}» no dice si la persona autorizó sus datos "
                    "(use Sí o No).")
    if f.tipo is not None:
        for campo in TIPOS[f.tipo].campos:
            if campo.nombre in CAMPOS_ACTUACION and mapeo.clave(campo.nombre):
                text = cell(campo.nombre)
                if text:
                    f.datos[campo.nombre] = mapeo.valor(campo.nombre, text)
    return f


def _judge_person(f: Fila, cell, mapeo: Mapeo, today: date) -> None:
    data = {name: (mapeo.valor(name, cell(name)) if cell(name) else None) for name in PERSONA}
    data["tipo_documento"] = (data["tipo_documento"] or "").upper() or None
    data["sexo"] = (data["sexo"] or "").upper() or None
    raw_birth = data["fecha_nacimiento"]
    if raw_birth:
        data["fecha_nacimiento"] = lectura.parse_fecha(raw_birth)
        if data["fecha_nacimiento"] is None:
            f.error(mapeo.columna("fecha_nacimiento"),
                    f"Fecha de nacimiento no válida «{raw_birth}»: use DD/MM/AAAA.")
    try:
        f.persona = participantes.check_fields(data, today)
    except ValidationFailed as error:
        for campo, mensaje in error.fields.items():
            if not (campo == "fecha_nacimiento" and raw_birth and data["fecha_nacimiento"] is None):
                f.error(mapeo.columna(campo), mensaje)


def _key(tipo: str, numero: str, mapeo: Mapeo) -> tuple[str, str] | None:
    tipo = (mapeo.valor("tipo_documento", tipo) if tipo else "").strip().upper()
    numero = participantes.normalise_document(numero)
    return (tipo, numero) if tipo and numero else None


def chunks(filas: list[Fila], size: int) -> list[list[Fila]]:
    """Consecutive rows (already ordered by person) in chunks of about `size`, never splitting a
    person's rows (the gate judges each person's rows together, in fecha order)."""
    out: list[list[Fila]] = []
    current: list[Fila] = []
    for index, f in enumerate(filas):
        current.append(f)
        following = filas[index + 1] if index + 1 < len(filas) else None
        same_person = following is not None and f.key is not None and following.key == f.key
        if len(current) >= size and not same_person:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


# ---- against the database -----------------------------------------------------------------------

def classify(centro_id: int, sha256: str, part: list[Fila], mapeo: Mapeo) -> None:
    """The people the rows name (every centre) and the rows of this file already brought."""
    valid = [f for f in part if not f.errores]
    people = participantes.find_by_documents({f.key for f in valid})
    brought = rows_brought(sha256, {p.id for p in people.values()})
    nombres_centros: dict[int, str] = {}
    for f in part:
        if f.errores:
            f.veredicto = "error"
            continue
        person = people.get(f.key)
        f.persona_id = person.id if person is not None else None
        if person is None:
            f.veredicto = "nueva"
        elif f.fila in brought:
            f.veredicto = "existente"
        elif person.centro_id != centro_id:
            if person.centro_id not in nombres_centros:
                nombres_centros[person.centro_id] = db.session.get(Centro, person.centro_id).nombre
            f.veredicto = "otro_centro"
            f.error(mapeo.columna("numero_documento"),
                    f"La persona está registrada en {nombres_centros[person.centro_id]}; una "
                    "importación no la traslada (solicite el traslado a ese centro).", "otro_centro")
        else:
            f.veredicto = "registrada"
            differing = [c for c in COMPARED
                         if f.persona.get(c) is not None and f.persona.get(c) != getattr(person, c)]
            if differing:
                f.avisos.append({"campo": ", ".join(mapeo.columna(c) for c in differing),
                                 "mensaje": "Datos distintos de los registrados ("
                                 + ", ".join(ETIQUETAS[c] for c in differing)
                                 + "); no se cambiaron."})


def rows_brought(sha256: str, participante_ids: set[int]) -> set[int]:
    """Row numbers of this file already recorded for these people (annulled ones included: an
    annulled legacy row is not brought back by applying the file again)."""
    found: set[int] = set()
    ids = sorted(participante_ids)
    for start in range(0, len(ids), 5000):
        for (datos,) in db.session.execute(
                select(Actuacion.datos).where(Actuacion.participante_id.in_(ids[start:start + 5000]))
                .execution_options(**{ALL_CENTRES_OPTION: True})):
            if datos and datos.get("legado_archivo") == sha256:
                found.add(datos.get("legado_fila"))
    return found


def run_chunk(importacion: Importacion, mapeo: Mapeo, part: list[Fila], today: date, *,
              dry: bool) -> int:
    """Finds or creates the chunk's people and sends its rows through the gate, in order; a dry
    run rolls everything back (the caller stores the verdicts after). Answers how many people
    were (or would be) created."""
    actor = db.session.get(Staff, importacion.staff_id)
    classify(importacion.centro_id, importacion.sha256, part, mapeo)
    pending = [f for f in part if f.veredicto in ("nueva", "registrada")]
    if not pending:
        return 0
    nuevas: dict[tuple[str, str], Fila] = {}
    for f in pending:
        if f.veredicto == "nueva":
            nuevas.setdefault(f.key, f)
    created = participantes.register_unconsented(
        actor, importacion.centro_id, [f.persona for f in nuevas.values()],
        atestados=[bool(f.consiente) for f in nuevas.values()],
        version=f"legado-{importacion.id}")
    persons = {key: person for key, person in zip(nuevas, created)}
    if any(f.veredicto == "registrada" for f in pending):
        found = participantes.find_by_documents({f.key for f in pending
                                                 if f.veredicto == "registrada"})
        persons.update(found)
    writes = [(persons[f.key], {"tipo": f.tipo, "fecha": f.fecha, **f.datos}) for f in pending]
    origenes = [{"importacion_id": importacion.id, "legado_archivo": importacion.sha256,
                 "legado_fila": f.fila} for f in pending]
    results = itinerario.register_many(
        actor, writes, today, detalle=f"importación {importacion.id} (base heredada)",
        origen=origenes)
    for f, result in zip(pending, results):
        f.persona_id = None if dry and f.veredicto == "nueva" else persons[f.key].id
        if isinstance(result, DomainError):
            _refused(f, result, mapeo)
    return len(created)


def _refused(f: Fila, error: DomainError, mapeo: Mapeo) -> None:
    """The gate's refusal, with its code, naming the file's column (the mapping's)."""
    f.veredicto = "error"
    if isinstance(error, ValidationFailed) or error.code == "validacion":
        for campo, mensaje in (error.fields or {"fecha": error.message}).items():
            f.error(mapeo.columna(campo), mensaje, error.code)
        return
    campo = next(iter(error.fields or {}), "tipo")
    f.error(mapeo.columna(campo), error.message, error.code)


def store(importacion: Importacion, part: list[Fila], personas_nuevas: int) -> None:
    rows = []
    importacion.personas_nuevas += personas_nuevas
    for f in part:
        importacion.contar(f.veredicto, bool(f.avisos))
        rows.append({
            "importacion_id": importacion.id, "fila": f.fila, "veredicto": f.veredicto,
            "tipo_documento": f.key[0][:10] if f.key else None,
            "numero_documento": f.key[1][:40] if f.key else None,
            "nombre": f.nombre, "tipo_actuacion": f.tipo, "fecha": f.fecha,
            "participante_id": f.persona_id if f.veredicto != "otro_centro" else None,
            "errores": f.errores or None, "avisos": f.avisos or None,
        })
    if rows:
        db.session.execute(insert(ImportacionFila), rows)


