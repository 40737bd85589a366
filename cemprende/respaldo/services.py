"""A backup is one folder: the database (SQLite's online backup API, or pg_dump's custom format),
a copy of the document store under documentos/, and manifest.json with the SHA-256 of every file,
the rows of every table and the migration revision, all taken from one snapshot of the database.

The folder is built beside its destination under a hidden name and renamed into place when
complete, with the process umask at 077: only the service account can read it (0700 folders,
0600 files). A restore verifies every checksum before touching anything, goes only onto an empty
database and an empty store, checks the restored rows against the manifest and ends with the
same integrity check as `flask verificadores-check`.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import inspect, text

from .. import versiones
from ..config import PROJECT_ROOT
from ..extensions import db
from ..models import Verificador
from ..verificadores import integrity
from ..verificadores.integrity import Informe
from ..verificadores.storage import get_storage
from . import RespaldoError, postgres

FORMATO = "cemprende-respaldo"
VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
DOCUMENTOS = "documentos"
BASE_FILE = {"sqlite": "base.sqlite3", "postgresql": "base.dump"}
ALEMBIC_TABLE = "alembic_version"
_CHUNK = 1 << 20


@dataclass
class Instantanea:
    """What the database held at the moment of the backup (one snapshot)."""
    servidor: str
    tablas: dict[str, int]
    revision: str | None
    claves: set[str]


@dataclass
class Restauracion:
    manifest: dict
    informe: Informe
    documentos: int
    avisos: list[str] = field(default_factory=list)


# ---- helpers ---------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _private_umask():
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _engine_name() -> str:
    name = db.engine.dialect.name
    if name not in BASE_FILE:
        raise RespaldoError(f"Motor de base de datos no soportado para respaldos: {name}.")
    return name


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_ROOT"])


def store_files(root: Path):
    """(relative posix path, path) of every document-store file, leaving out work in progress:
    the .tmp folders and their .part files (the sweeper deals with those)."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".tmp")
        for name in sorted(files):
            if name.endswith(".part"):
                continue
            path = Path(folder) / name
            yield path.relative_to(root).as_posix(), path


def _code_revision() -> str | None:
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions.get("migrate")
    if migrate is None:
        return None
    heads = ScriptDirectory(migrate.directory).get_heads()
    return ",".join(sorted(heads)) or None


