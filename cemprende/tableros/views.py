"""Tablero pages and their PDF / XLSX downloads."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import (
    Blueprint, flash, redirect, render_template, request, send_file, url_for,
)
from flask_login import login_required
from markupsafe import Markup, escape

from ..admin.services import centros_en_servicio, visible_centros
from ..auth.guards import Accion, ensure, is_centre_bound
from ..forms import choices, offer_centres, submit
from ..auth.loader import current_staff
from ..errors import ValidationFailed
from .. import exports as files
from .. import formatting
from ..auth.guards import may
from . import charts, desgloses, drilldown, exports, services
from .forms import CopiarMetasForm, MetasForm, TableroForm, centre_choices, meta_field_name, metas_values
from .registry import FILAS, TABLEROS
from ..itinerario.dia import today_bogota
from ..lectura import from_replica
from ..validation import to_id

bp = Blueprint("tableros", __name__, url_prefix="/tableros")

BOTH = "tableros"


def _tableros(names: list[str]):
    actor = current_staff()
    centro_id, desde, hasta = services.parse_request(actor, request.args.to_dict())
    return services.compute_all(actor, names, centro_id, desde, hasta)


class Rutas:
    """url_for for the page's many links that differ only in the row code and the centre: built
    once per (endpoint, tablero, with or without a centre, period) with stand-ins, then the code
    and the centre put in their places (row codes are letters, digits and dots and centres are
    numbers, which url_for leaves as they are)."""

    STAND_IN = "CODIGO0"
    CENTRE_STAND_IN = "CENTRO0"

    def __init__(self):
        self._made: dict[tuple, str] = {}

    def __call__(self, endpoint: str, tablero, codigo: str, centro_id=None) -> str:
        key = (endpoint, tablero.tablero, centro_id is None, tablero.desde, tablero.hasta)
        if key not in self._made:
            self._made[key] = url_for(endpoint, tablero=tablero.tablero, codigo=self.STAND_IN,
                                      centro_id=None if centro_id is None else self.CENTRE_STAND_IN,
                                      desde=tablero.desde.isoformat(), hasta=tablero.hasta.isoformat())
        url = self._made[key].replace(self.STAND_IN, codigo, 1)
        return url if centro_id is None else url.replace(self.CENTRE_STAND_IN, str(int(centro_id)), 1)

    def enlace(self, tablero, row, texto: str, centro_id=None) -> Markup:
        """A figure linked to the units behind it (the scope's centre unless one is named)."""
        href = self("tableros.personas", tablero, row.fila.codigo,
                    centro_id or (tablero.centro.id if tablero.centro else None))
        return Markup(f'<a class="cifra" title="Ver quiénes forman esta cifra" href="{escape(href)}">'  # nosec B704 - escaped
                      f"{escape(texto)}</a>")


@bp.route("/")
@login_required
@from_replica
def tablero():
    actor = current_staff()
    form = TableroForm(request.args)
    form.centro_id.choices = centre_choices(centros_en_servicio(actor), not is_centre_bound(actor))
    errors = {}
    try:
        global_, micro = _tableros(list(TABLEROS))
    except ValidationFailed as error:
        errors = error.fields
        today = today_bogota()
        global_, micro = services.compute_all(actor, list(TABLEROS), services.resolve_scope(actor, None),
                                              *services.resolve_period(None, today))
    if not form.hasta.data:
        form.hasta.data = global_.hasta.isoformat()
    indicador = form.indicador.data or "1.1"
    source = global_ if indicador in {r.fila.codigo for r in global_.filas} else micro
    fila_centros = next((r for r in source.filas if r.fila.codigo == indicador), None)
    sin_indicador = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "indicador"])
    return render_template(
        "tableros/tablero.html", form=form, errors=errors, tableros=[global_, micro],
        avance=charts.avance_html, avance_bars={t.tablero: charts.avance_por_indicador(t) for t in (global_, micro)},
        centro_bars=charts.por_centro(source, indicador), indicador=indicador,
        fuente=source, fila_centros=fila_centros, consulta_sin_indicador=sin_indicador,
        colores=charts.COLOURS, query=request.query_string.decode(), ruta=Rutas(),
        desglosable=desgloses.desglosable, valor=valor), 422 if errors else 200


def valor(value, en_pesos: bool) -> str:
    """A tablero cell's figure: "-" when there is none (no meta), pesos or a count."""
    if value is None:
        return "-"
    return formatting.dinero(value) if en_pesos else formatting.numero(value)


