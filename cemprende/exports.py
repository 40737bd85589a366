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
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from flask import Response, current_app
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

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

    def body():
        chunks = csv_stream(rows, header=header)
        yield next(chunks)
        with app.app_context():
            yield from chunks
    response = Response(body(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_xlsx(target, title: str, rows: Iterable[Iterable[Any]], *,
               header: list[str] | None = None, preamble: Iterable[str] = (),
               formats: dict[int, str] | None = None,
               progress: Callable[[int], None] | None = None, every: int = 5000,
               typed: Collection[int] | None = None, large: bool = False) -> int:
    """One worksheet written row by row, streamed into the zip (memory stays flat), to a path or
    a file object: the preamble lines, the header in bold, then the rows. Text cells go through
    safe_cell (with `typed`, only those columns: the others hold labels, numbers and dates the
    application wrote); dates are real dates shown DD/MM/AAAA; `formats` gives a column (0-based)
    its number format (money); `progress(n)` every `every` rows; `large` allows a sheet over 2 GB
    of XML (ZIP64). Returns the rows written.

    The package is the one openpyxl's write-only mode makes (inline strings, one sheet), written
    here directly: openpyxl's per-cell objects cost about 0.25 ms a row, which a base of a million
    people cannot afford. Files are read back with openpyxl in the tests."""
    sheet = _SheetWriter(formats or {}, typed)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=large) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
            out.write(_SHEET_START)
            number = 0
            for line in preamble:
                number += 1
                out.write(sheet.row(number, [line], check=True))
            if header is not None:
                number += 1
                out.write(sheet.row(number, header, style=_BOLD, check=True))
            count = 0
            pending = []
            for row in rows:
                number += 1
                count += 1
                pending.append(sheet.row(number, row))
                if len(pending) >= 500:
                    out.write("".join(pending))
                    pending.clear()
                if progress and count % every == 0:
                    progress(count)
            out.write("".join(pending))
            out.write(_SHEET_END)
            out.flush()
            out.detach()
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("docProps/app.xml", _APP)
        package.writestr("docProps/core.xml", _CORE)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(name=_xml_attr(_sheet_title(title))))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", sheet.styles())
    return count


def xlsx_file(title: str, header: list[str], rows: Iterable[Iterable[Any]], *,
              preamble: Iterable[str] = (), formats: dict[int, str] | None = None) -> io.BytesIO:
    """write_xlsx into memory, for a download answered at once."""
    content = io.BytesIO()
    write_xlsx(content, title, rows, header=header, preamble=preamble, formats=formats)
    content.seek(0)
    return content


_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 date system, as Excel counts it after 1900-03-01)
_EPOCH_TIME = datetime(1899, 12, 30)
_BOLD, _DATE = 1, 2  # cellXfs: 0 normal, 1 bold (header), 2 date, 3.. the columns' formats
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")


def _sheet_title(title: str) -> str:
    return _INVALID_TITLE.sub("", title)[:31] or "Hoja1"


def _xml_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _xml_attr(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def _column_letters(count: int) -> list[str]:
    return [get_column_letter(i) for i in range(1, count + 1)]


class _SheetWriter:
    """The XML of each row; the styles it needed."""

    def __init__(self, formats: dict[int, str], typed: Collection[int] | None):
        self.number_formats: dict[str, int] = {DATE_FORMAT: 164}
        self.xf_of_format: dict[str, int] = {}
        self.column_xf: dict[int, int] = {}
        for column, number_format in sorted(formats.items()):
            self.column_xf[column] = self._xf(number_format)
        self.letters = _column_letters(64)
        self.typed = None if typed is None else frozenset(typed)

    def _xf(self, number_format: str) -> int:
        if number_format == DATE_FORMAT:
            return _DATE
        if number_format not in self.xf_of_format:
            self.number_formats.setdefault(number_format, 164 + len(self.number_formats))
            self.xf_of_format[number_format] = 3 + len(self.xf_of_format)
        return self.xf_of_format[number_format]

    def row(self, number: int, values: Iterable[Any], style: int = 0, check: bool | None = None) -> str:
        r = str(number)
        parts = [f'<row r="{r}">']
        letters, typed, column_xf = self.letters, self.typed, self.column_xf
        for index, value in enumerate(values):
            if value is None:
                continue
            if index >= len(letters):
                letters = self.letters = _column_letters(index + 64)
            ref = letters[index] + r
            if value == "":  # an empty cell, as openpyxl writes it (so rows keep their length)
                parts.append(f'<c r="{ref}" t="inlineStr"/>')
                continue
            kind = type(value)
            if kind is str:
                if check if check is not None else (typed is None or index in typed):
                    value = ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))
                s = f' s="{style}"' if style else ""
                parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">'
                             f'{_xml_text(value)}</t></is></c>')
            elif kind is int or kind is float or kind is Decimal:
                xf = style or column_xf.get(index, 0)
                s = f' s="{xf}"' if xf else ""
                parts.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif kind is date:
                parts.append(f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH).days}</v></c>')
            elif kind is datetime:
                if value.tzinfo is not None:
                    raise TypeError("Excel does not support timezones in datetimes.")
                serial = (value - _EPOCH_TIME).total_seconds() / 86400
                parts.append(f'<c r="{ref}" s="{_DATE}"><v>{serial!r}</v></c>')
            else:  # anything else as its text, formula-safe
                text = ILLEGAL_CHARACTERS_RE.sub("", safe_cell(str(value)))
                parts.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                             f'{_xml_text(text)}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)

    def styles(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{number}" formatCode="{_xml_attr(code)}"/>'
                          for code, number in self.number_formats.items())
        extra = "".join(f'<xf numFmtId="{self.number_formats[code]}" fontId="0" fillId="0" '
                        f'borderId="0" applyNumberFormat="1" xfId="0"/>'
                        for code in self.xf_of_format)
        return _STYLES.format(count_formats=len(self.number_formats), formats=formats,
                              count_xfs=3 + len(self.xf_of_format), extra_xfs=extra)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheetPr><outlinePr summaryBelow="1" '
                'summaryRight="1"/><pageSetUpPr/></sheetPr><sheetViews><sheetView workbookViewId="0">'
                '<selection activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
                '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><sheetData>')
_SHEET_END = ('</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
              'footer="0.5"/></worksheet>')
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_RELS}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>')
_APP = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        '<Application>Cemprende</Application></Properties>')
_CORE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
         'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
         'xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Cemprende</dc:creator>'
         '</cp:coreProperties>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><workbookPr/><bookViews><workbookView/></bookViews>'
    '<sheets><sheet name="{{name}}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
    '</Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="{count_formats}">{formats}</numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="{count_xfs}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0"/>'
    '{extra_xfs}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


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
