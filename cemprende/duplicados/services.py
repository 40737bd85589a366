"""Possible duplicates: the detection run, the queue, "no son la misma persona" and the merge.

A merge moves every record of the absorbed person to the surviving one (actuaciones, verifier
documents, contacts, transfers, habeas requests... every table that points at a person), renames
the verifier files to the surviving document, deletes the absorbed person and keeps them, as they
were, in the merge's own record; earlier audit entries are never rewritten, the merge adds its own.
It is refused when either person has actuaciones in a closed month, when the joined itinerary
breaks a rule the gate applies that neither broke alone, or when both hold a record that exists
once per person (a business, a seat in the same FIS session).
"""
from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import (
    BigInteger, Column, MetaData, String, Table, delete, exists, func, insert, literal, or_, select,
    update,
)
from sqlalchemy.orm import aliased

from .. import audit, jobs
from ..auth.guards import Accion, centre_scope, ensure, is_centre_bound
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario import reglas
from ..itinerario import services as itinerario
from ..itinerario.revision import judge_itinerary
from ..locking import lock_participantes
from ..models import (
    Actuacion, AsistenciaFis, CandidatoDuplicado, DeteccionDuplicados, FusionParticipantes,
    ImportacionFila, Participante, ParticipantePalabra, Traslado, UnidadProductiva, Verificador,
)
from ..models.base import utcnow
from ..models.duplicado import ESTADOS_CANDIDATO, RAZONES_DUPLICADO
from ..models.participante import SENSIBLES
from ..pagination import Page, paginate
from ..scoping import ALL_CENTRES_OPTION
from ..tableros import resumen
from ..validation import Fields, to_id
from ..verificadores.prefijos import nombre_canonico
from . import queries

ALL = {ALL_CENTRES_OPTION: True}
INSERT_BATCH = 5_000


class FusionRechazada(DomainError):
    code = "fusion_rechazada"


class YaDecidido(Conflict):
    code = "candidato_decidido"

    def __init__(self):
        super().__init__("Otra persona ya decidió sobre este par; recargue la lista.")


# ---- detection -------------------------------------------------------------------------------

def request_detection(actor) -> DeteccionDuplicados:
    """Queues a detection run over the network (one at a time)."""
    ensure(actor, Accion.VER_DUPLICADOS)
    running = db.session.scalar(select(DeteccionDuplicados).where(
        DeteccionDuplicados.estado.in_(("en_cola", "procesando"))))
    if running is not None:
        return running
    run = DeteccionDuplicados(estado="en_cola", solicitado_por_id=actor.id, solicitado_en=utcnow())
    db.session.add(run)
    db.session.flush()
    audit.record("detectar_duplicados", actor=actor, entidad="deteccion_duplicados",
                 entidad_id=run.id)
    jobs.submit("cemprende.duplicados.services:run_detection", run.id)
    return run


def run_detection(run_id: int | None = None) -> DeteccionDuplicados:
    """The job (and the CLI command): finds the pairs and refreshes the pending queue. Pairs
    already decided keep their decision; pending pairs no longer found leave the queue."""
    run = db.session.get(DeteccionDuplicados, run_id) if run_id else None
    if run is None:
        run = DeteccionDuplicados(solicitado_en=utcnow())
        db.session.add(run)
    run.estado = "procesando"
    db.session.commit()
    started = time.perf_counter()
    try:
        found = queries.likely_pairs()
        nuevos = _refresh_queue(found)
    except Exception:
        db.session.rollback()
        run = db.session.get(DeteccionDuplicados, run.id)
        run.estado, run.terminado_en = "fallida", utcnow()
        db.session.commit()
        raise
    run.estado, run.terminado_en = "terminada", utcnow()
    run.candidatos, run.nuevos = len(found), nuevos
    run.segundos = round(time.perf_counter() - started, 2)
    db.session.commit()
    return run


# The pairs a run found, beside the queue while it is refreshed (dropped in the same transaction).
HALLADOS = Table("duplicado_hallado", MetaData(),
                 Column("participante_a_id", BigInteger, primary_key=True),
                 Column("participante_b_id", BigInteger, primary_key=True),
                 Column("razon", String(20)), prefixes=["TEMPORARY"])


