"""The one writer of every CSV and spreadsheet cell people download.

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # so Excel in es-CO reads the accents as UTF-8


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(handle: TextIO, rows: Iterable[Iterable[Any]]) -> None:
    """`;`-separated rows, every cell through safe_cell (the handle adds the BOM, or csv_text)."""
    writer = csv.writer(handle, delimiter=";")
    writer.writerows([safe_cell(value) for value in row] for row in rows)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    out.write(CSV_BOM)
    write_csv(out, rows)
    return out.getvalue()
