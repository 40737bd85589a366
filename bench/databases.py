"""Throwaway databases for the benchmarks: a SQLite file, or a PostgreSQL database dropped after."""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@contextmanager
def throwaway(engine: str) -> Iterator[str]:
    print(LABELS[engine], flush=True)
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(dir="/tmp") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"cemprende_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()
