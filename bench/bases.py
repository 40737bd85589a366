"""Times the `participantes` base of the whole network, as CSV (streamed) and as XLSX (prepared in
the background), on a network-sized database.

    .venv/bin/python bench/bases.py [--participantes 1000000] [--engines sqlite,postgresql]
    .venv/bin/python bench/bases.py --database URL [--participantes N]   # keep and reuse a database
    ... [--formatos csv|xlsx|csv,xlsx]   # which downloads to time (both by default)

With --database the given database is used (and kept): filled with N participants only when it has
none yet, so repeated runs time the same data without filling it again.

Fills a fresh database with bench/tableros.py's fill (20 centres, the given participants and about
six actuaciones each, dated 2014-01-01..2016-06-30), then asks as the PNUD supervisor for the
period 2014-01-01..2016-06-30 (every person is in it) and prints per engine:
- CSV: total time, time to the first row of data (the BOM alone does not count), rows, size;
- XLSX: time from the request (202) until the file is ready, and its rows;
- for each, the growth of this process's resident memory (VmRSS of /proc/self/status, sampled
  while the rows flow) over what it was before the request.
Targets (issue 12): CSV < 20 s, first byte < 1 s, XLSX < 90 s, RSS growth < 100 MB.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from cemprende import create_app, demo, jobs  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import ArchivoExportado, Participante  # noqa: E402
from databases import throwaway  # noqa: E402
from tableros import fill  # noqa: E402

PERIOD = "desde=2014-01-01&hasta=2016-06-30"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """Samples VmRSS every 50 ms on a thread; `growth` is the peak over the baseline."""

    def __init__(self):
        self.baseline = rss_mb()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
        return self.peak - self.baseline


def load() -> str:
    with open("/proc/loadavg") as loadavg:
        return loadavg.read().split()[0]


def measure_csv(client, headers) -> None:
    sampler = RssSampler()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/v1/bases/participantes.csv?{PERIOD}", headers=headers,
                          buffered=False)
    assert response.status_code == 200, response.status_code
    first = None
    size = lines = 0
    for piece in response.response:
        data = piece.encode() if isinstance(piece, str) else piece
        if first is None and data.strip(b"\xef\xbb\xbf"):
            first = time.perf_counter() - start
        size += len(data)
        lines += data.count(b"\n")
    response.close()
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    growth = sampler.stop()
    print(f"  CSV participantes (network): {lines - 1:,} rows, {size / 1e6:.0f} MB in {total:.1f} s "
          f"(this process's CPU {cpu:.1f} s); first row after {first * 1000:.0f} ms; "
          f"RSS +{growth:.0f} MB\n    targets: total < 20 s, first row < 1 s, RSS < +100 MB "
          f"(load average now {load()})", flush=True)


def measure_xlsx(app, client, headers) -> None:
    sampler = RssSampler()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/v1/bases/participantes.xlsx?{PERIOD}", headers=headers)
    answered = time.perf_counter() - start
    if response.status_code == 422:
        print(f"  XLSX: {response.get_json()['error']['message']}", flush=True)
        sampler.stop()
        return
    assert response.status_code == 202, (response.status_code, response.get_data()[:200])
    archivo_id = response.get_json()["id"]
    jobs.wait_for_threads(timeout=1800)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    growth = sampler.stop()
    with app.app_context():
        archivo = db.session.get(ArchivoExportado, archivo_id)
        state, rows, path = archivo.estado, archivo.filas, archivo.ruta
        size = (Path(app.config["UPLOAD_ROOT"]) / path).stat().st_size if path else 0
    print(f"  XLSX participantes (network, background): 202 in {answered * 1000:.0f} ms, "
          f"{state} with {rows:,} rows ({size / 1e6:.0f} MB) after {total:.1f} s (CPU {cpu:.1f} s); "
          f"RSS +{growth:.0f} MB\n    targets: ready < 90 s, RSS < +100 MB (load average now {load()})",
          flush=True)


def run(url: str, count: int, upload_root: str, reuse: bool = False,
        formats: tuple[str, ...] = ("csv", "xlsx")) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}
        UPLOAD_ROOT = upload_root
        BASES_XLSX_FONDO_FILAS = min(100_000, count // 10)  # the background path is the one timed

    app = create_app(Config)
    with app.app_context():
        upgrade()
        filled = reuse and db.session.scalar(sa.select(sa.func.count()).select_from(Participante))
        if filled:
            print(f"  reusing the database: {filled:,} participants", flush=True)
        else:
            fill(count)
        db.session.remove()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "supervisor.pnud",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    print(f"  load average before: {load()} (2 cores shared with other work)", flush=True)
    if "csv" in formats:
        measure_csv(client, headers)
        measure_csv(client, headers)  # warm caches: the second run is the figure
    if "xlsx" in formats:
        measure_xlsx(app, client, headers)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--database", help="a database URL to use and keep (filled once)")
    parser.add_argument("--formatos", default="csv,xlsx", help="csv, xlsx or both")
    args = parser.parse_args()
    formats = tuple(args.formatos.split(","))
    if args.database:
        with tempfile.TemporaryDirectory(dir="/tmp") as folder:
            run(args.database, args.participantes, folder, reuse=True, formats=formats)
        return
    for engine in args.engines.split(","):
        with throwaway(engine) as url, tempfile.TemporaryDirectory(dir="/tmp") as folder:
            run(url, args.participantes, folder, formats=formats)


if __name__ == "__main__":
    main()
