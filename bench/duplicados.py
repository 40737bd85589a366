"""Times the detection of possible duplicates over the whole network.

    .venv/bin/python bench/duplicados.py [--participantes 1000000] [--engines postgresql,sqlite]

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
import random
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

BATCH = 20_000


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


def run(url: str, count: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        planted = fill(count)
        start = time.perf_counter()
        detection = services.run_detection()
        elapsed = time.perf_counter() - start
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
    args = parser.parse_args()
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)


if __name__ == "__main__":
    main()
