"""pg_dump / pg_restore: the binaries matching the server, run with the connection in libpq's
environment variables (never the password on a command line that `ps` shows)."""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL

from . import RespaldoError

_LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                "application_name": "PGAPPNAME", "options": "PGOPTIONS"}


def _major_of(version_output: str) -> int | None:
    match = re.search(r"(\d+)(?:\.\d+)?", version_output)
    return int(match.group(1)) if match else None


def binary(name: str, server_major: int) -> str:
    """The `name` (pg_dump, pg_restore) of the server's major version, or a newer one: first
    PG_BIN_DIR if configured, then /usr/lib/postgresql/<major>/bin, then any newer there, then PATH."""
    candidates: list[str] = []
    configured = current_app.config.get("PG_BIN_DIR") or os.environ.get("PG_BIN_DIR")
    if configured:
        candidates.append(os.path.join(configured, name))
    candidates.append(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    newer = []
    for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}"):
        major = _major_of(Path(path).parts[-3])
        if major and major > server_major:
            newer.append((major, path))
    candidates += [path for _, path in sorted(newer)]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        found = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
        major = int(found.group(1)) if found else None
        if major and major >= server_major:
            return path
    raise RespaldoError(f"No se encontró {name} de PostgreSQL {server_major} o posterior (busque en "
                      f"/usr/lib/postgresql/*/bin o defina PG_BIN_DIR).")


def environment(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                       "PGPASSWORD": url.password, "PGDATABASE": url.database}.items():
        if value is not None:
            env[key] = str(value)
    for key, variable in _LIBPQ_QUERY.items():
        if key in url.query:
            value = url.query[key]
            env[variable] = value if isinstance(value, str) else value[0]
    return env


def run(command: list[str], url: URL, what: str) -> None:
    result = subprocess.run(command, env=environment(url), capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RespaldoError(f"{what} terminó con error ({result.returncode}): " + " | ".join(detail))
