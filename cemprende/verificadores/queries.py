"""Evidence coverage: which actuaciones have the document the method asks for, by grouped SQL.

A participant's n-th actuación of a kind (by fecha, then id, over the whole itinerary) is covered
when the participant has at least n documents of that kind that are not rejected, and approved
when at least n are approved. So two desembolsos need two AEB, and a rejected document leaves its
actuación uncovered until a replacement arrives. The registration is covered by a CC.

A Comité de Asignación session's acta (an ACA linked to the session, not to a person) covers
every approved comité decided in that session, and approves it once the acta is approved. The
comités it covers are left out of the ranking, so a person's own ACA documents go to the
comités of sessions without an acta.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from ..itinerario.dia import bogota_date, day_bounds, year_month
from ..models import Actuacion, ComiteDecision, Participante, Verificador
from ..models.actuacion import vigentes
from .prefijos import DECISION_CON_EVIDENCIA, EVIDENCIA_POR_TIPO, PREFIJO_REGISTRO

REGISTRO = "registro"


def _documents():
    """Per participant and kind: documents not rejected, and documents approved."""
    return (
        select(Verificador.participante_id, Verificador.prefijo,
               func.sum(case((Verificador.estado_revision != "rechazado", 1), else_=0))
               .label("presentes"),
               func.sum(case((Verificador.estado_revision == "aprobado", 1), else_=0))
               .label("aprobados"))
        .group_by(Verificador.participante_id, Verificador.prefijo)
    ).subquery("documentos")


def _session_actas():
    """Per comité actuación decided in a session: the session's actas not rejected, and approved."""
    return (
        select(ComiteDecision.actuacion_id,
               func.sum(case((Verificador.estado_revision != "rechazado", 1), else_=0))
               .label("presentes"),
               func.sum(case((Verificador.estado_revision == "aprobado", 1), else_=0))
               .label("aprobados"))
        .join(Verificador, Verificador.comite_sesion_id == ComiteDecision.sesion_id)
        .group_by(ComiteDecision.actuacion_id)
    ).subquery("actas_de_sesion")


def _requirements(centro_id: int | None, participante_id: int | None, desde: date | None,
                  hasta: date | None, asesor_id: int | None = None, whole_itinerary: bool = False,
                  parts: tuple[str, ...] = ("actuaciones", "registros")):
    """Every actuación (and registration) needing a document: its rank among its kind. With
    `whole_itinerary`, a centre's actuaciones are ranked among all their person's (whichever
    centre recorded them), as the network's ranking does. `parts`: the actuaciones', the
    registrations' or (default) both."""
    a = Actuacion
    needs_it = or_(*(
        and_(a.tipo == tipo, a.categoria == DECISION_CON_EVIDENCIA[tipo])
        if tipo in DECISION_CON_EVIDENCIA else a.tipo == tipo
        for tipo in EVIDENCIA_POR_TIPO))
    actas = _session_actas()
    by_session = case((func.coalesce(actas.c.presentes, 0) > 0, 1), else_=0)
    ranked = select(
        a.id.label("actuacion_id"), a.centro_id, a.participante_id, a.tipo, a.fecha,
        a.asesor_id,
        case(EVIDENCIA_POR_TIPO, value=a.tipo).label("prefijo"),
        func.row_number().over(partition_by=(a.participante_id, a.tipo, by_session),
                               order_by=(a.fecha, a.id)).label("orden"),
        by_session.label("acta_sesion"),
        case((func.coalesce(actas.c.aprobados, 0) > 0, 1), else_=0).label("acta_sesion_aprobada"),
    ).select_from(a).outerjoin(actas, actas.c.actuacion_id == a.id).where(
        vigentes(a), needs_it)
    p = Participante
    registrations = select(
        literal(None).label("actuacion_id"), p.centro_id, p.id.label("participante_id"),
        literal(REGISTRO).label("tipo"), bogota_date(p.creado_en).label("fecha"),
        p.creado_por_id.label("asesor_id"),
        literal(PREFIJO_REGISTRO).label("prefijo"), literal(1).label("orden"),
        literal(0).label("acta_sesion"), literal(0).label("acta_sesion_aprobada"))
    if centro_id is not None and whole_itinerary:
        # The people with an actuación of the centre (in the period: only those are counted),
        # each ranked over their whole itinerary.
        mine = aliased(Actuacion)
        people = select(mine.participante_id).where(mine.centro_id == centro_id)
        if desde is not None:
            people = people.where(mine.fecha >= desde, mine.fecha <= hasta)
        ranked = ranked.where(a.participante_id.in_(people))
        registrations = registrations.where(p.centro_id == centro_id)
    elif centro_id is not None:
        ranked = ranked.where(a.centro_id == centro_id)
        registrations = registrations.where(p.centro_id == centro_id)
    if participante_id is not None:
        ranked = ranked.where(a.participante_id == participante_id)
        registrations = registrations.where(p.id == participante_id)
    if desde is not None:
        start, end = day_bounds(desde, hasta)
        registrations = registrations.where(p.creado_en >= start, p.creado_en < end)
    ranked = ranked.subquery("ranked")
    # The period filters after ranking, so an actuación keeps its rank from the whole itinerary.
    in_period = select(*ranked.c)
    if centro_id is not None and whole_itinerary:
        in_period = in_period.where(ranked.c.centro_id == centro_id)
    if desde is not None:
        in_period = in_period.where(ranked.c.fecha >= desde, ranked.c.fecha <= hasta)
    if asesor_id is not None:  # after ranking too: the rank counts everyone's actuaciones
        in_period = in_period.where(ranked.c.asesor_id == asesor_id)
        registrations = registrations.where(p.creado_por_id == asesor_id)
    chosen = [q for name, q in (("actuaciones", in_period), ("registros", registrations))
              if name in parts]
    needed = (union_all(*chosen) if len(chosen) > 1 else chosen[0]).subquery("requeridos")
    docs = _documents()
    joined = needed.outerjoin(docs, and_(docs.c.participante_id == needed.c.participante_id,
                                         docs.c.prefijo == needed.c.prefijo))
    own_covered = needed.c.orden <= func.coalesce(docs.c.presentes, 0)
    own_approved = needed.c.orden <= func.coalesce(docs.c.aprobados, 0)
    covered = or_(needed.c.acta_sesion == 1, own_covered)
    approved = or_(needed.c.acta_sesion_aprobada == 1, and_(needed.c.acta_sesion == 0, own_approved))
    return needed, joined, covered, approved


