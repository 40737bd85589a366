"""Reads other pages need about a person's data requests (no dependency on the services)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import SolicitudHabeas


def claim_in_process(person_id: int) -> bool:
    """Art. 15: while a reclamo is open the record carries the legend "reclamo en trámite"."""
    return bool(db.session.scalar(select(SolicitudHabeas.id).where(
        SolicitudHabeas.participante_id == person_id, SolicitudHabeas.tipo == "reclamo",
        SolicitudHabeas.estado == "en_tramite").limit(1)))
