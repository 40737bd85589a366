"""The bases as downloads (`/bases/<nombre>.csv|.xlsx`), the prepared files and the Descargas page.
The API (`api/bases.py`) answers with the same responses."""
from __future__ import annotations

from flask import (
    Blueprint, Response, flash, g, redirect, render_template, request, send_file,
    url_for,
)
from flask_login import login_required

from ..admin.services import centros_en_servicio
from ..auth.guards import Accion, is_centre_bound, may
from ..auth.loader import current_staff
from ..itinerario.dia import today_bogota
from ..lectura import from_replica
from ..models.exportacion import ESTADOS_ARCHIVO
from ..tableros.forms import centre_choices
from . import services
from .forms import FiltroForm

bp = Blueprint("bases", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_response(actor, nombre: str, args: dict) -> Response:
    """Streamed: the rows are read while they are sent."""
    descarga, body = services.csv_download(actor, nombre, args, origin={
        "ip": request.remote_addr, "request_id": g.get("request_id")})
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{descarga.filename("csv")}"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


def xlsx_file(result) -> Response:
    return send_file(result.handle, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=result.descarga.filename("xlsx"), max_age=0)


def archivo_file(actor, archivo, path: str) -> Response:
    return send_file(path, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=services.archivo_filename(archivo), max_age=0)


@bp.route("/bases/<nombre>.csv")
@login_required
@from_replica
def base_csv(nombre: str):
    return csv_response(current_staff(), nombre, request.args.to_dict())


@bp.route("/bases/<nombre>.xlsx")
@login_required
@from_replica
def base_xlsx(nombre: str):
    result = services.xlsx_download(current_staff(), nombre, request.args.to_dict())
    if result.archivo is not None:
        flash(f"La base tiene {result.archivo.total:,} filas: se está preparando. Aparecerá lista "
              "para descargar en «Mis archivos» de esta página.".replace(",", "."), "ok")
        return redirect(url_for(".descargas", **request.args.to_dict()), 303)
    return xlsx_file(result)


@bp.route("/descargas/archivos/<int:archivo_id>")
@login_required
def archivo(archivo_id: int):
    actor = current_staff()
    found = services.archivo_visible(actor, archivo_id)
    path = services.archivo_path(actor, found)
    if path is None:
        flash("El archivo todavía no está listo.", "error")
        return redirect(url_for(".descargas"), 303)
    return archivo_file(actor, found, path)


@bp.route("/descargas")
@login_required
def descargas():
    actor = current_staff()
    form = FiltroForm(request.args)
    form.centro_id.choices = centre_choices(centros_en_servicio(actor), not is_centre_bound(actor))
    args = {k: v for k, v in request.args.items() if k in ("centro_id", "desde", "hasta") and v}
    alcance, errors = services.read_filter(actor, args)
    if errors:
        args = {}
    if not form.hasta.data:
        form.hasta.data = today_bogota().isoformat()
    bases = [(base, services.columnas(actor, base)) for base in services.bases_for(actor)]
    archivos = services.mis_archivos(actor) if bases else []
    pending = any(a.estado in ("en_cola", "procesando") for a in archivos)
    return render_template(
        "bases/descargas.html", form=form, errors=errors, args=args, bases=bases,
        archivos=archivos, estados=ESTADOS_ARCHIVO, pending=pending,
        sensibles=may(actor, Accion.VER_SENSIBLES),
        umbral=services.xlsx_threshold(),
        alcance=alcance, centro_nombre=services.centro_nombre), 422 if errors else 200
