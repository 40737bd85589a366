"""Times the first page of a figure's drill-down list for the whole network.

    .venv/bin/python bench/drilldown.py [--participantes 1000000] [--engines postgresql,sqlite]
    .venv/bin/python bench/drilldown.py --url postgresql+psycopg://.../db   # already filled: no fill

Fills a fresh database as bench/tableros.py does (20 centres, the given participants, about six
actuaciones each, 2014-01-01..2016-06-30), then for the cut 2015-12-31 (period: the 2015
vigencia) asks the API, as the PNUD supervisor, for the first page (25 units, the default) of
several network rows, and for a page deep in the list. Prints per row: the figure, the units
listed, and the median of 5 requests (after one warm-up).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from databases import throwaway  # noqa: E402
from tableros import fill  # noqa: E402

HASTA = "2015-12-31"
REPEAT = 5
ROWS = [("global", "1.1"), ("global", "6.2"), ("global", "8"), ("global", "2.1"), ("global", "12.1"),
        ("global", "9"), ("microcapitalizacion", "M4.v")]


def timed(client, path: str, headers: dict) -> tuple[float, dict]:
    client.get(path, headers=headers)  # warm-up
    samples, body = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
    return statistics.median(samples), body


def run(url: str, count: int | None) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    if count is not None:
        with app.app_context():
            upgrade()
            fill(count)
            db.session.remove()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "supervisor.pnud",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    figures = {}
    for tablero in ("global", "microcapitalizacion"):
        body = client.get(f"/api/v1/tableros/{tablero}?hasta={HASTA}", headers=headers).get_json()
        figures.update({fila["codigo"]: fila["resultado"] for fila in body["filas"]})
    for tablero, codigo in ROWS:
        path = f"/api/v1/tableros/{tablero}/filas/{codigo}/personas?hasta={HASTA}"
        first, body = timed(client, path, headers)
        deep_page = max(1, body["total"] // 25 // 2)
        deep, _ = timed(client, f"{path}&page={deep_page}", headers)
        print(f"  {codigo:<5} figure {figures[codigo]:>15,}  units {body['total']:>9,}   "
              f"first page {first * 1000:6.0f} ms (target < 300 ms when over 100,000 people: "
              f"{'ok' if first < 0.3 else 'MISSED' if body['total'] > 100_000 else 'n/a'})   "
              f"page {deep_page:,} {deep * 1000:6.0f} ms   load {os.getloadavg()[0]:.1f}", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--url", help="a database bench/tableros.py's fill already filled (kept)")
    args = parser.parse_args()
    if args.url:
        run(args.url, None)
        return
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)


if __name__ == "__main__":
    main()
