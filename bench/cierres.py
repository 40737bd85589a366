"""Times the month close on a network-sized database: the close itself (checklist figures frozen
for two windows), a closed window's tablero (read from the frozen figures) against the same
window computed live, and a write through the gate with the period hook.

    .venv/bin/python bench/cierres.py [--participantes 200000] [--engines sqlite,postgresql]

Fills a fresh database like bench/tableros.py (20 centres, demo data 2014-01-01..2016-06-30, the
2015 vigencia), then closes November 2015 for Cartagena.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Participante, Staff  # noqa: E402
from databases import throwaway  # noqa: E402
from tableros import fill  # noqa: E402

REPEAT = 5
WINDOWS = ("desde=2015-11-01&hasta=2015-11-30", "desde=2015-01-01&hasta=2015-11-30")


def headers_for(client, username: str) -> dict:
    token = client.post("/api/v1/tokens", json={"username": username,
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def timed(client, paths, headers) -> float:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        for path in paths:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.get_json()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(url: str, count: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    with app.app_context():
        upgrade()
        fill(count)
        centro_id = db.session.scalar(sa.select(Staff.centro_id).where(Staff.username == "director.cartagena"))
        db.session.remove()
    client = app.test_client()
    director = headers_for(client, "director.cartagena")
    paths = [f"/api/v1/tableros/{t}?centro_id={centro_id}&{w}" for w in WINDOWS
             for t in ("global", "microcapitalizacion")]
    live = timed(client, paths, director)
    start = time.perf_counter()
    closed = client.post("/api/v1/cierres", json={"centro_id": centro_id, "mes": "2015-11"}, headers=director)
    close_time = time.perf_counter() - start
    assert closed.status_code == 201, closed.get_json()
    frozen = timed(client, paths, director)
    assert all(client.get(p, headers=director).get_json()["cerrado"] for p in paths)
    print(f"  close of one centre's month (figures of both tableros, two windows): {close_time * 1000:.0f} ms")
    print(f"  both tableros, both windows, one centre: live {live * 1000:.0f} ms, frozen {frozen * 1000:.0f} ms")
    asesor = headers_for(client, "asesor.cartagena")
    with app.app_context():
        people = db.session.scalars(sa.select(Participante.id).where(Participante.centro_id == centro_id)
                                    .order_by(Participante.id.desc()).limit(20)).all()
    writes, refused = [], []
    for person in people:
        for fecha, into in (("2015-12-01", writes), ("2015-11-15", refused)):
            start = time.perf_counter()
            response = client.post(f"/api/v1/participantes/{person}/actuaciones", headers=asesor,
                                   json={"tipo": "caracterizacion", "fecha": fecha})
            into.append(time.perf_counter() - start)
            assert response.status_code == (201 if into is writes else 422), response.get_json()
    print(f"  one actuación through the gate with the period hook: median {statistics.median(writes) * 1000:.0f} ms; "
          f"refused in the closed month: {statistics.median(refused) * 1000:.0f} ms")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=200_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)


if __name__ == "__main__":
    main()
