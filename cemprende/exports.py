"""The one writer of every CSV and spreadsheet cell people download, and of every sheet's print
set-up (`print_setup`).

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import contextvars
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

import xlsxwriter
import xlsxwriter.workbook
import xlsxwriter.worksheet
from sqlalchemy import String, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import CellStringTuple, _preserve_whitespace
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
    (and the header) go out before any row is read. The rows are sequences (lists, or the
    database's tuples) whose cells are final already (numbers, labels, dates as text) except the
    `typed` columns (text people typed), which are made formula-safe here (quote_formulas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    yield _csv_head(out, writer, header)
    typed = tuple(typed)
    for chunk in chunks:
        quote_formulas(chunk, typed)
        writer.writerows(chunk)
        yield _take(out)


def csv_stream_lines(chunks: Iterable[list[str]], width: int, typed: Collection[int],
                     header: Iterable[str] | None = None,
                     cells_of: Callable[[list[str]], list[list]] | None = None) -> Iterator[str]:
    """The same CSV as csv_stream_chunks, from rows the database joined into one text each
    (csv_line_sql: `width` cells, the `typed` ones people typed). A chunk whose text holds
    nothing the CSV quotes or the formula check catches (nearly all of them) is a few character
    scans and two replacements; otherwise each of its rows is split back into its cells and written as
    csv_stream_chunks writes them. A row whose text holds the separators themselves cannot be
    split: `cells_of(first cells)` gives the cells of such rows again (by their first cell, the
    row's id)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    yield _csv_head(out, writer, header)
    typed = tuple(typed)
    for chunk in chunks:
        text = "".join(chunk)
        if (text.count(_CELL_END) == len(chunk) * (width - 1)
                and text.count(_ROW_END) == len(chunk) and _plain(text)):
            yield text.replace(_CELL_END, ";").replace(_ROW_END, "\r\n")
            continue
        rows = [line[:-1].split(_CELL_END) for line in chunk]
        unsplit = [row[0] for row in rows if len(row) != width]
        again = iter(cells_of(unsplit) if unsplit else ())
        rows = [row if len(row) == width else list(next(again)) for row in rows]
        quote_formulas(rows, typed)
        writer.writerows(rows)
        yield _take(out)


# ---- a CSV row joined by the database ----------------------------------------------------------
# A base of a million rows spent most of its time in Python's csv module and in building a tuple
# per row. The database joins each row's final cells (labels, dates as text, numbers cast) into
# one text, with separators no stored text holds in practice (ASCII's unit and record
# separators): csv_stream_lines turns a plain chunk into the CSV at once.
_CELL_END, _ROW_END = "\x1f", "\x1e"
CSV_SPECIAL = frozenset(';"\r\n')  # csv.QUOTE_MINIMAL quotes a cell holding one of these


def _plain(text: str) -> bool:
    """Nothing the CSV quotes (; " CR LF) and no cell starting like a formula (only typed cells
    can hold these: labels, dates and numbers never do, a test checks the labels). Scans for
    one character, at memory speed; a formula start found somewhere is looked for after a
    separator (a regular expression for all of it is a hundred times slower)."""
    if any(special in text for special in CSV_SPECIAL) or text.startswith(FORMULA_STARTS):
        return False
    return not any(start in text and (_CELL_END + start in text or _ROW_END + start in text)
                   for start in FORMULA_STARTS)


class _joined(FunctionElement):
    """A row's cells (none NULL) as one text: each but the last followed by the unit separator,
    the last by the record separator. PostgreSQL builds it once (concat_ws), not a new text for
    every || of it."""

    type = String()
    inherit_cache = True


@compiles(_joined, "postgresql")
def _joined_postgresql(element, compiler, **kw):
    return f"concat_ws('{_CELL_END}', {compiler.process(element.clauses, **kw)}) || '{_ROW_END}'"


@compiles(_joined)
def _joined_default(element, compiler, **kw):
    cells = f" || '{_CELL_END}' || ".join(compiler.process(clause, **kw)
                                          for clause in element.clauses)
    return f"{cells} || '{_ROW_END}'"


def csv_line_sql(cells: Iterable):
    """A row's final cells computed by the database, joined as csv_stream_lines reads them. A
    cell must never be NULL (the bases' cells are coalesced to empty text)."""
    return _joined(*[cell if isinstance(cell.type, String) else cast(cell, String)
                     for cell in cells])


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


def quote_formulas(rows: list, columns: Collection[int]) -> None:
    """safe_cell on the given columns of every row, in place (a row that is not a list, a tuple
    of the database's, is replaced by a list when one of its cells changes). A column of a chunk
    whose text joined by newlines has no line starting like a formula is left as it is (one
    scan in C instead of a check per cell); otherwise, and for a column that is not all text,
    each of its cells goes through safe_cell."""
    for index in columns:
        try:
            joined = "\n".join([row[index] for row in rows])
        except TypeError:  # not all text
            joined = None
        if joined is not None and not _FORMULA_LINE.search(joined):
            continue
        for number, row in enumerate(rows):
            value = row[index]
            safe = safe_cell(value)
            if safe is not value:
                if row.__class__ is not list:
                    row = rows[number] = list(row)
                row[index] = safe


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
    book = _streamed_book(target, large)
    try:
        sheet = book.add_worksheet(_sheet_title(title), worksheet_class=_TextWorksheet)
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
        for row in rows:
            _write_row_generic(sheet, row_number, row, column_formats, checked, date_format)
            row_number += 1
            count += 1
            if progress and count % every == 0:
                progress(count)
    finally:
        book.close()
    return count


# A base of a million rows is about 1.6 GB of sheet XML: zlib's level 6 (the zip module's default)
# takes about 35 s of it, level 1 about 11 s for a file some 25 % larger. XlsxWriter opens its zip
# itself, so its module's ZipFile is this one, which takes level 1 where the context asks for it.
_QUICK_ZIP = contextvars.ContextVar("quick_zip", default=False)


class _ZipFile(zipfile.ZipFile):
    def __init__(self, *args, **kwargs):
        if _QUICK_ZIP.get() and kwargs.get("compression") == zipfile.ZIP_DEFLATED:
            kwargs.setdefault("compresslevel", 1)
        super().__init__(*args, **kwargs)


xlsxwriter.workbook.ZipFile = _ZipFile


def write_xlsx_chunks(target, title: str, chunks: Iterable[list[list]], *,
                      typed: Collection[int] = (),
                      progress: Callable[[int], None] | None = None, every: int = 5000,
                      large: bool = False) -> int:
    """write_xlsx (typed columns, no header in bold, no formats) for rows that come a chunk of
    lists at a time (a base of a million rows), with the same sheet XML in a fraction of the
    time: a chunk whose columns are all text or all whole numbers is turned into the sheet's
    rows directly (one format call a row), each cell in the exact form XlsxWriter gives it (an
    inline string, or a number), into XlsxWriter's own row file; a column of a chunk that holds
    anything XML or a spreadsheet would treat specially (a formula start in a typed column, &,
    <, >, control characters, an _xHHHH_ escape, leading or trailing spaces, a very long text)
    has those cells written by XlsxWriter's own cell writer, and a chunk with other values
    (dates, None, decimals) goes through write_xlsx's row-by-row path. `progress(n)` about every
    `every` rows (at the end of the chunk that passes a multiple). Returns the rows written (the
    first chunk may be the header)."""
    book = _streamed_book(target, large)
    try:
        sheet = book.add_worksheet(_sheet_title(title), worksheet_class=_TextWorksheet)
        date_format = book.add_format({"num_format": DATE_FORMAT})
        checked = frozenset(typed)
        row_number = count = 0
        for chunk in chunks:
            if not chunk:
                continue
            xml = _fast_rows(sheet, chunk, row_number, checked)
            if xml is None:  # values of other kinds: row by row, as write_xlsx
                for row in chunk:
                    _write_row_generic(sheet, row_number, row, {}, checked, date_format)
                    row_number += 1
            else:
                _flush_pending_row(sheet, row_number)
                sheet.fh.write("".join(xml))
                _grow_dimensions(sheet, row_number, chunk, xml)
                row_number += len(chunk)
                sheet.previous_row = row_number
            before, count = count, count + len(chunk)
            if progress and count // every > before // every:
                progress(count)
    finally:
        quick = _QUICK_ZIP.set(True)
        try:
            book.close()
        finally:
            _QUICK_ZIP.reset(quick)
    return count


# What a text cell must not hold for its XML to be written directly: control characters,
# XML's special characters, XlsxWriter's _xHHHH_ escape, white space at either end (written with
# xml:space); in a typed column, a formula start either. _CELL_PLAIN* check one cell; a column of a
# chunk is checked at once (_plain_column) over its cells joined by newlines, more strictly
# (any white space but a plain space anywhere, any "_x"), so a miss only costs a check per cell.
_SPECIAL = "\x00-\x1f&<>\ufffe\uffff"
_CELL_PLAIN = re.compile(f"[{_SPECIAL}]|_x[0-9a-fA-F]{{4}}_|^\\s|\\s$")
_CELL_PLAIN_TYPED = re.compile(_CELL_PLAIN.pattern + "|^[" + re.escape("".join(FORMULA_STARTS))
                               + "]")
_COLUMN_SPECIAL = re.compile("[" + _SPECIAL.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f")
                             + "".join(c for c in map(chr, range(0x80, 0x3001))
                                       if c.isspace()) + "]")
_COLUMN_FORMULA = re.compile("\n[" + re.escape("".join(FORMULA_STARTS)) + "]")
_FAST_TEXT_MAX = 16383  # longer text may pass Excel's 32,767 UTF-16 units: XlsxWriter cuts it


def _plain_column(values: tuple[str, ...], typed: bool) -> bool:
    """No cell of the column (all text) needs more than writing as it is."""
    joined = "\n".join(values)
    if (joined.count("\n") != len(values) - 1 or _COLUMN_SPECIAL.search(joined) or "_x" in joined
            or " \n" in joined or "\n " in joined or joined[:1] == " " or joined[-1:] == " "):
        return False
    first = joined[:1]
    if typed and (first != "" and first in FORMULA_STARTS or _COLUMN_FORMULA.search(joined)):
        return False
    return len(joined) <= _FAST_TEXT_MAX or max(map(len, values)) <= _FAST_TEXT_MAX


def _fast_rows(sheet, chunk: list[list], first: int, checked: frozenset) -> list[str] | None:
    """The chunk's rows as the sheet's XML (one string per row that has a cell), or None when a
    column holds values other than text or whole numbers."""
    width = len(chunk[0])
    if any(len(row) != width for row in chunk):
        return None
    letters = [xl_col_to_name(index) for index in range(width)]
    plain, cell_formats = True, []
    for index, values in enumerate(zip(*chunk)):
        kinds = set(map(type, values))
        if kinds == {int}:
            cell_formats.append(f'<c r="{letters[index]}{{0}}"><v>{{1:.16G}}</v></c>')
        elif kinds == {str}:
            cell_formats.append(
                f'<c r="{letters[index]}{{0}}" t="inlineStr"><is><t>{{1}}</t></is></c>')
            plain = plain and _plain_column(values, index in checked)
        else:
            return None
    numbers = range(first + 1, first + 1 + len(chunk))
    if plain:  # every cell as it is: a row is one format call, by which of its cells are empty
        empty_in = [index for index, values in enumerate(zip(*chunk)) if "" in values]
        templates: dict[tuple, Callable[..., str]] = {}

        def template(empty: tuple) -> Callable[..., str]:
            skip = {index for index, is_empty in zip(empty_in, empty) if is_empty}
            cells = "".join(cell.replace("{1", "{" + str(index + 1))
                            for index, cell in enumerate(cell_formats) if index not in skip)
            templates[empty] = (f'<row r="{{0}}">{cells}</row>' if cells else "").format
            return templates[empty]
        xml = []
        for n, row in zip(numbers, chunk):
            empty = tuple([row[index] == "" for index in empty_in])
            xml.append((templates.get(empty) or template(empty))(n, *row))
        return xml
    columns = []
    for index, values in enumerate(zip(*chunk)):
        cell = cell_formats[index].format
        if values[0].__class__ is int:
            columns.append([cell(n, v) for n, v in zip(numbers, values)])
            continue
        typed = index in checked
        pattern = _CELL_PLAIN_TYPED if typed else _CELL_PLAIN
        columns.append([
            (cell(n, v) if v else "")
            if not pattern.search(v) and len(v) <= _FAST_TEXT_MAX
            else _library_text_cell(sheet, n - 1, index, _xlsx_text(v, True) if typed else v)
            for n, v in zip(numbers, values)])
    return [_row_xml(n, cells) for n, cells in zip(numbers, zip(*columns))]


def _row_xml(number: int, cells) -> str:
    """A row as XlsxWriter writes it (no attributes but its number); nothing without cells."""
    text = "".join(cells)
    return f'<row r="{number}">{text}</row>' if text else ""


def _library_text_cell(sheet, row: int, column: int, text: str) -> str:
    """A text cell as XlsxWriter writes it (write_string in constant_memory mode), or nothing
    for an empty one."""
    if not text:
        return ""
    if len(text) > sheet.xls_strmax // 2 and _utf16_len(text) > sheet.xls_strmax:
        text = _utf16_truncate(text, sheet.xls_strmax)
    handle, sheet.fh = sheet.fh, io.StringIO()
    try:
        sheet._write_cell(row, column, CellStringTuple(text, None))
        return sheet.fh.getvalue()
    finally:
        sheet.fh = handle


def _flush_pending_row(sheet, row_number: int) -> None:
    """Writes the row XlsxWriter still holds (the last one written through its API) before rows
    are added to the sheet's file directly."""
    if row_number > sheet.previous_row or sheet.table:
        sheet._write_single_row(row_number)


def _grow_dimensions(sheet, first: int, chunk: list[list], xml: list[str]) -> None:
    """The sheet's used range, as XlsxWriter's _check_dimensions keeps it, for rows added
    directly (a cell is written unless it is empty text)."""
    rows = [n for n, text in enumerate(xml, start=first) if text]
    if not rows:
        return
    used = [index for index, values in enumerate(zip(*chunk))
            if any(value != "" for value in values)]
    sheet.dim_rowmin = rows[0] if sheet.dim_rowmin is None else min(sheet.dim_rowmin, rows[0])
    sheet.dim_rowmax = rows[-1] if sheet.dim_rowmax is None else max(sheet.dim_rowmax, rows[-1])
    sheet.dim_colmin = used[0] if sheet.dim_colmin is None else min(sheet.dim_colmin, used[0])
    sheet.dim_colmax = used[-1] if sheet.dim_colmax is None else max(sheet.dim_colmax, used[-1])


def _write_row_generic(sheet, row_number: int, row, column_formats: dict, checked,
                       date_format) -> None:
    """One row through XlsxWriter's API (write_xlsx's rules); `checked` None: every column is
    checked for formulas."""
    write_string = sheet.write_string
    for index, value in enumerate(row):
        if value.__class__ is str and index not in column_formats:
            if checked is None or index in checked:
                value = _xlsx_text(value, True)
            if value:
                write_string(row_number, index, value)
        elif value is not None:
            _xlsx_write(sheet, row_number, index, value, column_formats.get(index),
                        date_format, checked is None or index in checked)


class _TextWorksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet whose text is always text. XlsxWriter writes a string that starts with <r>
    and ends with </r> into the sheet's XML as it is (its own rich strings, which these sheets
    never hold): typed text of that shape could break the file or bring in a formula. Written
    escaped, as every other text."""

    def _xml_rich_inline_string(self, string, attributes=[]) -> None:  # noqa: B006 (as the library's)
        self._xml_inline_string(string, _preserve_whitespace(string), attributes)


def _streamed_book(target, large: bool) -> xlsxwriter.Workbook:
    """A workbook whose rows go to disk as they are written (constant_memory), text never read
    as a formula, a link or a number; `large`: zipped as ZIP64 (a sheet that may pass 4 GB)."""
    return xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "remove_timezone": True, "use_zip64": large,
        "in_memory": False, "tmpdir": tempfile.gettempdir()})


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
