"""Convenios and cuatrienios (issue 12.6): metas per tablero row over their own dates and
centres, and their progress across the vigencias they span.

One model with a `clase` (convenio | cuatrienio): both are a named period with a set of centres
(or the whole network) and metas per row code; a convenio also has its financiador and the
resources it brings (pesos). The tablero's meta column stays the vigencia's (INDICADORES.md);
these metas are read only here.

A convenio's resultado of a row is the tablero's resultado over desde..hasta (cut at today while
it runs) for each of its centres, added up as the network's figure is (M5 the average of the
sums, 6.x its share of 1.1 + 1.2, as in the tablero). Figures are always computed live: a
closed month's frozen figures answer only the tablero windows of that close.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from .. import audit
from ..auth.guards import Accion, ensure, is_centre_bound
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..models import Centro, Convenio, ConvenioMeta, Vigencia
from ..models.convenio import CLASES_CONVENIO
from ..pagination import Page, paginate
from ..tableros import services as tableros
from ..tableros.registry import FILAS, POR_CODIGO, Fila
from ..validation import Fields, check_version, to_id, to_int
from . import queries

CUATRO_ANOS = 4  # a cuatrienio of the development plan lasts at most four years


# ---- reading -------------------------------------------------------------------------------

def _hidden(actor, convenio: Convenio) -> bool:
    return is_centre_bound(actor) and not convenio.cubre(actor.centro_id)


def get(actor, convenio_id) -> Convenio:
    """The convenio, or 404 when it does not exist or does not cover the caller's centre."""
    convenio = db.session.get(Convenio, to_id(convenio_id) or 0)
    if convenio is None:
        raise NotFound("No se encontró el convenio.")
    if _hidden(actor, convenio):
        # a centre the caller cannot see: the same 404 as a missing one, recorded as denied
        audit.record_now("denegado", actor=actor, entidad="convenio", entidad_id=convenio.id,
                         centro_id=actor.centro_id, detalle=f"{Accion.VER_CONVENIOS}: no cubre su centro")
        raise NotFound("No se encontró el convenio.")
    ensure(actor, Accion.VER_CONVENIOS, entidad="convenio", entidad_id=convenio.id)
    return convenio


def listing(actor, page: int, per_page: int, clase: str | None = None) -> Page:
    ensure(actor, Accion.VER_CONVENIOS)
    if clase not in (None, "") and clase not in CLASES_CONVENIO:
        raise ValidationFailed({"clase": "Use convenio o cuatrienio."})
    scope = actor.centro_id if is_centre_bound(actor) else None
    return paginate(queries.listing(scope, clase or None), page, per_page)


# ---- progress ------------------------------------------------------------------------------

@dataclass
class Periodo:
    nombre: str
    desde: date
    hasta: date
    por_venir: bool = False  # starts after today: nothing to count yet

    def to_dict(self) -> dict:
        return {"nombre": self.nombre, "desde": self.desde.isoformat(),
                "hasta": self.hasta.isoformat(), "por_venir": self.por_venir}


@dataclass
class FilaAvance:
    fila: Fila
    meta: int | None
    resultado: int
    avance: int | None
    por_periodo: list[int | None]

    def to_dict(self) -> dict:
        return {"codigo": self.fila.codigo, "tablero": self.fila.tablero, "area": self.fila.area,
                "indicador": self.fila.indicador, "descripcion": self.fila.descripcion,
                "meta": self.meta, "resultado": self.resultado, "avance": self.avance,
                "por_periodo": self.por_periodo}


@dataclass
class Avance:
    desde: date
    corte: date  # hasta, or today while the convenio runs
    periodos: list[Periodo]
    filas: list[FilaAvance]

    def to_dict(self) -> dict:
        return {"desde": self.desde.isoformat(), "corte": self.corte.isoformat(),
                "periodos": [p.to_dict() for p in self.periodos],
                "filas": [f.to_dict() for f in self.filas]}


def _years(desde: date, hasta: date) -> list[Periodo]:
    out = []
    start = desde
    while start <= hasta:
        end = min(date(start.year, 12, 31), hasta)
        out.append(Periodo(f"Año {start.year}", start, end))
        start = end + timedelta(days=1)
    return out


