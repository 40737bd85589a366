"""The one writer of every CSV and spreadsheet cell people download, and of every sheet's print
set-up (`print_setup`).

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from typing import Any, TextIO

from flask import Response, current_app

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from . import lectura

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


# ---- lists of any length: CSV streamed in pieces, XLSX written row by row ----------------------

DATE_FORMAT = "DD/MM/YYYY"  # es-CO, as Excel shows it
MONEY_FORMAT = '"$" #,##0'
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return safe_cell(value)


def csv_stream(rows: Iterable[Iterable[Any]], header: Iterable[str] | None = None,
               chunk_rows: int = 500, typed: Collection[int] | None = None) -> Iterator[str]:
    """The same CSV as csv_text, in text pieces of `chunk_rows` rows for a streamed response: the
    BOM (and the header) go out before any row is read; dates DD/MM/AAAA, text formula-safe,
    numbers as they are. With `typed` (column indices), rows are lists whose other cells are
    final already (numbers, labels, dates as text): only the typed cells are checked, and the
    rows are written a chunk at a time (a base of a million rows)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    out.write(CSV_BOM)
    if header is not None:
        writer.writerow([safe_cell(h) for h in header])
    yield out.getvalue()
    out.seek(0)
    out.truncate()
    if typed is not None:
        yield from _csv_typed(rows, writer, out, tuple(typed), max(chunk_rows, 2000))
        return
    pending = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        pending += 1
        if pending >= chunk_rows:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            pending = 0
    if pending:
        yield out.getvalue()


FIRST_CSV_ROWS = 100


def _csv_typed(rows, writer, out: io.StringIO, typed: tuple[int, ...], chunk_rows: int) -> Iterator[str]:
    batch = []
    size = FIRST_CSV_ROWS  # the first rows go out at once, the rest in larger pieces
    for row in rows:
        for index in typed:
            value = row[index]
            if value.__class__ is str and value.startswith(FORMULA_STARTS):
                row[index] = "'" + value
        batch.append(row)
        if len(batch) >= size:
            writer.writerows(batch)
            batch.clear()
            size = chunk_rows
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if batch:
        writer.writerows(batch)
        yield out.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], header: Iterable[str], filename: str):
    """A streamed CSV download: the BOM and the header go out at once, the rows are read in an
    application context of their own (and so their own session), so a client that stops reading
    never keeps the request's context, its login or a transaction open."""
    app = current_app._get_current_object()
    reading = lectura.carried()  # a tablero's list read from the replica goes on reading there

    def body():
        chunks = csv_stream(rows, header=header)
        yield next(chunks)
        with app.app_context(), reading():
            yield from chunks
    response = Response(body(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(target, title: str, rows: Iterable[Iterable[Any]], *,
               header: list[str] | None = None, preamble: Iterable[str] = (),
               formats: dict[int, str] | None = None,
               progress: Callable[[int], None] | None = None, every: int = 5000,
               typed: Collection[int] | None = None, large: bool = False) -> int:
    """One worksheet written row by row (openpyxl write-only: memory stays flat) to a path or a
    file object: the preamble lines, the header in bold, then the rows. Text cells through
    safe_cell (with `typed`, only those columns: the others hold labels, numbers and dates the
    application wrote); dates are real dates shown DD/MM/AAAA; `formats` gives a column (0-based)
    its number format (money); `progress(n)` every `every` rows. Returns the rows written.
    (`large`, a sheet over 2 GB: openpyxl's zip takes ZIP64 by itself.)"""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for line in preamble:
        sheet.append([_xlsx_cell(sheet, line)])
    if header is not None:
        bold = Font(bold=True)
        titles = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=_xlsx_cell(sheet, text))
            cell.font = bold
            titles.append(cell)
        sheet.append(titles)
    formats = formats or {}
    checked = None if typed is None else set(typed)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, formats.get(index),
                                 check=checked is None or index in checked)
                      for index, value in enumerate(row)])
        count += 1
        if progress and count % every == 0:
            progress(count)
    book.save(target)
    return count


def xlsx_file(title: str, header: list[str], rows: Iterable[Iterable[Any]], *,
              preamble: Iterable[str] = (), formats: dict[int, str] | None = None) -> io.BytesIO:
    """write_xlsx into memory, for a download answered at once."""
    content = io.BytesIO()
    write_xlsx(content, title, rows, header=header, preamble=preamble, formats=formats)
    content.seek(0)
    return content


def _xlsx_cell(sheet, value: Any, number_format: str | None = None, check: bool = True) -> Any:
    if isinstance(value, date) or (number_format and value is not None):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT if isinstance(value, date) else number_format
        return cell
    if check:
        value = safe_cell(value)
    if isinstance(value, str):
        # safe_cell already prefixed what would be a formula; XML cannot hold these characters.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


# Columns of default width (about 8.43 characters) a letter page holds upright at 100 %; a wider
# sheet prints landscape. Either way it is scaled to one page wide.
PORTRAIT_MAX_WIDTH = 95
MARGIN_INCHES = 0.7  # 1,8 cm: office printers lose up to ~0,6 cm at the edges


def print_setup(sheet, header_row: int, frozen_columns: int = 0, landscape: bool | None = None) -> None:
    """How a sheet prints and scrolls: letter paper, one page wide (as many pages tall as needed),
    landscape when wide, the header row repeated on every printed page and frozen on screen
    (with the first `frozen_columns` columns), page numbers in the footer."""
    if landscape is None:
        widths = [sheet.column_dimensions[get_column_letter(c)].width or 8.43
                  for c in range(1, (sheet.max_column or 1) + 1)]
        landscape = sum(widths) > PORTRAIT_MAX_WIDTH
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_LETTER
    setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=MARGIN_INCHES, right=MARGIN_INCHES, top=0.8, bottom=0.8,
                                     header=0.3, footer=0.3)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(header_row + 1, frozen_columns + 1).coordinate
    sheet.oddFooter.right.text = "Página &P de &N"
