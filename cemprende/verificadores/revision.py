"""The supervisor's review of a verifier document: approve, or reject with a reason the centre sees."""
from __future__ import annotations

from .. import audit
from ..auth.guards import Accion, ensure, visible_or_404
from ..models import Verificador
from ..models.base import utcnow
from ..validation import Fields, check_version


def review(actor, verificador_id: int, data: dict) -> Verificador:
    verificador = visible_or_404(actor, Verificador, verificador_id, "No se encontró el documento.")
    ensure(actor, Accion.REVISAR_VERIFICADORES, verificador.centro_id,
           entidad="verificador", entidad_id=verificador.id)
    if data.get("version") not in (None, ""):
        check_version(data, verificador.version)
    f = Fields(data)
    estado = f.choice("estado", {"aprobado": "", "rechazado": ""})
    observacion = f.text("observacion", required=estado == "rechazado", max_length=1000)
    if estado == "rechazado" and "observacion" in f.errors:
        f.errors["observacion"] = "Escriba el motivo del rechazo: el centro lo verá para corregirlo."
    f.raise_if_errors()
    return audit.update_audited(
        verificador,
        {"estado_revision": estado, "observacion": observacion, "revisado_por_id": actor.id,
         "revisado_en": utcnow()},
        actor=actor, entidad="verificador", centro_id=verificador.centro_id)
