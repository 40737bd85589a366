"""The cross-check with DPS (issue 13.3) and the DPS follow-up view (13.2).

- `remitidos_*`: the centre's remitted people in the shape DPS needs back (documento, names,
  programa, fecha de remisión, contact state, first service, current route), one grouped SQL
  statement, CSV or XLSX through `exports`, audited as an export. The file carries the empty
  answer columns DPS fills in, so its answer comes back in the same file.
- `preview_answer` / `apply_answer`: DPS's answer (vulnerabilidad_validada, fallecido,
  reside_en_otra_ciudad [+ ciudad] per documento) read with the import readers
  (`importaciones.lectura`), judged row by row, then applied as audited updates of each person.
  It runs in the request: one centre's answer is at most a few thousand rows (refused with 413
  beyond MAX_FILAS), read, looked up in one query per 5,000 documents and written in one flush, well
  within a request; the DPS remission lists (up to 200,000 rows) are the ones that need jobs.
- `seguimiento`: remitidos → localizados → atendidos per centre and list, counts and % by
  grouped SQL (queries.py), with the people behind each figure.

Who: reading (view, export) is for the centre's asesores and directors and for supervisors and
admins (every centre); applying an answer changes people's records and can stop their services
(fallecido), so it is for the centre's director and admins (`Accion.RESPONDER_DPS`); PNUD
supervisors never change participants.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select, update

from .. import audit
from ..auth.guards import Accion, centro_for_write, ensure, is_centre_bound, may
from ..errors import Conflict, DomainError, StaleVersion, ValidationFailed
from ..extensions import db
from ..formatting import fecha
from ..formatting import numero as cifra
from ..importaciones import archivo, lectura
from ..importaciones.services import FORMULA_STARTS
from ..itinerario.dia import today_bogota
from ..itinerario.tipos import RUTAS, TIPOS
from ..locking import lock_participantes
from ..lugares import clave
from ..models import Centro, Participante
from ..models.base import utcnow
from ..models.participante import TIPOS_DOCUMENTO
from ..models.traslado import ESTADOS_CONTACTO
from ..pagination import Page, paginate
from ..participantes.services import find_by_documents, normalise_document
from ..tableros.services import resolve_scope
from ..validation import Fields, to_id
from . import queries

MAX_FILAS = 5000
XLSX_MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
EARLIEST = date(2000, 1, 1)

# ---- filters ------------------------------------------------------------------------------------


@dataclass
class Filtro:
    centro_id: int | None  # None: every centre (supervisors, admins)
    desde: date | None  # None: since the first remission
    hasta: date

    def to_args(self) -> dict:
        args = {"hasta": self.hasta.isoformat()}
        if self.centro_id is not None:
            args["centro_id"] = str(self.centro_id)
        if self.desde is not None:
            args["desde"] = self.desde.isoformat()
        return args


def read_filter(actor, args: dict, today: date | None = None) -> Filtro:
    """centro_id (staff of a centre: always theirs; 404 another), desde, hasta (default today):
    the period of remission."""
    f = Fields(args)
    hasta = f.date("hasta", required=False) or (today or today_bogota())
    desde = f.date("desde", required=False)
    f.raise_if_errors()
    if desde is not None and desde > hasta:
        raise ValidationFailed({"desde": "El inicio del periodo no puede ser posterior al corte."})
    centro_id = resolve_scope(actor, args.get("centro_id"))
    return Filtro(centro_id, desde, hasta)


def _centro_nombre(centro_id: int | None) -> str:
    if centro_id is None:
        return "Toda la red"
    centro = db.session.get(Centro, centro_id)
    return centro.nombre if centro else str(centro_id)


def _periodo(filtro: Filtro) -> str:
    desde = fecha(filtro.desde) if filtro.desde else "el inicio"
    return f"desde {desde} hasta {fecha(filtro.hasta)}"


# ---- the export for DPS -------------------------------------------------------------------------

ENCABEZADO_REMITIDOS = [
    "tipo_documento", "numero_documento", "nombres", "apellidos", "programa", "fecha_remision",
    "estado_contacto", "primer_servicio", "fecha_primer_servicio", "ruta_actual", "centro",
    # DPS answers in these (the same file comes back through the re-import).
    "vulnerabilidad_validada", "fallecido", "reside_en_otra_ciudad", "ciudad",
]


def _remitido_row(row) -> list:
    servicio = TIPOS[row.primer_servicio].etiqueta if row.primer_servicio in TIPOS else None
    return [row.tipo_documento, row.numero_documento, row.nombres, row.apellidos, row.programa,
            row.fecha_remision, ESTADOS_CONTACTO.get(row.estado_contacto, row.estado_contacto),
            servicio, row.fecha_primer_servicio, RUTAS.get(row.ruta_actual, row.ruta_actual),
            row.centro, None, None, None, None]


def remitidos_rows(filtro: Filtro) -> Iterator[list]:
    """Read lazily (the CSV streams them in a context of its own)."""
    statement = queries.remitidos(filtro.centro_id, filtro.desde, filtro.hasta)
    for row in db.session.execute(statement.execution_options(yield_per=1000)):
        yield _remitido_row(row)


def remitidos_export(actor, filtro: Filtro, formato: str) -> Iterator[list]:
    """Records the export (who, which centre and period, how many rows), then the rows. A
    spreadsheet is written in the request: beyond XLSX_MAX_ROWS (a network's list) it is the
    CSV's job, which streams."""
    ensure(actor, Accion.VER, filtro.centro_id)
    total = db.session.scalar(queries.count_remitidos(filtro.centro_id, filtro.desde, filtro.hasta))
    if formato == "xlsx" and total > XLSX_MAX_ROWS:
        raise DomainError(f"La lista tiene {cifra(total)} remisiones: en Excel se descargan hasta "
                          f"{cifra(XLSX_MAX_ROWS)}. Descárguela en CSV o elija un centro o periodo.",
                          {"formato": "Use CSV para listas tan grandes."})
    audit.record("exportar", actor=actor, entidad="remitidos_dps", centro_id=filtro.centro_id,
                 despues={"formato": formato, "filas": total, **filtro.to_args()},
                 detalle=f"Remitidos DPS ({formato}): {total} filas; "
                         f"{_centro_nombre(filtro.centro_id)}, {_periodo(filtro)}")
    return remitidos_rows(filtro)


def remitidos_filename(filtro: Filtro, extension: str) -> str:
    centro = f"centro{filtro.centro_id}" if filtro.centro_id else "red"
    return f"remitidos_dps_{centro}_{filtro.hasta.isoformat()}.{extension}"


# ---- the follow-up view -------------------------------------------------------------------------

def porcentaje(parte: int, total: int) -> int | None:
    """parte / total as a whole percent rounded half up; None when total is 0."""
    if not total:
        return None
    return (200 * parte + total) // (2 * total)


@dataclass
class FilaSeguimiento:
    centro_id: int
    centro: str
    programa: str | None
    importacion_id: int | None
    remitidos: int
    localizados: int
    atendidos: int

    @property
    def pct_localizados(self) -> int | None:
        return porcentaje(self.localizados, self.remitidos)

    @property
    def pct_atendidos(self) -> int | None:
        return porcentaje(self.atendidos, self.remitidos)

    @property
    def lista(self) -> str:
        base = self.programa or "Sin programa"
        return f"{base} · importación {self.importacion_id}" if self.importacion_id else \
            f"{base} · registradas a mano"

    def to_dict(self) -> dict:
        return {"centro_id": self.centro_id, "centro": self.centro, "programa": self.programa,
                "importacion_id": self.importacion_id, "remitidos": self.remitidos,
                "localizados": self.localizados, "atendidos": self.atendidos,
                "pct_localizados": self.pct_localizados, "pct_atendidos": self.pct_atendidos}


@dataclass
class Seguimiento:
    filtro: Filtro
    filas: list[FilaSeguimiento] = field(default_factory=list)

    @property
    def total(self) -> FilaSeguimiento:
        """The sum of the rows (a person in two lists counts in both: each list is a referral)."""
        return FilaSeguimiento(0, "Total", None, None, sum(f.remitidos for f in self.filas),
                               sum(f.localizados for f in self.filas),
                               sum(f.atendidos for f in self.filas))

    def to_dict(self) -> dict:
        return {"centro_id": self.filtro.centro_id, "hasta": self.filtro.hasta.isoformat(),
                "desde": self.filtro.desde.isoformat() if self.filtro.desde else None,
                "items": [f.to_dict() for f in self.filas],
                "total": {k: v for k, v in self.total.to_dict().items()
                          if k not in ("centro_id", "centro", "programa", "importacion_id")}}


def seguimiento(actor, filtro: Filtro) -> Seguimiento:
    ensure(actor, Accion.VER, filtro.centro_id)
    rows = db.session.execute(queries.seguimiento(filtro.centro_id, filtro.desde, filtro.hasta))
    return Seguimiento(filtro, [FilaSeguimiento(*row) for row in rows])


def seguimiento_export(actor, filtro: Filtro) -> list[list]:
    result = seguimiento(actor, filtro)
    audit.record("exportar", actor=actor, entidad="seguimiento_dps", centro_id=filtro.centro_id,
                 despues={"formato": "csv", "filas": len(result.filas), **filtro.to_args()},
                 detalle=f"Seguimiento DPS: {len(result.filas)} listas; "
                         f"{_centro_nombre(filtro.centro_id)}, {_periodo(filtro)}")
    rows = [[f.centro, f.programa, f.importacion_id, f.remitidos, f.localizados,
             f.pct_localizados, f.atendidos, f.pct_atendidos] for f in result.filas]
    total = result.total
    rows.append(["Total", None, None, total.remitidos, total.localizados, total.pct_localizados,
                 total.atendidos, total.pct_atendidos])
    return rows


ENCABEZADO_SEGUIMIENTO = ["Centro", "Programa", "Importación", "Remitidos", "Localizados",
                          "% localizados", "Atendidos", "% atendidos"]


@dataclass
class Consulta:
    """Which figure's people: a list (programa, import or by hand) and a stage."""

    filtro: Filtro
    programa: str | None
    importacion_id: int | None
    sin_importacion: bool
    etapa: str

    def to_args(self) -> dict:
        args = {**self.filtro.to_args(), "etapa": self.etapa}
        if self.programa is not None:
            args["programa"] = self.programa
        if self.sin_importacion:
            args["importacion_id"] = "ninguna"
        elif self.importacion_id is not None:
            args["importacion_id"] = str(self.importacion_id)
        return args


def read_consulta(actor, args: dict) -> Consulta:
    filtro = read_filter(actor, args)
    f = Fields(args)
    etapa = f.choice("etapa", queries.ETAPAS, required=False) or "remitidos"
    programa = f.text("programa", required=False, max_length=120)
    f.raise_if_errors()
    raw = (args.get("importacion_id") or "").strip()
    sin_importacion = raw == "ninguna"
    importacion_id = None
    if raw and not sin_importacion:
        importacion_id = to_id(raw)
        if importacion_id is None:
            raise ValidationFailed({"importacion_id": "Escriba el número de la importación o «ninguna»."})
    return Consulta(filtro, programa, importacion_id, sin_importacion, etapa)


def personas(actor, consulta: Consulta, page: int = 1, per_page: int = 50) -> Page:
    f = consulta.filtro
    ensure(actor, Accion.VER, f.centro_id)
    return paginate(queries.personas(f.centro_id, f.desde, f.hasta, programa=consulta.programa,
                                     importacion_id=consulta.importacion_id,
                                     sin_importacion=consulta.sin_importacion,
                                     etapa=consulta.etapa), page, per_page, rows=True)


def persona_dict(row) -> dict:
    return {"participante_id": row.id, "tipo_documento": row.tipo_documento,
            "nombres": row.nombres, "apellidos": row.apellidos, "centro_id": row.centro_id,
            "fecha_remision": row.fecha_remision.isoformat() if row.fecha_remision else None,
            "estado_contacto": row.estado_contacto, "localizado": bool(row.localizado),
            "atendido": bool(row.atendido)}


# ---- DPS's answer --------------------------------------------------------------------------------

RESPUESTAS = ("vulnerabilidad_validada", "fallecido", "reside_en_otra_ciudad")
_ALIASES = {
    "tipodedocumento": "tipo_documento", "numerodedocumento": "numero_documento",
    "vulnerabilidadvalidada": "vulnerabilidad_validada", "vulnerabilidad": "vulnerabilidad_validada",
    "fallecido": "fallecido", "fallecida": "fallecido",
    "resideenotraciudad": "reside_en_otra_ciudad", "resideotraciudad": "reside_en_otra_ciudad",
    "ciudad": "ciudad", "ciudadresidencia": "ciudad", "ciudadderesidencia": "ciudad",
}
SI = {"si", "s", "x", "1", "true", "verdadero"}
NO = {"no", "n", "0", "false", "falso"}
ETIQUETAS = {"tipo_documento": "tipo de documento", "numero_documento": "número de documento",
             "vulnerabilidad_validada": "vulnerabilidad validada", "fallecido": "fallecido",
             "reside_en_otra_ciudad": "reside en otra ciudad", "ciudad": "ciudad"}


class RespuestaCaducada(Conflict):
    code = "respuesta_no_disponible"


def read_answer(data: bytes) -> lectura.Tabla:
    """The file read whole, with the import readers (CSV `,`/`;`, UTF-8 ± BOM, or XLSX; headers
    matched without regard to case, accents, spaces or underscores), or refused (400, 413, 415)."""
    if len(data) > MAX_BYTES:
        raise lectura.ArchivoRechazado(
            f"El archivo pasa de {MAX_BYTES // (1024 * 1024)} MB.", 413, "demasiado_grande")
    tabla = lectura.read_table(data, max_rows=MAX_FILAS)
    tabla.columnas = [_ALIASES.get(c, c) for c in tabla.columnas]
    tabla.filas = [{_ALIASES.get(k, k): v for k, v in fila.items()} for fila in tabla.filas]
    missing = [c for c in ("tipo_documento", "numero_documento") if c not in tabla.columnas]
    if missing or not any(c in tabla.columnas for c in RESPUESTAS):
        needed = missing + ([] if any(c in tabla.columnas for c in RESPUESTAS)
                            else ["al menos una de " + ", ".join(RESPUESTAS)])
        raise lectura.ArchivoRechazado("Faltan columnas: " + ", ".join(needed) + ".", 400,
                                       "columnas_faltantes")
    return tabla


def _yes_no(text: str) -> bool | None | str:
    """True / False, None when blank (no answer), "" when it is neither."""
    key = unicodedata.normalize("NFKD", (text or "").strip().lower())
    key = "".join(c for c in key if not unicodedata.combining(c))
    if not key:
        return None
    if key in SI:
        return True
    if key in NO:
        return False
    return ""


@dataclass
class Informe:
    """What an answer does (preview) or did (applied), row by row."""

    nombre_archivo: str
    huella: str
    centro_id: int
    filas: int = 0
    validas: int = 0
    sin_cambios: int = 0
    cambios: list[dict] = field(default_factory=list)  # {fila, participante_id, nombre, cambios}
    errores: list[dict] = field(default_factory=list)  # {fila, campo, mensaje}
    avisos: list[dict] = field(default_factory=list)
    aplicada: bool = False

    def to_dict(self) -> dict:
        return {"archivo": self.nombre_archivo, "huella": self.huella, "centro_id": self.centro_id,
                "filas": self.filas, "validas": self.validas, "con_cambios": len(self.cambios),
                "sin_cambios": self.sin_cambios, "cambios": self.cambios,
                "errores": self.errores, "avisos": self.avisos, "aplicada": self.aplicada}


@dataclass
class _Fila:
    numero: int
    clave: tuple[str, str]
    valores: dict  # answers given: vulnerabilidad_validada, fallecido, reside_en_otra_ciudad, ciudad


def _parse_rows(tabla: lectura.Tabla, informe: Informe) -> list[_Fila]:
    parsed: list[_Fila] = []
    seen: dict[tuple[str, str], _Fila] = {}
    for index, cells in enumerate(tabla.filas):
        numero = index + 2
        error = _row_error(cells)
        if error:
            informe.errores.append({"fila": numero, **error})
            continue
        tipo = cells.get("tipo_documento", "").strip().upper()
        doc = normalise_document(cells.get("numero_documento", ""))
        if tipo not in TIPOS_DOCUMENTO:
            informe.errores.append({"fila": numero, "campo": "tipo_documento",
                                    "mensaje": "Tipo de documento no válido (CC, TI, CE, PEP, PPT, PA o RC)."})
            continue
        if not doc or len(doc) > 20 or not doc.isalnum():
            informe.errores.append({"fila": numero, "campo": "numero_documento",
                                    "mensaje": "Número de documento vacío o no válido."})
            continue
        valores, bad = {}, None
        for campo in RESPUESTAS:
            if campo not in cells:
                continue
            answer = _yes_no(cells[campo])
            if answer == "":
                bad = {"campo": campo, "mensaje": f"Escriba si o no en «{ETIQUETAS[campo]}»."}
                break
            if answer is not None:
                valores[campo] = answer
        if bad:
            informe.errores.append({"fila": numero, **bad})
            continue
        ciudad = (cells.get("ciudad") or "").strip()
        if len(ciudad) > 80:
            informe.errores.append({"fila": numero, "campo": "ciudad",
                                    "mensaje": "La ciudad tiene más de 80 caracteres."})
            continue
        if valores.get("reside_en_otra_ciudad"):
            valores["ciudad"] = ciudad
        if not valores:
            informe.errores.append({"fila": numero, "campo": "fallecido",
                                    "mensaje": "La fila no trae ninguna respuesta (si o no)."})
            continue
        fila = _Fila(numero, (tipo, doc), valores)
        earlier = seen.get(fila.clave)
        if earlier is not None:
            if earlier.valores == valores:  # the export lists a person once per remission
                informe.avisos.append({"fila": numero, "campo": "numero_documento",
                                       "mensaje": f"Documento repetido (fila {earlier.numero}) "
                                                  "con la misma respuesta: se aplica una vez."})
            else:
                informe.errores.append({"fila": numero, "campo": "numero_documento",
                                        "mensaje": f"Documento repetido (fila {earlier.numero}) "
                                                   "con otra respuesta: corrija una de las dos."})
            continue
        seen[fila.clave] = fila
        parsed.append(fila)
    return parsed


def _row_error(cells: dict) -> dict | None:
    for campo in ("tipo_documento", "numero_documento", *RESPUESTAS, "ciudad"):
        value = cells.get(campo) or ""
        if value.startswith(FORMULA_STARTS):
            return {"campo": campo, "mensaje": "La celda empieza por =, +, - o @ (parece una fórmula)."}
    return None


def _new_values(person, valores: dict, today: date) -> dict:
    """The person's fields as the answer leaves them (only those it answers)."""
    new = {}
    if "vulnerabilidad_validada" in valores:
        new["dps_vulnerabilidad_validada"] = valores["vulnerabilidad_validada"]
    if "fallecido" in valores:
        new["fallecido"] = valores["fallecido"]
        new["fecha_reporte_fallecido"] = (
            (person.fecha_reporte_fallecido or today) if valores["fallecido"] else None)
    if "reside_en_otra_ciudad" in valores:
        new["reside_otra_ciudad"] = valores.get("ciudad", "") if valores["reside_en_otra_ciudad"] \
            else None
    return {k: v for k, v in new.items() if getattr(person, k) != v}


def _judge(actor, centro_id: int, nombre: str, huella: str, tabla: lectura.Tabla, *,
           aplicar: bool, today: date) -> Informe:
    informe = Informe(nombre, huella, centro_id, filas=len(tabla.filas))
    parsed = _parse_rows(tabla, informe)
    people = find_by_documents({f.clave for f in parsed})
    if aplicar and people:
        lock_participantes(sorted(p.id for p in people.values() if p.centro_id == centro_id))
    centros = dict(db.session.execute(select(Centro.id, Centro.nombre)).all())
    updates = []
    for fila in parsed:
        person = people.get(fila.clave)
        if person is None:
            informe.errores.append({"fila": fila.numero, "campo": "numero_documento",
                                    "mensaje": "No hay ninguna persona registrada con ese documento."})
            continue
        if person.centro_id != centro_id:
            informe.errores.append({"fila": fila.numero, "campo": "numero_documento",
                                    "mensaje": "La persona está registrada en otro centro "
                                               f"({centros.get(person.centro_id, '')}): ese centro "
                                               "aplica su respuesta."})
            continue
        if not person.remitido_dps:
            informe.errores.append({"fila": fila.numero, "campo": "numero_documento",
                                    "mensaje": "La persona no figura como remitida por el DPS."})
            continue
        informe.validas += 1
        changes = _new_values(person, fila.valores, today)
        if not changes:
            informe.sin_cambios += 1
            continue
        informe.cambios.append({
            "fila": fila.numero, "participante_id": person.id, "nombre": person.nombre_completo,
            "cambios": {k: {"antes": _plain(getattr(person, k)), "despues": _plain(v)}
                        for k, v in changes.items()}})
        updates.append((person, changes))
    informe.errores.sort(key=lambda e: e["fila"])
    if aplicar:
        _write(actor, centro_id, nombre, updates)
        informe.aplicada = True
    return informe


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


ANSWER_FIELDS = ("dps_vulnerabilidad_validada", "fallecido", "fecha_reporte_fallecido",
                 "reside_otra_ciudad")


def _write(actor, centro_id: int, nombre: str, updates: list) -> None:
    """Every change in one executemany UPDATE (by id and the version read, which it bumps: an
    edit in between is a 409), one audit entry per person (one INSERT), plus the answer's.

    Not through the ORM flush: no tablero row reads these fields, so the summary tables' flush
    listeners (which re-read every changed person's contributions) have nothing to follow."""
    if not updates:
        return
    now = utcnow()
    table = Participante.__table__
    statement = (update(table)
                 .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
                 .values(version=table.c.version + 1, dps_respuesta_en=now,
                         **{name: bindparam(f"b_{name}") for name in ANSWER_FIELDS}))
    rows, entries = [], []
    for person, changes in updates:
        rows.append({"b_id": person.id, "b_version": person.version,
                     **{f"b_{name}": changes.get(name, getattr(person, name))
                        for name in ANSWER_FIELDS}})
        entries.append((person.id, {k: getattr(person, k) for k in changes},
                        {**changes, "dps_respuesta_en": now}))
    done = db.session.execute(statement, rows).rowcount
    if done != len(rows):
        raise StaleVersion()
    for person, _ in updates:
        db.session.expire(person)
    detalle = f"Respuesta DPS ({nombre})"
    audit.record_many("editar", actor=actor, entidad="participante", centro_id=centro_id,
                      entries=entries, detalle=detalle)
    audit.record("importar", actor=actor, entidad="respuesta_dps", centro_id=centro_id,
                 despues={"archivo": nombre, "actualizadas": len(updates)}, detalle=detalle)


def answer_centre(actor, centro_id=None) -> int:
    """The centre an answer goes to (a director: theirs; an admin chooses), or the refusal."""
    return centro_for_write(actor, centro_id, Accion.RESPONDER_DPS)


def _read_upload(stream) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise lectura.ArchivoRechazado(
            f"El archivo pasa de {MAX_BYTES // (1024 * 1024)} MB.", 413, "demasiado_grande")
    return data


def preview_answer(actor, nombre_archivo: str, stream, centro_id=None, *, keep: bool = False,
                   today: date | None = None) -> Informe:
    """Judges every row; nothing is written. `keep` stores the file (by content hash, once the
    request commits) so the page can apply it after the preview without uploading it again."""
    centro_id = answer_centre(actor, centro_id)
    data = _read_upload(stream)
    tabla = read_answer(data)
    huella = hashlib.sha256(data).hexdigest()
    if keep:
        archivo.stage(db.session, huella, data)
    return _judge(actor, centro_id, (nombre_archivo or "archivo")[-120:], huella, tabla,
                  aplicar=False, today=today or today_bogota())


def apply_answer(actor, nombre_archivo: str, stream=None, centro_id=None, *, huella: str | None = None,
                 today: date | None = None) -> Informe:
    """Applies an answer: the uploaded file (API) or the one kept by its preview (`huella`)."""
    centro_id = answer_centre(actor, centro_id)
    if huella is not None:
        try:
            data = archivo.load(huella)
        except ValueError:
            data = None
        if data is None:
            raise RespuestaCaducada("El archivo de la vista previa ya no está disponible: súbalo de nuevo.")
    else:
        data = _read_upload(stream)
    tabla = read_answer(data)
    informe = _judge(actor, centro_id, (nombre_archivo or "archivo")[-120:],
                     hashlib.sha256(data).hexdigest(), tabla, aplicar=True,
                     today=today or today_bogota())
    return informe



# ---- on the person's page -----------------------------------------------------------------------

@dataclass
class RespuestaPersona:
    """The "Respuesta DPS" box: what DPS answered, and the transfer offer for a person living in
    another city (the centres of that city; the receiving centre asks for the transfer, the
    person's own centre offers it to them)."""

    vulnerabilidad_validada: bool | None
    fallecido: bool
    fecha_reporte_fallecido: date | None
    reside_otra_ciudad: str | None
    respuesta_en: object
    centros_destino: list[Centro]
    puede_solicitar: bool  # an admin may ask on the receiving centre's behalf


def respuesta_persona(actor, person) -> RespuestaPersona | None:
    if person.dps_respuesta_en is None and not person.fallecido \
            and person.reside_otra_ciudad is None and person.dps_vulnerabilidad_validada is None:
        return None
    destinos: list[Centro] = []
    if person.reside_otra_ciudad is not None and not person.fallecido:
        wanted = clave(person.reside_otra_ciudad)
        if wanted:
            destinos = [c for c in db.session.scalars(
                select(Centro).where(Centro.activo.is_(True), Centro.id != person.centro_id)
                .order_by(Centro.nombre)) if clave(c.ciudad) == wanted]
    return RespuestaPersona(person.dps_vulnerabilidad_validada, person.fallecido,
                            person.fecha_reporte_fallecido, person.reside_otra_ciudad,
                            person.dps_respuesta_en, destinos,
                            not is_centre_bound(actor) and may(actor, Accion.EDITAR_ITINERARIO))
