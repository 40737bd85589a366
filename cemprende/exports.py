"""The one writer of every CSV and spreadsheet cell people download, and of every sheet's print
set-up (`print_setup`).

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

import xlsxwriter
from flask import Response, current_app
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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
               chunk_rows: int = 500) -> Iterator[str]:
    """The same CSV as csv_text, in text pieces of `chunk_rows` rows for a streamed response: the
    BOM (and the header) go out before any row is read; dates DD/MM/AAAA, text formula-safe,
    numbers as they are."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    yield _csv_head(out, writer, header)
    pending = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        pending += 1
        if pending >= chunk_rows:
            yield _take(out)
            pending = 0
    if pending:
        yield out.getvalue()


def csv_stream_chunks(chunks: Iterable[list[list]], header: Iterable[str] | None = None,
                      typed: Collection[int] = ()) -> Iterator[str]:
    """A CSV of final cells (a base of a million rows), a text piece per chunk of rows: the BOM
    (and the header) go out before any row is read. The rows are lists whose cells are final
    already (numbers, labels, dates as text) except the `typed` columns (text people typed),
    which are made formula-safe here, in place."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    yield _csv_head(out, writer, header)
    typed = tuple(typed)
    for chunk in chunks:
        quote_formulas(chunk, typed)
        writer.writerows(chunk)
        yield _take(out)


def _csv_head(out: io.StringIO, writer, header: Iterable[str] | None) -> str:
    out.write(CSV_BOM)
    if header is not None:
        writer.writerow([safe_cell(h) for h in header])
    return _take(out)


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


# A typed cell that starts a line of its column joined by newlines starts like a formula.
_FORMULA_LINE = re.compile("^[" + re.escape("".join(FORMULA_STARTS)) + "]", re.MULTILINE)


def quote_formulas(rows: list[list], columns: Collection[int]) -> None:
    """safe_cell on the given columns of every row, in place. A column of a chunk whose text
    joined by newlines has no line starting like a formula is left as it is (one scan in C
    instead of a check per cell); otherwise, and for a column that is not all text, each of its
    cells goes through safe_cell."""
    for index in columns:
        try:
            joined = "\n".join([row[index] for row in rows])
        except TypeError:  # not all text
            joined = None
        if joined is not None and not _FORMULA_LINE.search(joined):
            continue
        for row in rows:
            row[index] = safe_cell(row[index])


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
    """One worksheet written row by row to a path or a file object (XlsxWriter in constant_memory
    mode: each row goes to the sheet's XML as soon as the next one starts, so memory stays flat
    whatever the length): the preamble lines, the header in bold, then the rows. Text cells
    through safe_cell (with `typed`, only those columns: the others hold labels, numbers and
    dates the application wrote) and are always written as text, never read as a formula or a
    link; dates are real dates shown DD/MM/AAAA; `formats` gives a column (0-based) its number
    format (money); `progress(n)` every `every` rows. Returns the rows written. `large`: a
    sheet that may pass 4 GB uncompressed is zipped as ZIP64."""
    book = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "remove_timezone": True, "use_zip64": large,
        "in_memory": False, "tmpdir": tempfile.gettempdir()})
    try:
        sheet = book.add_worksheet(_sheet_title(title))
        date_format = book.add_format({"num_format": DATE_FORMAT})
        by_format: dict[str, Any] = {}
        column_formats = {index: by_format.setdefault(code, book.add_format({"num_format": code}))
                          for index, code in (formats or {}).items()}
        row_number = 0
        for line in preamble:
            _xlsx_write(sheet, row_number, 0, line, None, date_format, True)
            row_number += 1
        if header is not None:
            bold = book.add_format({"bold": True})
            for index, text in enumerate(header):
                sheet.write_string(row_number, index, _xlsx_text(str(text), True), bold)
            row_number += 1
        checked = None if typed is None else frozenset(typed)
        count = 0
        write_string = sheet.write_string
        for row in rows:
            for index, value in enumerate(row):
                if value.__class__ is str and index not in column_formats:
                    if checked is None or index in checked:
                        value = _xlsx_text(value, True)
                    if value:
                        write_string(row_number, index, value)
                elif value is not None:
                    _xlsx_write(sheet, row_number, index, value, column_formats.get(index),
                                date_format, checked is None or index in checked)
            row_number += 1
            count += 1
            if progress and count % every == 0:
                progress(count)
    finally:
        book.close()
    return count


def _sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Hoja1"


def _xlsx_text(value: str, check: bool) -> str:
    if check:
        value = safe_cell(value)
    # safe_cell already prefixed what would be a formula; XML cannot hold these characters.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _xlsx_write(sheet, row: int, column: int, value: Any, number_format, date_format,
                check: bool) -> None:
    if isinstance(value, date):
        sheet.write_datetime(row, column, value, date_format)
    elif isinstance(value, str):
        value = _xlsx_text(value, check)
        if value:
            sheet.write_string(row, column, value, number_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, number_format)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, column, value, number_format)
    else:
        sheet.write_string(row, column, _xlsx_text(str(value), check), number_format)


def xlsx_file(title: str, header: list[str], rows: Iterable[Iterable[Any]], *,
              preamble: Iterable[str] = (), formats: dict[int, str] | None = None) -> io.BytesIO:
    """write_xlsx into memory, for a download answered at once."""
    content = io.BytesIO()
    write_xlsx(content, title, rows, header=header, preamble=preamble, formats=formats)
    content.seek(0)
    return content


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
