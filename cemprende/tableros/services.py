"""Tableros and metas: period, scope, resultado per centre and for the network, meta and avance."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import audit, versiones
from ..auth.guards import Accion, can_see_centro, centre_scope, ensure, is_centre_bound
from ..cierres import congelados
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Centro, Meta, Vigencia
from ..validation import Fields, to_id, to_int
from . import queries
from .registry import POR_CODIGO, TABLEROS, Fila, Promedio, filas_de
from ..itinerario.dia import today_bogota


# ---- period and scope ----------------------------------------------------------------------

_VIGENCIAS = "vigencias_por_dia"


def vigencia_containing(day: date) -> Vigencia | None:
    """Read once per session until it writes (the period and the tablero of a request both ask)."""
    known = db.session.info.setdefault(_VIGENCIAS, {})
    if day not in known:
        known[day] = db.session.scalar(select(Vigencia).where(Vigencia.desde <= day, Vigencia.hasta >= day))
    return known[day]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_vigencias(session: Session, *_args) -> None:
    session.info.pop(_VIGENCIAS, None)


def resolve_period(desde: date | None, hasta: date) -> tuple[date, date]:
    """Without desde: the start of the vigencia containing hasta, else the first of its month."""
    if desde is None:
        vigencia = vigencia_containing(hasta)
        desde = vigencia.desde if vigencia else hasta.replace(day=1)
    if desde > hasta:
        raise ValidationFailed({"desde": "El inicio del periodo no puede ser posterior al corte."})
    return desde, hasta


def resolve_scope(actor, centro_id) -> int | None:
    """The centre asked for (None: the network). Staff of a centre get their own centre."""
    ensure(actor, Accion.VER)
    if centro_id in (None, ""):
        return actor.centro_id if is_centre_bound(actor) else None
    centro_id = to_id(centro_id)
    if centro_id is None:
        raise ValidationFailed({"centro_id": "El centro no es válido."})
    if not can_see_centro(actor, centro_id) or db.session.get(Centro, centro_id) is None:
        ensure(actor, Accion.VER, centro_id, entidad="tablero")
        raise NotFound("No se encontró el centro.")
    return centro_id


def parse_request(actor, args: dict, today: date | None = None) -> tuple[int | None, date, date]:
    f = Fields(args)
    hasta = f.date("hasta", required=False) or (today or today_bogota())
    desde = f.date("desde", required=False)
    f.raise_if_errors()
    centro_id = resolve_scope(actor, args.get("centro_id"))
    desde, hasta = resolve_period(desde, hasta)
    return centro_id, desde, hasta


# ---- computing -----------------------------------------------------------------------------

def avance(resultado: int, meta: int | None) -> int | None:
    """resultado / meta as a whole percent rounded half up; None without a meta or with meta 0."""
    if not meta:
        return None
    return (200 * resultado + meta) // (2 * meta)


@dataclass
class Celda:
    meta: int | None
    resultado: int
    avance: int | None


@dataclass
class FilaTablero:
    fila: Fila
    total: Celda
    anterior: Celda | None = None  # a reopened month: the previous close's figure
    # The network's per-centre cells are made when first read (the page shows one row's, the
    # API none): the figures they come from are already computed, only the cells wait.
    _centros: list[Centro] = field(default_factory=list, repr=False)
    _valores: dict[int, dict[str, int]] = field(default_factory=dict, repr=False)
    _metas: dict[int, dict[str, int]] = field(default_factory=dict, repr=False)
    _por_centro: dict[int, Celda] | None = field(default=None, repr=False)

    @property
    def por_centro(self) -> dict[int, Celda]:
        if self._por_centro is None:
            self._por_centro = {c.id: _cell(self.fila, self._valores.get(c.id, {}), self._metas.get(c.id))
                                for c in self._centros}
        return self._por_centro

    def to_dict(self) -> dict:
        data = {"codigo": self.fila.codigo, "area": self.fila.area, "numero": self.fila.numero,
                "indicador": self.fila.indicador, "descripcion": self.fila.descripcion,
                "meta": self.total.meta, "resultado": self.total.resultado,
                "avance": self.total.avance}
        if self.anterior is not None:
            data.update(anterior=self.anterior.resultado,
                        variacion=self.total.resultado - self.anterior.resultado)
        return data


@dataclass
class Tablero:
    tablero: str
    titulo: str
    centro: Centro | None
    centros: list[Centro]
    desde: date
    hasta: date
    vigencia: Vigencia | None
    filas: list[FilaTablero]
    cierre: congelados.Congelado | None = None  # the frozen figures of a closed month

    @property
    def cerrado(self) -> bool:
        return self.cierre is not None

    def to_dict(self) -> dict:
        return {"tablero": self.tablero, "centro_id": self.centro.id if self.centro else None,
                "desde": self.desde.isoformat(), "hasta": self.hasta.isoformat(),
                "vigencia": self.vigencia.to_dict() if self.vigencia else None,
                "cerrado": self.cerrado, "cierre": self.cierre.to_dict() if self.cierre else None,
                "filas": [fila.to_dict() for fila in self.filas]}


def _metas(vigencia: Vigencia | None, centro_id: int | None) -> dict[int, dict[str, int]]:
    if vigencia is None:
        return {}
    statement = select(Meta.centro_id, Meta.codigo, Meta.valor).where(Meta.vigencia_id == vigencia.id)
    if centro_id is not None:
        statement = statement.where(Meta.centro_id == centro_id)
    metas: dict[int, dict[str, int]] = {}
    for centre, code, valor in db.session.execute(statement):  # plain rows: no ORM objects
        metas.setdefault(centre, {})[code] = valor
    return metas


def _cell(fila: Fila, values: dict[str, int], metas: dict[str, int] | None) -> Celda:
    if isinstance(fila.calculo, Promedio):
        count = values.get(fila.calculo.numero, 0)
        resultado = _half_up(values.get(fila.calculo.valor, 0), count) if count else 0
    else:
        resultado = values.get(fila.codigo, 0)
    meta = metas.get(fila.codigo) if metas else None
    if fila.avance_sobre_enrutados:
        progress = avance(resultado, values.get("1.1", 0) + values.get("1.2", 0))
    else:
        progress = avance(resultado, meta)
    return Celda(meta, resultado, progress)


def _network_sum(per_centre: dict[int, dict[str, int]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for values in per_centre.values():
        for code, value in values.items():
            totals[code] = totals.get(code, 0) + value
    return totals


def _half_up(value: int, count: int) -> int:
    """value / count rounded half up to a whole number, in integers (money is never a float)."""
    return (2 * value + count) // (2 * count)


def _network_metas(filas: list[Fila], metas: dict[int, dict[str, int]]) -> dict[str, int]:
    """The sum of the centres' metas, except an average row (M5): Σ meta of its value row over
    Σ meta of its count row, over the centres that set both; none when no centre does."""
    totals = _network_sum(metas)
    for fila in filas:
        if isinstance(fila.calculo, Promedio):
            valor, numero = fila.calculo.valor, fila.calculo.numero
            both = [m for m in metas.values() if m.get(valor) is not None and m.get(numero) is not None]
            count = sum(m[numero] for m in both)
            if count:
                totals[fila.codigo] = _half_up(sum(m[valor] for m in both), count)
            else:
                totals.pop(fila.codigo, None)
    return totals


# The same cell and network sum for the metas of convenios and cuatrienios (convenios/).
celda = _cell
suma_red = _network_sum


# The figures of queries.compute, kept per centre and (period, rows asked) while nothing they
# read has been written (versiones.TABLEROS: the centre's counter, bumped in every writer's
# transaction): the page and the API serve a repeated tablero without its grouped SQL, and a
# write in one centre recomputes that centre's figures only. Only these role-independent numbers
# are kept; metas, vigencias, closed months and centres are read on every request.
VALORES = versiones.Partes(versiones.TABLEROS)


def valores(filas: list[Fila], desde: date, hasta: date, centro_id: int | None) -> queries.Valores:
    """queries.compute for the scope (None: every centre), from the kept figures when they are
    current. A centre's figures read only that centre's rows (its actuaciones, its vacantes, the
    summary rows its actuaciones keep), so each centre's part is the network's for that centre."""
    centros = queries.scope_centres(centro_id)
    key = ("valores", desde, hasta, tuple(sorted(f.codigo for f in filas)))
    parts = VALORES.get(key, centros,
                        lambda c: queries.compute(filas, desde, hasta, c).get(c),
                        lambda: dict(queries.compute(filas, desde, hasta, None)))
    # Read-only from here on (a kept part is shared by every request).
    return {c: part for c, part in parts.items() if part}


def compute(actor, tablero: str, centro_id: int | None, desde: date, hasta: date) -> Tablero:
    """Both the scope's rows and, for the network, each centre's, from a few grouped queries."""
    return compute_all(actor, [tablero], centro_id, desde, hasta)[0]


def compute_all(actor, tableros: list[str], centro_id: int | None, desde: date,
                hasta: date) -> list[Tablero]:
    """Several tableros of one scope and period (the page shows both): the period, the frozen
    figures, the metas, the centres and the grouped queries are read once for all of them."""
    if any(name not in TABLEROS for name in tableros):
        raise NotFound("No existe ese tablero.")
    # What 6.x and M5 derive from (1.x, M4) is in the same tablero.
    filas = {name: filas_de(name) for name in tableros}
    vigencia = vigencia_containing(hasta)
    centros = _centres(actor, centro_id, hasta)
    # A closed month's window: its figures. The network's centres are the ones open by the cut.
    network = centro_id is None and centre_scope(actor) is None
    frozen = congelados.lookup(centro_id, desde, hasta, [c.id for c in centros] if network else None)
    if frozen is not None:
        per_centre, metas = frozen.valores, frozen.metas
    else:
        per_centre = valores([f for name in tableros for f in filas[name]
                              if not isinstance(f.calculo, Promedio)], desde, hasta,
                             centro_id if centro_id is not None else centre_scope(actor))
        metas = _metas(vigencia, centro_id)
    centro = db.session.get(Centro, centro_id) if centro_id else None
    scope_values = per_centre.get(centro_id, {}) if centro_id else _network_sum(per_centre)
    return [Tablero(name, TABLEROS[name], centro, centros, desde, hasta, vigencia,
                    _rows(filas[name], centro_id, per_centre, scope_values, metas, centros, frozen), frozen)
            for name in tableros]


def _rows(filas: list[Fila], centro_id: int | None, per_centre, scope_values, metas, centros,
          frozen: congelados.Congelado | None) -> list[FilaTablero]:
    # The network's meta of a row is the sum of the metas its centres set, but M5's is an
    # average (INDICADORES.md).
    scope_metas = metas.get(centro_id) if centro_id else _network_metas(filas, metas)
    rows = []
    for fila in filas:
        row = FilaTablero(fila, _cell(fila, scope_values, scope_metas))
        if centro_id is None:
            row._centros, row._valores, row._metas = centros, per_centre, metas
        if frozen is not None and frozen.reabierto:
            before = frozen.anteriores.get(centro_id, {}) if centro_id else _network_sum(frozen.anteriores)
            before_metas = (frozen.metas_anteriores.get(centro_id) if centro_id
                            else _network_metas(filas, frozen.metas_anteriores))
            row.anterior = _cell(fila, before, before_metas)
        rows.append(row)
    return rows


def _centres(actor, centro_id: int | None, hasta: date) -> list[Centro]:
    """The scope's centre, or the network's per-centre columns: the centres opened by the cut
    date (one with no opening date has not opened and gets no column)."""
    todos = queries.centros_de_la_red()
    if centro_id is None:
        centro_id = centre_scope(actor)
    if centro_id is not None:
        return [c for c in todos if c.id == centro_id]
    return [c for c in todos if c.abierto_al(hasta)]


# ---- metas ---------------------------------------------------------------------------------

def _vigencia_from(actor, data) -> Vigencia:
    if not isinstance(data, dict):
        raise ValidationFailed({"vigencia": "Envíe la vigencia con nombre, desde y hasta."})
    f = Fields(data)
    nombre = f.text("nombre", max_length=80)
    desde = f.date("desde")
    hasta = f.date("hasta")
    if desde and hasta and hasta < desde:
        f.fail("hasta", "El fin de la vigencia no puede ser anterior a su inicio.")
    if f.errors:
        raise ValidationFailed({f"vigencia.{name}": message for name, message in f.errors.items()})
    existing = db.session.scalar(select(Vigencia).where(Vigencia.nombre == nombre))
    if existing is not None:
        if (existing.desde, existing.hasta) != (desde, hasta):
            raise Conflict(f"La vigencia «{nombre}» ya existe con otras fechas "
                           f"({existing.desde:%d/%m/%Y} a {existing.hasta:%d/%m/%Y}).",
                           {"vigencia": "Fechas distintas a las registradas."})
        return existing
    overlapping = db.session.scalar(select(Vigencia).where(Vigencia.desde <= hasta,
                                                           Vigencia.hasta >= desde))
    if overlapping is not None:
        raise Conflict(f"Las fechas se cruzan con la vigencia «{overlapping.nombre}».",
                       {"vigencia": "Las vigencias no pueden superponerse."})
    vigencia = Vigencia(nombre=nombre, desde=desde, hasta=hasta)
    db.session.add(vigencia)
    db.session.flush()
    audit.record("crear", actor=actor, entidad="vigencia", entidad_id=vigencia.id,
                 despues=vigencia.to_dict())
    return vigencia


def _meta_values(raw) -> dict[str, int | None]:
    if not isinstance(raw, dict):
        raise ValidationFailed({"metas": "Envíe un objeto {código: meta}."})
    errors, values = {}, {}
    for code, value in raw.items():
        if code not in POR_CODIGO:
            errors[code] = "Código de fila desconocido."
            continue
        if value in (None, ""):
            values[code] = None  # clears the meta
            continue
        number = to_int(value, money=True)
        if number is None or number < 0:
            errors[code] = "La meta debe ser un número entero mayor o igual a 0."
        else:
            values[code] = number
    if errors:
        raise ValidationFailed(errors)
    return values


def set_metas(actor, data: dict) -> tuple[Vigencia, dict[str, int]]:
    """PUT /metas: sets (or clears, with null) the given row codes for one centre and vigencia."""
    if not isinstance(data, dict):
        raise ValidationFailed({}, "Se esperaba un objeto JSON.")
    f = Fields(data)
    centro_id = f.integer("centro_id", required=not is_centre_bound(actor), minimum=1)
    f.raise_if_errors()
    centro_id = centro_id or actor.centro_id
    ensure(actor, Accion.EDITAR_METAS, centro_id, entidad="meta")
    if db.session.get(Centro, centro_id) is None:
        raise ValidationFailed({"centro_id": "El centro no existe."})
    values = _meta_values(data.get("metas"))
    vigencia = _vigencia_from(actor, data.get("vigencia"))
    current = {m.codigo: m for m in db.session.scalars(
        select(Meta).where(Meta.centro_id == centro_id, Meta.vigencia_id == vigencia.id))}
    before = {code: m.valor for code, m in current.items() if code in values}
    for code, value in values.items():
        if value is None:
            if code in current:
                db.session.delete(current.pop(code))
        elif code in current:
            current[code].valor = value
        else:
            current[code] = Meta(centro_id=centro_id, vigencia_id=vigencia.id, codigo=code, valor=value)
            db.session.add(current[code])
    db.session.flush()
    audit.record("editar", actor=actor, entidad="meta", centro_id=centro_id,
                 antes=before, despues=values, detalle=f"vigencia {vigencia.nombre}")
    return vigencia, {code: m.valor for code, m in current.items()}


def metas_of(actor, centro_id: int, vigencia: Vigencia) -> dict[str, int]:
    ensure(actor, Accion.VER, centro_id, entidad="meta")
    return _metas(vigencia, centro_id).get(centro_id, {})


def copy_metas(actor, data: dict) -> tuple[Vigencia, dict[str, int]]:
    """Copies every meta of a previous vigencia of the centre into another (created when new)."""
    f = Fields(data)
    origen_id = f.integer("origen_id", minimum=1)
    f.raise_if_errors()
    centro_id = data.get("centro_id") or actor.centro_id
    origen = db.session.get(Vigencia, origen_id)
    if origen is None:
        raise ValidationFailed({"origen_id": "La vigencia de origen no existe."})
    metas = metas_of(actor, int(centro_id), origen) if str(centro_id).isdigit() else {}
    if not metas:
        raise ValidationFailed({"origen_id": f"La vigencia «{origen.nombre}» no tiene metas para copiar."})
    return set_metas(actor, {"centro_id": centro_id, "vigencia": data.get("vigencia"), "metas": metas})


def vigencia_by_id(vigencia_id) -> Vigencia | None:
    vigencia_id = to_id(vigencia_id)
    return db.session.get(Vigencia, vigencia_id) if vigencia_id else None


def vigencias() -> list[Vigencia]:
    return list(db.session.scalars(select(Vigencia).order_by(Vigencia.desde.desc())))
