"""Recording and annulling actuaciones, with the field and order rules of API.md."""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth.guards import Accion, ensure, visible_or_404
# The month close refuses writes dated in a closed month (its hook joins reglas.PERIODO).
from ..cierres import periodo as _periodo  # noqa: F401
# Each process contributes the rules of its tipos to the registry by being imported here.
from ..empleabilidad import reglas as _empleabilidad  # noqa: F401
from ..emprendimiento import reglas as _emprendimiento  # noqa: F401
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..formatting import dinero, fecha_hora
from ..locking import insert_returning_ids, lock_participantes, lock_vacantes
from ..membership import among
from ..microfinanciamiento import reglas as _microfinanciamiento  # noqa: F401
from ..orientacion import reglas as _orientacion  # noqa: F401  (the consent rule)
from ..dps import reglas as _dps  # noqa: F401  (the fallecido rule, judged before consent)
from ..models import Actuacion, ActuacionItem, Participante
from ..models.actuacion import vigentes
from ..models.base import utcnow
from ..participantes.services import get_visible
from ..scoping import ALL_CENTRES_OPTION
from ..tableros import resumen as _resumen  # noqa: F401  (its flush listeners keep the summary)
from ..validation import Fields, to_int
from . import reglas
from .dia import today_bogota
from .tipos import CATEGORIAS_INVERSION, TIPOS, Tipo, TipoActuacion

EARLIEST_FECHA = date(2000, 1, 1)
MAX_ITEMS = 100


def _check_fields(tipo: TipoActuacion, f: Fields) -> None:
    for campo in tipo.campos:
        if campo.clase == "texto":
            f.text(campo.nombre, required=campo.requerido, max_length=campo.max_length,
                   pattern=campo.patron, pattern_message=campo.patron_mensaje or "")
        elif campo.clase == "opcion":
            f.choice(campo.nombre, campo.opciones, required=campo.requerido)
        elif campo.clase == "entero":
            f.integer(campo.nombre, required=campo.requerido, minimum=campo.minimo,
                      maximum=campo.maximo or 100_000)
        elif campo.clase == "dinero":
            f.integer(campo.nombre, minimum=campo.minimo, money=True)
        elif campo.clase == "vacante":
            f.integer(campo.nombre, minimum=1, maximum=2_147_483_647)


def _check_items(tipo: TipoActuacion, f: Fields) -> list[dict]:
    raw = f.data.get("items")
    if raw in (None, []):
        return []
    if not tipo.admite_items:
        f.fail("items", "Este tipo de actuación no lleva ítems de inversión.")
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        f.fail("items", f"Envíe una lista de hasta {MAX_ITEMS} ítems.")
        return []
    items = []
    for index, item in enumerate(raw, start=1):
        try:
            item_fields = Fields(item)
        except ValidationFailed:
            f.fail("items", f"El ítem {index} no es válido.")
            return []
        item_fields.text("descripcion", max_length=200)
        item_fields.integer("cantidad", minimum=1, maximum=1_000_000)
        item_fields.integer("precio_unitario", minimum=1, money=True)
        item_fields.choice("categoria", CATEGORIAS_INVERSION, required=False)
        for name, message in item_fields.errors.items():
            f.fail(f"items[{index}].{name}", message)
        items.append(item_fields.clean)
    if f.errors:
        return []
    total = sum(i["cantidad"] * i["precio_unitario"] for i in items)
    declared = f.clean.get(tipo.valor_campo)
    if declared is not None and declared != total:
        f.fail(tipo.valor_campo,
               f"Debe ser igual a la suma de los ítems ({dinero(total)}), no {dinero(declared)}.")
    return items


def items_total(items) -> int | None:
    """Sum of cantidad × precio_unitario when every item is well formed (pesos as people type
    them); otherwise None, and the gate's item checks say what is wrong with which item."""
    try:
        return sum(to_int(i["cantidad"]) * to_int(i["precio_unitario"], money=True) for i in items)
    except (KeyError, TypeError):
        return None


def whole_itinerary(participante_id: int) -> list[Actuacion]:
    """The person's actuaciones that count, in every centre, oldest first, with their items:
    the facts every rule reads (a person who moved keeps the itinerary of the first centre)."""
    return list(db.session.scalars(
        select(Actuacion).where(Actuacion.participante_id == participante_id, vigentes())
        .order_by(Actuacion.fecha, Actuacion.id)
        .options(selectinload(Actuacion.items))
        .execution_options(**{ALL_CENTRES_OPTION: True})
    ).unique())


