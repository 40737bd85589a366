"""Load on gunicorn with the production configuration (issue 14.7, issue 17.4).

    .venv/bin/python bench/load.py --engine postgresql --workers 4            # 50 clients, 60 s
    .venv/bin/python bench/load.py --engine sqlite --workers 1 --seconds 30

What it does, from nothing:
1. a throwaway database: a SQLite file in a temporary folder, or a PostgreSQL DATABASE
   `cemprende_bench_load_<x>` on the shared server (BENCH_POSTGRES_URL), dropped at the end;
2. migrations, the demo accounts and, in bulk, `--participantes` people with their itineraries
   (cemprende/demo_bulk.py, as `flask demo-data --masivo`); every centre's asesor gets a bench
   password (set in the database during the preparation, never through the login door);
3. gunicorn with gunicorn.conf.py, CEMPRENDE_ENV=production, a random SECRET_KEY, DATABASE_URL,
   UPLOAD_ROOT in the temporary folder and, with more than one worker, the shared rate-limit store
   RATELIMIT_STORAGE_URI=redis://…/<--redis-db> (production refuses several workers without it),
   on a free port; the access log goes to the temporary folder with the worker's pid added;
4. one API token per asesor (POST /api/v1/tokens, once each: the throttle counts failures only,
   so a bench that logs in right never meets it) and one page session per asesor (/login);
5. `--clients` client threads for `--seconds`, each the asesor of one centre, each waiting for its
   answer before the next request (closed loop) plus a think time (`--think`, mean seconds,
   uniform 0…2×mean; default 1 s: 50 people each clicking about once a second, far busier than
   staff at work; 0 = back to back, which measures the saturated server, where every
   latency is queueing: 50 clients / throughput). The mix (share of requests):
     25 %  look-up by document        GET /api/v1/participantes?documento=
     25 %  search by name or prefix   GET /api/v1/participantes?q=
     10 %  person (API)               GET /api/v1/participantes/<id>  (with its itinerary)
     10 %  person page (HTML)         GET /participantes/<id>
     10 %  write                      POST /api/v1/participantes/<id>/actuaciones (caracterizacion,
                                      two in three) or POST /api/v1/participantes (one in three)
     10 %  list                       GET /api/v1/participantes?page=…  or  GET /api/v1/vacantes
     10 %  one centre's tablero       GET /api/v1/tableros/global?centro_id=<own>&hasta=<yesterday>
   Every answer but the expected one (200, 201 for writes) counts as an error.
6. the figures: requests, errors, p50/p95/p99/max per kind and overall, throughput, and the
   machine's load average (it is shared);
7. the tablero check (issue 17.4): every tablero read of the run asks for a cut that ends
   yesterday (Bogotá), which no write of the run can move (the writes are dated today); all reads
   of one centre must answer the same figures, whichever worker served them — the access log
   names the worker (pid) of each request id, so the report says how many workers were compared.
   After the run (no writes any more) each centre's tablero up to today is read by several
   concurrent clients and must be identical too.

Rate limits: the only limits are on failed logins (5 per username, 20 per address in 15 minutes;
LOGIN_LIMIT_PER_USERNAME / LOGIN_LIMIT_PER_ADDRESS). The bench never fails a login, so it
leaves them as production has them; nothing is switched off.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import throwaway  # noqa: E402  (bench/databases.py: the one throwaway database)
VENV_BIN = Path(sys.executable).parent
BENCH_PASSWORD = "Bench-carga-" + "x7Qp2Lm9"
BOGOTA = ZoneInfo("America/Bogota")

MIX = [("documento", 25), ("busqueda", 25), ("persona_api", 10), ("persona_pagina", 10),
       ("escritura", 10), ("lista", 10), ("tablero", 10)]


def today_bogota() -> date:
    return datetime.now(BOGOTA).date()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used, from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ---- the database --------------------------------------------------------------------------

def backend_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database (same machine only)."""
    if not database_url.startswith("postgresql"):
        return {}
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars().all()
    finally:
        engine.dispose()
    return {pid: process_cpu(pid) for pid in pids}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def prepare(database_url: str, count: int, seed: int, out: Path, upload_root: Path) -> dict:
    """Migrations and demo data, in a process of its own (development settings: demo-data is
    refused in production); answers the accounts and a sample of people per centre."""
    env = {**os.environ, "CEMPRENDE_ENV": "development", "DATABASE_URL": database_url,
           "UPLOAD_ROOT": str(upload_root), "SECRET_KEY": secrets.token_hex(32)}
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    subprocess.run([sys.executable, __file__, "--_prepare", str(count), str(seed), str(out)],
                   cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def _prepare_here(count: int, seed: int, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select, update

    from cemprende import create_app
    from cemprende import demo, demo_bulk
    from cemprende.auth.passwords import hash_password
    from cemprende.extensions import db
    from cemprende.models import Participante, Staff

    app = create_app()
    with app.app_context():
        hasta = today_bogota()
        started = time.monotonic()
        demo.load(0, seed, hasta)
        # The bulk itineraries end yesterday: today's figures move only with the run's writes.
        demo_bulk.generate(count, seed, hasta - timedelta(days=900), hasta - timedelta(days=1))
        db.session.execute(update(Staff).where(Staff.rol == "asesor")
                           .values(password_hash=hash_password(BENCH_PASSWORD)))
        db.session.commit()
        accounts = [{"username": s.username, "centro_id": s.centro_id}
                    for s in db.session.scalars(select(Staff).where(Staff.rol == "asesor")
                                                .order_by(Staff.centro_id))]
        people: dict[int, list] = {}
        for account in accounts:
            rows = db.session.execute(
                select(Participante.id, Participante.numero_documento, Participante.nombres,
                       Participante.apellidos)
                .where(Participante.centro_id == account["centro_id"])
                .order_by(Participante.id).limit(300)).all()
            people[account["centro_id"]] = [list(r) for r in rows]
        accounts = [a for a in accounts if people[a["centro_id"]]]
        out.write_text(json.dumps({"accounts": accounts, "people": people,
                                   "seconds": round(time.monotonic() - started, 1)}))


# ---- gunicorn ------------------------------------------------------------------------------

ACCESS_FORMAT = '%(p)s %(s)s %(M)s %({x-request-id}o)s "%(m)s %(U)s"'  # no query strings


class Server:
    """gunicorn -c gunicorn.conf.py wsgi:app with the production settings, on a free port."""

    def __init__(self, database_url: str, folder: Path, workers: int | None,
                 redis_url: str | None, extra_env: dict | None = None):
        self.port = free_port()
        self.folder = folder
        self.access_log = folder / "access.log"
        self.output = folder / "gunicorn.log"
        env = {**os.environ, "CEMPRENDE_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
               "DATABASE_URL": database_url, "UPLOAD_ROOT": str(folder / "uploads"),
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_ACCESS_LOG": str(self.access_log)}
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        if redis_url:
            env["RATELIMIT_STORAGE_URI"] = redis_url
        env.update(extra_env or {})
        (folder / "uploads").mkdir(exist_ok=True)
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, wait: float = 90) -> None:
        self._log = open(self.output, "ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logformat",
             ACCESS_FORMAT, "wsgi:app"], cwd=ROOT, env=self.env, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn terminó al iniciar:\n{self.output.read_text()[-3000:]}")
            try:
                if request(self.port, "GET", "/api/v1/salud", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn no respondió a tiempo")

    def workers(self) -> int:
        match = re.findall(r"Booting worker with pid: (\d+)", self.output.read_text())
        return len(set(match))

    def pids_by_request(self) -> dict[str, str]:
        pids = {}
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 4:
                    pids[parts[3]] = parts[0].strip("<>")
        return pids

    def cpu(self) -> dict[int, float]:
        """CPU seconds of gunicorn's arbiter and of each live worker."""
        pids = [self.process.pid, *children(self.process.pid)]
        return {pid: process_cpu(pid) for pid in pids}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process:
            self._log.close()


# ---- HTTP ----------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body=None, headers: dict | None = None,
            timeout: float = 30.0) -> tuple[int, bytes, dict]:
    """One request on its own connection (gunicorn's sync workers close it after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = dict(headers or {})
        payload = None
        if body is not None:
            if isinstance(body, (dict, list)):
                payload = json.dumps(body).encode()
                sent["Content-Type"] = "application/json"
            else:
                payload = body
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def api_token(port: int, username: str) -> str:
    status, data, _ = request(port, "POST", "/api/v1/tokens",
                              {"username": username, "password": BENCH_PASSWORD})
    if status != 201:
        raise RuntimeError(f"token de {username}: {status} {data[:200]!r}")
    return json.loads(data)["token"]


def page_session(port: int, username: str) -> str:
    """Signs in on /login like a browser; answers the Cookie header of the session."""
    status, data, headers = request(port, "GET", "/login")
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', data).group(1).decode()
    from urllib.parse import urlencode

    form = urlencode({"username": username, "password": BENCH_PASSWORD, "csrf_token": csrf})
    status, data, headers = request(port, "POST", "/login", form.encode(), {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"ingreso de {username}: {status}")
    return headers["set-cookie"].split(";", 1)[0]


# ---- the clients ---------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, int, float, bool]] = []  # kind, status, seconds, ok
        self.errors: list[str] = []
        self.tableros: dict[int, list[tuple[str, str]]] = defaultdict(list)  # centre: (hash, request id)

    def add(self, kind: str, status: int, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.rows.append((kind, status, seconds, ok))
            if not ok and len(self.errors) < 15:
                self.errors.append(f"{kind} {status} {detail[:240]}")


def figures(body: bytes) -> str:
    """The tablero's figures, canonical, hashed (two reads agree when the hashes do)."""
    data = json.loads(body)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Client(threading.Thread):
    def __init__(self, number: int, port: int, account: dict, token: str, cookie: str,
                 people: list, deadline: float, think: float, results: Results, seed: int):
        super().__init__(daemon=True)
        self.port, self.account, self.people = port, account, people
        self.bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.cookie = {"Cookie": cookie}
        self.deadline, self.think, self.results = deadline, think, results
        self.rng = random.Random(seed * 1000 + number)
        self.number = number
        self.kinds = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]
        self.written = 0
        self.yesterday = (today_bogota() - timedelta(days=1)).isoformat()
        self.today = today_bogota().isoformat()

    def run(self) -> None:
        # Start spread over the first second, not all at once.
        time.sleep(self.rng.random())
        while time.monotonic() < self.deadline:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            method, path, body, headers, expected = getattr(self, kind)()
            started = time.monotonic()
            try:
                status, data, answer = request(self.port, method, path, body, headers)
            except OSError as error:
                self.results.add(kind, 0, time.monotonic() - started, False, repr(error))
                continue
            seconds = time.monotonic() - started
            ok = status == expected
            if ok and kind == "persona_pagina" and b"Traceback" in data:
                ok = False
            self.results.add(kind, status, seconds, ok, f"{path.split('?')[0]} {data[:200]!r}")
            if ok and kind == "tablero":
                with self.results.lock:
                    self.results.tableros[self.account["centro_id"]].append(
                        (figures(data), answer.get("x-request-id", "")))
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))

    def person(self):
        return self.rng.choice(self.people)

    def documento(self):
        return "GET", f"/api/v1/participantes?documento={self.person()[1]}", None, self.bearer, 200

    def busqueda(self):
        _, numero, nombres, apellidos = self.person()
        q = self.rng.choice([nombres.split()[0], apellidos.split()[0],
                             f"{nombres.split()[0]} {apellidos.split()[0]}", numero[:7]])
        from urllib.parse import quote

        return "GET", f"/api/v1/participantes?q={quote(q)}", None, self.bearer, 200

    def persona_api(self):
        return "GET", f"/api/v1/participantes/{self.person()[0]}", None, self.bearer, 200

    def persona_pagina(self):
        return "GET", f"/participantes/{self.person()[0]}", None, self.cookie, 200

    def escritura(self):
        self.written += 1
        if self.written % 3 == 0:
            numero = f"9{self.number:03d}{self.written:05d}{self.rng.randint(0, 99):02d}"
            return "POST", "/api/v1/participantes", {
                "tipo_documento": "CC", "numero_documento": numero, "nombres": "Carga",
                "apellidos": "De Prueba", "sexo": "F", "fecha_nacimiento": "1990-05-17",
                "municipio": "Cartagena", "consentimiento_datos": True}, self.bearer, 201
        return "POST", f"/api/v1/participantes/{self.person()[0]}/actuaciones", {
            "tipo": "caracterizacion", "fecha": self.today,
            "observaciones": "Actualización de la caracterización (carga)."}, self.bearer, 201

    def lista(self):
        if self.rng.random() < 0.5:
            return "GET", "/api/v1/vacantes", None, self.bearer, 200
        return ("GET", f"/api/v1/participantes?page={self.rng.randint(1, 5)}&per_page=25", None,
                self.bearer, 200)

    def tablero(self):
        return ("GET", f"/api/v1/tableros/global?centro_id={self.account['centro_id']}"
                       f"&hasta={self.yesterday}", None, self.bearer, 200)


