"""The PDF (Carta, via printouts.document) and the XLSX (via exports: safe_cell, print_setup) of an
informe version, drawn from its JSON snapshot alone: nothing here reads the database or the clock,
so a version prints the same today as the day it was sent."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from .. import printouts
from ..exports import DATE_FORMAT, print_setup, safe_cell
from ..formatting import dinero, fecha, fecha_hora, numero

MONEY_FORMAT = '"$ "#,##0'
COUNT_FORMAT = "#,##0"
SUPPRESSED = "< 5"  # a sensitive count of 1 to 4 people, in a document that leaves the network
NARRATIVA = (("logros", "Logros"), ("dificultades", "Dificultades"),
             ("acciones_mejora", "Acciones de mejora"), ("casos_destacados", "Casos destacados"))


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _suppressed(fila: dict, value: int | None) -> bool:
    return bool(fila.get("sensible")) and value is not None and 0 < value < 5


def periodo_texto(datos: dict) -> str:
    text = (f"{datos['nombre_mes'].capitalize()} · periodo {fecha(_day(datos['desde']))} a "
            f"{fecha(_day(datos['corte']))}")
    if datos.get("en_curso"):
        text += f" · mes en curso: cifras al {fecha(_day(datos['corte']))}"
    return text


def version_texto(datos: dict) -> str:
    return (f"Versión {datos['version']} generada por {datos['generado_por']} el "
            f"{fecha_hora(datetime.fromisoformat(datos['generado_en']))} (hora de Colombia)")


def persona(row: dict) -> tuple[str, str]:
    return f"{row['tipo_documento']} {row['numero_documento']}", f"{row['nombres']} {row['apellidos']}"


def tecnico_valor(fila: dict, value: int | None) -> str:
    if value is None:
        return "-"
    if _suppressed(fila, value):
        return SUPPRESSED
    return dinero(value) if fila["dinero"] else numero(value)


def tecnico_avance(fila: dict) -> str:
    if fila["avance"] is None or _suppressed(fila, fila["acumulado"]):
        return "N/A"
    return f"{fila['avance']} %"


# ---- the sections, as rows of text shared by the PDF and the page -------------------------------

def secciones(datos: dict) -> list[tuple[str, list[list[str]] | str | None, str | None]]:
    """(title, rows with a header first | a text, a note) of each section of the informe."""
    tipo = datos["tipo"]
    if tipo == "enrutamiento":
        return _enrutamiento(datos)
    if tipo == "capitalizacion":
        return _capitalizacion(datos)
    return _tecnico(datos)


def _enrutamiento(d: dict):
    total = d["total"]
    resumen = [["Proceso", "Personas", "Enrutamientos", "Primer enrutamiento"]]
    resumen += [[r["etiqueta"], numero(r["personas"]), numero(r["enrutamientos"]), numero(r["nuevos"])]
                for r in d["por_destino"]]
    resumen.append(["Total (personas distintas)", numero(total["personas"]),
                    numero(total["enrutamientos"]), numero(total["nuevos"])])
    lista = [["Documento", "Nombre", "Proceso", "Fecha", "Asesor(a)"]]
    lista += [[*persona(r), r["destino_etiqueta"], fecha(_day(r["fecha"])), r["asesor"]]
              for r in d["personas"]]
    return [
        ("Personas enrutadas por proceso", resumen,
         "Enrutamientos no anulados con fecha en el mes, registrados por el centro. «Primer "
         "enrutamiento»: personas enrutadas por primera vez (filas 1.3 a 1.6 del tablero)."),
        ("Personas enrutadas en el mes", lista if d["personas"] else "Ningún enrutamiento en el mes.", None),
    ]


def _capitalizacion(d: dict):
    planes = d["planes"]
    presentados = [["Concepto", "Número", "Valor"],
                   ["Planes de negocio formulados", numero(planes["plan_negocio"]["numero"]),
                    dinero(planes["plan_negocio"]["valor"])],
                   ["Planes de negocio ajustados (presentados al comité)",
                    numero(planes["plan_ajustado"]["numero"]), dinero(planes["plan_ajustado"]["valor"])]]
    decisiones = [["Decisión", "Número", "Valor"]]
    decisiones += [[r["etiqueta"], numero(r["numero"]), dinero(r["valor"])] for r in d["decisiones"]]
    decisiones.append(["Total analizados", numero(sum(r["numero"] for r in d["decisiones"])),
                       dinero(sum(r["valor"] for r in d["decisiones"]))])
    valores = [["Concepto", "Número", "Valor"],
               ["Aprobado por el comité", numero(d["aprobado"]["numero"]), dinero(d["aprobado"]["valor"])],
               ["Entregado (desembolsos)", numero(d["entregado"]["numero"]), dinero(d["entregado"]["valor"])]]
    categorias = [["Categoría de bienes", "Ítems", "Valor entregado"]]
    categorias += [[r["etiqueta"], numero(r["items"]) if r["items"] else "", dinero(r["valor"])]
                   for r in d["por_categoria"]]
    categorias.append(["Total", "", dinero(sum(r["valor"] for r in d["por_categoria"]))])
    proveedores = [["Proveedor", "NIT", "Entregas", "Personas", "Valor entregado"]]
    proveedores += [[r["proveedor"], r["nit"], numero(r["entregas"]), numero(r["personas"]),
                     dinero(r["valor"])] for r in d["por_proveedor"]]
    pendientes = [["Documento", "Nombre", "Aprobación", "Aprobado", "Entregado", "Pendiente"]]
    pendientes += [[*persona(r), fecha(_day(r["fecha_aprobacion"])), dinero(r["aprobado"]),
                    dinero(r["entregado"]), dinero(r["pendiente"])] for r in d["pendientes"]]
    pendientes.append(["Total", f"{numero(d['pendiente_total']['personas'])} personas", "", "", "",
                       dinero(d["pendiente_total"]["valor"])])
    visitas = [["Clase de visita", "Visitas", "Personas visitadas"]]
    visitas += [[r["etiqueta"], numero(r["visitas"]), numero(r["personas"])] for r in d["visitas"]]
    return [
        ("Planes presentados", presentados, None),
        ("Decisiones del Comité de Asignación", decisiones, None),
        ("Valor aprobado y entregado", valores, None),
        ("Valor entregado por categoría de bienes",
         categorias if d["por_categoria"] else "Ninguna entrega en el mes.", None),
        ("Valor entregado por proveedor",
         proveedores if d["por_proveedor"] else "Ninguna entrega en el mes.", None),
        ("Entregas pendientes al corte",
         pendientes if d["pendientes"] else "Ningún plan aprobado con entrega pendiente al corte.",
         "Planes aprobados por el comité (la aprobación vigente al corte) cuyo valor entregado es menor "
         "que el aprobado."),
        ("Visitas de acompañamiento", visitas, None),
    ]


def _tecnico(d: dict):
    vigencia = d.get("vigencia")
    note = (f"Meta y acumulado de la vigencia {vigencia['nombre']} ({fecha(_day(vigencia['desde']))} a "
            f"{fecha(_day(vigencia['hasta']))}), acumulado hasta el corte."
            if vigencia else "Sin vigencia de metas que contenga el corte: sin meta ni avance.")
    result = []
    for tablero in d["tableros"]:
        rows = [["N.º", "Indicador", "Mes", "Acumulado", "Meta", "Avance"]]
        rows += [[f["codigo"], f"{f['indicador']}: {f['descripcion']}", tecnico_valor(f, f["mes"]),
                  tecnico_valor(f, f["acumulado"]), tecnico_valor(f, f["meta"]), tecnico_avance(f)]
                 for f in tablero["filas"]]
        extra = " Cifras del cierre del mes." if tablero.get("cerrado") else ""
        result.append((tablero["titulo"], rows,
                       note + extra + " Filas 4 y 5 (datos sensibles): menos de 5 personas se "
                                      "muestran «< 5»."))
    for name, label in NARRATIVA:
        text = (d.get("narrativa") or {}).get(name) or ""
        result.append((label, text or "Sin información.", None))
    return result


# ---- PDF ----------------------------------------------------------------------------------

def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("it", parent=base["Title"], fontSize=15, spaceAfter=4),
        "sub": ParagraphStyle("is", parent=base["Normal"], fontSize=9.5,
                              textColor=colors.HexColor("#1f4e79")),
        "h2": ParagraphStyle("ih", parent=base["Heading2"], fontSize=11.5, spaceBefore=10, spaceAfter=4),
        "note": ParagraphStyle("in", parent=base["Normal"], fontSize=7.5, leading=9,
                               textColor=colors.HexColor("#5b6570"), spaceBefore=2),
        "text": ParagraphStyle("ix", parent=base["Normal"], fontSize=9.5, leading=12.5),
        "cell": ParagraphStyle("ic", parent=base["Normal"], fontSize=7.5, leading=9),
    }


def _paragraphs(text: str, style) -> list:
    return [Paragraph(escape(block).replace("\n", "<br/>"), style)
            for block in text.split("\n\n") if block.strip()]


def pdf(datos: dict) -> BytesIO:
    styles = _styles()
    buffer = BytesIO()
    title = f"{datos['titulo']} · {datos['centro']['nombre']} · {datos['mes']}"
    document = printouts.document(buffer, title=title, author=datos["generado_por"],
                                  bottomMargin=2.4 * cm)
    # Paragraph reads markup: names typed by people ("A <B> & C") print as typed.
    story = [Paragraph(escape(datos["titulo"]), styles["title"]),
             Paragraph(f"<b>{escape(datos['centro']['nombre'])}</b>", styles["sub"]),
             Paragraph(escape(periodo_texto(datos)), styles["sub"]),
             Paragraph(escape(version_texto(datos)), styles["sub"]), Spacer(1, 6)]
    for heading, content, note in secciones(datos):
        story.append(Paragraph(escape(heading), styles["h2"]))
        if isinstance(content, str):
            story += _paragraphs(content, styles["text"])
        else:
            story.append(printouts.table(content, document.width, styles["cell"]))
        if note:
            story.append(Paragraph(escape(note), styles["note"]))
    footer = (f"{datos['titulo']} · {datos['centro']['nombre']} · versión {datos['version']} del "
              f"{fecha_hora(datetime.fromisoformat(datos['generado_en']))}")
    document.build(story, canvasmaker=printouts.numbered_canvas(footer, font_size=7.5))
    buffer.seek(0)
    return buffer


# ---- XLSX ---------------------------------------------------------------------------------

def _put(sheet, row: int, column: int, value, number_format: str | None = None, bold: bool = False):
    """Every text through safe_cell (names, suppliers, centres and the narrative are typed)."""
    cell = sheet.cell(row, column, safe_cell(value) if isinstance(value, str) else value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif number_format and value is not None:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _heading(sheet, datos: dict, subtitle: str) -> int:
    _put(sheet, 1, 1, f"{datos['titulo']}: {subtitle}").font = Font(bold=True, size=13)
    _put(sheet, 2, 1, datos["centro"]["nombre"])
    _put(sheet, 3, 1, periodo_texto(datos))
    _put(sheet, 4, 1, version_texto(datos))
    return 6


def _table(sheet, row: int, header: Sequence[str], rows: Iterable[Sequence], formats: dict[int, str]) -> int:
    for column, title in enumerate(header, start=1):
        _put(sheet, row, column, title, bold=True)
    for values in rows:
        row += 1
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value, formats.get(column))
    return row + 2


def _widths(sheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width


def _list_sheet(book, title: str, datos: dict, header, rows, formats, widths) -> None:
    sheet = book.create_sheet(title)
    start = _heading(sheet, datos, title)
    _table(sheet, start, header, rows, formats)
    _widths(sheet, widths)
    print_setup(sheet, header_row=start)


def _summary_sheet(book, datos: dict, blocks) -> None:
    """Several small tables, one under the other, each with its title."""
    sheet = book.create_sheet("Resumen")
    row = _heading(sheet, datos, "resumen")
    first_header = row + 1
    for heading, header, rows, formats in blocks:
        _put(sheet, row, 1, heading, bold=True)
        row = _table(sheet, row + 1, header, rows, formats)
    _widths(sheet, (46, 16, 18, 18, 18, 18))
    print_setup(sheet, header_row=first_header)
    sheet.freeze_panes = None  # stacked tables: no one header to keep in view


def xlsx(datos: dict) -> BytesIO:
    book = Workbook()
    book.remove(book.active)
    tipo = datos["tipo"]
    money, count = MONEY_FORMAT, COUNT_FORMAT
    if tipo == "enrutamiento":
        total = datos["total"]
        _summary_sheet(book, datos, [(
            "Personas enrutadas por proceso", ["Proceso", "Personas", "Enrutamientos", "Primer enrutamiento"],
            [[r["etiqueta"], r["personas"], r["enrutamientos"], r["nuevos"]] for r in datos["por_destino"]]
            + [["Total (personas distintas)", total["personas"], total["enrutamientos"], total["nuevos"]]],
            {2: count, 3: count, 4: count})])
        _list_sheet(book, "Personas", datos,
                    ["Tipo de documento", "Número de documento", "Nombres", "Apellidos", "Proceso",
                     "Fecha", "Asesor(a)", "Primer enrutamiento"],
                    [[r["tipo_documento"], r["numero_documento"], r["nombres"], r["apellidos"],
                      r["destino_etiqueta"], _day(r["fecha"]), r["asesor"], "Sí" if r["nuevo"] else "No"]
                     for r in datos["personas"]], {}, (10, 16, 24, 24, 16, 12, 24, 12))
    elif tipo == "capitalizacion":
        planes = datos["planes"]
        _summary_sheet(book, datos, [
            ("Planes presentados", ["Concepto", "Número", "Valor"],
             [["Planes de negocio formulados", planes["plan_negocio"]["numero"], planes["plan_negocio"]["valor"]],
              ["Planes de negocio ajustados (presentados al comité)", planes["plan_ajustado"]["numero"],
               planes["plan_ajustado"]["valor"]]], {2: count, 3: money}),
            ("Decisiones del Comité de Asignación", ["Decisión", "Número", "Valor"],
             [[r["etiqueta"], r["numero"], r["valor"]] for r in datos["decisiones"]], {2: count, 3: money}),
            ("Valor aprobado y entregado", ["Concepto", "Número", "Valor"],
             [["Aprobado por el comité", datos["aprobado"]["numero"], datos["aprobado"]["valor"]],
              ["Entregado (desembolsos)", datos["entregado"]["numero"], datos["entregado"]["valor"]]],
             {2: count, 3: money}),
            ("Valor entregado por categoría de bienes", ["Categoría de bienes", "Ítems", "Valor entregado"],
             [[r["etiqueta"], r["items"], r["valor"]] for r in datos["por_categoria"]], {2: count, 3: money}),
            ("Valor entregado por proveedor", ["Proveedor", "NIT", "Entregas", "Personas", "Valor entregado"],
             [[r["proveedor"], r["nit"], r["entregas"], r["personas"], r["valor"]]
              for r in datos["por_proveedor"]], {3: count, 4: count, 5: money}),
            ("Visitas de acompañamiento", ["Clase de visita", "Visitas", "Personas visitadas"],
             [[r["etiqueta"], r["visitas"], r["personas"]] for r in datos["visitas"]], {2: count, 3: count}),
        ])
        _list_sheet(book, "Pendientes", datos,
                    ["Tipo de documento", "Número de documento", "Nombres", "Apellidos", "Aprobación",
                     "Aprobado", "Entregado", "Pendiente"],
                    [[r["tipo_documento"], r["numero_documento"], r["nombres"], r["apellidos"],
                      _day(r["fecha_aprobacion"]), r["aprobado"], r["entregado"], r["pendiente"]]
                     for r in datos["pendientes"]], {6: money, 7: money, 8: money},
                    (10, 16, 24, 24, 12, 16, 16, 16))
    else:
        for tablero in datos["tableros"]:
            name = "Global" if tablero["tablero"] == "global" else "Microcapitalización"
            rows = []
            for f in tablero["filas"]:
                def value(v, f=f):
                    return SUPPRESSED if _suppressed(f, v) else v
                fmt_avance = None if f["avance"] is None or _suppressed(f, f["acumulado"]) else f["avance"] / 100
                rows.append([f["codigo"], f["indicador"], f["descripcion"], value(f["mes"]),
                             value(f["acumulado"]), value(f["meta"]),
                             "N/A" if fmt_avance is None else fmt_avance])
            money_rows = {i for i, f in enumerate(tablero["filas"]) if f["dinero"]}
            sheet = book.create_sheet(name)
            start = _heading(sheet, datos, tablero["titulo"])
            for column, title in enumerate(["N.º", "Indicador", "Descripción", "Mes", "Acumulado",
                                            "Meta", "Avance"], start=1):
                _put(sheet, start, column, title, bold=True)
            for index, values in enumerate(rows):
                fmt = MONEY_FORMAT if index in money_rows else COUNT_FORMAT
                for column, v in enumerate(values, start=1):
                    cell = _put(sheet, start + 1 + index, column, v,
                                fmt if column in (4, 5, 6) and not isinstance(v, str) else None)
                    if column == 7 and not isinstance(v, str):
                        cell.number_format = "0%"
            _widths(sheet, (8, 44, 48, 14, 14, 14, 9))
            print_setup(sheet, header_row=start)
        sheet = book.create_sheet("Narrativa")
        start = _heading(sheet, datos, "narrativa del director")
        _put(sheet, start, 1, "Sección", bold=True)
        _put(sheet, start, 2, "Texto", bold=True)
        for index, (name, label) in enumerate(NARRATIVA, start=1):
            _put(sheet, start + index, 1, label, bold=True)
            cell = _put(sheet, start + index, 2, (datos.get("narrativa") or {}).get(name) or "")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        _widths(sheet, (22, 100))
        print_setup(sheet, header_row=start)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