def _filename(tablero, extension: str) -> str:
    scope = tablero.centro.nombre if tablero.centro else "Red Cemprende"
    safe = "".join(c if c.isalnum() else "_" for c in scope)
    return f"tablero_{safe}_{tablero.hasta.isoformat()}.{extension}"


@bp.route("/<any(global, microcapitalizacion, tableros):nombre>.pdf")
@login_required
@from_replica
def pdf(nombre: str):
    tableros = _tableros(list(TABLEROS) if nombre == BOTH else [nombre])
    content = exports.pdf(tableros, generado_por=current_staff().nombre)
    return send_file(content, mimetype="application/pdf", as_attachment=False,
                     download_name=_filename(tableros[0], "pdf"))


@bp.route("/<any(global, microcapitalizacion, tableros):nombre>.xlsx")
@login_required
@from_replica
def xlsx(nombre: str):
    tableros = _tableros(list(TABLEROS) if nombre == BOTH else [nombre])
    content = exports.xlsx(tableros, generado_por=current_staff().nombre)
    return send_file(content, as_attachment=True, download_name=_filename(tableros[0], "xlsx"),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")



LISTA = "/<any(global, microcapitalizacion):tablero>/filas/<codigo>/personas"


@bp.route(LISTA)
@login_required
@from_replica
def personas(tablero: str, codigo: str):
    """The units behind a figure: paged, searchable, downloadable."""
    actor = current_staff()
    consulta = drilldown.parse(actor, tablero, codigo, request.args.to_dict())
    result = drilldown.listing(actor, consulta, request.args.get("page"), request.args.get("per_page"))
    return render_template("tableros/personas.html", consulta=consulta, result=result,
                           centros=drilldown.centre_names(), titulo=TABLEROS[tablero],
                           puede_descargar=may(actor, Accion.DESCARGAR_BASES))


def _list_filename(consulta, extension: str) -> str:
    scope = consulta.centro.nombre if consulta.centro else "Red Cemprende"
    safe = "".join(c if c.isascii() and c.isalnum() else "_" for c in f"{scope}_fila_{consulta.fila.codigo}")
    return f"lista_{safe}_{consulta.hasta.isoformat()}.{extension}"


@bp.route(LISTA + ".csv")
@login_required
@from_replica
def personas_csv(tablero: str, codigo: str):
    actor = current_staff()
    consulta = drilldown.parse(actor, tablero, codigo, request.args.to_dict())
    descarga = drilldown.download(actor, consulta, "csv")
    return files.csv_response(descarga.rows, descarga.header, _list_filename(consulta, "csv"))


@bp.route(LISTA + ".xlsx")
@login_required
@from_replica
def personas_xlsx(tablero: str, codigo: str):
    actor = current_staff()
    consulta = drilldown.parse(actor, tablero, codigo, request.args.to_dict())
    descarga = drilldown.download(actor, consulta, "xlsx")
    fila = consulta.fila
    preamble = [f"{fila.codigo} {fila.indicador}: {fila.descripcion}",
                f"{exports.scope_name_of(consulta.centro)} · periodo {consulta.desde:%d/%m/%Y} a "
                f"{consulta.hasta:%d/%m/%Y}" + (f" · búsqueda «{consulta.q}»" if consulta.q else "")]
    money = descarga.money_column
    content = files.xlsx_file(f"Fila {fila.codigo}", descarga.header, descarga.rows, preamble=preamble,
                              formats={money: files.MONEY_FORMAT} if money is not None else None)
    return send_file(content, as_attachment=True, download_name=_list_filename(consulta, "xlsx"),
                     mimetype=files.XLSX_MIMETYPE)


DESGLOSE = "/<any(global, microcapitalizacion):tablero>/filas/<codigo>/desglose"


@bp.route(DESGLOSE)
@login_required
@from_replica
def desglose(tablero: str, codigo: str):
    """A row broken down by sex, age band, place or differential category: table and bars."""
    actor = current_staff()
    consulta, dimension = desgloses.parse(actor, tablero, codigo, request.args.to_dict())
    result = desgloses.compute(actor, consulta, dimension)
    return render_template("tableros/desglose.html", desglose=result, consulta=consulta,
                           dimensiones=desgloses.dimensiones_para(actor), titulo=TABLEROS[tablero])


@bp.route(DESGLOSE + ".xlsx")
@login_required
@from_replica
def desglose_xlsx(tablero: str, codigo: str):
    """The breakdown as it may leave the network: a sensitive cell under 5 shows "< 5"."""
    actor = current_staff()
    consulta, dimension = desgloses.parse(actor, tablero, codigo, request.args.to_dict())
    result = desgloses.compute(actor, consulta, dimension)
    header, rows = desgloses.download_rows(actor, result)
    fila = consulta.fila
    preamble = [f"{fila.codigo} {fila.indicador}: {fila.descripcion}",
                f"{exports.scope_name_of(consulta.centro)} · periodo {consulta.desde:%d/%m/%Y} a "
                f"{consulta.hasta:%d/%m/%Y} · desglose por {dimension.etiqueta.lower()}"]
    if result.sensible:
        preamble.append(f"Datos sensibles: las celdas de menos de {desgloses.MINIMO_PUBLICABLE} "
                        f"personas se muestran como «{desgloses.SUPRIMIDO}».")
    content = files.xlsx_file(f"Fila {fila.codigo} por {dimension.clave}", header, rows,
                              preamble=preamble, formats={2: "0.0%"})
    scope = consulta.centro.nombre if consulta.centro else "Red Cemprende"
    safe = "".join(c if c.isascii() and c.isalnum() else "_"
                   for c in f"{scope}_fila_{fila.codigo}_por_{dimension.clave}")
    return send_file(content, as_attachment=True, download_name=f"desglose_{safe}_{consulta.hasta.isoformat()}.xlsx",
                     mimetype=files.XLSX_MIMETYPE)


def _metas_context(actor, form, copy_form):
    centros = visible_centros(actor)
    for each in (form, copy_form):
        offer_centres(each, actor)
    copy_form.origen_id.choices = choices({str(v.id): v.nombre for v in services.vigencias()},
                                          blank="Seleccione…")
    return centros


@bp.route("/metas", methods=["GET", "POST"])
@login_required
def metas():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_METAS)
    form, copy_form = MetasForm(), CopiarMetasForm(prefix="copia")
    _metas_context(actor, form, copy_form)
    outcome = submit(form, lambda values: services.set_metas(actor, values), values=metas_values)
    if outcome.done:
        flash(f"Metas guardadas para la vigencia {outcome.result[0].nombre}.", "ok")
        return redirect(url_for(".metas", centro_id=form.centro_id.data if form.centro_id else None,
                                vigencia_id=outcome.result[0].id))
    if request.method == "GET":
        _load_grid(actor, form, request.args)
    return render_template("tableros/metas.html", form=form, copy_form=copy_form,
                           errors=outcome.errors, copy_errors={}, filas=FILAS,
                           vigencias=services.vigencias(), field_name=meta_field_name), outcome.status


