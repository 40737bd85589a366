"""Stored actuaciones that today's rules would refuse: listed per centre, never deleted.

Records written before a rule existed (or by an import that bypassed the gate) stay in the
itinerary; this re-judges each one as the gate would judge it today (`reglas.judge` with
`repaso=True`: the itinerary holds only what came before it, in (fecha, id) order, and facts that
change over time, such as a vacancy's state and cupos, are skipped), so each centre can annul what
was wrong. The command `itinerario-revisar` and the page /itinerario/revision read it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from ..auth.guards import Accion, ensure
from ..extensions import db
from ..models import Actuacion, Participante, Vacante
from ..models.actuacion import vigentes
from ..pagination import Page, page_args
from ..scoping import ALL_CENTRES_OPTION
from ..tableros.services import resolve_scope
from ..validation import Fields
from . import reglas
from . import services as itinerario  # also registers every process's rules

CHUNK = 2_000  # people per query: the whole network is read a slice at a time


@dataclass(frozen=True)
class Hallazgo:
    """One stored actuación the rules refuse today, with the rule that refuses it."""

    actuacion_id: int
    participante_id: int
    centro_id: int  # the actuación's centre (a person who moved keeps the old centre's records)
    tipo: str
    fecha: date
    code: str
    message: str
    nombre: str
    documento: str


def review_stored(centro_id: int | None) -> list[Hallazgo]:
    """Every non-annulled actuación the gate would refuse today, by centre, fecha and id.

    With `centro_id`, only the people with an actuación recorded there are read and only that
    centre's actuaciones are reported; their earlier records in other centres still count.
    """
    found = [h for people in _people(centro_id) for h in _review_chunk(people, centro_id)]
    return sorted(found, key=lambda h: (h.centro_id, h.fecha, h.actuacion_id))


def _people(centro_id: int | None) -> Iterator[dict[int, tuple[str, str]]]:
    """Chunks of {participante_id: (name, document)} of the people with something to judge:
    a non-annulled actuación of a tipo with rules (in `centro_id`, when given).

    Driven by the actuaciones' indexes (centre and tipo, or person), not by a test per person."""
    judged = [vigentes(), Actuacion.tipo.in_(sorted(reglas.REGLAS))]
    if centro_id is not None:
        judged.append(Actuacion.centro_id == centro_id)
    last = 0
    while True:
        ids = (select(Actuacion.participante_id).where(*judged, Actuacion.participante_id > last)
               .distinct().order_by(Actuacion.participante_id).limit(CHUNK).subquery())
        rows = db.session.execute(
            select(Participante.id, Participante.nombres, Participante.apellidos,
                   Participante.tipo_documento, Participante.numero_documento)
            .join(ids, ids.c.participante_id == Participante.id).order_by(Participante.id)
            .execution_options(**{ALL_CENTRES_OPTION: True})
        ).all()
        if not rows:
            return
        yield {r.id: (f"{r.nombres} {r.apellidos}", f"{r.tipo_documento} {r.numero_documento}")
               for r in rows}
        last = rows[-1].id


def _review_chunk(people: dict[int, tuple[str, str]], centro_id: int | None) -> list[Hallazgo]:
    """The people's itineraries (every centre, oldest first, with items) in one query."""
    actuaciones = db.session.scalars(
        select(Actuacion).where(Actuacion.participante_id.in_(list(people)), vigentes())
        .order_by(Actuacion.participante_id, Actuacion.fecha, Actuacion.id)
        .options(selectinload(Actuacion.items), lazyload(Actuacion.asesor))
        .execution_options(**{ALL_CENTRES_OPTION: True})
    ).all()
    # The vacancy rule looks its vacancy up by id: held here, the session answers without a query.
    vacantes = db.session.scalars(  # noqa: F841
        select(Vacante).where(Vacante.id.in_({a.vacante_id for a in actuaciones if a.vacante_id}))
        .execution_options(**{ALL_CENTRES_OPTION: True})).all()
    found = []
    for participante_id, acts in groupby(actuaciones, key=lambda a: a.participante_id):
        nombre, documento = people[participante_id]
        for actuacion, refusal in judge_itinerary(list(acts), centro_id):
            found.append(Hallazgo(actuacion.id, participante_id, actuacion.centro_id,
                                  actuacion.tipo, actuacion.fecha, refusal.code, refusal.message,
                                  nombre, documento))
    return found


def judge_itinerary(itinerario_persona: Iterable[Actuacion], centro_id: int | None = None
                    ) -> Iterator[tuple[Actuacion, reglas.Incumple]]:
    """Each actuación of one person's itinerary (non-annulled, oldest first) that the rules refuse,
    judged against those before it; with `centro_id`, only that centre's are judged."""
    prior: list[Actuacion] = []
    for actuacion in itinerario_persona:
        if actuacion.tipo in reglas.REGLAS and centro_id in (None, actuacion.centro_id):
            try:
                reglas.judge(reglas.Hechos(
                    participante_id=actuacion.participante_id, tipo=actuacion.tipo,
                    fecha=actuacion.fecha, valores=itinerario.field_values(actuacion),
                    items=[i.to_dict() for i in actuacion.items], itinerario=list(prior),
                    centro_id=actuacion.centro_id, repaso=True))
            except reglas.Incumple as refusal:
                yield actuacion, refusal
        prior.append(actuacion)


def count_by_code(hallazgos: Iterable[Hallazgo]) -> dict[str, int]:
    """Findings per rule code, the most frequent first (then by code)."""
    counts = Counter(h.code for h in hallazgos)
    return dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


# ---- the directors' page ----------------------------------------------------------------------

@dataclass
class Revision:
    centro_id: int | None  # None: the whole network (supervisors and admins)
    codigo: str | None
    por_regla: dict[str, int]  # every finding in the scope, whatever `codigo`
    pagina: Page


def review_page(actor, args: dict) -> Revision:
    """A page of the findings the caller may see: a director its own centre's, supervisors and
    admins any centre or the whole network; `codigo` keeps one rule's."""
    ensure(actor, Accion.VER_ALERTAS)
    f = Fields(args)
    codigo = f.text("codigo", required=False, max_length=60)
    f.raise_if_errors()
    page, per_page = page_args(args.get("page"), args.get("per_page"))
    centro_id = resolve_scope(actor, args.get("centro_id"))
    found = review_stored(centro_id)
    selected = [h for h in found if codigo is None or h.code == codigo]
    start = (page - 1) * per_page
    return Revision(centro_id, codigo, count_by_code(found),
                    Page(selected[start:start + per_page], page, per_page, len(selected)))