def _refresh_queue(found: dict[tuple[int, int], str]) -> int:
    """Set-based, whatever the size of the queue: pending pairs no longer found leave it, pairs
    never seen join it (a decided pair stays as it was decided). Returns how many joined."""
    connection = db.session.connection()
    _keep_found(connection, found)
    queue = CandidatoDuplicado.__table__
    known = exists().where(HALLADOS.c.participante_a_id == queue.c.participante_a_id,
                           HALLADOS.c.participante_b_id == queue.c.participante_b_id)
    connection.execute(delete(queue).where(queue.c.estado == "pendiente", ~known))
    unseen = ~known.correlate(HALLADOS)
    # Counted apart: psycopg reports no rowcount for an INSERT ... SELECT built by SQLAlchemy.
    nuevos = connection.scalar(select(func.count()).select_from(HALLADOS).where(unseen))
    connection.execute(insert(queue).from_select(
        ["participante_a_id", "participante_b_id", "razon", "estado", "detectado_en", "version"],
        select(HALLADOS.c.participante_a_id, HALLADOS.c.participante_b_id, HALLADOS.c.razon,
               literal("pendiente"), literal(utcnow(), queue.c.detectado_en.type), literal(1))
        .where(unseen)))
    HALLADOS.drop(connection)
    return nuevos


def _keep_found(connection, found: dict[tuple[int, int], str]) -> None:
    # SQLite creates a table outside the transaction: one left by a failed run goes first.
    HALLADOS.drop(connection, checkfirst=True)
    HALLADOS.create(connection)
    rows = [{"participante_a_id": a, "participante_b_id": b, "razon": razon}
            for (a, b), razon in found.items()]
    for start in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert(HALLADOS), rows[start:start + INSERT_BATCH])


def last_detection() -> DeteccionDuplicados | None:
    return db.session.scalar(select(DeteccionDuplicados).order_by(DeteccionDuplicados.id.desc()))


# ---- the queue -------------------------------------------------------------------------------

def _scoped(actor, statement, a, b, centro_id: int | None):
    """A director sees the pairs of two people of its centre; supervisors and admins every pair,
    or those with a person in `centro_id`. A person merged away no longer narrows the pair."""
    own = centre_scope(actor)
    statement = statement.where(or_(a.id.is_not(None), b.id.is_not(None)))
    if own is not None:
        return statement.where(or_(a.id.is_(None), a.centro_id == own),
                               or_(b.id.is_(None), b.centro_id == own))
    if centro_id is not None:
        return statement.where(or_(a.centro_id == centro_id, b.centro_id == centro_id))
    return statement


def _pairs_with_people():
    a, b = aliased(Participante), aliased(Participante)
    statement = (select(CandidatoDuplicado, a, b)
                 .outerjoin(a, a.id == CandidatoDuplicado.participante_a_id)
                 .outerjoin(b, b.id == CandidatoDuplicado.participante_b_id)
                 .execution_options(**ALL))
    return statement, a, b


def queue(actor, args: dict, page: int, per_page: int) -> Page:
    ensure(actor, Accion.VER_DUPLICADOS)
    f = Fields(args)
    estado = f.choice("estado", ESTADOS_CANDIDATO, required=False) or "pendiente"
    razon = f.choice("razon", RAZONES_DUPLICADO, required=False)
    centro_id = f.integer("centro_id", required=False, minimum=1)
    f.raise_if_errors()
    statement, a, b = _pairs_with_people()
    statement = statement.where(CandidatoDuplicado.estado == estado).order_by(CandidatoDuplicado.id)
    if razon:
        statement = statement.where(CandidatoDuplicado.razon == razon)
    return paginate(_scoped(actor, statement, a, b, centro_id), page, per_page, rows=True)


def get_visible(actor, candidato_id: int
                ) -> tuple[CandidatoDuplicado, Participante | None, Participante | None]:
    """The pair with its people (None for one merged away), or NotFound (missing, or outside the
    caller's centre)."""
    ensure(actor, Accion.VER_DUPLICADOS)
    statement, a, b = _pairs_with_people()
    statement = statement.where(CandidatoDuplicado.id == candidato_id)
    row = db.session.execute(_scoped(actor, statement, a, b, None)).first()
    if row is None:
        raise NotFound("No se encontró ese posible duplicado.")
    return row[0], row[1], row[2]


def itinerary_counts(*people: Participante | None) -> dict[int, int]:
    ids = [p.id for p in people if p is not None]
    counts = dict(db.session.execute(
        select(Actuacion.participante_id, func.count()).where(
            Actuacion.participante_id.in_(ids), Actuacion.anulada.is_(False))
        .group_by(Actuacion.participante_id).execution_options(**ALL)).all())
    return {i: counts.get(i, 0) for i in ids}


