from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DDL, JSON, Boolean, Date, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BigId, UTCDateTime, utcnow


class Auditoria(db.Model):
    """Append-only record of logins, refusals and writes. No page or API route edits it."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(60))
    accion: Mapped[str] = mapped_column(String(40))
    entidad: Mapped[str | None] = mapped_column(String(40))
    entidad_id: Mapped[int | None] = mapped_column(Integer)
    centro_id: Mapped[int | None] = mapped_column(Integer)
    antes: Mapped[dict | None] = mapped_column(JSON)
    despues: Mapped[dict | None] = mapped_column(JSON)
    detalle: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(32))


class AuditoriaRetencion(db.Model):
    """Each run of `flask auditoria-retencion`: the only way audit rows are ever deleted. While
    its transaction runs, its row has en_curso set, which is what the DELETE trigger checks."""

    __tablename__ = "auditoria_retencion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    en: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    antes_de: Mapped[date] = mapped_column(Date)
    filas: Mapped[int] = mapped_column(Integer, default=0)
    por: Mapped[str] = mapped_column(String(60))
    en_curso: Mapped[bool] = mapped_column(Boolean, default=False)


# ---- append-only at the database level (the same statements as migration 0018) ----------------

APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER auditoria_sin_update BEFORE UPDATE ON auditoria BEGIN "
    "SELECT RAISE(ABORT, 'auditoria: solo se anexan filas, no se modifican'); END",
    "CREATE TRIGGER auditoria_sin_delete BEFORE DELETE ON auditoria "
    "WHEN NOT EXISTS (SELECT 1 FROM auditoria_retencion WHERE en_curso) BEGIN "
    "SELECT RAISE(ABORT, 'auditoria: solo flask auditoria-retencion borra filas'); END",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION auditoria_solo_anexar() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM auditoria_retencion WHERE en_curso) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'auditoria: solo se anexan filas (% rechazado; solo flask auditoria-retencion borra)', TG_OP;
END $$""",
    "CREATE TRIGGER auditoria_solo_anexar BEFORE UPDATE OR DELETE ON auditoria "
    "FOR EACH ROW EXECUTE FUNCTION auditoria_solo_anexar()",
]
for _statement in APPEND_ONLY_SQLITE:
    event.listen(Auditoria.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in APPEND_ONLY_POSTGRESQL:
    # DDL() formats its text with %(table)s and the like: a literal % is written %%.
    event.listen(Auditoria.__table__, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))
