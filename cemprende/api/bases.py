"""The downloadable bases and the files prepared in the background."""
from __future__ import annotations

from flask import jsonify, request, url_for

from ..auth.guards import Accion, ensure
from ..bases import services as bases
from ..bases.views import archivo_file, csv_response, xlsx_file
from ..lectura import from_replica
from .base import actor, bp


def _enlace(archivo) -> str:
    return url_for("api.get_archivo_base", archivo_id=archivo.id)


@bp.get("/bases")
def list_bases():
    staff = actor()
    ensure(staff, Accion.DESCARGAR_BASES, entidad="base")
    return jsonify({"items": [
        {"nombre": b.nombre, "titulo": b.titulo, "descripcion": b.descripcion,
         "columnas": [c.titulo for c in bases.columnas(staff, b)],
         "enlaces": {"csv": url_for("api.get_base_csv", nombre=b.nombre),
                     "xlsx": url_for("api.get_base_xlsx", nombre=b.nombre)}}
        for b in bases.bases_for(staff)]})


@bp.get("/bases/<nombre>.csv")
@from_replica
def get_base_csv(nombre: str):
    return csv_response(actor(), nombre, request.args.to_dict())


@bp.get("/bases/<nombre>.xlsx")
@from_replica
def get_base_xlsx(nombre: str):
    result = bases.xlsx_download(actor(), nombre, request.args.to_dict())
    if result.archivo is not None:
        archivo = result.archivo
        return jsonify({"id": archivo.id, "estado": archivo.estado, "enlace": _enlace(archivo),
                        "filas": archivo.total}), 202
    return xlsx_file(result)


@bp.get("/bases/archivos")
def list_archivos_base():
    staff = actor()
    ensure(staff, Accion.DESCARGAR_BASES, entidad="archivo_exportado")
    return jsonify({"items": [bases.archivo_dict(a, _enlace(a)) for a in bases.mis_archivos(staff)]})


@bp.get("/bases/archivos/<int:archivo_id>")
def get_archivo_base(archivo_id: int):
    """The file once ready (200); while it is being prepared, 202 with its state and progress."""
    staff = actor()
    archivo = bases.archivo_visible(staff, archivo_id)
    if archivo.estado == "fallido":
        return jsonify({"error": {"code": "archivo_fallido", "message": archivo.error},
                        **bases.archivo_dict(archivo, _enlace(archivo))}), 422
    path = bases.archivo_path(staff, archivo)
    if path is None:
        return jsonify(bases.archivo_dict(archivo, _enlace(archivo))), 202
    return archivo_file(staff, archivo, path)
