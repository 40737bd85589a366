"""The consent rule of the gate (Ley 1581 de 2012).

A person created by a DPS remission list has not yet authorised the processing of their data
(`consentimiento_datos` false): only the remission itself may be recorded for them (contact
attempts are not actuaciones) until staff record the consent at first contact.
"""
from __future__ import annotations

from ..extensions import db
from ..itinerario.reglas import Hechos, Incumple, regla
from ..itinerario.tipos import TIPOS, Tipo
from ..models import Participante

PERMITIDOS_SIN_CONSENTIMIENTO = frozenset({Tipo.REMISION_DPS})


@regla(*(t for t in TIPOS if t not in PERMITIDOS_SIN_CONSENTIMIENTO), primero=True)
def consentimiento(h: Hechos) -> None:
    if h.repaso:
        return
    person = db.session.get(Participante, h.participante_id)
    if person is not None and not person.consentimiento_datos:
        raise Incumple("sin_consentimiento",
                       "La persona aún no ha autorizado el tratamiento de sus datos (Ley 1581 de 2012): "
                       "registre la autorización en el primer contacto antes de registrar servicios.",
                       {"tipo": "Solo se puede registrar la remisión DPS hasta que la persona autorice."})
