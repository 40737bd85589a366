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
    completados: list[str] = field(default_factory=list)

    @property
    def limpio(self) -> bool:
        return not (self.filas_sin_archivo or self.archivos_sin_fila or self.temporales)


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
    for pending in store.leftovers(temp_age):
        if pending.key in keys_in_rows and not store.exists(pending.key):
            with open(pending.temp_path, "rb") as handle:
                intact = _sha256(handle) == hashes[pending.key]
            if intact:
                informe.completados.append(pending.key)
                if fix:
                    pending.publish()
                continue
        informe.temporales.append(str(pending.temp_path))
        if fix:
            pending.discard()
    for row in rows:
        if not store.exists(row.clave) and not (row.clave in informe.completados and fix):
            informe.filas_sin_archivo.append(row.id)
    informe.archivos_sin_fila = [key for key in store.keys() if key not in keys_in_rows]
    if fix:
        _remove(store, informe)
    return informe


def _remove(store, informe: Informe) -> None:
    for key in informe.archivos_sin_fila:
        store.delete(key)
    if informe.filas_sin_archivo:
        db.session.execute(delete(Verificador).where(Verificador.id.in_(informe.filas_sin_archivo)))
        for verificador_id in informe.filas_sin_archivo:
            audit.record("eliminar", entidad="verificador", entidad_id=verificador_id,
                         username="verificadores-check", detalle="Fila sin archivo en el almacén")
        db.session.commit()