def _decidable(candidato: CandidatoDuplicado, version) -> None:
    if candidato.estado != "pendiente":
        raise YaDecidido()
    if version is not None and version != candidato.version:
        raise YaDecidido()


def _pending_pair(actor, candidato_id: int):
    candidato, a, b = get_visible(actor, candidato_id)
    if a is None or b is None:
        raise YaDecidido()
    return candidato, a, b


def discard(actor, candidato_id: int, data: dict) -> CandidatoDuplicado:
    """"No son la misma persona": remembered, never offered again."""
    candidato, a, b = _pending_pair(actor, candidato_id)
    f = Fields(data)
    motivo = f.text("motivo", required=False, max_length=5000)
    version = f.integer("version", required=False, minimum=1)
    f.raise_if_errors()
    _decidable(candidato, version)
    candidato.estado, candidato.motivo = "descartado", motivo
    candidato.decidido_por_id, candidato.decidido_en = actor.id, utcnow()
    db.session.flush()
    audit.record("descartar_duplicado", actor=actor, entidad="candidato_duplicado",
                 entidad_id=candidato.id, centro_id=a.centro_id,
                 despues={"participante_a_id": a.id, "participante_b_id": b.id, "motivo": motivo})
    return candidato


# ---- the merge -------------------------------------------------------------------------------

def merge(actor, candidato_id: int, data: dict) -> FusionParticipantes:
    candidato, a, b = _pending_pair(actor, candidato_id)
    ensure(actor, Accion.FUSIONAR_PARTICIPANTES)
    f = Fields(data)
    superviviente_id = to_id(data.get("superviviente_id"))
    version = f.integer("version", required=False, minimum=1)
    f.raise_if_errors()
    if superviviente_id not in (a.id, b.id):
        raise ValidationFailed({"superviviente_id": "Elija cuál de las dos personas se conserva."})
    if is_centre_bound(actor) and a.centro_id != b.centro_id:
        raise FusionRechazada("Las dos personas están en centros distintos: pida primero el "
                              "traslado de una de ellas.")
    _decidable(candidato, version)
    lock_participantes([a.id, b.id])
    db.session.refresh(candidato)
    _decidable(candidato, version)
    survivor, absorbed = (a, b) if superviviente_id == a.id else (b, a)
    _refuse_conflicts(survivor, absorbed)

    snapshot = _snapshot(absorbed)
    tipos = {None, *db.session.scalars(select(Actuacion.tipo).where(
        Actuacion.participante_id.in_([survivor.id, absorbed.id])).distinct()
        .execution_options(**ALL))}
    with resumen.following({survivor.id: tipos, absorbed.id: tipos}):
        renamed, dropped = _move_verificadores(survivor, absorbed)
        moved = _move_records(absorbed.id, survivor.id)
    moved["verificadores_renombrados"] = renamed
    if dropped:
        moved["verificadores_repetidos"] = dropped
    filled = _fill_blanks(survivor, absorbed)

    db.session.execute(delete(ParticipantePalabra).where(
        ParticipantePalabra.participante_id == absorbed.id))
    absorbed_id, absorbed_doc = absorbed.id, f"{absorbed.tipo_documento} {absorbed.numero_documento}"
    db.session.delete(absorbed)
    db.session.flush()

    fusion = FusionParticipantes(
        superviviente_id=survivor.id, absorbido_id=absorbed_id, absorbido_documento=absorbed_doc,
        centro_id=survivor.centro_id, absorbido=snapshot, movidos=moved, por_id=actor.id,
        en=utcnow())
    db.session.add(fusion)
    db.session.flush()
    candidato.estado, candidato.fusion_id = "fusionado", fusion.id
    candidato.decidido_por_id, candidato.decidido_en = actor.id, utcnow()
    _repoint_other_pairs(absorbed_id, survivor.id, candidato.id)
    audit.record("fusionar", actor=actor, entidad="participante", entidad_id=survivor.id,
                 centro_id=survivor.centro_id, antes=snapshot,
                 despues={"fusion_id": fusion.id, "absorbido_id": absorbed_id,
                          "movidos": moved, **filled},
                 detalle=f"Absorbe a la persona #{absorbed_id}")
    db.session.flush()
    return fusion


def _snapshot(person: Participante) -> dict:
    data = person.to_dict()
    data["nombre_busqueda"] = person.nombre_busqueda
    return data


