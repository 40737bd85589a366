"""The whole network on PostgreSQL: tablero, a write through the gate, search, size, review queue.

    # once, niced, outside the lock (prints the fill times and the size):
    nice -n 10 .venv/bin/python bench/llenado.py --participantes 5000000 --nombre cemprende_bench_nacional_5m
    # the timings, under the lock:
    flock /tmp/bench.lock .venv/bin/python bench/nacional.py --nombre cemprende_bench_nacional_5m \
        [--partes tablero,escritura,busqueda,tamano,revision] [--llenar 5000000]

On a kept database filled by bench/llenado.py (demo_bulk's data set: 20 centres, about six
actuaciones a person dated 2014-01-01..2016-06-30), prints with the load average:
- tablero: the network tablero (both tableros, API through the test client; the page with the
  per-centre table) and the bare SQL those requests run (bench/tableros.py's recorder);
- escritura: N=50 actuaciones written through the gate (API, an asesor), median/p95 and CPU;
- busqueda: the participant search (API GET /api/v1/participantes) by name and by document,
  network-wide (supervisor) and in one centre (asesor), p50/p95;
- tamano: the database size, per million participants, and the largest tables;
- revision: the supervisor's review queue (/verificadores/, which counts the integrity alerts
  network-wide) and the alerts service alone, p50/p95.
Writes (escritura) stay in the database: run it last when the other figures are re-measured.
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import tableros as bench_tableros  # noqa: E402  (bench/tableros.py: recorder and measure)
from databases import PG_SERVER  # noqa: E402
from llenado import create_filled, database_size  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402

HASTA = "2015-12-31"
PARTES = ("tablero", "busqueda", "tamano", "revision", "escritura")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def token(client, username: str) -> dict:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": demo.DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def login(client, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": csrf})


def timed(client, path: str, headers=None, repeat: int = 11) -> tuple[list[float], float, dict]:
    first = client.get(path, headers=headers)  # warm
    assert first.status_code == 200, (path, first.status_code)
    samples, began = [], cpu()
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return samples, (cpu() - began) / repeat, first.get_json() if first.is_json else {}


# ---- parts ---------------------------------------------------------------------------------------

def tablero(app) -> None:
    print(f"tablero de la red (hasta {HASTA}, vigencia 2015)   [{load()}]", flush=True)
    client = app.test_client()
    headers = token(client, "supervisor.pnud")
    for name in ("global", "microcapitalizacion"):
        bench_tableros.measure(app, f"API: {name}, network", f"/api/v1/tableros/{name}?hasta={HASTA}", headers)
    bench_tableros.measure(app, "page /tableros/ (both, with per-centre table)", f"/tableros/?hasta={HASTA}")
    print(f"  [{load()}]", flush=True)


def escritura(app, n: int = 50) -> None:
    """An advisor recording actuaciones (enrutamiento / ingreso_ruta) through the API: the gate's
    rules, the person's lock and the summary kept, all in the request."""
    print(f"escritura por la compuerta (N={n})   [{load()}]", flush=True)
    client = app.test_client()
    headers = token(client, "asesor.cartagena")
    with app.app_context():
        from cemprende.models import Participante, Staff
        centro_id = db.session.scalar(sa.select(Staff.centro_id).where(Staff.username == "asesor.cartagena"))
        people = db.session.scalars(sa.select(Participante.id).where(Participante.centro_id == centro_id)
                                    .order_by(Participante.id.desc()).limit(n)).all()
        db.session.remove()
    samples, began = [], cpu()
    for index, person in enumerate(people):
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
    print(f"  one actuación through the gate (API):  {percentiles(samples)}  max "
          f"{max(samples) * 1000:.1f} ms  app CPU {(cpu() - began) / len(samples) * 1000:.1f} ms/write "
          f"[{load()}]", flush=True)


def busqueda(app) -> None:
    print(f"búsqueda de participantes (API GET /api/v1/participantes, primera página de 25 con total)   [{load()}]",
          flush=True)
    client = app.test_client()
    red, centro = token(client, "supervisor.pnud"), token(client, "asesor.cartagena")
    with app.app_context():
        from cemprende.models import Participante
        sample = db.session.execute(sa.select(Participante.numero_documento, Participante.nombre_busqueda)
                                    .order_by(Participante.id.desc()).limit(1)).one()
        db.session.remove()
    first, last = sample.nombre_busqueda.split()[0], sample.nombre_busqueda.split()[-1]
    queries = [
        ("name, one word (common)", f"q={first}"),
        ("name, two words", f"q={first}+{last}"),
        ("name, two prefixes", f"q={first[:3]}+{last[:3]}"),
        ("name, full", f"q={sample.nombre_busqueda.replace(' ', '+')}"),
        ("document, exact (documento=)", f"documento={sample.numero_documento}"),
        ("document, exact (q=)", f"q={sample.numero_documento}"),
        ("document, prefix of 8 digits (q=)", f"q={sample.numero_documento[:8]}"),
    ]
    for scope, headers in (("network (supervisor)", red), ("one centre (asesor)", centro)):
        for label, query in queries:
            samples, per_request_cpu, body = timed(client, f"/api/v1/participantes?{query}", headers)
            total = body.get("total", body.get("meta", {}).get("total", "?"))
            print(f"  {scope:<21} {label:<36} {percentiles(samples)}  CPU {per_request_cpu * 1000:6.1f} ms"
                  f"  ({total} found)", flush=True)
    print(f"  [{load()}]", flush=True)