def periodos(desde: date, hasta: date) -> list[Periodo]:
    """The vigencias the window spans (cut to it), and calendar years for any stretch that no
    vigencia covers, in date order."""
    vigencias = db.session.scalars(select(Vigencia).where(Vigencia.desde <= hasta, Vigencia.hasta >= desde)
                                   .order_by(Vigencia.desde))
    out, cursor = [], desde
    for vigencia in vigencias:
        start, end = max(vigencia.desde, desde), min(vigencia.hasta, hasta)
        if cursor < start:
            out += _years(cursor, start - timedelta(days=1))
        out.append(Periodo(vigencia.nombre, start, end))
        cursor = end + timedelta(days=1)
    if cursor <= hasta:
        out += _years(cursor, hasta)
    return out


def _centros_of(convenio: Convenio) -> list[int] | None:
    return None if convenio.toda_la_red else [c.id for c in convenio.centros]


def progress(convenio: Convenio, today: date | None = None) -> Avance:
    """Per row: the convenio's meta, the resultado over its whole period for its centres, the
    avance, and the resultado of each vigencia (or year) it spans."""
    today = today or today_bogota()
    corte = min(convenio.hasta, max(today, convenio.desde))
    centros = _centros_of(convenio)
    metas = {m.codigo: m.valor for m in convenio.metas}
    total = queries.figures(centros, convenio.desde, corte)
    partes = periodos(convenio.desde, convenio.hasta)
    por_periodo = []
    for periodo in partes:
        periodo.por_venir = periodo.desde > today
        por_periodo.append(None if periodo.por_venir else
                           queries.figures(centros, periodo.desde, min(periodo.hasta, corte)))
    filas = []
    for fila in FILAS:
        cell = tableros.celda(fila, total, metas)
        filas.append(FilaAvance(fila, cell.meta, cell.resultado, cell.avance, [
            None if values is None else tableros.celda(fila, values, None).resultado
            for values in por_periodo]))
    return Avance(convenio.desde, corte, partes, filas)


# ---- writing -------------------------------------------------------------------------------

def _meta_values(raw, errors: dict) -> dict[str, int | None]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors["metas"] = "Envíe las metas como un objeto {código de fila: meta}."
        return {}
    values = {}
    for code, value in raw.items():
        if code not in POR_CODIGO:
            errors[f"metas.{code}"] = f"«{code}» no es un código de fila de los tableros."
            continue
        if value in (None, ""):
            values[code] = None  # clears the meta
            continue
        number = to_int(value, money=True)
        if number is None or number < 0:
            errors[f"metas.{code}"] = "La meta debe ser un número entero mayor o igual a 0."
        else:
            values[code] = number
    return values


