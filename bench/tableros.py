"""Times the network tablero (both tableros, every centre) on a network-sized database.

    .venv/bin/python bench/tableros.py [--participantes 1000000] [--engines sqlite,postgresql]

Fills a fresh database (schema by the migrations, so their indexes are the ones measured) with
demo data in bulk: 20 centres, the given participants and about six actuaciones each, dated
2014-01-01..2016-06-30. Then, for the cut 2015-12-31 (period: the 2015 vigencia, so a whole year
of actuaciones), prints per engine: the full request time (API: both tableros; page: both
tableros with the per-centre breakdown), the time of the bare SQL those requests run, and the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo, demo_bulk  # noqa: E402
from databases import throwaway  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402

HASTA = "2015-12-31"
REPEAT = 5
DETAIL = "--detalle" in sys.argv  # also print each statement slower than 10 ms


def fill(count: int) -> None:
    start = time.perf_counter()
    demo.load(0, seed=1, hasta=date(2015, 12, 31))  # centres, accounts, vigencia 2015 and metas
    db.session.commit()
    last = [time.perf_counter()]

    def progress(n):
        if time.perf_counter() - last[0] > 15:
            print(f"    … {progress.done:,} participants", flush=True)
            last[0] = time.perf_counter()
        progress.done += n
    progress.done = 0
    people, acts = demo_bulk.generate(count, seed=1, start=date(2014, 1, 1), end=date(2016, 6, 30),
                                      words=False, progress=progress)
    db.session.commit()
    print(f"  fill: {people:,} participants, {acts:,} actuaciones in {time.perf_counter() - start:.0f} s",
          flush=True)
    start = time.perf_counter()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    print(f"  analyze: {time.perf_counter() - start:.0f} s", flush=True)


class SqlRecorder:
    """Keeps the SQL (and parameters) that a request sends to the database."""

    def __init__(self, engine):
        self.statements = []
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def stop(self):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def replay_seconds(self, detail: bool = False) -> float:
        """The same statements on a raw DBAPI cursor: the database's own share of the time."""
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            start = time.perf_counter()
            for statement, parameters in self.statements:
                began = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall() if cursor.description else None
                if detail and time.perf_counter() - began > 0.01:
                    print(f"      {(time.perf_counter() - began) * 1000:6.0f} ms  {' '.join(statement.split())[:150]}")
            elapsed = time.perf_counter() - start
            raw.rollback()
            return elapsed
        finally:
            raw.close()


def measure(app, label: str, path: str, headers: dict | None = None) -> None:
    client = app.test_client()
    if headers is None:  # a page: log in as the supervisor
        page = client.get("/login").get_data(as_text=True)
        import re
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "supervisor.pnud", "password": demo.DEMO_PASSWORD,
                                    "csrf_token": token})
    paths = path if isinstance(path, list) else [path]
    for each in paths:  # warm caches
        assert client.get(each, headers=headers).status_code == 200
    request_times, sql_times, statements = [], [], 0
    with app.app_context():
        engine = db.engine
    for _ in range(REPEAT):
        recorder = SqlRecorder(engine)
        start = time.perf_counter()
        for each in paths:
            response = client.get(each, headers=headers)
            assert response.status_code == 200
        request_times.append(time.perf_counter() - start)
        recorder.stop()
        statements = len(recorder.statements)
        sql_times.append(recorder.replay_seconds(detail=DETAIL and not sql_times))
    request, sql = statistics.median(request_times), statistics.median(sql_times)
    print(f"  {label:<44} request {request * 1000:7.0f} ms   bare SQL {sql * 1000:7.0f} ms "
          f"({statements} statements)   ratio {request / sql:4.2f}", flush=True)


def run(url: str, count: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    with app.app_context():
        upgrade()
        fill(count)
        db.session.remove()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "supervisor.pnud",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    measure(app, "API: global + microcapitalización, network",
            [f"/api/v1/tableros/global?hasta={HASTA}", f"/api/v1/tableros/microcapitalizacion?hasta={HASTA}"],
            headers)
    measure(app, "page /tableros/ (both, with per-centre table)", f"/tableros/?hasta={HASTA}")
    measure(app, "API: one centre, both tableros",
            [f"/api/v1/tableros/global?hasta={HASTA}&centro_id=1",
             f"/api/v1/tableros/microcapitalizacion?hasta={HASTA}&centro_id=1"], headers)
    measure_writes(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def measure_writes(app) -> None:
    """An advisor recording services on the full database: the summary is kept on every write."""
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "asesor.cartagena",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        from cemprende.models import Participante, Staff
        centro_id = db.session.scalar(sa.select(Staff.centro_id).where(Staff.username == "asesor.cartagena"))
        people = db.session.scalars(sa.select(Participante.id).where(Participante.centro_id == centro_id)
                                    .order_by(Participante.id.desc()).limit(20)).all()
    samples = []
    for index, person in enumerate(people):
        # A route entry moves rows 12.x; the gate refuses the route the person is already in, so
        # the first other route is taken (only accepted writes are timed).
        bodies = ([{"tipo": "enrutamiento", "fecha": "2015-06-01", "destino": "empleabilidad"}] if index % 2
                  else [{"tipo": "ingreso_ruta", "fecha": "2015-06-01", "ruta": ruta}
                        for ruta in ("transforma", "desarrolla")])
        for body in bodies:
            start = time.perf_counter()
            response = client.post(f"/api/v1/participantes/{person}/actuaciones", json=body, headers=headers)
            if response.status_code == 201:
                samples.append(time.perf_counter() - start)
                break
            assert response.get_json()["error"]["code"] == "ruta_actual", response.get_json()
        else:
            raise AssertionError(f"no route left for {person}")
    print(f"  one actuación written (enrutamiento / ingreso_ruta, summary kept): median "
          f"{statistics.median(samples) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--detalle", action="store_true", help="time each slow statement")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes)

if __name__ == "__main__":
    main()
