"""Colombia's day: the centres work in America/Bogota, whatever the host's time zone.

"Today", ages, future dates, default cut dates and the day a stored (UTC) timestamp falls on
are Bogotá's. Timestamps themselves stay aware UTC (`models.base.utcnow`).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

BOGOTA = ZoneInfo("America/Bogota")


def now_bogota() -> datetime:
    return datetime.now(UTC).astimezone(BOGOTA)


def today_bogota() -> date:
    return now_bogota().date()


def day_bounds(desde: date, hasta: date) -> tuple[datetime, datetime]:
    """Bogotá's days desde..hasta as aware instants [start, end): what a filter of stored
    timestamps by those days compares with."""
    return (datetime.combine(desde, time(), BOGOTA),
            datetime.combine(hasta + timedelta(days=1), time(), BOGOTA))


def bogota_day(moment: datetime | None) -> date | None:
    """The Bogotá day an aware timestamp falls on (21:00 on 31 March in Cartagena is March)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("An aware timestamp is needed to know its day in Bogotá.")
    return moment.astimezone(BOGOTA).date()


class bogota_date(FunctionElement):
    """SQL: the Bogotá day of a stored UTC timestamp column (Colombia keeps UTC−5 all year)."""

    type = Date()
    inherit_cache = True
    name = "bogota_date"


@compiles(bogota_date, "postgresql")
def _bogota_date_postgresql(element, compiler, **kw):
    return f"(timezone('America/Bogota', {compiler.process(element.clauses, **kw)}))::date"


@compiles(bogota_date)
def _bogota_date_default(element, compiler, **kw):
    # SQLite keeps the UTC text; Bogotá has had no daylight saving since 1993.
    return f"date({compiler.process(element.clauses, **kw)}, '-5 hours')"


def business_days_after(start: date, count: int) -> date:
    """The day `count` business days after `start` (Monday to Friday, Colombia's holidays off):
    the deadlines of Ley 1755 de 2015 and Ley 1581 de 2012 run from the day after receipt."""
    calendar = holidays.Colombia(years=range(start.year, start.year + 2))
    day = start
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in calendar:
            count -= 1
    return day


class year_month(FunctionElement):
    """SQL: 'AAAA-MM' of a date column, on both engines."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month)
def _year_month_default(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


class days_after(FunctionElement):
    """SQL: the date `days` (a literal integer) after a date column, on both engines."""

    type = Date()
    inherit_cache = True
    name = "days_after"


@compiles(days_after, "postgresql")
def _days_after_postgresql(element, compiler, **kw):
    column, days = element.clauses.clauses
    return f"({compiler.process(column, **kw)} + {int(days.value)})"


@compiles(days_after)
def _days_after_default(element, compiler, **kw):
    column, days = element.clauses.clauses
    return f"date({compiler.process(column, **kw)}, '+{int(days.value)} days')"
