"""The database goes away under load and comes back (issue 14.7).

    .venv/bin/python bench/outage.py [--workers 2] [--clients 4] [--down 10]

Starts a PostgreSQL cluster of its own (initdb + pg_ctl in a temporary folder, on a free port;
never the machine's shared server at 5432), prepares the demo data on it and serves the app with
gunicorn and the production settings (bench/load.py's Server). Light load runs throughout (API
look-ups, person pages, writes) while /api/v1/salud is polled four times a second. After
`--before` seconds the cluster is stopped (pg_ctl stop -m fast) for `--down` seconds, then started
again; the run goes on `--after` seconds more. Prints a timeline (one line a second) and checks:
- while the database is down, /api/v1/salud answers 503 and every other request a 503 in Spanish
  (the API's error shape with code base_de_datos_no_disponible, or the error page) — never a 500,
  never a traceback, never a hang (each answer in under 5 s);
- after the restart the same gunicorn workers serve again by themselves (no restart): salud back
  to 200 and no error at all from two seconds after the database accepts connections.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from load import Server, api_token, load_average, page_session, prepare, request, today_bogota  # noqa: E402
from pgcluster import Cluster, binaries  # noqa: E402

HANG_SECONDS = 5.0


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.rows: list[tuple[float, str, int, float, str]] = []  # t, kind, status, seconds, verdict
        self.events: list[tuple[float, str]] = []

    def now(self) -> float:
        return time.monotonic() - self.start

    def add(self, t, kind, status, seconds, verdict) -> None:
        with self.lock:
            self.rows.append((t, kind, status, seconds, verdict))

    def event(self, text: str) -> None:
        with self.lock:
            self.events.append((self.now(), text))
        print(f"  t={self.now():5.1f} s  {text}", flush=True)


def verdict(kind: str, status: int, data: bytes, expected: int) -> str:
    """ok | clear (a Spanish 503) | bad (anything else: a 500, a traceback, an unexpected code)."""
    if b"Traceback" in data or b"OperationalError" in data:
        return "bad"
    if status == expected:
        return "ok"
    if status == 503:
        if kind == "salud":
            return "clear" if json.loads(data) == {"estado": "sin_base_de_datos"} else "bad"
        if kind == "pagina":
            return "clear" if "La base de datos no está disponible".encode() in data else "bad"
        try:
            error = json.loads(data)["error"]
        except (ValueError, KeyError):
            return "bad"
        return "clear" if error.get("code") == "base_de_datos_no_disponible" else "bad"
    return "bad"


def worker(port, account, token, cookie, people, stop, log, rng, think):
    bearer = {"Authorization": f"Bearer {token}"}
    today = today_bogota().isoformat()
    while not stop.is_set():
        person = rng.choice(people)
        choice = rng.random()
        if choice < 0.5:
            kind, args, expected = "api", ("GET", f"/api/v1/participantes?documento={person[1]}", None, bearer), 200
        elif choice < 0.8:
            kind, args, expected = "pagina", ("GET", f"/participantes/{person[0]}", None, {"Cookie": cookie}), 200
        else:
            kind, args, expected = "escritura", ("POST", f"/api/v1/participantes/{person[0]}/actuaciones",
                                                 {"tipo": "caracterizacion", "fecha": today}, bearer), 201
        t = log.now()
        started = time.monotonic()
        try:
            status, data, _ = request(port, *args, timeout=30)
        except OSError:
            status, data = 0, b""
        seconds = time.monotonic() - started
        log.add(t, kind, status, seconds, verdict(kind, status, data, expected))
        time.sleep(rng.uniform(0, 2 * think))


def poll_salud(port, stop, log):
    while not stop.is_set():
        t = log.now()
        started = time.monotonic()
        try:
            status, data, _ = request(port, "GET", "/api/v1/salud", timeout=30)
        except OSError:
            status, data = 0, b""
        log.add(t, "salud", status, time.monotonic() - started, verdict("salud", status, data, 200))
        time.sleep(0.25)


def timeline(log: Log, down_at: float, up_at: float) -> bool:
    seconds = defaultdict(list)
    for row in log.rows:
        seconds[int(row[0])].append(row)
    print("\n  s   salud        otras: ok / 503 claros / malos   máx ms")
    for second in sorted(seconds):
        rows = seconds[second]
        salud = "".join("·" if r[2] == 200 else ("5" if r[2] == 503 else "X") for r in rows if r[1] == "salud")
        others = [r for r in rows if r[1] != "salud"]
        count = lambda v: sum(1 for r in others if r[4] == v)  # noqa: E731
        slowest = max((r[3] for r in rows), default=0) * 1000
        mark = ""
        for t, text in log.events:
            if int(t) == second:
                mark += f"  ← {text}"
        print(f"{second:>4}  {salud:<12} {count('ok'):>8} / {count('clear'):>4} / {count('bad'):>4}"
              f"   {slowest:>6.0f}{mark}")
    ok = True
    bad = [r for r in log.rows if r[4] == "bad"]
    if bad:
        ok = False
        print(f"\nRespuestas malas: {len(bad)}; primeras: {bad[:5]}")
    hangs = [r for r in log.rows if r[3] > HANG_SECONDS]
    if hangs:
        ok = False
        print(f"\nRespuestas de más de {HANG_SECONDS:.0f} s: {len(hangs)}")
    down = [r for r in log.rows if r[1] == "salud" and down_at + 0.5 < r[0] < up_at - 0.5]
    if not down or any(r[2] != 503 for r in down):
        ok = False
        print("\nSalud no respondió 503 durante toda la caída")
    back = [r for r in log.rows if r[1] == "salud" and r[0] > up_at and r[2] == 200]
    recovered = back[0][0] - up_at if back else None
    late = [r for r in log.rows if r[0] > up_at + 2 and r[4] != "ok"]
    if recovered is None or late:
        ok = False
        print(f"\nNo se recuperó sola: {len(late)} errores después de t={up_at + 2:.1f} s")
    during = [r for r in log.rows if r[1] != "salud" and down_at < r[0] < up_at]
    print(f"\nDurante la caída: {len(during)} peticiones, "
          f"{sum(1 for r in during if r[4] == 'clear')} con 503 claro, "
          f"{sum(1 for r in during if r[4] == 'bad')} malas; máx "
          f"{max((r[3] for r in during), default=0) * 1000:.0f} ms")
    if recovered is not None:
        print(f"Salud volvió a 200 {recovered:.2f} s después de que la base aceptó conexiones")
    print(f"Resultado: {'se comporta bien y se recupera sola' if ok else 'FALLA'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.2)
    parser.add_argument("--participantes", type=int, default=500)
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--down", type=float, default=10)
    parser.add_argument("--after", type=float, default=15)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    if binaries() is None:
        print("initdb no está instalado (paquete postgresql): no hay servidor propio que detener.")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="cemprende_outage_"))
    cluster = Cluster()
    server = None
    try:
        cluster.init()
        cluster.start()
        print(f"PostgreSQL propio en el puerto {cluster.port} ({cluster.folder}); "
              f"gunicorn con {args.workers} procesos", flush=True)
        url = cluster.create_database("cemprende_outage")
        data = prepare(url, args.participantes, 2015, folder / "prepared.json", folder / "uploads")
        server = Server(url, folder, args.workers, args.redis if args.workers > 1 else None)
        server.start()
        accounts = data["accounts"][:args.clients]
        tokens = {a["username"]: api_token(server.port, a["username"]) for a in accounts}
        cookies = {a["username"]: page_session(server.port, a["username"]) for a in accounts}
        print(f"Carga del sistema: {load_average()}", flush=True)
        log = Log()
        stop = threading.Event()
        threads = [threading.Thread(target=poll_salud, args=(server.port, stop, log), daemon=True)]
        for n in range(args.clients):
            account = accounts[n % len(accounts)]
            threads.append(threading.Thread(target=worker, daemon=True, args=(
                server.port, account, tokens[account["username"]], cookies[account["username"]],
                data["people"][str(account["centro_id"])], stop, log, random.Random(n), args.think)))
        log.event("inicio de la carga")
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        log.event("se detiene PostgreSQL (pg_ctl stop -m fast)")
        cluster.stop("fast")
        down_at = log.now()
        log.event("PostgreSQL detenido")
        time.sleep(args.down)
        log.event("se inicia PostgreSQL")
        cluster.start()
        up_at = log.now()
        log.event("PostgreSQL acepta conexiones")
        time.sleep(args.after)
        stop.set()
        for thread in threads:
            thread.join(timeout=35)
        log.event("fin")
        return 0 if timeline(log, down_at, up_at) else 1
    finally:
        if server:
            server.stop()
        cluster.destroy()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