def _refuse_conflicts(survivor: Participante, absorbed: Participante) -> None:
    ids = [survivor.id, absorbed.id]
    actuaciones = list(db.session.scalars(
        select(Actuacion).where(Actuacion.participante_id.in_(ids), Actuacion.anulada.is_(False))
        .order_by(Actuacion.fecha, Actuacion.id).execution_options(**ALL)))
    _refuse_closed_months(actuaciones)
    _refuse_rule_breaks(actuaciones)
    _refuse_once_per_person(ids)
    pending = db.session.scalar(select(func.count()).select_from(Traslado).where(
        Traslado.participante_id.in_(ids), Traslado.estado == "solicitado"))
    if pending:
        raise FusionRechazada("Una de las dos personas tiene un traslado sin responder: "
                              "respóndalo antes de fusionarlas.")


def _refuse_closed_months(actuaciones: list[Actuacion]) -> None:
    for centro_id, mes in sorted({(a.centro_id, a.fecha.replace(day=1)) for a in actuaciones}):
        try:
            reglas.check_period(centro_id, mes)
        except reglas.Incumple as refusal:
            raise FusionRechazada(
                "No se pueden fusionar: hay actuaciones en un mes cerrado. " + refusal.message,
                code_regla=refusal.code) from None


def _refuse_rule_breaks(actuaciones: list[Actuacion]) -> None:
    """What the gate would refuse in the joined itinerary and in neither one alone."""
    by_person: dict[int, list[Actuacion]] = defaultdict(list)
    for actuacion in actuaciones:
        by_person[actuacion.participante_id].append(actuacion)
    alone = {(a.id, refusal.code) for acts in by_person.values()
             for a, refusal in judge_itinerary(acts)}
    for actuacion, refusal in judge_itinerary(actuaciones):
        if (actuacion.id, refusal.code) not in alone:
            raise FusionRechazada(
                f"Unidas, las historias chocan en la actuación del {actuacion.fecha:%d/%m/%Y} "
                f"({actuacion.tipo}): {refusal.message} Anule la actuación que sobra antes de "
                "fusionar.", code_regla=refusal.code, actuacion_id=actuacion.id)


def _refuse_once_per_person(ids: list[int]) -> None:
    negocios = db.session.scalar(select(func.count()).select_from(UnidadProductiva).where(
        UnidadProductiva.participante_id.in_(ids)))
    if negocios > 1:
        raise FusionRechazada("Las dos personas tienen una unidad productiva registrada: deje una "
                              "sola antes de fusionarlas.")
    sesiones = db.session.scalar(
        select(func.count()).select_from(
            select(AsistenciaFis.sesion_id).where(AsistenciaFis.participante_id.in_(ids))
            .group_by(AsistenciaFis.sesion_id).having(func.count() > 1).subquery()))
    if sesiones:
        raise FusionRechazada("Las dos personas figuran en la misma sesión de formación: anule "
                              "una de las asistencias antes de fusionarlas.")


