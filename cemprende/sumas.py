"""Adding changes to kept sums (the tableros' summaries, the data-quality score's people cells)."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .extensions import db


def add_to(model, key_columns: list[str], changes: dict, value_columns: tuple[str, ...] = ("valor",),
           session: Session | None = None) -> None:
    """Adds the changes (key tuple → a number, or a tuple of numbers for several value columns)
    to the stored rows: INSERT … ON CONFLICT DO UPDATE, atomic per row, in one order of keys so
    no two writers wait for each other."""
    if not changes:
        return
    session = session if session is not None else db.session
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{**dict(zip(key_columns, key)),
             **dict(zip(value_columns, values if isinstance(values, tuple) else (values,)))}
            for key, values in sorted(changes.items())]
    statement = make(model).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=key_columns,
        set_={name: getattr(model, name) + getattr(statement.excluded, name) for name in value_columns})
    session.execute(statement)