def _code_commit() -> str | None:
    """The git commit of the running code, when it runs from a checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def _verificador_table() -> str:
    return Verificador.__table__.name


# Table names below come from the database's own catalogue or the models' metadata, never from a
# request: quoting them is all a query built from them needs.
def _counts(execute, tables: list[str]) -> dict[str, int]:
    return {table: int(execute(f'SELECT count(*) FROM "{table}"'))  # nosec B608
            for table in sorted(tables)}


def _revision(execute, tables) -> str | None:
    if ALEMBIC_TABLE not in tables:
        return None
    return execute(f'SELECT max(version_num) FROM "{ALEMBIC_TABLE}"')  # nosec B608


# ---- the database ----------------------------------------------------------------------------

def _dump_sqlite(target: Path) -> Instantanea:
    out = sqlite3.connect(target)
    try:
        with db.engine.connect() as connection:
            connection.connection.driver_connection.backup(out)
        # The copy carries the source's WAL mode; a backup is one self-contained file.
        out.execute("PRAGMA journal_mode=DELETE")
        tables = [r[0] for r in out.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]

        def scalar(sql):
            return out.execute(sql).fetchone()[0]

        claves = set()
        if _verificador_table() in tables:
            query = f'SELECT clave FROM "{_verificador_table()}"'  # nosec B608
            claves = {r[0] for r in out.execute(query)}
        return Instantanea(f"SQLite {sqlite3.sqlite_version}", _counts(scalar, tables),
                           _revision(scalar, tables), claves)
    finally:
        out.close()


def _server_major(connection) -> int:
    return int(connection.scalar(text("SHOW server_version_num"))) // 10000


def _dump_postgres(target: Path) -> Instantanea:
    url = db.engine.url
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            # pg_dump reads the very snapshot the counts and the document keys are read in.
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            version = connection.scalar(text("SHOW server_version"))
            pg_dump = postgres.binary("pg_dump", _server_major(connection))
            tables = inspect(connection).get_table_names()

            def scalar(sql):
                return connection.scalar(text(sql))

            counts = _counts(scalar, tables)
            revision = _revision(scalar, tables)
            claves = set()
            if _verificador_table() in tables:
                query = f'SELECT clave FROM "{_verificador_table()}"'  # nosec B608
                claves = set(connection.scalars(text(query)))
            postgres.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password",
                          f"--file={target}"], url, "pg_dump")
    return Instantanea(f"PostgreSQL {version}", counts, revision, claves)


def _database_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return _counts(lambda sql: connection.scalar(text(sql)), tables)


# ---- create ----------------------------------------------------------------------------------

def create(dest: str | Path) -> dict:
    """Writes a complete backup folder at dest (which must not exist); returns its manifest."""
    dest = Path(dest).absolute()
    if dest.exists():
        raise RespaldoError(f"El destino {dest} ya existe: un respaldo nunca sobrescribe otro.")
    motor = _engine_name()
    work = dest.with_name(f".{dest.name}.part")
    with _private_umask():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if work.exists():
            shutil.rmtree(work)  # the leftover of a backup to this same destination that died
        work.mkdir(mode=0o700)
        try:
            manifest = _fill(work, motor)
            os.rename(work, dest)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return manifest


def _fill(work: Path, motor: str) -> dict:
    base = work / BASE_FILE[motor]
    snapshot = _dump_sqlite(base) if motor == "sqlite" else _dump_postgres(base)
    copied, faltantes = _copy_store(work / DOCUMENTOS, snapshot.claves)
    archivos = {}
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        os.chmod(path, 0o600)
        archivos[path.relative_to(work).as_posix()] = {"sha256": sha256_of(path),
                                                        "bytes": path.stat().st_size}
    for path in [work, *(p for p in work.rglob("*") if p.is_dir())]:
        os.chmod(path, 0o700)
    manifest = {
        "formato": FORMATO, "version": VERSION,
        "creado": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "motor": motor, "servidor": snapshot.servidor, "base": BASE_FILE[motor],
        "revision_base": snapshot.revision, "revision_codigo": _code_revision(),
        "commit_codigo": _code_commit(),
        "tablas": snapshot.tablas,
        "documentos": {"archivos": copied, "verificadores": len(snapshot.claves),
                       "verificadores_sin_archivo": sorted(faltantes)},
        "archivos": archivos,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    (work / MANIFEST).write_bytes(body)
    (work / MANIFEST_SUM).write_text(f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n")
    for name in (MANIFEST, MANIFEST_SUM):
        os.chmod(work / name, 0o600)
    return manifest


def _copy_store(folder: Path, claves: set[str]) -> tuple[int, set[str]]:
    """Copies the store; a verifier published after the database snapshot (no row in this backup)
    is left out, and a row of the snapshot whose file is missing is listed."""
    root = _upload_root()
    in_store = set(get_storage().keys())
    copied, seen = 0, set()
    for relative, path in store_files(root):
        if relative in in_store:
            if relative not in claves:
                continue
            seen.add(relative)
        target = folder / relative
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        copied += 1
    return copied, claves - seen


# ---- verify ----------------------------------------------------------------------------------

def verify(src: str | Path) -> dict:
    """The manifest of a backup whose every file matches its checksum; otherwise refused."""
    src = Path(src)
    manifest_path, sum_path = src / MANIFEST, src / MANIFEST_SUM
    if not manifest_path.is_file() or not sum_path.is_file():
        raise RespaldoError(f"{src} no es un respaldo: faltan {MANIFEST} o {MANIFEST_SUM}.")
    body = manifest_path.read_bytes()
    expected = sum_path.read_text().split()[:1]
    if expected != [hashlib.sha256(body).hexdigest()]:
        raise RespaldoError("El manifiesto del respaldo fue alterado (su suma SHA-256 no coincide): "
                            "no se restaura.")
    try:
        manifest = json.loads(body)
    except ValueError:
        raise RespaldoError("El manifiesto del respaldo no es JSON válido: no se restaura.") from None
    if manifest.get("formato") != FORMATO or manifest.get("version") != VERSION:
        raise RespaldoError("El manifiesto no corresponde a un respaldo de Cemprende de esta versión.")
    listed = manifest.get("archivos") or {}
    problems = []
    for relative, info in sorted(listed.items()):
        parts = PurePosixPath(relative).parts
        if PurePosixPath(relative).is_absolute() or ".." in parts or not parts:
            problems.append(f"ruta no válida en el manifiesto: {relative}")
            continue
        path = src / relative
        if not path.is_file():
            problems.append(f"falta {relative}")
        elif path.stat().st_size != info.get("bytes") or sha256_of(path) != info.get("sha256"):
            problems.append(f"{relative} no coincide con su suma SHA-256")
    present = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()}
    for relative in sorted(present - set(listed) - {MANIFEST, MANIFEST_SUM}):
        problems.append(f"{relative} no figura en el manifiesto")
    if manifest.get("base") not in listed:
        problems.append("el manifiesto no incluye el archivo de la base de datos")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; y {len(problems) - 10} más" if len(problems) > 10 else "")
        raise RespaldoError(f"El respaldo no pasa la verificación de sumas ({len(problems)} "
                            f"problemas): {shown}. No se restaura.")
    return manifest


# ---- restore ---------------------------------------------------------------------------------

def tables_with_rows() -> dict[str, int]:
    return {t: n for t, n in _database_counts().items() if n and t != ALEMBIC_TABLE}


def ensure_empty_target() -> None:
    filled = tables_with_rows()
    if filled:
        names = ", ".join(sorted(filled)[:8]) + ("…" if len(filled) > 8 else "")
        raise RespaldoError(
            f"La base de datos de destino no está vacía ({len(filled)} tablas con filas: {names}). "
            "Solo se restaura sobre una base vacía: cree una base nueva o vacíe esta antes.")
    root = _upload_root()
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0
    if files:
        raise RespaldoError(
            f"El almacén de documentos {root} no está vacío ({files} archivos). Solo se restaura "
            "sobre un almacén vacío: use una carpeta nueva como UPLOAD_ROOT o vacíe esta antes.")


def restore(src: str | Path) -> Restauracion:
    src = Path(src)
    manifest = verify(src)
    motor = _engine_name()
    if manifest["motor"] != motor:
        raise RespaldoError(f"El respaldo es de {manifest['motor']} y la base de destino es {motor}: "
                            "restaure sobre el mismo motor.")
    ensure_empty_target()
    db.session.remove()
    base = src / manifest["base"]
    if motor == "sqlite":
        _restore_sqlite(base)
    else:
        _restore_postgres(base)
    db.engine.dispose()
    restored = _database_counts()
    wrong = sorted(t for t, n in manifest["tablas"].items() if restored.get(t) != n)
    if wrong:
        raise RespaldoError(f"La base restaurada no tiene las filas del manifiesto en: {', '.join(wrong)}.")
    versiones.renew_tokens()
    documentos = _restore_store(src, manifest)
    avisos = []
    if manifest.get("revision_base") and manifest["revision_base"] != _code_revision():
        avisos.append(f"La base restaurada está en la migración {manifest['revision_base']} y el "
                      f"código en {_code_revision()}: ejecute flask db upgrade.")
    missing = manifest["documentos"].get("verificadores_sin_archivo") or []
    if missing:
        avisos.append(f"El respaldo registró {len(missing)} verificadores sin archivo ya al crearse.")
    informe = integrity.check(fix=False)
    return Restauracion(manifest, informe, documentos, avisos)


def _restore_sqlite(base: Path) -> None:
    db.engine.dispose()
    source = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
    try:
        with db.engine.connect() as connection:
            source.backup(connection.connection.driver_connection)
    finally:
        source.close()


def _restore_postgres(base: Path) -> None:
    url = db.engine.url
    with db.engine.connect() as connection:
        major = _server_major(connection)
    pg_restore = postgres.binary("pg_restore", major)
    db.engine.dispose()
    # --clean drops the (empty) tables a `flask db upgrade` may have created; one transaction.
    postgres.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                  "--single-transaction", "--exit-on-error", "--no-password",
                  f"--dbname={url.database}", str(base)], url, "pg_restore")


def _restore_store(src: Path, manifest: dict) -> int:
    root = _upload_root()
    prefix = f"{DOCUMENTOS}/"
    count = 0
    for relative in sorted(manifest["archivos"]):
        if not relative.startswith(prefix):
            continue
        target = root / relative[len(prefix):]
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f"{target.name}.restaurando.part")
        shutil.copyfile(src / relative, temp)
        os.replace(temp, target)
        count += 1
    return count