def _references() -> list[tuple]:
    """Every (table, column) that points at a person, found in the schema itself so a table added
    later is moved too; the name-word index is rebuilt, not moved."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in ("participante", "participante_palabra"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "participante":
                found.append((table, fk.parent))
    found.append((ImportacionFila.__table__, ImportacionFila.__table__.c.participante_id))
    return found


def _move_records(from_id: int, to_id_: int) -> dict[str, int]:
    moved = {}
    for table, column in _references():
        values = {column.name: to_id_}
        if "version" in table.c:  # someone editing the moved record gets a 409, not a lost write
            values["version"] = table.c.version + 1
        result = db.session.execute(update(table).where(column == from_id).values(**values))
        if result.rowcount:
            moved[table.name] = moved.get(table.name, 0) + result.rowcount
    return moved


def _move_verificadores(survivor: Participante, absorbed: Participante) -> tuple[int, list[int]]:
    """The absorbed person's files take the surviving document's name, numbered after the
    survivor's own; a file whose content the survivor already holds is the same document: its
    row goes (the stored file stays, the survivor's row points at it)."""
    held = {sha for sha, in db.session.execute(
        select(Verificador.sha256).where(Verificador.participante_id == survivor.id))}
    last = dict(db.session.execute(
        select(Verificador.prefijo, func.max(Verificador.secuencia))
        .where(Verificador.participante_id == survivor.id).group_by(Verificador.prefijo)).all())
    renamed, dropped = 0, []
    absorbed_files = db.session.scalars(
        select(Verificador).where(Verificador.participante_id == absorbed.id)
        .order_by(Verificador.prefijo, Verificador.secuencia, Verificador.id)
        .execution_options(**ALL)).all()
    for verificador in absorbed_files:
        if verificador.sha256 in held:
            dropped.append(verificador.id)
            db.session.delete(verificador)
            continue
        held.add(verificador.sha256)
        secuencia = last.get(verificador.prefijo, 0) + 1
        last[verificador.prefijo] = secuencia
        extension = verificador.nombre_archivo.rsplit(".", 1)[-1].lower()
        verificador.secuencia = secuencia
        verificador.nombre_archivo = nombre_canonico(
            verificador.prefijo, survivor.numero_documento, secuencia, extension)
        renamed += 1
    db.session.flush()
    return renamed, dropped


FILLABLE = ("sexo", "telefono", "correo", "etnia", "discapacidad", "desplazamiento",
            "tipo_poblacion", "zona", "mujer_cabeza_hogar", "victima_conflicto", "migrante",
            "lgbtiq", "reincorporado", "programa_dps")


def _fill_blanks(survivor: Participante, absorbed: Participante) -> dict:
    """What the survivor did not know and the absorbed person's record did (never overwritten);
    sensitive fields only while the survivor has not revoked that authorisation."""
    filled = {}
    for name in FILLABLE:
        if name in SENSIBLES and survivor.sensibles_revocado_en:
            continue
        if getattr(survivor, name) is None and getattr(absorbed, name) is not None:
            filled[name] = getattr(absorbed, name)
            setattr(survivor, name, getattr(absorbed, name))
    if absorbed.remitido_dps and not survivor.remitido_dps:
        filled["remitido_dps"] = survivor.remitido_dps = True
    return filled


def _repoint_other_pairs(absorbed_id: int, survivor_id: int, merged_id: int) -> None:
    """Pending pairs of the absorbed person now concern the survivor (or nobody, when the pair
    was the survivor itself or the survivor already has that pair)."""
    others = db.session.scalars(select(CandidatoDuplicado).where(
        CandidatoDuplicado.id != merged_id, CandidatoDuplicado.estado == "pendiente",
        or_(CandidatoDuplicado.participante_a_id == absorbed_id,
            CandidatoDuplicado.participante_b_id == absorbed_id))).all()
    existing = {(c.participante_a_id, c.participante_b_id) for c in db.session.scalars(
        select(CandidatoDuplicado).where(or_(CandidatoDuplicado.participante_a_id == survivor_id,
                                             CandidatoDuplicado.participante_b_id == survivor_id)))}
    for pair in others:
        other = (pair.participante_b_id if pair.participante_a_id == absorbed_id
                 else pair.participante_a_id)
        key = (min(other, survivor_id), max(other, survivor_id))
        if other == survivor_id or key in existing:
            db.session.delete(pair)
            continue
        pair.participante_a_id, pair.participante_b_id = key
        existing.add(key)


def to_dict(candidato: CandidatoDuplicado, a: Participante | None, b: Participante | None,
            counts: dict[int, int] | None = None) -> dict:
    def person(p: Participante | None, participante_id: int) -> dict:
        if p is None:
            return {"id": participante_id, "fusionada": True}
        data = {"id": p.id, "tipo_documento": p.tipo_documento,
                "numero_documento": p.numero_documento, "nombres": p.nombres,
                "apellidos": p.apellidos, "fecha_nacimiento": p.fecha_nacimiento.isoformat(),
                "centro_id": p.centro_id, "centro": p.centro.nombre}
        if counts is not None:
            data["actuaciones"] = counts.get(p.id, 0)
        return data

    return {"id": candidato.id, "razon": candidato.razon,
            "razon_texto": RAZONES_DUPLICADO[candidato.razon], "estado": candidato.estado,
            "version": candidato.version, "detectado_en": candidato.detectado_en.isoformat(),
            "motivo": candidato.motivo, "fusion_id": candidato.fusion_id,
            "participante_a": person(a, candidato.participante_a_id),
            "participante_b": person(b, candidato.participante_b_id)}


def fusion_to_dict(fusion: FusionParticipantes) -> dict:
    return {"id": fusion.id, "superviviente_id": fusion.superviviente_id,
            "absorbido_id": fusion.absorbido_id, "absorbido_documento": fusion.absorbido_documento,
            "movidos": fusion.movidos, "en": fusion.en.isoformat(), "por_id": fusion.por_id}


def suggested_survivor(a: Participante, b: Participante, counts: dict[int, int]) -> int:
    """A CC over a TI (the adult document), then the longer itinerary, then the older record."""
    if {a.tipo_documento, b.tipo_documento} == {"TI", "CC"}:
        return a.id if a.tipo_documento == "CC" else b.id
    return max((a, b), key=lambda p: (counts.get(p.id, 0), -p.id)).id
