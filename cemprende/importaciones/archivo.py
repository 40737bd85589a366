"""The uploaded files of imports, kept by content hash under UPLOAD_ROOT/importaciones/ until the
import is applied (the apply job and a re-apply read them again). A file appears only when the
request that uploaded it commits; a rolled-back request leaves nothing behind."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING = "cemprende_importaciones_pendientes"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_ROOT"]) / "importaciones"


def path_of(sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise ValueError("Huella de archivo no válida.")
    return _folder() / sha256


def stage(session: Session, sha256: str, data: bytes) -> None:
    final = path_of(sha256)
    if final.is_file():
        return
    temp_dir = _folder() / ".tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    temp = temp_dir / f"{sha256}.{uuid.uuid4().hex}.part"
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    session.info.setdefault(_PENDING, []).append((temp, final))


def load(sha256: str) -> bytes | None:
    path = path_of(sha256)
    return path.read_bytes() if path.is_file() else None


def exists(sha256: str) -> bool:
    return path_of(sha256).is_file()


def delete(sha256: str) -> None:
    path_of(sha256).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    for temp, final in session.info.pop(_PENDING, []):
        os.replace(temp, final)


@event.listens_for(Session, "after_transaction_end")
def _discard(session: Session, transaction) -> None:
    if transaction.parent is None:
        for temp, _ in session.info.pop(_PENDING, []):
            temp.unlink(missing_ok=True)
