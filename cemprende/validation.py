"""Server-side checking of what a form or a JSON body sends, with Spanish messages.

Pages send strings, the API sends JSON types; both go through the same checks, so a rule is
written once. Each check stores the clean value or a message for the field.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from .errors import StaleVersion, ValidationFailed
from .itinerario.dia import today_bogota

REQUIRED = "Este campo es obligatorio."
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # line breaks and tabs are text
# What any column holds: INTEGER unless money (BIGINT); dates any sane record can carry.
INT_MAX, MONEY_MAX = 2_147_483_647, 999_999_999_999_999
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
TRUE_WORDS = {"true", "1", "si", "sí", "on", "yes", "y"}
FALSE_WORDS = {"false", "0", "no", "off", "n"}


def to_int(value: Any, money: bool = False) -> int | None:
    """A whole number from JSON or from a form ("$ 1.500.000" as people type money), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= MONEY_MAX else None
    if isinstance(value, str):
        text = value.strip()
        if money:
            text = re.sub(r"[\s$.]", "", text)
        if re.fullmatch(r"-?\d{1,15}", text):
            return int(text)
    return None


def to_id(value: Any) -> int | None:
    """A record id from a path, a query string or JSON: a positive number that fits a BIGINT
    column, else None (so a hostile 10^25 never reaches SQL)."""
    number = to_int(value)
    return number if number is not None and 0 < number < 2 ** 63 else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


class Fields:
    def __init__(self, data: dict | None):
        if data is not None and not isinstance(data, dict):
            raise ValidationFailed({}, "Se esperaba un objeto JSON.")
        self.data = data or {}
        self.errors: dict[str, str] = {}
        self.clean: dict[str, Any] = {}

    def present(self, name: str) -> bool:
        return name in self.data

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def _start(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if _blank(value):
            if required:
                self.fail(name, REQUIRED)
            self.clean[name] = None
            return None
        return value

    def text(self, name: str, *, required: bool = True, max_length: int = 200,
             min_length: int = 1, pattern: str | None = None,
             pattern_message: str = "El formato no es válido.") -> str | None:
        value = self._start(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(name, "Debe ser un texto.")
            return None
        if CONTROL.search(value):
            self.fail(name, "No use caracteres de control.")
            return None
        value = " ".join(value.split())
        if len(value) < min_length:
            self.fail(name, f"Escriba al menos {min_length} caracteres.")
        elif len(value) > max_length:
            self.fail(name, f"No puede tener más de {max_length} caracteres.")
        elif pattern and not re.fullmatch(pattern, value):
            self.fail(name, pattern_message)
        else:
            self.clean[name] = value
            return value
        return None

    def choice(self, name: str, options, *, required: bool = True) -> str | None:
        value = self._start(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or value not in options:
            allowed = ", ".join(options)
            self.fail(name, f"Valor no permitido. Use uno de: {allowed}.")
            return None
        self.clean[name] = value
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int | None = None,
                maximum: int | None = None, money: bool = False) -> int | None:
        value = self._start(name, required)
        if value is None:
            return None
        number = to_int(value, money)
        if number is None:
            self.fail(name, "Escriba un número entero de pesos." if money else
                      "Escriba un número entero.")
            return None
        if minimum is not None and number < minimum:
            self.fail(name, "Debe ser mayor que 0." if minimum == 1 else
                      f"Debe ser mayor o igual a {minimum}.")
            return None
        if maximum is None:
            maximum = MONEY_MAX if money else INT_MAX
        if number > maximum:
            self.fail(name, f"No puede ser mayor que {maximum}.")
            return None
        if minimum is None and number < -maximum:
            self.fail(name, f"No puede ser menor que -{maximum}.")
            return None
        self.clean[name] = number
        return number

        if isinstance(value, int):
            return value
        if isinstance(value, str):
            text = value.strip()
            if money:  # "$ 1.500.000" as people type it
                text = re.sub(r"[\s$.]", "", text)
            if re.fullmatch(r"-?\d{1,15}", text):
                return int(text)
        return None

    def date(self, name: str, *, required: bool = True, not_future: bool = False,
             today: date | None = None, earliest: date | None = None) -> date | None:
        value = self._start(name, required)
        if value is None:
            return None
        parsed = None
        if isinstance(value, date):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = date.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(name, "Escriba una fecha válida (AAAA-MM-DD).")
            return None
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.fail(name, f"Escriba una fecha entre {EARLIEST_DATE:%d/%m/%Y} y {LATEST_DATE:%d/%m/%Y}.")
            return None
        if not_future and parsed > (today or today_bogota()):
            self.fail(name, "La fecha no puede ser posterior a hoy.")
            return None
        if earliest is not None and parsed < earliest:
            self.fail(name, f"La fecha no puede ser anterior a {earliest:%d/%m/%Y}.")
            return None
        self.clean[name] = parsed
        return parsed

    def month(self, name: str, *, default: date | None = None) -> tuple[date | None, date | None]:
        """A month written AAAA-MM: its first and last day (the month of `default` when blank)."""
        value = self._start(name, required=default is None)
        if value is None:
            if default is None:
                return None, None
            value = f"{default:%Y-%m}"
        match = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            self.fail(name, "Escriba el mes como AAAA-MM (por ejemplo 2026-03).")
            return None, None
        first = date(int(match.group(1)), int(match.group(2)), 1)
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)
        self.clean[name] = first
        return first, last

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        value = self._start(name, required)
        if value is None:
            return None
        if isinstance(value, bool):
            self.clean[name] = value
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            result = value.strip().lower() in TRUE_WORDS
            self.clean[name] = result
            return result
        self.fail(name, "Responda sí o no.")
        return None

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def check_version(data: dict, current: int) -> None:
    """Optimistic locking: the edit must carry the version it was loaded with."""
    f = Fields(data)
    sent = f.integer("version", minimum=1)
    if sent is None:
        raise ValidationFailed({"version": "Envíe la versión del registro que editó."})
    if sent != current:
        raise StaleVersion()