@dataclass
class FilaCobertura:
    centro_id: int
    tipo: str
    prefijo: str
    actuaciones: int
    con_documento: int
    aprobados: int

    @property
    def faltantes(self) -> int:
        return self.actuaciones - self.con_documento


def summary_statement(centro_id: int | None, desde: date, hasta: date):
    needed, joined, covered, approved = _requirements(centro_id, None, desde, hasta)
    return (
        select(needed.c.centro_id, needed.c.tipo, needed.c.prefijo,
               func.count().label("actuaciones"),
               func.sum(case((covered, 1), else_=0)).label("con_documento"),
               func.sum(case((approved, 1), else_=0)).label("aprobados"))
        .select_from(joined)
        .group_by(needed.c.centro_id, needed.c.tipo, needed.c.prefijo)
    )


def missing_statement(centro_id: int | None, participante_id: int | None, desde: date | None,
                      hasta: date | None, prefijo: str | None = None,
                      asesor_id: int | None = None):
    """The requirements still without a document, oldest first, with the person's name."""
    needed, joined, covered, _ = _requirements(centro_id, participante_id, desde, hasta, asesor_id)
    p = Participante
    statement = (
        select(needed.c.actuacion_id, needed.c.centro_id, needed.c.participante_id,
               needed.c.tipo, needed.c.fecha, needed.c.prefijo, needed.c.orden,
               p.nombres, p.apellidos, p.tipo_documento, p.numero_documento)
        .select_from(joined.join(p, p.id == needed.c.participante_id))
        .where(~covered)
        .order_by(needed.c.fecha, needed.c.participante_id, needed.c.tipo, needed.c.orden)
    )
    if prefijo:
        statement = statement.where(needed.c.prefijo == prefijo)
    return statement


def coverage_by_advisor_month(centro_id: int | None, desde: date, hasta: date,
                              parts: tuple[str, ...] = ("actuaciones", "registros")):
    """Per centre, advisor and month (AAAA-MM of the service's fecha): the services needing a
    document and how many have it (the data-quality score's evidence component); `parts` as
    _requirements'."""
    needed, joined, covered, _ = _requirements(centro_id, None, desde, hasta,
                                               whole_itinerary=True, parts=parts)
    mes = year_month(needed.c.fecha)
    return (select(needed.c.centro_id, needed.c.asesor_id, mes.label("mes"),
                   func.count().label("requeridos"),
                   func.sum(case((covered, 1), else_=0)).label("con_documento"))
            .select_from(joined).group_by(needed.c.centro_id, needed.c.asesor_id, mes))
