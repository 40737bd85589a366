"""Backups of the database and the document store, their restore, and the store's sweeper."""
from __future__ import annotations

from ..errors import DomainError


class RespaldoError(DomainError):
    """A backup, restore or sweep that cannot go on; its message is for the operator (Spanish)."""
