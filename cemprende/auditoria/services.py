"""Reading the audit trail (admins and supervisors): filters, pages and an audited export.

The rows themselves are append-only at the database level (triggers, see models/auditoria.py);
this module only reads them. Sensitive values were redacted when they were written.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, ensure
from ..extensions import db
from ..formatting import fecha_hora
from ..itinerario.dia import day_bounds, today_bogota
from ..models import Auditoria
from ..pagination import Page, paginate
from ..validation import Fields

EXPORT_MAX_ROWS = 200_000
HEADER = ["Fecha y hora (Bogotá)", "Usuario", "Acción", "Entidad", "Id", "Centro", "Detalle",
          "Antes", "Después", "IP", "Solicitud"]


@dataclass
class Filtro:
    usuario: str | None = None
    accion: str | None = None
    entidad: str | None = None
    entidad_id: int | None = None
    centro_id: int | None = None
    desde: date | None = None
    hasta: date | None = None

    def to_args(self) -> dict:
        values = {k: v for k, v in self.__dict__.items() if v not in (None, "")}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def parse(actor, args: dict, today: date | None = None) -> Filtro:
    ensure(actor, Accion.VER_AUDITORIA)
    f = Fields(args)
    usuario = f.text("usuario", required=False, max_length=60)
    accion = f.text("accion", required=False, max_length=40)
    entidad = f.text("entidad", required=False, max_length=40)
    entidad_id = f.integer("entidad_id", required=False, minimum=1)
    centro_id = f.integer("centro_id", required=False, minimum=1)
    hasta = f.date("hasta", required=False) or (today or today_bogota())
    desde = f.date("desde", required=False)
    if desde and desde > hasta:
        f.fail("desde", "La fecha inicial no puede ser posterior a la final.")
    f.raise_if_errors()
    return Filtro(usuario, accion, entidad, entidad_id, centro_id, desde, hasta)


def _statement(filtro: Filtro):
    a = Auditoria
    statement = select(a)
    if filtro.usuario:
        statement = statement.where(a.username.icontains(filtro.usuario, autoescape=True))
    for column, value in ((a.accion, filtro.accion), (a.entidad, filtro.entidad),
                          (a.entidad_id, filtro.entidad_id), (a.centro_id, filtro.centro_id)):
        if value:
            statement = statement.where(column == value)
    start, end = day_bounds(filtro.desde or date(2000, 1, 1), filtro.hasta)
    return statement.where(a.en >= start, a.en < end)


def listing(actor, filtro: Filtro, page: int = 1, per_page: int = 50) -> Page:
    ensure(actor, Accion.VER_AUDITORIA)
    return paginate(_statement(filtro).order_by(Auditoria.en.desc(), Auditoria.id.desc()),
                    page, per_page)


def actions() -> list[str]:
    """The actions recorded so far, for the filter."""
    return list(db.session.scalars(select(Auditoria.accion).distinct().order_by(Auditoria.accion)))


def export(actor, filtro: Filtro) -> Iterator[list]:
    """Records the export (in the request's transaction), then gives the filtered rows for the
    CSV, oldest first, at most EXPORT_MAX_ROWS, read lazily."""
    ensure(actor, Accion.VER_AUDITORIA)
    total = db.session.scalar(select(func.count()).select_from(_statement(filtro).subquery()))
    audit.record("exportar", actor=actor, entidad="auditoria",
                 detalle=f"Auditoría: {min(total, EXPORT_MAX_ROWS)} filas; filtro {filtro.to_args()}")
    return _rows(filtro)


def _rows(filtro: Filtro) -> Iterator[list]:
    statement = (_statement(filtro).order_by(Auditoria.en, Auditoria.id).limit(EXPORT_MAX_ROWS)
                 .execution_options(yield_per=2000))
    for entry in db.session.scalars(statement):
        yield [fecha_hora(entry.en), entry.username, entry.accion, entry.entidad, entry.entidad_id,
               entry.centro_id, entry.detalle, _plain(entry.antes), _plain(entry.despues),
               entry.ip, entry.request_id]


def _plain(values: dict | None) -> str | None:
    if not values:
        return None
    return "; ".join(f"{key}={value}" for key, value in values.items())
