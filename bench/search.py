"""Times the participant search (by name fragment and by document) on a large table.

    .venv/bin/python bench/search.py [--participantes 300000] [--engines sqlite,postgresql]

Fills a throwaway database in bulk (Core inserts, not the services: the search is what is timed),
then runs each search several times through the same service the pages and the API call.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from databases import throwaway  # noqa: E402

from cemprende import create_app  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.demo import APELLIDOS, NOMBRES_F, NOMBRES_M  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Centro, Participante, ParticipantePalabra, Staff  # noqa: E402
from cemprende.participantes import services  # noqa: E402
from cemprende.participantes.services import name_words, search_key  # noqa: E402



def fill(count: int, centres: int = 20) -> None:
    rng = random.Random(1)
    db.session.add_all(Centro(nombre=f"Centro {n}", ciudad=f"Ciudad {n}", departamento="D",
                              modalidad="COEE") for n in range(1, centres + 1))
    db.session.add(Staff(username="bench", nombre="Bench", rol="asesor", centro_id=1,
                         password_hash="x", activo=True))
    db.session.commit()
    now = datetime.now(UTC)
    rows, words = [], []
    for n in range(count):
        nombres = rng.choice(NOMBRES_F + NOMBRES_M)
        apellidos = f"{rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}"
        rows.append({
            "centro_id": rng.randint(1, centres), "tipo_documento": "CC",
            "numero_documento": str(10_000_000 + n * 7), "nombres": nombres, "apellidos": apellidos,
            "nombre_busqueda": search_key(nombres, apellidos), "fecha_nacimiento": date(1990, 1, 1),
            "municipio": "M", "remitido_dps": False, "consentimiento_datos": True,
            "consentimiento_en": now, "consentimiento_version": "b", "creado_en": now,
            "actualizado_en": now, "version": 1,
        })
        words.extend({"participante_id": n + 1, "palabra": word, "centro_id": rows[-1]["centro_id"]}
                     for word in name_words(rows[-1]["nombre_busqueda"]))
        if len(rows) == 20_000:
            _flush(rows, words)
    _flush(rows, words)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _flush(rows: list, words: list) -> None:
    if rows:
        db.session.execute(sa.insert(Participante), rows)
        db.session.execute(sa.insert(ParticipantePalabra), words)
    rows.clear()
    words.clear()


def timed(fn, repeat: int = 7) -> float:
    fn()  # warm the caches once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def run(url: str, count: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        fill(count)
        print(f"  fill: {count:,} participants in {time.perf_counter() - start:.1f} s")
        asesor = db.session.scalar(sa.select(Staff))
        admin = Staff(username="a", nombre="a", rol="admin", password_hash="x")
        queries = {
            "name fragment 'mari' (asesor, one centre)": lambda: services.search(asesor, q="mari"),
            "two words 'jose gom' (admin, whole network)": lambda: services.search(admin, q="jose gom"),
            "rare surname 'epieyu ipuana' (admin)": lambda: services.search(admin, q="epieyu ipuana"),
            "document prefix '1000070' (admin)": lambda: services.search(admin, q="1000070"),
            "exact document (admin)": lambda: services.search(admin, documento="10000700"),
        }
        for label, query in queries.items():
            print(f"  {label:<46} {timed(query):8.1f} ms  (first page of 25, with total)")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=300_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)

if __name__ == "__main__":
    main()