# ---- figures -------------------------------------------------------------------------------

def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def print_figures(results: Results, seconds: float) -> dict:
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    for kind, status, elapsed, ok in results.rows:
        by_kind[kind].append(elapsed)
        if not ok:
            errors[kind] += 1
    print(f"\n{'clase':<16}{'peticiones':>11}{'errores':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'máx ms':>9}")
    summary = {}
    for kind in [k for k, _ in MIX] + ["total"]:
        values = sorted(by_kind[kind] if kind != "total" else [r[2] for r in results.rows])
        failed = errors[kind] if kind != "total" else sum(errors.values())
        if not values:
            continue
        row = {"n": len(values), "errores": failed, "p50": percentile(values, 50) * 1000,
               "p95": percentile(values, 95) * 1000, "p99": percentile(values, 99) * 1000,
               "max": values[-1] * 1000}
        summary[kind] = row
        print(f"{kind:<16}{row['n']:>11}{failed:>9}{row['p50']:>9.0f}{row['p95']:>9.0f}"
              f"{row['p99']:>9.0f}{row['max']:>9.0f}")
    total = summary.get("total", {"n": 0})
    print(f"\nthroughput: {total['n'] / seconds:.1f} peticiones/s en {seconds:.0f} s")
    statuses = Counter(status for _, status, _, _ in results.rows)
    print("estados HTTP:", dict(sorted(statuses.items())))
    for line in results.errors:
        print("  error:", line)
    return summary


