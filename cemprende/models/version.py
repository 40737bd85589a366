from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class VersionDatos(db.Model):
    """A counter per kind of derived result (clave), bumped by every write that can change it,
    in the writer's own transaction: a cached result keyed by (token, valor) is never stale past
    the last commit. The token is drawn whenever the row is created, so emptied tables (tests, a
    restore) never meet a cached result from before with the same count."""

    clave: Mapped[str] = mapped_column(String(40), primary_key=True)
    valor: Mapped[int] = mapped_column(BigInteger)
    token: Mapped[str] = mapped_column(String(32))
