"""Defence in depth: every ORM query of a centre-owned record is filtered by the caller's centre.

Services filter explicitly too; this catches the filter someone forgot. A query that must look
across centres (the duplicate-document check) says so with execution_options(todos_los_centros=True).
"""
from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from .models.base import CentroOwned

ALL_CENTRES_OPTION = "todos_los_centros"


def set_centre_scope(centro_id: int | None) -> None:
    g.centro_scope = centro_id


def current_centre_scope() -> int | None:
    return g.get("centro_scope") if has_app_context() else None


@event.listens_for(Session, "do_orm_execute")
def _filter_by_centre(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(ALL_CENTRES_OPTION):
        return
    centro_id = current_centre_scope()
    if centro_id is None:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            CentroOwned, lambda cls: cls.centro_id == centro_id, include_aliases=True
        )
    )
