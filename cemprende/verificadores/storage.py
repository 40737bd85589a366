"""The document store: an interface, a local-filesystem backend, and its tie to the transaction.

A document is written to a temporary file first. It is renamed into place only after the database
row that points at it commits, and removed if the transaction rolls back, so a failure at any step
leaves neither a row without a file nor a file without a row. Keys are derived from the content
hash (`<centro>/<prefijo>/<sha256>`), never from a name a client sent.
"""
from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = re.compile(r"^\d+/[A-Z]{2,4}/[0-9a-f]{64}$")
_PENDING = "verificadores_pendientes"


def storage_key(centro_id: int, prefijo: str, sha256: str) -> str:
    return f"{centro_id}/{prefijo}/{sha256}"


class PendingFile(Protocol):
    key: str

    def publish(self) -> None: ...

    def discard(self) -> None: ...


class Storage(Protocol):
    def save(self, key: str, data: bytes) -> PendingFile: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def keys(self) -> Iterator[str]: ...

    def modified(self, key: str) -> float: ...

    def leftovers(self, older_than_seconds: float) -> Iterator[PendingFile]: ...


@dataclass
class LocalPendingFile:
    key: str
    temp_path: Path
    final_path: Path

    def publish(self) -> None:
        if not self.temp_path.exists() and self.final_path.is_file():
            return  # verificadores-check --fix finished this rename already
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.temp_path, self.final_path)

    def discard(self) -> None:
        self.temp_path.unlink(missing_ok=True)


class LocalStorage:
    """Files under UPLOAD_ROOT/<centro>/<prefijo>/<sha256>; work in progress under .tmp/."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.temp_dir = self.root / ".tmp"

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"Clave de almacenamiento no válida: {key!r}")
        return self.root / key

    def save(self, key: str, data: bytes) -> LocalPendingFile:
        final = self._path(key)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        # The key travels in the temporary name so a check can finish an interrupted rename.
        temp = self.temp_dir / f"{key.replace('/', '_')}.{uuid.uuid4().hex}.part"
        with open(temp, "wb") as handle:
            handle.write(data)
        return LocalPendingFile(key, temp, final)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def modified(self, key: str) -> float:
        """When the stored file was written (epoch seconds); the sweeper spares young orphans."""
        return self._path(key).stat().st_mtime

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*/*"):
            key = path.relative_to(self.root).as_posix()
            if _KEY.match(key) and path.is_file():
                yield key

    def leftovers(self, older_than_seconds: float = 0) -> Iterator[LocalPendingFile]:
        if not self.temp_dir.is_dir():
            return
        limit = time.time() - older_than_seconds
        for temp in self.temp_dir.glob("*.part"):
            if older_than_seconds and temp.stat().st_mtime > limit:
                continue
            key = temp.name.split(".", 1)[0].replace("_", "/")
            yield LocalPendingFile(key, temp, self.root / key)

    def sync(self) -> None:
        os.sync()


BACKENDS = {"local": lambda app: LocalStorage(app.config["UPLOAD_ROOT"])}


def get_storage() -> Storage:
    app = current_app._get_current_object()
    storage = app.extensions.get("cemprende_storage")
    if storage is None:
        backend = app.config.get("STORAGE_BACKEND", "local")
        if backend not in BACKENDS:
            raise RuntimeError(f"STORAGE_BACKEND desconocido: {backend}")
        storage = app.extensions["cemprende_storage"] = BACKENDS[backend](app)
    return storage


# ---- tied to the database transaction --------------------------------------------------------

def stage(session: Session, key: str, data: bytes) -> None:
    """Writes the document aside; it appears under its key only if this transaction commits."""
    pending = get_storage().save(key, data)
    session.info.setdefault(_PENDING, []).append(pending)


@event.listens_for(Session, "before_commit")
def _flush_to_disk(session: Session) -> None:
    # The bytes must be on disk before the rows that point at them are.
    if session.info.get(_PENDING):
        sync = getattr(get_storage(), "sync", None)
        if sync:
            sync()


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    for pending in session.info.pop(_PENDING, []):
        pending.publish()


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted(session: Session, transaction) -> None:
    """A rollback, or a session closed without commit: the staged files go with it."""
    if transaction.parent is None:
        for pending in session.info.pop(_PENDING, []):
            pending.discard()
