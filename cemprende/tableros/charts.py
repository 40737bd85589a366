"""What the charts draw, shared by the page (SVG) and the PDF (reportlab graphics)."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..formatting import dinero, numero
from .services import Tablero


def _figure(value: int, money: bool) -> str:
    return dinero(value) if money else numero(value)

CAP = 150  # an avance beyond 150 % is drawn as 150 % (its figure still says the truth)


def banda(avance: int | None, share: bool = False) -> str:
    """The colour band of an avance: under 60 %, 60–99 %, 100 % and over (a share has none)."""
    if avance is None or share:
        return "na"
    if avance < 60:
        return "bajo"
    if avance < 100:
        return "medio"
    return "alto"


COLOURS = {"bajo": "#b3261e", "medio": "#b26a00", "alto": "#1e6b35", "na": "#8a939c"}


def avance_html(celda, share: bool = False) -> Markup:
    """A cell's avance on the page: its figure in its band's colour and a small bar with the meta
    (100 %) marked. Written here rather than by a template macro: the page writes a hundred."""
    band = banda(celda.avance, share)
    if celda.avance is None:
        return Markup(f'<span class="avance avance-{band}">N/A</span>')  # nosec B704 - a band name of ours
    fill = COLOURS[band] if band != "na" else "#1f4e79"
    meta = "" if share else '<rect x="99" width="2" height="10" fill="#1d2329"></rect>'
    # Only numbers (int()) and constants of this module go into it.
    return Markup(f'<span class="avance avance-{band}">{int(celda.avance)} %</span>\n'  # nosec B704
                  '<svg class="barra-avance" viewBox="0 0 150 10" preserveAspectRatio="none" aria-hidden="true" '
                  'focusable="false"><rect width="150" height="10" fill="#e6e9ec"></rect>'
                  f'<rect width="{min(int(celda.avance), CAP)}" height="10" fill="{fill}"></rect>{meta}</svg>')


@dataclass
class Barra:
    etiqueta: str
    valor: int
    texto: str
    fraccion: float  # of the chart's width
    banda: str
    meta_fraccion: float | None = None
    codigo: str | None = None  # the row whose units the bar's figure lists (the page links it)
    centro_id: int | None = None  # the centre of a por-centro bar


def avance_por_indicador(tablero: Tablero) -> list[Barra]:
    """Rows that have a meta (6.x excluded: their avance is a share, not progress)."""
    bars = []
    for row in tablero.filas:
        if row.total.avance is None or row.fila.avance_sobre_enrutados:
            continue
        bars.append(Barra(row.fila.etiqueta, row.total.avance,
                          f"{row.total.avance} %", min(row.total.avance, CAP) / CAP,
                          banda(row.total.avance), 100 / CAP, row.fila.codigo))
    return bars


def por_centro(tablero: Tablero, codigo: str) -> list[Barra]:
    """One row's resultado in each centre, with the centre's meta marked when it has one."""
    row = next((r for r in tablero.filas if r.fila.codigo == codigo), None)
    if row is None or not row.por_centro:
        return []
    cells = [(centro, row.por_centro[centro.id]) for centro in tablero.centros]
    top = max([max(cell.resultado, cell.meta or 0) for _, cell in cells] + [1])
    return [Barra(centro.nombre, cell.resultado, _figure(cell.resultado, row.fila.dinero), cell.resultado / top,
                  banda(cell.avance), (cell.meta / top) if cell.meta else None, codigo, centro.id)
            for centro, cell in cells]
