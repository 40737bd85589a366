"""A throwaway PostgreSQL cluster of one's own (initdb + pg_ctl in a temporary folder, on a free
port), for tests and benchmarks that stop and start a server. Never the machine's shared server.
`Standby.of(primary)` adds a streaming replica of such a cluster (pg_basebackup -R), on a port of
its own.

As root the server runs as the `postgres` system account (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def binaries() -> Path | None:
    """The folder with initdb and pg_ctl: PG_BIN, else the newest /usr/lib/postgresql/*/bin,
    else the PATH; None when there is no initdb at all."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, port: int | None = None):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("initdb no está instalado (paquete postgresql).")
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="cemprende_pg_"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> Cluster:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", "60", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def sql(self, statement: str, database: str = "postgres"):
        """One statement in autocommit; its first value (None when it returns no rows)."""
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}",
                             autocommit=True) as connection:
            cursor = connection.execute(statement)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Cluster:
        self.init()
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()


def wait_until(predicate, seconds: float = 30.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def has_replication_tools() -> bool:
    folder = binaries()
    return folder is not None and (folder / "pg_basebackup").exists()


class Standby(Cluster):
    """A hot standby streaming from a running Cluster: its data folder is a pg_basebackup -R of
    the primary (initdb's default pg_hba trusts replication from 127.0.0.1; wal_level=replica and
    max_wal_senders=10 are PostgreSQL's defaults), started read-only on a port of its own."""

    def __init__(self, primary: Cluster, port: int | None = None):
        super().__init__(port)
        self.primary = primary

    @classmethod
    def of(cls, primary: Cluster) -> Standby:
        standby = cls(primary)
        try:
            standby._run("pg_basebackup", "-D", str(standby.data), "-h", "127.0.0.1",
                         "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream",
                         "-c", "fast")
            standby.start()
            if not wait_until(lambda: standby.sql("SELECT pg_is_in_recovery()") is True):
                raise RuntimeError("la réplica no quedó en recuperación")
            standby.wait_caught_up()
        except BaseException:
            standby.destroy()
            raise
        return standby

    def caught_up(self, lsn: str) -> bool:
        return bool(self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"))

    def wait_caught_up(self, seconds: float = 30.0) -> None:
        """Until the standby has replayed everything the primary had written when called."""
        lsn = self.primary.sql("SELECT pg_current_wal_insert_lsn()::text")
        if not wait_until(lambda: self.caught_up(lsn), seconds):
            raise RuntimeError("la réplica no alcanzó al servidor principal")

    def pause_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")
        wait_until(lambda: self.sql("SELECT pg_get_wal_replay_pause_state()") == "paused")

    def resume_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")
