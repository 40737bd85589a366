"""Recording contact attempts of a remitted person; its contact state is the latest result.

The state is derived, never stored: `estado` reads the latest attempt (fecha, then the order
typed), `pendiente` without any; the queue reads the same in SQL (`queries.py`).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..locking import lock_participantes
from ..models import ContactoIntento, Participante
from ..models.base import utcnow
from ..models.traslado import MEDIOS_CONTACTO, RESULTADOS_CONTACTO, RESULTADOS_FALLIDOS
from ..participantes import services as participantes
from ..scoping import ALL_CENTRES_OPTION
from ..validation import Fields
from . import queries

EARLIEST = date(2000, 1, 1)
INTENTOS_PARA_NO_LOCALIZADO = 3


def attempts(person: Participante) -> list[ContactoIntento]:
    """Every attempt for a person the caller may see (any centre's: a moved person keeps them),
    newest first."""
    return list(db.session.scalars(
        select(ContactoIntento).where(ContactoIntento.participante_id == person.id)
        .order_by(ContactoIntento.fecha.desc(), ContactoIntento.id.desc())
        .execution_options(**{ALL_CENTRES_OPTION: True})))


def estado(person: Participante) -> str:
    found = attempts(person)
    return found[0].resultado if found else "pendiente"


def estados(people: list[Participante]) -> dict[int, str]:
    """The contact state of each person (one query for a page of people)."""
    ids = [p.id for p in people]
    result = {i: "pendiente" for i in ids}
    if not ids:
        return result
    for participante_id, resultado in db.session.execute(queries.results_in_order(ids)):
        result[participante_id] = resultado  # ordered, so the latest stays
    return result


def failed_attempts(found: list[ContactoIntento]) -> int:
    return sum(1 for a in found if a.resultado in RESULTADOS_FALLIDOS)


def record(actor, participante_id: int, data: dict, today: date | None = None) -> ContactoIntento:
    """One attempt; with `consentimiento_datos` true the person's consent is recorded too (the
    page offers it at first contact)."""
    today = today or today_bogota()
    person = participantes.get_editable(actor, participante_id)
    f = Fields(data)
    fecha = f.date("fecha", not_future=True, today=today, earliest=EARLIEST)
    medio = f.choice("medio", MEDIOS_CONTACTO)
    resultado = f.choice("resultado", RESULTADOS_CONTACTO)
    observacion = f.text("observacion", required=False, max_length=5000)
    consent = f.boolean("consentimiento_datos")
    f.raise_if_errors()
    lock_participantes([person.id])
    attempt = ContactoIntento(participante_id=person.id, centro_id=person.centro_id, fecha=fecha,
                              medio=medio, resultado=resultado, staff_id=actor.id,
                              observacion=observacion, creado_en=utcnow())
    audit.add_audited(attempt, actor=actor, entidad="contacto_intento", centro_id=person.centro_id,
                      values={"participante_id": person.id, "fecha": fecha, "medio": medio,
                              "resultado": resultado})
    if consent:
        participantes.record_consent(actor, person.id)
    return attempt
