"""Reads of imports: the centre's list and the rows of one import's preview, paged."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.guards import scoped_select
from ..models import Importacion, ImportacionFila
from ..models.importacion import VEREDICTOS
from ..pagination import Page, paginate


def list_for(actor, page: int = 1, per_page: int = 25) -> Page:
    statement = scoped_select(actor, Importacion).order_by(Importacion.creado_en.desc(),
                                                           Importacion.id.desc())
    return paginate(statement, page, per_page)


def rows(importacion: Importacion, veredicto: str | None = None, page: int = 1,
         per_page: int = 50) -> Page:
    """The rows of an import the caller may already see, optionally of one verdict."""
    statement = select(ImportacionFila).where(ImportacionFila.importacion_id == importacion.id)
    if veredicto in VEREDICTOS:
        statement = statement.where(ImportacionFila.veredicto == veredicto)
    elif veredicto == "aviso":
        statement = statement.where(ImportacionFila.avisos.is_not(None))
    return paginate(statement.order_by(ImportacionFila.fila), page, per_page)
