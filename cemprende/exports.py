"""The one writer of every CSV and spreadsheet cell people download, and of every sheet's print
set-up (`print_setup`).

Text that people typed (names, centres, suppliers, observations) may begin with =, +, -, @, a tab
or a carriage return; Excel and LibreOffice would run it as a formula. Such text gets a leading
apostrophe; numbers and dates stay what they are.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

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
