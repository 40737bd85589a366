"""The page set-up every PDF shares: Carta (letter, what Colombian offices print on), margins an
office printer keeps, and tables whose columns follow their content.

`document()` builds every SimpleDocTemplate (actas, tableros); `table()` sizes a table's columns
from its text: each column at least as wide as its longest word (so words are not cut where the
page allows it), the rest of the width shared by how much text each column holds; text wraps in
Paragraphs and amounts, counts and percentages are right-aligned.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
# Bandit B406: escapes text written into ReportLab markup; parses no XML
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

PAGE = LETTER  # 612 × 792 pt, 21,59 × 27,94 cm
MARGIN = 1.8 * cm  # office printers lose up to ~0,6 cm at the edges; 1,5 cm is the least we use
PADDING = 4  # points on each side of a table cell
GRID = colors.HexColor("#cfd6dd")
HEADER_FILL = colors.HexColor("#e8eef4")
NUMBER = re.compile(r"^[-−]?\s*(\$\s*)?[\d.,]+\s*%?$")  # $ 1.200.000 · 3 · 125 % · 0,5


def document(out, *, title: str, author: str, wide: bool = False, **options) -> SimpleDocTemplate:
    """A letter-size document (landscape when `wide`) with the shared margins."""
    page = landscape(PAGE) if wide else PAGE
    margins = {"leftMargin": MARGIN, "rightMargin": MARGIN, "topMargin": MARGIN, "bottomMargin": MARGIN}
    margins.update(options)
    return SimpleDocTemplate(out, pagesize=page, title=title, author=author, **margins)


def is_number(text: str) -> bool:
    return bool(text) and bool(NUMBER.match(text.strip()))


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def content_width(texts: Sequence[str], style: ParagraphStyle, bold: bool = False) -> float:
    """The width a column needs to hold each text on one line, padding included."""
    font = "Helvetica-Bold" if bold else style.fontName
    return max((_width(str(t or ""), font, style.fontSize) for t in texts), default=0) + 2 * PADDING + 1


def column_widths(rows: Sequence[Sequence[str]], available: float, style: ParagraphStyle,
                  bold_header: bool = True) -> list[float]:
    """Widths (points) that add up to `available`: no column narrower than its longest word
    unless the words of all columns together do not fit; the width left over goes to the columns
    by how much longer their text is than that word."""
    columns = max(len(row) for row in rows)
    floor, need = [0.0] * columns, [0.0] * columns
    for index, row in enumerate(rows):
        font = "Helvetica-Bold" if bold_header and index == 0 else style.fontName
        for column, text in enumerate(row):
            text = str(text or "")
            words = [text] if is_number(text) else (text.split() or [""])  # "$ 1.200" stays whole
            floor[column] = max(floor[column], max(_width(w, font, style.fontSize) for w in words))
            need[column] = max(need[column], _width(text, font, style.fontSize))
    floor = [f + 2 * PADDING + 1 for f in floor]
    need = [max(n + 2 * PADDING + 1, f) for n, f in zip(need, floor, strict=True)]
    if sum(floor) >= available:  # even single words do not fit: shrink them alike
        return [available * f / sum(floor) for f in floor]
    if sum(need) <= available:  # everything fits on one line: share out what is left
        return [available * n / sum(need) for n in need]
    spare = available - sum(floor)
    extra = [n - f for n, f in zip(need, floor, strict=True)]
    return [f + spare * e / sum(extra) for f, e in zip(floor, extra, strict=True)]


def table(rows: Sequence[Sequence[str]], available: float, style: ParagraphStyle, *,
          header: bool = True, widths: Sequence[float] | None = None,
          commands: Sequence[tuple] = ()) -> Table:
    """Plain-text rows as a wrapped, gridded table; the first row is the header (repeated on each
    page); numeric cells (and the header of an all-numeric column) are right-aligned."""
    number_style = ParagraphStyle(f"{style.name}-num", parent=style, alignment=TA_RIGHT)
    body = rows[1:] if header else rows
    numeric = [all(is_number(str(row[c])) or not str(row[c]).strip() for row in body)
               and any(is_number(str(row[c])) for row in body)
               for c in range(max(len(row) for row in rows))]
    data = []
    for index, row in enumerate(rows):
        cells = []
        for column, value in enumerate(row):
            text = escape(str(value if value is not None else ""))
            right = is_number(str(value)) or (numeric[column] and header and index == 0)
            if header and index == 0:
                text = f"<b>{text}</b>"
            cells.append(Paragraph(text, number_style if right else style))
        data.append(cells)
    result = Table(data, colWidths=list(widths or column_widths(rows, available, style, header)),
                   repeatRows=1 if header else 0)
    base = [("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING)]
    if header:
        base.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    result.setStyle(TableStyle(base + list(commands)))
    return result


def numbered_canvas(footer: str, font_size: float = 8):
    """A canvas class that writes `footer` and "Página n de N" on every page once all pages are
    known (a class per document, so two PDFs built at once never share a footer)."""

    class Numbered(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", font_size)
                self.setFillColor(colors.HexColor("#5b6570"))
                self.drawString(MARGIN, 1.6 * cm, footer)
                self.drawRightString(self._pagesize[0] - MARGIN, 1.6 * cm,
                                     f"Página {self._pageNumber} de {total}")
                super().showPage()
            super().save()

    return Numbered
