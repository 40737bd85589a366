"""The uploaded files of imports, kept by content hash under UPLOAD_ROOT/importaciones/ until the
import is applied (the apply job and a re-apply read them again). A file appears only when the
request that uploaded it commits; a rolled-back request leaves nothing behind."""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
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
    """Writes the file beside its place and moves it there when the session commits. Even when
    the file is already there: a finished import may be retiring it at this very moment (see
    `retire`), and this upload's commit must leave it in place whatever the order."""
    final = path_of(sha256)
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


def retire(sha256: str, still_needed: Callable[[], bool]) -> None:
    """Deletes the file unless `still_needed()` says otherwise, asked after the file has left its
    place: an upload of the same file committed before the question is seen by it (the file goes
    back), one committed after it puts its own copy in place (`stage`)."""
    path = path_of(sha256)
    held = path.with_name(f"{path.name}.{uuid.uuid4().hex}.retirando")
    try:
        os.replace(path, held)
    except FileNotFoundError:
        return
    if still_needed():
        os.replace(held, path)
    else:
        held.unlink(missing_ok=True)


# First of the commit's listeners: the job this commit starts (`jobs`, also on after_commit) must
# find the file in place; after the job's listener, a job thread could look for it first.
@event.listens_for(Session, "after_commit", insert=True)
def _publish(session: Session) -> None:
    for temp, final in session.info.pop(_PENDING, []):
        os.replace(temp, final)


@event.listens_for(Session, "after_transaction_end")
def _discard(session: Session, transaction) -> None:
    if transaction.parent is None:
        for temp, _ in session.info.pop(_PENDING, []):
            temp.unlink(missing_ok=True)
