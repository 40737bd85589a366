"""The tableros as a letter-size PDF (reportlab, with its own charts) and as an Excel workbook
(openpyxl); page set-up from `printouts` and `exports.print_setup`."""
from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
# Bandit B406: escapes text written into ReportLab markup; parses no XML
from xml.sax.saxutils import escape  # nosec B406

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from .. import printouts
from ..exports import print_setup, safe_cell
from ..formatting import dinero, fecha, fecha_hora, numero
from .charts import COLOURS, Barra, avance_por_indicador, banda, por_centro
from .services import Celda, Tablero

SCOPE_NETWORK = "Red Cemprende (todos los centros)"
LIGHT = {"bajo": "#F4C7C3", "medio": "#FCE8B2", "alto": "#C8E6C9"}  # the page's avance colours
# The row shown per centre in each tablero's chart: the network's headline figures.
HEADLINE = {"global": "1.1", "microcapitalizacion": "M4.v"}


def scope_name(tablero: Tablero) -> str:
    return scope_name_of(tablero.centro)


def scope_name_of(centro) -> str:
    return centro.nombre if centro else SCOPE_NETWORK


def period_text(tablero: Tablero) -> str:
    text = f"Periodo {fecha(tablero.desde)} a {fecha(tablero.hasta)} · Corte {fecha(tablero.hasta)}"
    if tablero.vigencia:
        text += f" · {tablero.vigencia.etiqueta}"
    if tablero.cerrado:  # a closed month's window: the figures frozen at its close
        text += " · CERRADO: cifras congeladas al cierre del mes"
    return text


def value_text(value: int | None, money: bool) -> str:
    if value is None:
        return "-"
    return dinero(value) if money else numero(value)


def avance_text(cell: Celda) -> str:
    return "N/A" if cell.avance is None else f"{cell.avance} %"


# ---- PDF -----------------------------------------------------------------------------------

def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=15, spaceAfter=4),
        "sub": ParagraphStyle("s", parent=base["Normal"], fontSize=9.5, textColor=colors.HexColor("#1f4e79")),
        "h2": ParagraphStyle("h", parent=base["Heading2"], fontSize=11.5, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("c", parent=base["Normal"], fontSize=7.2, leading=8.6),
        "num": ParagraphStyle("n", parent=base["Normal"], fontSize=7.2, leading=8.6, alignment=TA_RIGHT),
    }


def _table(tablero: Tablero, styles, width: float) -> Table:
    header = ["Área", "N.º", "Indicador", "Descripción", "Meta", "Resultado", "Avance"]
    data = [[Paragraph(f"<b>{h}</b>", styles["cell"]) for h in header]]
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cfd6dd")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for index, row in enumerate(tablero.filas, start=1):
        money = row.fila.dinero
        data.append([
            Paragraph(escape(row.fila.area), styles["cell"]), Paragraph(escape(row.fila.codigo), styles["cell"]),
            Paragraph(escape(row.fila.indicador), styles["cell"]),
            Paragraph(escape(row.fila.descripcion), styles["cell"]),
            Paragraph(value_text(row.total.meta, money), styles["num"]),
            Paragraph(value_text(row.total.resultado, money), styles["num"]),
            Paragraph(avance_text(row.total), styles["num"]),
        ])
        band = banda(row.total.avance, row.fila.avance_sobre_enrutados)
        if band != "na":
            commands.append(("BACKGROUND", (6, index), (6, index), colors.HexColor(LIGHT[band])))
    texts = [header] + [[r.fila.area, r.fila.codigo, r.fila.indicador, r.fila.descripcion,
                         value_text(r.total.meta, r.fila.dinero), value_text(r.total.resultado, r.fila.dinero),
                         avance_text(r.total)] for r in tablero.filas]
    table = Table(data, colWidths=printouts.column_widths(texts, width, styles["cell"]), repeatRows=1)
    commands += [("LEFTPADDING", (0, 0), (-1, -1), printouts.PADDING),
                 ("RIGHTPADDING", (0, 0), (-1, -1), printouts.PADDING)]
    table.setStyle(TableStyle(commands))
    return table