def _centre_ids(raw, errors: dict) -> list[int]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        errors["centros"] = "Envíe los centros como una lista de identificadores."
        return []
    ids = []
    for value in raw:
        centro_id = to_id(value)
        if centro_id is None:
            errors["centros"] = "Hay un centro que no es válido."
            return []
        if centro_id not in ids:
            ids.append(centro_id)
    existing = set(db.session.scalars(select(Centro.id).where(Centro.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in existing]
    if missing:
        errors["centros"] = f"No existe el centro {missing[0]}."
    return ids


def _validate(data: dict) -> tuple[dict, list[int], dict[str, int | None]]:
    f = Fields(data)
    clase = f.choice("clase", list(CLASES_CONVENIO))
    nombre = f.text("nombre", max_length=100)
    es_convenio = clase == "convenio"
    financiador = f.text("financiador", required=es_convenio, max_length=100)
    recursos = f.integer("recursos", required=es_convenio, minimum=0, money=True)
    desde = f.date("desde")
    hasta = f.date("hasta")
    toda_la_red = bool(f.boolean("toda_la_red"))
    if desde and hasta:
        if hasta < desde:
            f.fail("hasta", "La fecha final no puede ser anterior a la fecha inicial.")
        elif clase == "cuatrienio" and hasta >= _plus_years(desde, CUATRO_ANOS):
            f.fail("hasta", "Un cuatrienio no puede durar más de cuatro años.")
    errors = dict(f.errors)
    centros = _centre_ids(data.get("centros"), errors)
    if not toda_la_red and not centros and "centros" not in errors:
        errors["centros"] = "Elija los centros que cubre, o marque toda la red."
    metas = _meta_values(data.get("metas"), errors)
    if errors:
        raise ValidationFailed(errors)
    values = {"clase": clase, "nombre": nombre, "financiador": financiador, "recursos": recursos,
              "desde": desde, "hasta": hasta, "toda_la_red": toda_la_red}
    return values, ([] if toda_la_red else centros), metas


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _same_name(nombre: str, but: int | None = None) -> None:
    statement = select(Convenio.id).where(Convenio.nombre == nombre)
    if but is not None:
        statement = statement.where(Convenio.id != but)
    if db.session.scalar(statement) is not None:
        raise Conflict("Ya existe un convenio o cuatrienio con ese nombre.",
                       {"nombre": "Nombre ya registrado."})


def _plain(convenio: Convenio) -> dict:
    """What the audit trail keeps of it (dates as text, centres and metas included)."""
    return {"clase": convenio.clase, "nombre": convenio.nombre,
            "financiador": convenio.financiador, "recursos": convenio.recursos,
            "desde": convenio.desde.isoformat(), "hasta": convenio.hasta.isoformat(),
            "toda_la_red": convenio.toda_la_red,
            "centros": [c.id for c in convenio.centros],
            "metas": {m.codigo: m.valor for m in convenio.metas}}


def _apply(convenio: Convenio, values: dict, centros: list[int], metas: dict[str, int | None]) -> None:
    for key, value in values.items():
        setattr(convenio, key, value)
    convenio.centros = list(db.session.scalars(select(Centro).where(Centro.id.in_(centros)))) if centros else []
    current = {m.codigo: m for m in convenio.metas}
    for code, value in metas.items():
        if value is None:
            if code in current:
                convenio.metas.remove(current.pop(code))
        elif code in current:
            current[code].valor = value
        else:
            current[code] = ConvenioMeta(codigo=code, valor=value)
            convenio.metas.append(current[code])


def create(actor, data: dict) -> Convenio:
    """POST /convenios (admin)."""
    ensure(actor, Accion.GESTIONAR_CONVENIOS, entidad="convenio")
    if not isinstance(data, dict):
        raise ValidationFailed({}, "Se esperaba un objeto JSON.")
    values, centros, metas = _validate(data)
    _same_name(values["nombre"])
    convenio = Convenio()
    _apply(convenio, values, centros, metas)
    db.session.add(convenio)
    db.session.flush()
    audit.record("crear", actor=actor, entidad="convenio", entidad_id=convenio.id,
                 despues=_plain(convenio))
    return convenio


def _as_input(convenio: Convenio) -> dict:
    return {"clase": convenio.clase, "nombre": convenio.nombre,
            "financiador": convenio.financiador, "recursos": convenio.recursos,
            "desde": convenio.desde, "hasta": convenio.hasta, "toda_la_red": convenio.toda_la_red,
            "centros": [c.id for c in convenio.centros]}


def update(actor, convenio_id, data: dict) -> Convenio:
    """PUT /convenios/<id> (admin): the fields sent replace the stored ones (the others stay);
    `metas` sets the codes sent, and a null clears one. Needs the `version` it was read with."""
    convenio = get(actor, convenio_id)
    ensure(actor, Accion.GESTIONAR_CONVENIOS, entidad="convenio", entidad_id=convenio.id)
    if not isinstance(data, dict):
        raise ValidationFailed({}, "Se esperaba un objeto JSON.")
    check_version(data, convenio.version)
    merged = {**_as_input(convenio), **{k: v for k, v in data.items() if k != "version"}}
    values, centros, metas = _validate(merged)
    _same_name(values["nombre"], but=convenio.id)
    before = _plain(convenio)
    _apply(convenio, values, centros, metas)
    flag_modified(convenio, "nombre")  # a change of centres or metas alone moves the version too
    db.session.flush()
    antes, despues = audit.changed_values(before, _plain(convenio))
    audit.record("editar", actor=actor, entidad="convenio", entidad_id=convenio.id,
                 antes=antes, despues=despues)
    return convenio


# ---- answers -------------------------------------------------------------------------------

def to_dict(convenio: Convenio, avance: Avance | None = None) -> dict:
    data = {"id": convenio.id, "clase": convenio.clase, "nombre": convenio.nombre,
            "financiador": convenio.financiador, "recursos": convenio.recursos,
            "desde": convenio.desde.isoformat(), "hasta": convenio.hasta.isoformat(),
            "toda_la_red": convenio.toda_la_red,
            "centros": [{"id": c.id, "nombre": c.nombre} for c in convenio.centros],
            "metas": {m.codigo: m.valor for m in convenio.metas}, "version": convenio.version}
    if avance is not None:
        data["avance"] = avance.to_dict()
    return data
