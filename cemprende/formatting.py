"""Colombian Spanish formatting for everything a person reads."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_datetime
from babel.numbers import format_decimal

from .itinerario.dia import BOGOTA, bogota_day

LOCALE = "es_CO"


def _entero(value: int) -> str:
    """A whole number as es_CO's pattern writes it (groups of three, '.' between them): the same
    text as Babel's format_decimal, without its cost (a tablero page writes hundreds)."""
    return f"{value:,}".replace(",", ".")


def numero(value) -> str:
    if value is None:
        return ""
    if type(value) is int:
        return _entero(value)
    return format_decimal(value, locale=LOCALE)


def dinero(value) -> str:
    """Whole pesos: $ 4.338.512.062."""
    return "" if value is None else f"$ {_entero(int(value))}"


def fecha(value: date | None) -> str:
    """A date; a stored timestamp shows the day it was in Bogotá (21:30 on 31/03 is 31/03)."""
    if isinstance(value, datetime):
        value = bogota_day(value)
    if value is None:
        return ""
    # dd/MM/yyyy has no words in it: the same text as Babel's, fast enough for a million rows.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def fecha_hora(value: datetime | None) -> str:
    """Stored in UTC, shown in Colombian time."""
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=BOGOTA, locale=LOCALE)


def si_no(value: bool | None) -> str:
    return {True: "Sí", False: "No"}.get(value, "Sin información")


def register(app) -> None:
    app.jinja_env.filters.update(
        numero=numero, dinero=dinero, fecha=fecha, fecha_hora=fecha_hora, si_no=si_no
    )