def tamano(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        people = connection.scalar(sa.text("SELECT count(*) FROM participante"))
        acts = connection.scalar(sa.text("SELECT count(*) FROM actuacion"))
        size = connection.scalar(sa.text("SELECT pg_database_size(current_database())"))
        largest = connection.execute(sa.text(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
            "ORDER BY 2 DESC LIMIT 5")).all()
    engine.dispose()
    print(f"tamaño: {people:,} participants, {acts:,} actuaciones: {size / 2**30:.2f} GiB, "
          f"{size / 2**30 / (people / 1e6):.2f} GiB per million participants", flush=True)
    print("  largest tables (with indexes): " + ", ".join(f"{n} {s / 2**30:.2f} GiB" for n, s in largest))


def revision(app) -> None:
    """The supervisor's landing (the verifier review queue, with the network's alert counts and
    data-quality score): loads right after a write in one centre that the alerts and the score
    read (that centre's versions bumped, so its parts are computed again) and loads with nothing
    written since (reused); then the alerts and the score computed without the cache."""
    print(f"cola de revisión del supervisor   [{load()}]", flush=True)
    from cemprende import versiones
    client = app.test_client()
    login(client, "supervisor.pnud")

    with app.app_context():  # the centre an advisor writes in (real life: one centre at a time)
        from cemprende.models import Staff
        centro_id = db.session.scalar(sa.select(Staff.centro_id)
                                      .where(Staff.username == "asesor.cartagena"))
        for clave in sorted(versiones.TABLAS):  # a database filled before migration 0037
            if versiones.current(clave) is None:
                versiones.bump(clave)
        db.session.commit()
        db.session.remove()

    # What a write through the gate of one centre's advisor commits with it (versiones): an
    # actuación bumps that centre's alerts and activity cells; registering a person, its people's
    # cells. The other centres' parts stay.
    actuacion = (versiones.ALERTAS, versiones.CALIDAD)
    registro = (versiones.PERSONAS,)

    def written(claves):
        with app.app_context():
            for clave in sorted(claves):
                versiones.bump(versiones.parte(clave, centro_id))
            db.session.commit()
            db.session.remove()

    for label, path, claves in (
            ("page /verificadores/ (review queue)", "/verificadores/", actuacion),
            ("  same, after registering a person", "/verificadores/", registro),
            ("  same, after both in the centre", "/verificadores/", actuacion + registro),
            ("page /inicio/red (network home)", "/inicio/red", actuacion)):
        assert client.get(path).status_code == 200  # warm
        after_write = []
        for _ in range(3):
            written(claves)
            start = time.perf_counter()
            assert client.get(path).status_code == 200
            after_write.append(time.perf_counter() - start)
        samples, per_request_cpu, _ = timed(client, path, repeat=7)
        print(f"  {label:<38} after a write {percentiles(after_write)}   "
              f"nothing written since {percentiles(samples)}  app CPU {per_request_cpu * 1000:6.1f} ms",
              flush=True)
    with app.test_request_context():
        from cemprende.calidad import services as calidad
        from cemprende.microfinanciamiento import alertas, services as microfinanciamiento
        from cemprende.models import Staff
        supervisor = db.session.scalar(sa.select(Staff).where(Staff.username == "supervisor.pnud"))
        from cemprende.itinerario.dia import today_bogota
        found = microfinanciamiento.alerts(supervisor, {})

        def uncached(call, *args):
            """Every part computed again (the cache emptied first)."""
            for partes in (alertas.PARTES, calidad.PARTES, calidad.PARTES_PERSONAS):
                partes.items.clear()
            return call(*args)
        for label, call in (
                ("alerts computed (no cache), network",
                 lambda: alertas._compute(None, None, today_bogota(), found.umbrales,
                                          (found.desde, found.hasta))),
                ("calidad.score (network, no cache)", lambda: uncached(calidad.score, supervisor, {})),
                ("calidad.score (network, cached)", lambda: calidad.score(supervisor, {}))):
            call()
            samples = []
            for _ in range(3):
                start = time.perf_counter()
                result = call()
                samples.append(time.perf_counter() - start)
            extra = f"  ({len(result)} alerts)" if isinstance(result, list) else ""
            print(f"  {label:<38} {percentiles(samples)}{extra}", flush=True)
        db.session.remove()
    print(f"  [{load()}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", default="cemprende_bench_nacional_5m")
    parser.add_argument("--llenar", type=int, metavar="PARTICIPANTES",
                        help="create and fill the database first (else it must exist)")
    parser.add_argument("--partes", default=",".join(PARTES))
    args = parser.parse_args()
    if args.llenar:
        url, info = create_filled(args.nombre, args.llenar)
    else:
        url = PG_SERVER.rsplit("/", 1)[0] + f"/{args.nombre}"
        database_size(url)  # fails early when the database is not there

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does in each production worker
    parts = args.partes.split(",")
    for part in PARTES:  # the writes last: the other figures are of the filled data
        if part in parts:
            if part == "tamano":
                tamano(url)
            else:
                globals()[part](app)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
