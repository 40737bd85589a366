"""The audit trail: who did what, when, with values before and after, never sensitive values."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import delete

from .errors import ValidationFailed
from .extensions import db
from .itinerario.dia import BOGOTA
from .locking import insert_rows
from .models import Auditoria, AuditoriaRetencion
from .models.participante import SENSIBLES

# Ley 1581 / Decreto 1377: these never reach the log text, only the fact that they changed.
SENSITIVE_KEYS = frozenset({
    "numero_documento", "password", "password_hash", "session_token", "token", "token_hash",
    "totp_secret", "codigo_hash", "acudiente_documento", *SENSIBLES,
})
REDACTED = "[reservado]"


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def redact(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {
        key: (REDACTED if key in SENSITIVE_KEYS and value is not None else _plain(value))
        for key, value in values.items()
    }


def changed_values(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(accion: str, *, actor=None, entidad: str | None = None, entidad_id: int | None = None,
           centro_id: int | None = None, antes: dict | None = None, despues: dict | None = None,
           detalle: str | None = None, username: str | None = None) -> Auditoria:
    """Add an entry to the current transaction: it commits, or rolls back, with the write."""
    entry = Auditoria(
        accion=accion,
        staff_id=getattr(actor, "id", None),
        username=username or getattr(actor, "username", None),
        entidad=entidad,
        entidad_id=entidad_id,
        centro_id=centro_id,
        antes=redact(antes),
        despues=redact(despues),
        detalle=detalle[:300] if detalle else None,
        ip=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def record_many(accion: str, *, actor, entidad: str, centro_id: int | None,
                entries: list[tuple[int, dict | None, dict | None]], detalle: str | None = None
                ) -> None:
    """Many entries of one kind, (entidad_id, antes, despues) each, in one bulk insert of the
    current transaction (a chunk of an import; COPY on PostgreSQL): the same rows `record` would
    add one by one."""
    if not entries:
        return
    now = datetime.now(UTC)
    common = {
        "en": now, "accion": accion, "staff_id": getattr(actor, "id", None),
        "username": getattr(actor, "username", None), "entidad": entidad, "centro_id": centro_id,
        "detalle": detalle[:300] if detalle else None,
        "ip": request.remote_addr if has_request_context() else None,
        "request_id": g.get("request_id") if has_request_context() else None,
    }
    insert_rows(Auditoria.__table__, [
        {**common, "entidad_id": entidad_id, "antes": redact(antes), "despues": redact(despues)}
        for entidad_id, antes, despues in entries])


def record_now(accion: str, **kwargs) -> None:
    """For events whose request fails (refusals, failed logins): kept even though it rolls back."""
    db.session.rollback()
    record(accion, **kwargs)
    db.session.commit()


def add_audited(instance, *, actor, entidad: str, centro_id: int | None, values: dict):
    """Adds a new record and its "crear" entry in the same transaction."""
    db.session.add(instance)
    db.session.flush()
    record("crear", actor=actor, entidad=entidad, entidad_id=instance.id, centro_id=centro_id,
           despues=values)
    return instance


def update_audited(instance, values: dict, *, actor, entidad: str, centro_id: int | None,
                   extra_after: dict | None = None):
    """Applies the values and records what changed, before and after."""
    before = {key: getattr(instance, key) for key in values}
    for key, value in values.items():
        setattr(instance, key, value)
    db.session.flush()
    antes, despues = changed_values(before, values)
    despues.update(extra_after or {})
    record("editar", actor=actor, entidad=entidad, entidad_id=instance.id, centro_id=centro_id,
           antes=antes, despues=despues)
    return instance


RETENTION_MIN_DAYS = 365  # nothing younger than a year is ever purged


def purge_before(antes_de: date, por: str, today: date) -> AuditoriaRetencion:
    """Deletes the audit rows recorded before `antes_de` (Colombia's midnight, in UTC), the one
    way the database triggers allow: the run's row, flagged en_curso, lets the DELETE through
    within this transaction only; the run stays recorded (when, by whom, up to when, how many)
    and leaves an audit entry of its own. The caller commits."""
    if (today - antes_de).days < RETENTION_MIN_DAYS:
        raise ValidationFailed({"antes_de": f"Solo se borran registros de hace más de "
                                            f"{RETENTION_MIN_DAYS} días."})
    run = AuditoriaRetencion(antes_de=antes_de, por=por, en_curso=True)
    db.session.add(run)
    db.session.flush()
    limit = datetime.combine(antes_de, time.min, tzinfo=BOGOTA).astimezone(UTC)
    run.filas = db.session.execute(delete(Auditoria).where(Auditoria.en < limit)).rowcount
    run.en_curso = False
    record("retencion", entidad="auditoria", username=por,
           detalle=f"Retención: {run.filas} registros anteriores al {antes_de.isoformat()} borrados")
    db.session.flush()
    return run