def _bar_chart(title: str, bars: list[Barra], value_max: int | None = None,
               line_at: int | None = None) -> Drawing | None:
    if not bars:
        return None
    height = 24 + 13 * len(bars)
    drawing = Drawing(17.5 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 6.3 * cm, 8
    chart.width, chart.height = 10.5 * cm, height - 24
    chart.data = [[bar.valor for bar in reversed(bars)]]
    chart.categoryAxis.categoryNames = [bar.etiqueta[:44] for bar in reversed(bars)]
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_max or max(bar.valor for bar in bars) * 1.1 or 1
    chart.valueAxis.labelTextFormat = lambda v: numero(int(v))
    chart.bars[0].fillColor = colors.HexColor("#1f4e79")
    for index, bar in enumerate(reversed(bars)):
        chart.bars[(0, index)].fillColor = colors.HexColor(COLOURS[bar.banda])
    chart.barLabelFormat = lambda v: numero(int(v))
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    if line_at is not None:  # the meta, as a vertical line
        x = chart.x + chart.width * line_at / chart.valueAxis.valueMax
        drawing.add(Line(x, chart.y - 2, x, chart.y + chart.height + 2, strokeColor=colors.black,
                         strokeWidth=1.2))
    drawing.add(String(0, height - 10, title, fontName="Helvetica-Bold", fontSize=8.5))
    return drawing


def pdf(tableros: list[Tablero], generado_por: str) -> BytesIO:
    styles = _styles()
    buffer = BytesIO()
    first = tableros[0]
    document = printouts.document(buffer, title=f"Tableros {scope_name(first)} {fecha(first.hasta)}",
                                  author=generado_por, bottomMargin=2.4 * cm)  # room for the footer
    story = []
    for index, tablero in enumerate(tableros):
        if index:
            story.append(PageBreak())
        # Paragraph reads its text as markup: a centre named "A <B> & C" must print as typed.
        story += [Paragraph(escape(tablero.titulo), styles["title"]),
                  Paragraph(f"<b>{escape(scope_name(tablero))}</b>", styles["sub"]),
                  Paragraph(escape(period_text(tablero)), styles["sub"]), Spacer(1, 8),
                  _table(tablero, styles, document.width)]
        charts = [
            _bar_chart("Avance por indicador (%), filas con meta; la línea de 100 % es la meta",
                       avance_por_indicador(tablero), value_max=150, line_at=100),
        ]
        if tablero.centro is None:
            code = HEADLINE[tablero.tablero]
            row = next(r for r in tablero.filas if r.fila.codigo == code)
            charts.append(_bar_chart(f"Resultado por centro: {row.fila.etiqueta}",
                                     por_centro(tablero, code)))
        for chart in filter(None, charts):
            story += [Spacer(1, 10), KeepTogether(chart)]
        if not any(charts):
            story.append(Paragraph("Sin metas registradas para esta vigencia: no hay avance que graficar.",
                                   styles["sub"]))
    now = datetime.now(UTC)
    footer = f"Generado por {generado_por} el {fecha_hora(now)} (hora de Colombia)"
    document.build(story, canvasmaker=printouts.numbered_canvas(footer))
    buffer.seek(0)
    return buffer


# ---- XLSX ----------------------------------------------------------------------------------

MONEY_FORMAT = '"$ "#,##0'
COUNT_FORMAT = "#,##0"
FILLS = {band: PatternFill("solid", fgColor=colour[1:]) for band, colour in LIGHT.items()}


def _write_number(cell, value: int | None, money: bool) -> None:
    cell.value = value
    cell.number_format = MONEY_FORMAT if money else COUNT_FORMAT


def _write_avance(cell, celda: Celda, share: bool) -> None:
    if celda.avance is None:
        cell.value = "N/A"
        cell.alignment = Alignment(horizontal="right")
        return
    cell.value = celda.avance / 100
    cell.number_format = "0%"
    band = banda(celda.avance, share)
    if band in FILLS:
        cell.fill = FILLS[band]


def _heading(sheet, tablero: Tablero, generado_por: str) -> int:
    sheet["A1"] = tablero.titulo
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = safe_cell(scope_name(tablero))  # a centre's name is typed by people
    sheet["A3"] = period_text(tablero)
    sheet["A4"] = f"Generado por {generado_por} el {fecha_hora(datetime.now(UTC))}"
    return 6


def _tablero_sheet(sheet, tablero: Tablero, generado_por: str) -> None:
    row = _heading(sheet, tablero, generado_por)
    header = ["Código", "Área", "N.º", "Indicador", "Descripción", "Meta", "Resultado", "Avance"]
    for column, title in enumerate(header, start=1):
        sheet.cell(row, column, title).font = Font(bold=True)
    for fila_tablero in tablero.filas:
        row += 1
        fila = fila_tablero.fila
        for column, value in enumerate([fila.codigo, fila.area, fila.numero, fila.indicador,
                                        fila.descripcion], start=1):
            sheet.cell(row, column, value)
        _write_number(sheet.cell(row, 6), fila_tablero.total.meta, fila.dinero)
        _write_number(sheet.cell(row, 7), fila_tablero.total.resultado, fila.dinero)
        _write_avance(sheet.cell(row, 8), fila_tablero.total, fila.avance_sobre_enrutados)
    for column, width in zip("ABCDEFGH", (8, 16, 6, 48, 52, 16, 16, 9), strict=True):
        sheet.column_dimensions[column].width = width
    print_setup(sheet, header_row=6)


def _breakdown_sheet(sheet, tableros: list[Tablero], generado_por: str) -> None:
    """Centres as rows: one row per indicator and centre (six columns whatever the number of
    centres), with a filter on the header so a reader keeps one indicator or one centre."""
    row = _heading(sheet, tableros[0], generado_por)
    sheet["A1"] = "Resultado y avance por centro"
    header = ["Código", "Indicador", "Centro", "Meta", "Resultado", "Avance"]
    for column, title in enumerate(header, start=1):
        sheet.cell(row, column, title).font = Font(bold=True)
    first = row
    for tablero in tableros:
        for fila_tablero in tablero.filas:
            fila = fila_tablero.fila
            for centro in tablero.centros:
                celda = fila_tablero.por_centro[centro.id]
                row += 1
                sheet.cell(row, 1, fila.codigo)
                sheet.cell(row, 2, f"{fila.indicador}: {fila.descripcion}")
                sheet.cell(row, 3, safe_cell(centro.nombre))  # typed by people
                _write_number(sheet.cell(row, 4), celda.meta, fila.dinero)
                _write_number(sheet.cell(row, 5), celda.resultado, fila.dinero)
                _write_avance(sheet.cell(row, 6), celda, fila.avance_sobre_enrutados)
    sheet.auto_filter.ref = f"A{first}:F{max(row, first)}"
    for column, width in zip("ABCDEF", (9, 60, 30, 14, 16, 10)):
        sheet.column_dimensions[column].width = width
    print_setup(sheet, header_row=first)


SHEET_NAMES = {"global": "Global", "microcapitalizacion": "Microcapitalización"}


def xlsx(tableros: list[Tablero], generado_por: str) -> BytesIO:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for tablero in tableros:
        _tablero_sheet(workbook.create_sheet(SHEET_NAMES[tablero.tablero]), tablero, generado_por)
    if tableros[0].centro is None:
        _breakdown_sheet(workbook.create_sheet("Por centro"), tableros, generado_por)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