def _checked(data: dict, today: date) -> tuple[TipoActuacion, date, dict, list[dict]]:
    """The tipo's field checks and the fecha (not after Colombia's today): what the rules judge."""
    f = Fields(data)
    nombre_tipo = f.choice("tipo", TIPOS)
    fecha = f.date("fecha", not_future=True, today=today, earliest=EARLIEST_FECHA)
    if nombre_tipo is None:
        f.raise_if_errors()
    tipo = TIPOS[nombre_tipo]
    _check_fields(tipo, f)
    items = _check_items(tipo, f)
    f.raise_if_errors()
    return tipo, fecha, f.clean, items


def register(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """The gate: every actuación, whatever door brings it, is checked and written here.

    Fields by the tipo's declaration, fecha not after Colombia's today, the period hook (month
    close), then every rule of the tipo against the person's whole itinerary; the summary tables
    of the tableros follow in the same transaction (`tableros.resumen` listens to the flush).
    """
    today = today or today_bogota()
    person = get_visible(actor, participante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, person.centro_id)
    tipo, fecha, clean, items = _checked(data, today)
    # The rules read counts and sums over the person's itinerary and the vacancy: the writes that
    # could change them wait until this transaction ends (vacancy first, then the person).
    lock_vacantes([clean.get("vacante_id")])
    lock_participantes([person.id])
    reglas.check_period(person.centro_id, fecha)
    reglas.judge(reglas.Hechos(participante_id=person.id, tipo=tipo.nombre, fecha=fecha, valores=clean,
                               items=items, itinerario=whole_itinerary(person.id),
                               centro_id=person.centro_id))
    actuacion = _insert(actor, person, tipo, fecha, clean, items)
    _follow_on(actor, person, actuacion)
    audit.record("crear", actor=actor, entidad="actuacion", entidad_id=actuacion.id,
                 centro_id=person.centro_id, despues=to_dict(actuacion))
    return actuacion


def register_many(actor, writes: list[tuple[Participante, dict]], today: date | None = None,
                  detalle: str | None = None, origen: dict | list[dict] | None = None,
                  periods: dict | None = None) -> list[int | DomainError]:
    """The gate for many writes at once (a chunk of an import): each write is judged exactly as
    `register` judges it (field checks, the period hook, every rule of its tipo) against the
    people's itineraries, loaded once for the whole batch (and grown with what the batch accepts);
    the accepted ones are written with one INSERT per table, their audit entries with another,
    and the summary tables follow once for the batch (`resumen.following`, the same difference
    the flush listeners apply to `register`'s writes).

    The people are given (already visible to the caller: an import found or created them). The
    answer holds, in the writes' order, the new actuación's id or the error that refused that
    write; a refused write does not stop the others. `origen` (e.g. {"importacion_id": 7}) is kept
    in each new actuación's datos, so what an import brought can be told apart (it is not "late");
    a list gives each write its own (a legacy base's file and row). `periods` is the period
    hooks' answers already judged in this transaction, (centre, month) → answer (see
    `reglas.check_period`).
    """
    today = today or today_bogota()
    for centro_id in sorted({person.centro_id for person, _ in writes}):
        ensure(actor, Accion.EDITAR_ITINERARIO, centro_id)
    checked: list = []
    for _, data in writes:
        try:
            checked.append(_checked(data, today))
        except DomainError as error:
            checked.append(error)
    lock_vacantes([c[2].get("vacante_id") for c in checked if not isinstance(c, DomainError)])
    lock_participantes(person.id for person, _ in writes)
    itineraries = itineraries_of({person.id for person, _ in writes})
    results: list = []
    accepted: list[tuple[Participante, Actuacion]] = []
    origenes = origen if isinstance(origen, list) else [origen] * len(writes)
    # (centre, month) → the period hooks' answer, judged once per transaction
    periods = {} if periods is None else periods
    for (person, _), item, own_origen in zip(writes, checked, origenes):
        if isinstance(item, DomainError):
            results.append(item)
            continue
        tipo, fecha, clean, items = item
        own = itineraries.setdefault(person.id, [])
        try:
            reglas.check_period(person.centro_id, fecha, periods)
            reglas.judge(reglas.Hechos(participante_id=person.id, tipo=tipo.nombre, fecha=fecha,
                                       valores=clean, items=items, itinerario=list(own),
                                       centro_id=person.centro_id))
        except DomainError as error:
            results.append(error)
            continue
        actuacion = _Nueva(_values(actor, person, tipo, fecha, clean), items)
        if own_origen:
            actuacion.datos = {**actuacion.datos, **own_origen}
        # Later writes of the batch see this one, as they would after a commit one by one.
        own.insert(sum(1 for a in own if a.fecha <= fecha), actuacion)
        accepted.append((person, actuacion))
        results.append(actuacion)
    touched: dict[int, set[str | None]] = {}
    for person, actuacion in accepted:
        touched.setdefault(person.id, set()).add(actuacion.tipo)
    with _resumen.following(touched):
        _insert_many(accepted)
    followed = []
    for person, actuacion in accepted:
        changes = _follow_on_values(person, actuacion)
        if changes:
            followed.append((person.id, {key: getattr(person, key) for key in changes}, changes))
            for key, value in changes.items():
                setattr(person, key, value)  # the flush's listeners follow this change
    db.session.flush()
    by_centre: dict[int, list] = {}
    for person, actuacion in accepted:
        by_centre.setdefault(person.centro_id, []).append(
            (actuacion.id, None, to_dict(actuacion) | {"asesor": actor.username}))
    for centro_id, entries in by_centre.items():
        audit.record_many("crear", actor=actor, entidad="actuacion", centro_id=centro_id,
                          entries=entries, detalle=detalle)
    centres = {person.id: person.centro_id for person, _ in accepted}
    edited: dict[int, list] = {}  # one bulk insert per centre, as for the actuaciones' entries
    for participante_id, antes, despues in followed:
        edited.setdefault(centres[participante_id], []).append((participante_id, antes, despues))
    for centro_id, entries in edited.items():
        audit.record_many("editar", actor=actor, entidad="participante", centro_id=centro_id,
                          entries=entries, detalle=detalle)
    return [r if isinstance(r, DomainError) else r.id for r in results]


def _insert_many(accepted: list[tuple[Participante, _Nueva]]) -> None:
    """One INSERT for the actuaciones (ids back in order), one for their items."""
    if not accepted:
        return
    # Every column some transient object carries a value for (whatever columns the model gains);
    # the others are left to their defaults.
    columns = [c.key for c in Actuacion.__table__.columns if c.key != "id"
               and any(getattr(a, c.key) is not None for _, a in accepted)]
    rows = [{name: getattr(actuacion, name) for name in columns} | {"anulada": False}
            for _, actuacion in accepted]
    ids = insert_returning_ids(Actuacion, rows, copy=True)
    item_columns = [c.key for c in ActuacionItem.__table__.columns
                    if c.key not in ("id", "actuacion_id")]
    items = []
    for (_, actuacion), new_id in zip(accepted, ids):
        actuacion.id = new_id
        items += [{name: getattr(item, name) for name in item_columns} | {"actuacion_id": new_id}
                  for item in actuacion.items]
    if items:
        db.session.execute(insert(ActuacionItem), items)


def itineraries_of(participante_ids: set[int]) -> dict[int, list[Actuacion]]:
    """`whole_itinerary` of many people in one query, by person."""
    found: dict[int, list[Actuacion]] = {}
    ids = sorted(participante_ids)
    for start in range(0, len(ids), 5000):
        for actuacion in db.session.scalars(
                select(Actuacion).where(among(Actuacion.participante_id, ids[start:start + 5000]),
                                        vigentes())
                .order_by(Actuacion.participante_id, Actuacion.fecha, Actuacion.id)
                .options(selectinload(Actuacion.items))
                .execution_options(**{ALL_CENTRES_OPTION: True})).unique():
            found.setdefault(actuacion.participante_id, []).append(actuacion)
    return found


def _follow_on_values(person: Participante, actuacion: Actuacion) -> dict | None:
    """What a write changes besides the itinerary: a remisión DPS marks the person as referred
    by that programme (rows 1.2, 1.5, 1.6 follow, through the summary's flush listener)."""
    if actuacion.tipo == Tipo.REMISION_DPS:
        programa = actuacion.datos.get("programa")
        if not person.remitido_dps or person.programa_dps != programa:
            return {"remitido_dps": True, "programa_dps": programa}
    return None


def _follow_on(actor, person: Participante, actuacion: Actuacion) -> None:
    changes = _follow_on_values(person, actuacion)
    if changes:
        audit.update_audited(person, changes, actor=actor, entidad="participante",
                             centro_id=person.centro_id)


def _insert(actor, person: Participante, tipo: TipoActuacion, fecha: date, clean: dict,
            items: list[dict]) -> Actuacion:
    actuacion = _new(actor, person, tipo, fecha, clean, items)
    db.session.add(actuacion)
    db.session.flush()
    return actuacion


def _values(actor, person: Participante, tipo: TipoActuacion, fecha: date, clean: dict) -> dict:
    """The columns of a new actuación: who, whom, the tipo, fecha, and each field where the tipo
    declares it is kept."""
    values = {"participante_id": person.id, "centro_id": person.centro_id, "asesor_id": actor.id,
              "tipo": tipo.nombre, "fecha": fecha, "datos": {}, "creado_en": utcnow()}
    for campo in tipo.campos:
        value = clean.get(campo.nombre)
        if campo.columna == "datos":
            if value is not None:
                values["datos"][campo.nombre] = value
        else:
            values[campo.columna] = value
    return values


def _new(actor, person: Participante, tipo: TipoActuacion, fecha: date, clean: dict,
         items: list[dict]) -> Actuacion:
    actuacion = Actuacion(**_values(actor, person, tipo, fecha, clean))
    actuacion.items = [ActuacionItem(**item) for item in items]
    return actuacion


_COLUMNS = tuple(c.key for c in Actuacion.__table__.columns)


class _Nueva:
    """An actuación `register_many` accepted, before its INSERT: the attributes the rules, the
    audit entry and the INSERT read (an Actuacion's columns, its items), without the ORM's
    bookkeeping per attribute; it never joins the session (the batch is written with Core)."""

    __slots__ = (*_COLUMNS, "items", "asesor")

    def __init__(self, values: dict, items: list[dict]):
        for name in _COLUMNS:
            setattr(self, name, values.get(name))
        self.items = [ActuacionItem(**item) for item in items]
        self.asesor = None  # to_dict names the asesor from the actor


def get_visible_actuacion(actor, actuacion_id: int) -> Actuacion:
    return visible_or_404(actor, Actuacion, actuacion_id, "No se encontró la actuación.")


def annul(actor, actuacion_id: int, data: dict) -> Actuacion:
    """The gate's other half: an actuación is never deleted, it is annulled with a reason."""
    actuacion = get_visible_actuacion(actor, actuacion_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, actuacion.centro_id)
    f = Fields(data)
    motivo = f.text("motivo", min_length=5, max_length=1000)
    f.raise_if_errors()
    if actuacion.anulada:
        raise DomainError(f"Esta actuación ya fue anulada el {fecha_hora(actuacion.anulada_en)}.")
    lock_participantes([actuacion.participante_id])
    # Later records may rest on this one: annulling corrects a typing error and stays allowed.
    reglas.check_period(actuacion.centro_id, actuacion.fecha)
    actuacion.anulada = True
    actuacion.motivo_anulacion = motivo
    actuacion.anulada_en = utcnow()
    actuacion.anulada_por_id = actor.id
    db.session.flush()
    audit.record("anular", actor=actor, entidad="actuacion", entidad_id=actuacion.id,
                 centro_id=actuacion.centro_id, antes={"anulada": False},
                 despues={"anulada": True, "motivo_anulacion": motivo})
    return actuacion


def itinerary(person: Participante, newest_first: bool = False) -> list[Actuacion]:
    order = (Actuacion.fecha.desc(), Actuacion.id.desc()) if newest_first else (
        Actuacion.fecha, Actuacion.id)
    # Items in one more query, not one per actuación (the timeline and the API list them all).
    # Every centre's records: a person who moved keeps their whole itinerary (the caller already
    # may see the person).
    return list(db.session.scalars(
        select(Actuacion).where(Actuacion.participante_id == person.id).order_by(*order)
        .options(selectinload(Actuacion.items))
        .execution_options(**{ALL_CENTRES_OPTION: True})
    ).unique())


def field_values(actuacion: Actuacion) -> dict:
    """The tipo's fields by their API names, wherever each is stored."""
    tipo = TIPOS[actuacion.tipo]
    values = {}
    for campo in tipo.campos:
        if campo.columna == "datos":
            values[campo.nombre] = (actuacion.datos or {}).get(campo.nombre)
        else:
            values[campo.nombre] = getattr(actuacion, campo.columna)
    return values


def to_dict(actuacion: Actuacion) -> dict:
    data = {
        "id": actuacion.id,
        "tipo": actuacion.tipo,
        "fecha": actuacion.fecha.isoformat(),
        "participante_id": actuacion.participante_id,
        "centro_id": actuacion.centro_id,
        "asesor": actuacion.asesor.username if actuacion.asesor else None,
        "asesor_id": actuacion.asesor_id,
        "anulada": actuacion.anulada,
        "motivo_anulacion": actuacion.motivo_anulacion,
        "creado_en": actuacion.creado_en.isoformat() if actuacion.creado_en else None,
    }
    data.update(field_values(actuacion))
    if TIPOS[actuacion.tipo].admite_items:
        data["items"] = [item.to_dict() for item in actuacion.items]
    return data
