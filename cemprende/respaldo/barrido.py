"""The document store's sweeper (for cron): what `verificadores-check` finds, acted on by age.

The finding is integrity.check's (not repeated here). The sweeper then
- finishes the interrupted renames (a committed row whose file is still a .part, bytes intact);
- removes the .part files older than part_age (a younger one may be an upload in progress);
- removes the files without a row older than orphan_age (a younger one may belong to a row
  committed while the check ran);
- never deletes a row: rows without a file are reported for a person to look at.
With dry_run nothing changes. If no file of the store has a row (a wrong DATABASE_URL, an empty
database beside a full store) nothing is removed: that is a configuration slip, not orphans.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..verificadores import integrity
from ..verificadores.integrity import Informe
from ..verificadores.storage import get_storage

PART_AGE = integrity.STALE_TEMP_SECONDS
ORPHAN_AGE = 7 * 24 * 3600


@dataclass
class Barrido:
    informe: Informe
    temporales: list[str] = field(default_factory=list)       # old .part: removed
    huerfanos: list[str] = field(default_factory=list)        # old orphans: removed
    huerfanos_recientes: list[str] = field(default_factory=list)  # kept
    protegido: bool = False  # every file is an orphan: nothing removed
    dry_run: bool = False

    @property
    def filas_sin_archivo(self) -> list[int]:
        return self.informe.filas_sin_archivo


def sweep(dry_run: bool = False, part_age: float = PART_AGE, orphan_age: float = ORPHAN_AGE,
          now: float | None = None) -> Barrido:
    store = get_storage()
    informe = integrity.check(fix=False, temp_age=part_age)
    now = time.time() if now is None else now
    barrido = Barrido(informe, temporales=list(informe.temporales), dry_run=dry_run)
    for key in informe.archivos_sin_fila:
        old = now - store.modified(key) >= orphan_age
        (barrido.huerfanos if old else barrido.huerfanos_recientes).append(key)
    total = sum(1 for _ in store.keys())
    barrido.protegido = len(informe.archivos_sin_fila) == total > 1
    if barrido.protegido:
        barrido.huerfanos_recientes += barrido.huerfanos
        barrido.huerfanos = []
    if dry_run:
        return barrido
    completing, stale = set(informe.completados), set(informe.temporales)
    for pending in store.leftovers(0):
        if pending.key in completing and str(pending.temp_path) not in stale:
            pending.publish()
            completing.discard(pending.key)
        elif str(pending.temp_path) in stale:
            pending.discard()
    for key in barrido.huerfanos:
        store.delete(key)
    return barrido
