"""Times the network tablero (both tableros, every centre) on a network-sized database.

    .venv/bin/python bench/tableros.py [--participantes 1000000] [--engines sqlite,postgresql]
        [--sqlite-url URL] [--postgresql-url URL] [--solo-llenar] [--detalle]

With --sqlite-url / --postgresql-url the database named is kept: filled on the first run (when
it has no participants yet), upgraded by the migrations (which fill what they add to the summary), and
timed again on later runs. --solo-llenar fills (niced, outside the bench lock) and stops.

Fills a fresh database (schema by the migrations, so their indexes are the ones measured) with
demo data in bulk: 20 centres, the given participants and about six actuaciones each, dated
2014-01-01..2016-06-30. Then, for the cut 2015-12-31 (period: the 2015 vigencia, so a whole year
of actuaciones), prints per engine: the full request time (API: both tableros; page: both
tableros with the per-centre breakdown), the time of the bare SQL those requests run, and the ratio.

The figures are kept per centre while nothing they read is written (tableros.services.VALORES):
each request is timed three ways, each against the bare SQL of the uncomputed request (the
"cold" one, which runs every grouped query): cold (the process's kept figures emptied before each
request: the SQL of the whole computation), warm (repeated requests: only the version counters
and what is read live) and after a write (one actuación through the gate in centre 1 before each
request: that centre's figures recomputed).
"""
from __future__ import annotations

import argparse
import gc
import os
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
from databases import LABELS, throwaway  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402

HASTA = "2015-12-31"
# Each request and its bare SQL are timed in turn this many times. This machine's CPU speed swings
# by up to 2x from one second to the next (a shared host): the median of each is printed, and the
# fastest of each as well (what the work costs when the host lets it run), each with its ratio.
REPEAT = 15
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
            start, cpu = time.perf_counter(), time.process_time()
            for statement, parameters in self.statements:
                began = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall() if cursor.description else None
                if detail and time.perf_counter() - began > 0.01:
                    print(f"      {(time.perf_counter() - began) * 1000:6.0f} ms  {' '.join(statement.split())[:150]}")
            elapsed = time.perf_counter() - start
            raw.rollback()
            self.cpu = time.process_time() - cpu
            return elapsed
        finally:
            raw.close()


def measure(app, label: str, path: str, headers: dict | None = None, before=None,
            baseline: tuple[float, float] | None = None) -> tuple[float, float]:
    """Median and fastest bare SQL of the request; `before()` runs (untimed) before each timing;
    with `baseline` (median, fastest) the ratio is against that SQL (the uncached request's)."""
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
    request_times, sql_times, statements, cpu_times, sql_cpu = [], [], 0, [], []
    with app.app_context():
        engine = db.engine
    for _ in range(REPEAT):
        if before is not None:
            before()
        recorder = SqlRecorder(engine)
        start, cpu = time.perf_counter(), time.process_time()
        for each in paths:
            response = client.get(each, headers=headers)
            assert response.status_code == 200
        request_times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
        recorder.stop()
        statements = len(recorder.statements)
        sql_times.append(recorder.replay_seconds(detail=DETAIL and not sql_times))
        sql_cpu.append(recorder.cpu)
    request, sql = statistics.median(request_times), statistics.median(sql_times)
    own = f"own SQL {sql * 1000:.1f} ms" if baseline else ""
    median_sql, fastest_sql = baseline or (sql, min(sql_times))
    report(label, request, median_sql, statements, own)
    report("  fastest of each", min(request_times), fastest_sql, statements)
    print(f"  {'':<44} this process's CPU: request {statistics.median(cpu_times) * 1000:.1f} ms, "
          f"bare SQL {statistics.median(sql_cpu) * 1000:.1f} ms (SQLite runs in it; PostgreSQL's "
          "server CPU is not counted)", flush=True)
    return sql, min(sql_times)


def three_ways(app, label: str, path: str, headers: dict | None, write) -> None:
    """Cold (kept figures emptied), warm, and after one write in centre 1."""
    from cemprende.tableros import services
    cold = measure(app, f"{label} [cold]", path, headers, before=services.VALORES.items.clear)
    measure(app, f"{label} [warm]", path, headers, baseline=cold)
    measure(app, f"{label} [after a write]", path, headers, before=write, baseline=cold)


