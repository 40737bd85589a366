"""Printable actas (PDF, Carta) filled in from the records, to be signed on paper and filed.

Every acta carries the centre's name, the person's data, the date, its clauses and signature
lines; the orientación, microfinanciamiento and other processes describe theirs with `Acta`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
# Bandit B406: escapes text written into ReportLab markup; parses no XML
from xml.sax.saxutils import escape  # nosec B406

from . import printouts
from .formatting import fecha


@dataclass
class Acta:
    titulo: str
    centro: str
    fecha: date
    datos: list[tuple[str, str]]  # label, value: the person's (or session's) data
    introduccion: str | None = None
    clausulas: list[str] = field(default_factory=list)
    tabla: list[list[str]] | None = None  # optional rows, the first one the header
    firmas: list[str] = field(default_factory=list)
    archivo: str | None = None  # the verifier name it is filed under, e.g. AC_1098765432
    # Further titled tables (a report rather than an acta): title, rows with the header first.
    secciones: list[tuple[str, list[list[str]]]] = field(default_factory=list)


def _styles():
    base = getSampleStyleSheet()
    return {
        "titulo": ParagraphStyle("titulo", parent=base["Title"], fontSize=15, spaceAfter=4),
        "centro": ParagraphStyle("centro", parent=base["Normal"], alignment=1, fontSize=10,
                                 textColor=colors.HexColor("#1f4e79")),
        "normal": ParagraphStyle("normal", parent=base["Normal"], fontSize=10, leading=14),
        "celda": ParagraphStyle("celda", parent=base["Normal"], fontSize=9, leading=12),
        "pie": ParagraphStyle("pie", parent=base["Normal"], fontSize=8,
                              textColor=colors.HexColor("#5b6570")),
    }


def _data_table(rows: list[tuple[str, str]], styles, width: float) -> Table:
    """Labels on one line where they fit in 40 % of the width; the values take the rest."""
    labels = printouts.content_width([label for label, _ in rows], styles["normal"], bold=True)
    label_width = min(max(labels, 3 * cm), 0.4 * width)
    cells = [[Paragraph(f"<b>{escape(k)}</b>", styles["normal"]), Paragraph(escape(v or "—"), styles["normal"])]
             for k, v in rows]
    table = Table(cells, colWidths=[label_width, width - label_width])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, printouts.GRID),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), printouts.PADDING),
                               ("RIGHTPADDING", (0, 0), (-1, -1), printouts.PADDING)]))
    return table


def _signatures(names: list[str], styles, width: float) -> Table:
    cells = [Paragraph("_" * 34 + f"<br/>{escape(n)}", styles["normal"]) for n in names]
    rows = [cells[i:i + 2] + [""] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[width / 2, width / 2], rowHeights=[2.6 * cm] * len(rows))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return table


def render(acta: Acta) -> BytesIO:
    out = BytesIO()
    styles = _styles()
    doc = printouts.document(out, title=acta.titulo, author=acta.centro)
    width = doc.width
    story = [Paragraph(escape(acta.centro), styles["centro"]),
             Paragraph(escape(acta.titulo), styles["titulo"]),
             Paragraph(f"Fecha: {fecha(acta.fecha)}", styles["centro"]), Spacer(1, 0.5 * cm),
             _data_table(acta.datos, styles, width), Spacer(1, 0.5 * cm)]
    if acta.introduccion:
        story += [Paragraph(escape(acta.introduccion), styles["normal"]), Spacer(1, 0.2 * cm)]
    for number, clause in enumerate(acta.clausulas, start=1):
        story.append(Paragraph(f"{number}. {escape(clause)}", styles["normal"]))
        story.append(Spacer(1, 0.15 * cm))
    if acta.tabla:
        story += [Spacer(1, 0.3 * cm), printouts.table(acta.tabla, width, styles["celda"])]
    for titulo, rows in acta.secciones:
        story += [Spacer(1, 0.4 * cm), Paragraph(f"<b>{escape(titulo)}</b>", styles["normal"]),
                  Spacer(1, 0.15 * cm)]
        story.append(printouts.table(rows, width, styles["celda"]) if len(rows) > 1 else
                     Paragraph("Sin registros.", styles["normal"]))
    if acta.firmas:
        story.append(Spacer(1, 0.8 * cm))
        story.append(KeepTogether([_signatures(acta.firmas, styles, width)]))
    if acta.archivo:
        story += [Spacer(1, 0.6 * cm), Paragraph(
            f"Una vez firmada, súbase escaneada como verificador {escape(acta.archivo)}.pdf.",
            styles["pie"])]
    doc.build(story)
    out.seek(0)
    return out
