"""Rows and files that lost each other (a crash, a disk restored from an old backup), found and fixed.

A staged file whose row committed but whose rename was cut off is finished, not deleted: its
temporary name carries its key and its bytes are checked against the row's hash first.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from .. import audit
from ..extensions import db
from ..models import Verificador
from ..scoping import ALL_CENTRES_OPTION
from .storage import get_storage

STALE_TEMP_SECONDS = 3600  # an upload in progress is never older than this


@dataclass
class Informe:
    filas_sin_archivo: list[int] = field(default_factory=list)
    archivos_sin_fila: list[str] = field(default_factory=list)
    temporales: list[str] = field(default_factory=list)
    recientes: list[str] = field(default_factory=list)
    completados: list[str] = field(default_factory=list)
    sin_almacen: bool = False

    @property
    def limpio(self) -> bool:
        return not (self.filas_sin_archivo or self.archivos_sin_fila or self.temporales
                    or self.recientes or self.completados)


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def check(fix: bool = False, temp_age: float = STALE_TEMP_SECONDS) -> Informe:
    store = get_storage()
    informe = Informe()
    rows = db.session.execute(select(Verificador.id, Verificador.clave, Verificador.sha256)
                              .execution_options(**{ALL_CENTRES_OPTION: True})).all()
    keys_in_rows = {r.clave for r in rows}
    hashes = {r.clave: r.sha256 for r in rows}
    # Every temporary file, whatever its age: one whose row committed is finished at once (a
    # crash between the commit and the rename must never cost the row); the others are reported
    # at once too, but only those older than temp_age are removed (a younger one may be an
    # upload still in progress).
    old = {str(p.temp_path) for p in store.leftovers(temp_age)}
    for pending in store.leftovers(0):
        if pending.key in keys_in_rows and not store.exists(pending.key):
            with open(pending.temp_path, "rb") as handle:
                intact = _sha256(handle) == hashes[pending.key]
            if intact:
                informe.completados.append(pending.key)
                if fix:
                    pending.publish()
                continue
        if str(pending.temp_path) in old:
            informe.temporales.append(str(pending.temp_path))
            if fix:
                pending.discard()
        else:
            informe.recientes.append(str(pending.temp_path))
    completing = set(informe.completados)
    for row in rows:
        if row.clave not in completing and not store.exists(row.clave):
            informe.filas_sin_archivo.append(row.id)
    informe.archivos_sin_fila = [key for key in store.keys() if key not in keys_in_rows]
    # Not one file where rows expect many: the store is probably not mounted or UPLOAD_ROOT is
    # wrong; deleting every row would turn a configuration slip into data loss.
    informe.sin_almacen = bool(rows) and len(informe.filas_sin_archivo) == len(rows) > 1
    if fix:
        _remove(store, informe)
    return informe


def _remove(store, informe: Informe) -> None:
    for key in informe.archivos_sin_fila:
        store.delete(key)
    if informe.filas_sin_archivo and not informe.sin_almacen:
        db.session.execute(delete(Verificador).where(Verificador.id.in_(informe.filas_sin_archivo)))
        for verificador_id in informe.filas_sin_archivo:
            audit.record("eliminar", entidad="verificador", entidad_id=verificador_id,
                         username="verificadores-check", detalle="Fila sin archivo en el almacén")
        db.session.commit()