def report(label: str, request: float, sql: float, statements: int, note: str = "") -> None:
    limit = 1.3 * sql + 0.010
    print(f"  {label:<44} request {request * 1000:7.1f} ms   bare SQL {sql * 1000:7.1f} ms "
          f"({statements} statements{', ' + note if note else ''})   ratio {request / sql:4.2f}   "
          f"{'within' if request <= limit else 'OVER'} 1.3x+10 ms ({limit * 1000:.0f} ms)   "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def prepare(app, count: int, kept: bool) -> None:
    """A fresh database is filled; a kept one is filled only while empty, and otherwise only
    upgraded."""
    from cemprende.models import Participante
    with app.app_context():
        upgrade()
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Participante)) if kept else 0
        if not have:
            fill(count)
        else:
            print(f"  kept database: {have:,} participants", flush=True)
        db.session.remove()


def run(url: str, count: int, kept: bool = False, fill_only: bool = False) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    prepare(app, count, kept)
    if fill_only:
        return
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does in each production worker
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "supervisor.pnud",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    # Each HTTP request against its own SQL (the rule is per request): the two API
    # tableros one by one, the page (which computes both) as the one request it is.
    write = writer(app)
    for tablero in ("global", "microcapitalizacion"):
        three_ways(app, f"API: {tablero}, network", f"/api/v1/tableros/{tablero}?hasta={HASTA}", headers,
                   write)
    three_ways(app, "page /tableros/ (both, per-centre table)", f"/tableros/?hasta={HASTA}", None, write)
    for tablero in ("global", "microcapitalizacion"):
        three_ways(app, f"API: {tablero}, one centre", f"/api/v1/tableros/{tablero}?hasta={HASTA}&centro_id=1",
                   headers, write)
    measure_writes(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def writer(app):
    """One routing through the gate in centre 1 (asesor.cartagena's), a new person each time."""
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "asesor.cartagena",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        from cemprende.models import Participante
        people = iter(db.session.scalars(sa.select(Participante.id).where(Participante.centro_id == 1)
                                         .order_by(Participante.id).limit(200)).all())

    def write():
        body = {"tipo": "enrutamiento", "fecha": "2015-06-01", "destino": "empleabilidad"}
        response = client.post(f"/api/v1/participantes/{next(people)}/actuaciones", json=body,
                               headers=headers)
        assert response.status_code == 201, response.get_json()
    return write


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
    with app.app_context():
        engine = db.engine
    samples, sql_samples, statements = [], [], 0
    for index, person in enumerate(people):
        # A route entry moves rows 12.x; the gate refuses the route the person is already in, so
        # the first other route is taken (only accepted writes are timed).
        bodies = ([{"tipo": "enrutamiento", "fecha": "2015-06-01", "destino": "empleabilidad"}] if index % 2
                  else [{"tipo": "ingreso_ruta", "fecha": "2015-06-01", "ruta": ruta}
                        for ruta in ("transforma", "desarrolla")])
        for body in bodies:
            recorder = SqlRecorder(engine)
            start = time.perf_counter()
            response = client.post(f"/api/v1/participantes/{person}/actuaciones", json=body, headers=headers)
            elapsed = time.perf_counter() - start
            recorder.stop()
            if response.status_code == 201:
                samples.append(elapsed)
                # The same statements again, rolled back: the database's share of the write.
                statements = len(recorder.statements)
                sql_samples.append(recorder.replay_seconds())
                break
            assert response.get_json()["error"]["code"] == "ruta_actual", response.get_json()
        else:
            raise AssertionError(f"no route left for {person}")
    report("one actuación written (median of 20)", statistics.median(samples),
           statistics.median(sql_samples), statements)
    print(f"  {'':<44} max {max(samples) * 1000:.0f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--detalle", action="store_true", help="time each slow statement")
    parser.add_argument("--sqlite-url", help="a SQLite database to keep (filled when empty)")
    parser.add_argument("--postgresql-url", help="a PostgreSQL database to keep (filled when empty)")
    parser.add_argument("--solo-llenar", action="store_true", help="fill the kept databases and stop")
    args = parser.parse_args()
    print(f"{args.participantes:,} participants; load average {os.getloadavg()}", flush=True)
    for engine in args.engines.split(","):
        kept = getattr(args, f"{engine}_url")
        if kept:
            print(LABELS[engine], flush=True)
            run(kept, args.participantes, kept=True, fill_only=args.solo_llenar)
            continue
        with throwaway(engine) as url:
            run(url, args.participantes, fill_only=args.solo_llenar)

if __name__ == "__main__":
    main()
