"""Times the detection of possible duplicates over the whole network.

    .venv/bin/python bench/duplicados.py [--participantes 1000000] [--engines postgresql,sqlite]
    .venv/bin/python bench/duplicados.py --url sqlite:////tmp/dup.sqlite3 [--llenar]

`--url` names a database kept between runs: `--llenar` fills it (niced, outside the benchmark
lock), later runs only time the detection on it (the planted pairs are kept beside it, in a table
`bench_plantados`).

Fills a fresh database with the given number of people (the names, birth dates and documents of
the bulk demo generator: common Colombian names, so many people share a name) and plants known
look-alikes: a tenth of a percent of them registered again with one digit of the document
changed, as many again as a TI of the same number, and as many with the same name and birth date
under another document. Then runs the detection (`flask duplicados-detectar` does the same),
prints its time, how many pairs of each kind it found and whether every planted pair is among
them. Target (issue 13): under 60 s at 1M.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.demo_bulk import _person  # noqa: E402
from cemprende.duplicados import services  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Centro, Participante, Staff  # noqa: E402
from databases import throwaway  # noqa: E402

# Each batch is committed on its own: the commit reads the centres of the people it wrote
# (versiones.py), three IN lists of the batch's ids, which must stay under SQLite's 32,766
# variables.
BATCH = 10_000


def fill(count: int) -> set[tuple[int, int]]:
    """People only (the detection reads no actuación), plus planted look-alikes; returns the
    planted pairs."""
    began = time.perf_counter()
    demo.load(0, seed=1, hasta=date(2015, 12, 31))
    db.session.commit()
    print(f"  centres and accounts: {time.perf_counter() - began:.0f} s", flush=True)
    centros = db.session.scalars(sa.select(Centro.id)).all()
    asesor = db.session.scalar(sa.select(Staff.id).where(Staff.rol == "asesor"))
    rng = random.Random(13)
    now = datetime.now(UTC)
    start = time.perf_counter()
    first = (db.session.scalar(sa.select(sa.func.max(Participante.id))) or 0) + 1
    rows = []
    for person_id in range(first, first + count):
        rows.append(_person(rng, person_id, rng.choice(centros), asesor, now))
        if len(rows) == BATCH:
            db.session.execute(sa.insert(Participante), rows)
            db.session.commit()
            rows = []
    planted, next_id = set(), first + count
    originals = rng.sample(range(first, first + count), k=max(3, count // 1000) * 3)
    third = len(originals) // 3
    by_id = {}
    for chunk_start in range(0, len(originals), 5_000):
        ids = originals[chunk_start:chunk_start + 5_000]
        by_id.update({p.id: p for p in db.session.scalars(
            sa.select(Participante).where(Participante.id.in_(ids)))})
    for n, original_id in enumerate(originals):
        source = by_id[original_id]
        copy = _person(rng, next_id, source.centro_id, asesor, now)
        copy.update(nombres=source.nombres, apellidos=source.apellidos,
                    nombre_busqueda=source.nombre_busqueda)
        if n < third:  # one digit changed
            copy["numero_documento"] = "4" + source.numero_documento[1:]  # no one has a 4…
        elif n < 2 * third:  # the same number as a TI
            copy.update(tipo_documento="TI", numero_documento=source.numero_documento)
        else:  # same name and birth date, another document
            copy.update(fecha_nacimiento=source.fecha_nacimiento,
                        numero_documento=str(3_000_000_000 + next_id))
        rows.append(copy)
        planted.add((original_id, next_id))
        next_id += 1
    db.session.execute(sa.insert(Participante), rows)
    db.session.commit()
    print(f"  fill: {count + len(originals):,} people ({len(originals):,} planted look-alikes) "
          f"in {time.perf_counter() - start:.0f} s", flush=True)
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    return planted


def _keep_planted(planted: set[tuple[int, int]]) -> None:
    db.session.execute(sa.text("CREATE TABLE bench_plantados (a INTEGER, b INTEGER)"))
    db.session.execute(sa.text("INSERT INTO bench_plantados VALUES (:a, :b)"),
                       [{"a": a, "b": b} for a, b in planted])
    db.session.commit()


def _planted() -> set[tuple[int, int]]:
    return {(a, b) for a, b in db.session.execute(sa.text("SELECT a, b FROM bench_plantados"))}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(url: str, count: int, fill_only: bool = False, filled: bool = False) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        if filled:
            planted = _planted()
        else:
            upgrade()
            planted = fill(count)
            _keep_planted(planted)
        if fill_only:
            return
        people = db.session.scalar(sa.select(sa.func.count()).select_from(Participante))
        db.session.execute(sa.delete(services.CandidatoDuplicado))  # a run from scratch
        db.session.commit()
        load = os.getloadavg()
        start, cpu = time.perf_counter(), _cpu()
        detection = services.run_detection()
        elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
        print(f"  {db.engine.dialect.name}, {people:,} people: detection {elapsed:.1f} s "
              f"(target < 60 s; this process's CPU {cpu:.1f} s; load average "
              f"{load[0]:.1f} before, {os.getloadavg()[0]:.1f} after)", flush=True)
        found = {(a, b): razon for a, b, razon in db.session.execute(sa.select(
            services.CandidatoDuplicado.participante_a_id,
            services.CandidatoDuplicado.participante_b_id, services.CandidatoDuplicado.razon))}
        missing = [pair for pair in planted if pair not in found]
        print(f"  detection: {elapsed:.1f} s for {detection.candidatos:,} pairs "
              f"{dict(Counter(found.values()))}; planted {len(planted):,}, missed {len(missing)}",
              flush=True)
        start = time.perf_counter()
        again = services.run_detection()
        print(f"  second run (queue already filled): {time.perf_counter() - start:.1f} s, "
              f"{again.nuevos} new", flush=True)
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--url", help="a database kept between runs")
    parser.add_argument("--llenar", action="store_true", help="fill --url (then stop)")
    args = parser.parse_args()
    if args.url:
        run(args.url, args.participantes, fill_only=args.llenar, filled=not args.llenar)
        return
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)


if __name__ == "__main__":
    main()
