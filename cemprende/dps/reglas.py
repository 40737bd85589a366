"""The `fallecido` rule of the gate: a person DPS reported deceased gets no new actuación.

The answer of DPS (`dps.services.apply_answer`) sets `Participante.fallecido`; from then on every
tipo is refused through every door (API, pages, imports' `register_many`, CLI) with code
`fallecido`. Annulments stay allowed (they do not pass through the rules). Stored records are not
re-judged for it (`repaso`): what was recorded before the report stays valid.
"""
from __future__ import annotations

from ..extensions import db
from ..formatting import fecha
from ..itinerario.reglas import Hechos, Incumple, regla
from ..itinerario.tipos import TIPOS
from ..models import Participante


@regla(*TIPOS, primero=True)
def fallecido(h: Hechos) -> None:
    if h.repaso:
        return
    person = db.session.get(Participante, h.participante_id)
    if person is not None and person.fallecido:
        cuando = (f" el {fecha(person.fecha_reporte_fallecido)}"
                  if person.fecha_reporte_fallecido else "")
        raise Incumple("fallecido",
                       f"El DPS reportó{cuando} que la persona falleció: no se le pueden registrar "
                       "nuevos servicios.",
                       {"tipo": "La persona figura como fallecida según el DPS."})
