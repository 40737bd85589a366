"""The one writer of every CSV and spreadsheet cell people download.

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


def csv_stream(rows: Iterable[Iterable[Any]], chunk_rows: int = 500) -> Iterator[str]:
    """The same CSV as csv_text, yielded as text pieces of `chunk_rows` rows (BOM first), so a
    streamed response sends its first bytes before the last row is read."""
    yield CSV_BOM
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    pending = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        pending += 1
        if pending >= chunk_rows:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    if pending:
        yield out.getvalue()


def write_xlsx(path: str, title: str, rows: Iterable[Iterable[Any]],
               progress: Callable[[int], None] | None = None, every: int = 5000) -> int:
    """One worksheet written row by row (openpyxl write-only: memory stays flat), every cell
    through safe_cell; text cells are written as text, numbers and dates keep their type.
    `progress(n)` is called every `every` rows. Returns the number of rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
        if progress and count % every == 0:
            progress(count)
    book.save(path)
    return count


def _xlsx_cell(value: Any) -> Any:
    value = safe_cell(value)
    if isinstance(value, str):
        # openpyxl would read a string starting with "=" as a formula; safe_cell already
        # prefixed it, and this strips characters XML cannot hold.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
