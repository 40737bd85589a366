"""The gate's period hook: no actuación dated in a closed month is written or annulled.

Registered in `itinerario.reglas.PERIODO` when this module is imported; the gate
(`itinerario.services`) imports it, so every door that writes through the gate is covered.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..itinerario import reglas
from ..models import Centro, CierreMes
from ..models.cierre import CERRADOS
from ..scoping import ALL_CENTRES_OPTION

MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre")


def nombre_mes(mes: date) -> str:
    """«febrero de 2026»."""
    return f"{MESES[mes.month - 1]} de {mes.year}"


def lock_centre(centro_id: int, *, share: bool) -> None:
    """Writes of a centre take a shared lock on its row, a close takes it exclusively (a no-op
    UPDATE): a close waits for the writes in flight and every later write sees the close.
    SQLite ignores FOR SHARE; its writer lock, taken by the gate before, already orders them."""
    statement = select(Centro.id).where(Centro.id == centro_id)
    if share:
        db.session.execute(statement.with_for_update(read=True))
    else:
        table = Centro.__table__
        db.session.execute(table.update().where(table.c.id == centro_id).values(id=table.c.id))


def closed_month(centro_id: int, fecha: date) -> CierreMes | None:
    return db.session.scalar(
        select(CierreMes).where(CierreMes.centro_id == centro_id,
                                CierreMes.mes == fecha.replace(day=1),
                                CierreMes.estado.in_(CERRADOS))
        .execution_options(**{ALL_CENTRES_OPTION: True}))


def check(centro_id: int, fecha: date) -> None:
    lock_centre(centro_id, share=True)
    if closed_month(centro_id, fecha) is not None:
        mes = nombre_mes(fecha)
        raise reglas.Incumple(
            "periodo_cerrado",
            f"El mes de {mes} está cerrado para este centro: no se pueden registrar ni anular "
            f"actuaciones con fecha en {mes}.", {"fecha": "Mes cerrado."})


reglas.PERIODO.append(check)
