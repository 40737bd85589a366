"""The one writer of every CSV and spreadsheet cell people download.

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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


# ---- lists of any length: CSV streamed line by line, XLSX written row by row -----------------

DATE_FORMAT = "DD/MM/YYYY"  # es-CO, as Excel shows it
MONEY_FORMAT = '"$" #,##0'
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)


def csv_stream(header: Iterable[str], rows: Iterable[Iterable[Any]], batch: int = 500) -> Iterator[str]:
    """The BOM, the header and the rows as CSV text in chunks of `batch` lines, for a streamed
    response: dates DD/MM/AAAA, text formula-safe, numbers as they are."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    out.write(CSV_BOM)
    writer.writerow([safe_cell(h) for h in header])
    yield out.getvalue()  # the first bytes go out before any row is read
    out.seek(0)
    out.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_value(value) for value in row])
        if n % batch == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def xlsx_file(title: str, header: list[str], rows: Iterable[Iterable[Any]], *,
              preamble: Iterable[str] = (), formats: dict[int, str] | None = None) -> io.BytesIO:
    """A one-sheet workbook written row by row (openpyxl write-only: memory stays flat). Dates are
    real dates shown DD/MM/AAAA, `formats` gives a column (0-based) its number format (money),
    text is formula-safe."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    for line in preamble:
        sheet.append([safe_cell(line)])
    titles = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(text))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    formats = formats or {}
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, date) or (index in formats and value is not None):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT if isinstance(value, date) else formats[index]
                cells.append(cell)
            else:
                cells.append(safe_cell(value))
        sheet.append(cells)
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    return content
