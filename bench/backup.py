"""Times a backup and its restore on a filled database, and checks the round trip.

    .venv/bin/python bench/backup.py [--participantes 20000] [--engines sqlite,postgresql]

Per engine: a throwaway database filled with demo people who carry verifier documents (demo.load)
plus the bulk generator's participants and actuaciones; `flask backup create` into a fresh folder;
a second throwaway database and an empty UPLOAD_ROOT; `flask backup restore` (which verifies the
checksums, restores, compares the rows of every table with the manifest and runs
verificadores-check). Prints the rows, documents, backup size and the time of each step, then
compares every table's rows (as a SHA-256 of its rows in primary-key order) and every file's
hash between the two installations.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo, demo_bulk  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from databases import throwaway  # noqa: E402


def make_app(url: str, upload_root: str):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}
        UPLOAD_ROOT = upload_root
        SERVER_NAME = None

    return create_app(Config)


def table_digests(app) -> dict[str, tuple[int, str]]:
    with app.app_context():
        inspector = sa.inspect(db.engine)
        digests = {}
        with db.engine.connect() as connection:
            for table in sorted(inspector.get_table_names()):
                columns = [c["name"] for c in inspector.get_columns(table)]
                order = inspector.get_pk_constraint(table)["constrained_columns"] or columns
                digest, rows = hashlib.sha256(), 0
                result = connection.execution_options(stream_results=True).execute(sa.text(
                    f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}" '
                    f'ORDER BY {", ".join(chr(34) + c + chr(34) for c in order)}'))
                for row in result:
                    digest.update(repr(tuple(row)).encode())
                    rows += 1
                digests[table] = (rows, digest.hexdigest())
        db.session.remove()
        db.engine.dispose()
        return digests


def file_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and ".tmp" not in p.relative_to(root).parts}


def run(engine: str, count: int) -> None:
    with throwaway(engine) as source_url, throwaway(engine) as target_url, \
            tempfile.TemporaryDirectory(dir="/tmp", prefix="cemprende-bench-backup-") as folder:
        folder = Path(folder)
        source = make_app(source_url, str(folder / "documentos-origen"))
        start = time.perf_counter()
        with source.app_context():
            upgrade()
            demo.load(40, seed=3, hasta=date(2016, 6, 30))
            db.session.commit()
            demo_bulk.generate(count, seed=3, start=date(2014, 1, 1), end=date(2016, 6, 30),
                               words=False)
            db.session.commit()
            db.session.remove()
        print(f"  fill: {time.perf_counter() - start:.0f} s", flush=True)

        dest = folder / "respaldo"
        start = time.perf_counter()
        created = source.test_cli_runner().invoke(args=["backup", "create", str(dest)])
        took_create = time.perf_counter() - start
        assert created.exit_code == 0, created.output
        size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
        print(f"  {created.output.strip()}", flush=True)
        print(f"  backup create: {took_create:.1f} s, {size / 1e6:.1f} MB on disk", flush=True)

        target = make_app(target_url, str(folder / "documentos-destino"))
        with target.app_context():
            upgrade()  # an empty database as `make serve` leaves it (tables, no rows)
            db.session.remove()
        start = time.perf_counter()
        restored = target.test_cli_runner().invoke(args=["backup", "restore", str(dest)])
        took_restore = time.perf_counter() - start
        assert restored.exit_code == 0, restored.output
        print(f"  backup restore (verify checksums, restore, count rows, copy documents, "
              f"verificadores-check): {took_restore:.1f} s", flush=True)

        start = time.perf_counter()
        before, after = table_digests(source), table_digests(target)
        files_before = file_digests(folder / "documentos-origen")
        files_after = file_digests(folder / "documentos-destino")
        rows = sum(n for n, _ in before.values())
        same_tables = before == after
        same_files = files_before == files_after
        print(f"  compared {len(before)} tables ({rows:,} rows) and {len(files_before)} files in "
              f"{time.perf_counter() - start:.0f} s: tables identical {same_tables}, files "
              f"identical {same_files}", flush=True)
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if not (same_tables and same_files):
            raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=20_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        run(engine, args.participantes)


if __name__ == "__main__":
    main()