@bp.route("/metas/copiar", methods=["POST"])
@login_required
def copiar_metas():
    actor = current_staff()
    ensure(actor, Accion.EDITAR_METAS)
    form, copy_form = MetasForm(formdata=None), CopiarMetasForm(prefix="copia")
    _metas_context(actor, form, copy_form)
    outcome = submit(copy_form, lambda values: services.copy_metas(actor, values), values=lambda f: {
        "centro_id": f.centro_id.data if f.centro_id else None, "origen_id": f.origen_id.data,
        "vigencia": {"nombre": f.vigencia_nombre.data, "desde": f.vigencia_desde.data,
                     "hasta": f.vigencia_hasta.data}})
    if outcome.done:
        vigencia, copied = outcome.result
        flash(f"Se copiaron {len(copied)} metas a la vigencia {vigencia.nombre}.", "ok")
        return redirect(url_for(".metas", centro_id=copy_form.centro_id.data if copy_form.centro_id else None,
                                vigencia_id=vigencia.id))
    return render_template("tableros/metas.html", form=form, copy_form=copy_form, errors={},
                           copy_errors=outcome.errors, filas=FILAS, vigencias=services.vigencias(),
                           field_name=meta_field_name), outcome.status


def _load_grid(actor, form, args) -> None:
    """Pre-fills the grid with the metas of the chosen centre and vigencia."""
    vigencia = services.vigencia_by_id(args.get("vigencia_id")) or services.vigencia_containing(today_bogota())
    centro_id = actor.centro_id if is_centre_bound(actor) else args.get("centro_id")
    if form.centro_id and centro_id:
        form.centro_id.data = str(centro_id)
    if vigencia is None:
        return
    form.vigencia_nombre.data = vigencia.nombre
    form.vigencia_desde.data = vigencia.desde.isoformat()
    form.vigencia_hasta.data = vigencia.hasta.isoformat()
    if to_id(centro_id):
        for codigo, valor in services.metas_of(actor, to_id(centro_id), vigencia).items():
            form[meta_field_name(codigo)].data = str(valor)