def probe_tableros(port: int, tokens: dict, accounts: list, hasta: str, readers: int,
                   results: Results) -> None:
    """Many simultaneous reads of a few centres' tablero (so they land on different workers),
    added to the run's tablero reads; used in the middle of the run for the cut up to yesterday."""
    def read(account):
        path = f"/api/v1/tableros/global?centro_id={account['centro_id']}&hasta={hasta}"
        status, data, headers = request(port, "GET", path, None, {
            "Authorization": f"Bearer {tokens[account['username']]}"})
        with results.lock:
            results.tableros[account["centro_id"]].append(
                (figures(data) if status == 200 else f"HTTP {status}", headers.get("x-request-id", "")))

    threads = [threading.Thread(target=read, args=(a,)) for a in accounts for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def check_tableros(results: Results, server: Server, port: int, tokens: dict,
                   accounts: list, workers: int) -> bool:
    """Issue 17.4: the same cut answers the same figures from every worker."""
    pids = server.pids_by_request()
    ok = True
    workers_seen: set[str] = set()
    print("\nTablero (corte hasta ayer; ninguna escritura de la carga lo mueve; lecturas de la "
          "mezcla más, a mitad de la carga, lecturas simultáneas de tres centros):")
    for centro_id, reads in sorted(results.tableros.items()):
        hashes = Counter(h for h, _ in reads)
        served = {pids.get(rid) for _, rid in reads} - {None}
        workers_seen |= served
        same = len(hashes) == 1 and not next(iter(hashes)).startswith("HTTP")
        ok &= same
        print(f"  centro {centro_id:>3}: {len(reads):>4} lecturas, {len(served)} procesos, "
              f"{'cifras idénticas' if same else 'CIFRAS DISTINTAS: ' + str(dict(hashes))}")
    print(f"  procesos distintos que sirvieron el tablero: {len(workers_seen)} de {workers}")
    # After the run: the cut up to today (which the writes moved), read concurrently by several
    # clients per centre, once nothing writes any more.
    today = today_bogota().isoformat()
    readers = max(8, workers * 3)
    after: dict[int, list[tuple[str, str]]] = defaultdict(list)

    def read(account):
        path = f"/api/v1/tableros/global?centro_id={account['centro_id']}&hasta={today}"
        status, data, headers = request(port, "GET", path, None, {
            "Authorization": f"Bearer {tokens[account['username']]}"})
        after[account["centro_id"]].append((figures(data) if status == 200 else f"HTTP {status}",
                                            headers.get("x-request-id", "")))

    chosen = accounts[:6]
    threads = [threading.Thread(target=read, args=(a,)) for a in chosen for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.5)  # the access log line is written after the answer
    pids = server.pids_by_request()
    print(f"Tablero hasta hoy, tras la carga, {readers} lecturas simultáneas por centro:")
    for centro_id, reads in sorted(after.items()):
        hashes = Counter(h for h, _ in reads)
        served = {pids.get(rid) for _, rid in reads} - {None}
        same = len(hashes) == 1 and not next(iter(hashes)).startswith("HTTP")
        ok &= same
        print(f"  centro {centro_id:>3}: {len(reads)} lecturas, {len(served)} procesos, "
              f"{'cifras idénticas' if same else 'DISTINTAS: ' + str(dict(hashes))}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py's, 2 x CPU + 1)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean think time between a client's requests, seconds (0: none)")
    parser.add_argument("--participantes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                        help="rate-limit store when more than one worker serves")
    parser.add_argument("--_prepare", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._prepare:
        _prepare_here(int(args._prepare[0]), int(args._prepare[1]), Path(args._prepare[2]))
        return 0

    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    redis_url = args.redis if workers > 1 else None
    folder = Path(tempfile.mkdtemp(prefix="cemprende_load_"))
    server = None
    try:
        with throwaway(args.engine) as url:
            print(f"Motor: {args.engine}; gunicorn con {workers} procesos; {args.clients} clientes, "
                  f"{args.seconds:.0f} s, pausa media {args.think} s; "
                  f"límite de intentos en {redis_url or 'memoria'}", flush=True)
            data = prepare(url, args.participantes, args.seed, folder / "prepared.json",
                           folder / "uploads")
            print(f"Datos: {args.participantes} participantes en bloque, {len(data['accounts'])} "
                  f"centros con asesor ({data['seconds']} s)", flush=True)
            server = Server(url, folder, workers, redis_url)
            server.start()
            port = server.port
            tokens = {a["username"]: api_token(port, a["username"]) for a in data["accounts"]}
            cookies = {a["username"]: page_session(port, a["username"]) for a in data["accounts"]}
            results = Results()
            cpu_before = (server.cpu(), backend_cpu(url), time.process_time())
            print(f"Carga del sistema antes: {load_average()} (uptime, 1/5/15 min)", flush=True)
            started = time.monotonic()
            deadline = started + args.seconds
            clients = []
            for n in range(args.clients):
                account = data["accounts"][n % len(data["accounts"])]
                clients.append(Client(n, port, account, tokens[account["username"]],
                                      cookies[account["username"]],
                                      data["people"][str(account["centro_id"])], deadline,
                                      args.think, results, args.seed))
            for client in clients:
                client.start()
            # Halfway, while the clients write: each of three centres' tablero up to yesterday read
            # by many clients at once, so the reads spread over every worker.
            time.sleep(args.seconds / 2)
            yesterday = (today_bogota() - timedelta(days=1)).isoformat()
            probe_tableros(port, tokens, data["accounts"][:3], yesterday, max(8, workers * 3), results)
            for client in clients:
                client.join()
            elapsed = time.monotonic() - started
            cpu_after = (server.cpu(), backend_cpu(url), time.process_time())
            print(f"Carga del sistema al final: {load_average()}")
            summary = print_figures(results, elapsed)
            n = max(1, len(results.rows))
            app_cpu = cpu_delta(cpu_before[0], cpu_after[0])
            db_cpu = cpu_delta(cpu_before[1], cpu_after[1])
            client_cpu = cpu_after[2] - cpu_before[2]
            print(f"CPU usada en la carga (independiente de la espera por una máquina compartida): "
                  f"gunicorn {app_cpu:.1f} s ({app_cpu / n * 1000:.1f} ms por petición)"
                  + (f", PostgreSQL {db_cpu:.1f} s ({db_cpu / n * 1000:.1f} ms por petición)"
                     if args.engine == "postgresql" else "")
                  + f", este cliente {client_cpu:.1f} s ({client_cpu / n * 1000:.1f} ms por petición)")
            consistent = check_tableros(results, server, port, tokens, data["accounts"],
                                        server.workers())
            server.stop()
            total = summary.get("total", {})
            print(f"\nResultado: {total.get('n', 0)} peticiones, {total.get('errores', 0)} errores, "
                  f"p95 {total.get('p95', float('nan')):.0f} ms; tablero "
                  f"{'coherente' if consistent else 'INCOHERENTE'}")
            return 0 if total.get("errores", 1) == 0 and consistent else 1
    finally:
        if server:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
