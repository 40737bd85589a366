"""The homes of the people who watch figures: a director's centre this month against its metas,
its pending work and alerts; a supervisor's network, the overdue reviews and the month closes
waiting for them. Each part is read through the service that owns it (tableros, alerts, closes,
PQRS, habeas); the overdue reviews are one grouped query."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..auth.guards import Accion, ensure, is_centre_bound, may, scoped_select
from ..errors import Forbidden
from ..cierres import services as cierres
from ..extensions import db
from ..habeas import services as habeas
from ..itinerario.dia import day_bounds, today_bogota
from ..microfinanciamiento import services as microfinanciamiento
from ..models import Centro, CierreMes, Verificador
from ..pqrs import services as pqrs
from ..tableros import services as tableros
from ..tableros.registry import TABLEROS
from ..tableros.services import FilaTablero


@dataclass
class FilaPanel:
    fila: FilaTablero  # the vigencia up to today, with its meta and avance
    mes: int  # the same row for this month alone
    tablero: str


@dataclass
class RevisionesVencidas:
    centro_id: int
    centro: str
    documentos: int
    desde: datetime  # the oldest pending upload


@dataclass
class Panel:
    hoy: date
    centro_id: int | None
    mes_desde: date
    vigencia_desde: date
    vigencia: str | None
    filas: list[FilaPanel]
    alertas: dict[str, int] = field(default_factory=dict)
    revisiones_vencidas: list[RevisionesVencidas] = field(default_factory=list)
    pendientes_revision: int = 0
    cierres_por_aceptar: int = 0
    mes_anterior: date | None = None
    mes_anterior_cerrado: bool | None = None
    pqrs_vencidas: int = 0
    solicitudes_habeas: int = 0

    @property
    def con_meta(self) -> list[FilaPanel]:
        return [f for f in self.filas if f.fila.total.meta]


def _rows(actor, centro_id: int | None, today: date) -> tuple[list[FilaPanel], date, str | None]:
    vigencia_desde, _ = tableros.resolve_period(None, today)
    month_start = today.replace(day=1)
    rows = []
    vigencia = None
    for nombre in TABLEROS:
        whole = tableros.compute(actor, nombre, centro_id, vigencia_desde, today)
        month = tableros.compute(actor, nombre, centro_id, max(month_start, vigencia_desde), today)
        this_month = {r.fila.codigo: r.total.resultado for r in month.filas}
        vigencia = vigencia or (whole.vigencia.etiqueta if whole.vigencia else None)
        rows += [FilaPanel(r, this_month[r.fila.codigo], nombre) for r in whole.filas]
    return rows, vigencia_desde, vigencia


def overdue_reviews(actor, today: date) -> list[RevisionesVencidas]:
    """Documents waiting for review longer than REVISION_VENCIDA_DIAS, per centre, oldest first."""
    days = current_app.config.get("REVISION_VENCIDA_DIAS", 5)
    limit, _ = day_bounds(today - timedelta(days=days), today)
    rows = db.session.execute(
        select(Verificador.centro_id, Centro.nombre, func.count(), func.min(Verificador.subido_en))
        .join(Centro, Centro.id == Verificador.centro_id)
        .where(Verificador.estado_revision == "pendiente", Verificador.subido_en < limit)
        .group_by(Verificador.centro_id, Centro.nombre)
        .order_by(func.min(Verificador.subido_en)))
    return [RevisionesVencidas(*row) for row in rows]


def _pending_reviews(actor, centro_id: int | None) -> int:
    statement = scoped_select(actor, Verificador).where(Verificador.estado_revision == "pendiente")
    if centro_id is not None:
        statement = statement.where(Verificador.centro_id == centro_id)
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def _previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def director_home(actor, today: date | None = None) -> Panel:
    """The director's centre: this month and the vigencia against metas, what waits, alerts."""
    ensure(actor, Accion.VER_CIERRES)
    if not is_centre_bound(actor):
        raise Forbidden("Esta página es la de un director de centro; vea la red en su inicio.")
    today = today or today_bogota()
    rows, vigencia_desde, vigencia = _rows(actor, actor.centro_id, today)
    previous = _previous_month(today)
    cierre = cierres.find(actor.centro_id, previous)
    return Panel(
        hoy=today, centro_id=actor.centro_id, mes_desde=today.replace(day=1),
        vigencia_desde=vigencia_desde, vigencia=vigencia, filas=rows,
        alertas=microfinanciamiento.alerts(actor, {}, today).por_tipo,
        pendientes_revision=_pending_reviews(actor, actor.centro_id),
        mes_anterior=previous,
        mes_anterior_cerrado=cierre is not None and cierre.estado in ("cerrado", "aceptado"),
        pqrs_vencidas=pqrs.overdue_count(actor),
        solicitudes_habeas=habeas.pending(actor, per_page=1).total,
    )


def network_home(actor, today: date | None = None) -> Panel:
    """The supervisor's network: this month and the vigencia, overdue reviews, closes to accept."""
    ensure(actor, Accion.REVISAR_VERIFICADORES)
    today = today or today_bogota()
    rows, vigencia_desde, vigencia = _rows(actor, None, today)
    return Panel(
        hoy=today, centro_id=None, mes_desde=today.replace(day=1), vigencia_desde=vigencia_desde,
        vigencia=vigencia, filas=rows,
        alertas=microfinanciamiento.alerts(actor, {}, today).por_tipo
        if may(actor, Accion.VER_ALERTAS) else {},
        revisiones_vencidas=overdue_reviews(actor, today),
        pendientes_revision=_pending_reviews(actor, None),
        cierres_por_aceptar=db.session.scalar(select(func.count()).select_from(CierreMes).where(
            CierreMes.estado == "cerrado")),
    )

