"""Rules of the empleabilidad tipos (API.md "Order rules"), judged by the itinerary's gate."""
from __future__ import annotations

from ..itinerario.reglas import Hechos, Incumple, regla
from .ocupacion import free_cupos, vacante_in_centre
from ..itinerario.tipos import Tipo


def _same_vacante(h: Hechos, tipo: str) -> list:
    return [a for a in h.itinerario if a.tipo == tipo and a.vacante_id == h.valores.get("vacante_id")]


@regla(Tipo.REMISION_SELECCION, Tipo.COLOCACION)
def vacante_of_the_centre(h: Hechos) -> None:
    if vacante_in_centre(h.valores["vacante_id"], h.centro_id) is None:
        raise Incumple("vacante_no_encontrada", "La vacante no existe en el centro de la persona.",
                       {"vacante_id": "Elija una vacante de este centro."})


@regla(Tipo.REMISION_SELECCION)
def remitted_once(h: Hechos) -> None:
    if _same_vacante(h, Tipo.REMISION_SELECCION):
        raise Incumple("remision_repetida", "La persona ya fue remitida a esta vacante.",
                       {"vacante_id": "Ya remitida a esta vacante."})


@regla(Tipo.COLOCACION)
def placed_once_after_remission(h: Hechos) -> None:
    if _same_vacante(h, Tipo.COLOCACION):
        raise Incumple("colocacion_repetida", "La persona ya está colocada en esta vacante.",
                       {"vacante_id": "Ya colocada en esta vacante."})
    if not any(a.fecha <= h.fecha for a in _same_vacante(h, Tipo.REMISION_SELECCION)):
        raise Incumple("sin_remision",
                       "La colocación necesita una remisión de la persona a esa vacante en esa "
                       "fecha o antes.", {"vacante_id": "Remita primero a la persona a esta vacante."})


@regla(Tipo.REMISION_SELECCION, Tipo.COLOCACION)
def vacante_open_with_cupos(h: Hechos) -> None:
    """Declared last: what the person did comes first, then the vacancy's state and cupos."""
    if h.repaso:  # a vacancy's state and cupos are today's, not those of the day it was used
        return
    vacante = vacante_in_centre(h.valores["vacante_id"], h.centro_id, fresh=True)
    if not vacante.acepta_remisiones:
        raise Incumple("vacante_cerrada",
                       "La vacante está cerrada: ábrala de nuevo para remitir o colocar.",
                       {"vacante_id": "Vacante cerrada."})
    if h.tipo == Tipo.COLOCACION and free_cupos(vacante) <= 0:
        raise Incumple("sin_cupos", "La vacante no tiene cupos libres.",
                       {"vacante_id": "Todos los cupos de esta vacante están ocupados."})
