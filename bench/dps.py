"""Times the DPS cross-check: the follow-up view, the export for DPS and DPS's answer.

    .venv/bin/python bench/dps.py [--participantes 100000] [--engines postgresql,sqlite]

Fills a fresh database as bench/tableros.py does (20 centres, the given participants, about six
actuaciones each, 2014-01-01..2016-06-30), then marks every person remitted by DPS and gives each one
`remision_dps` actuación (a week before their first actuación, programa by centre) and about half
of them a contact attempt (a benchmark's bulk fill, not through the gate). Then prints the median
of 3 requests (after one warm-up) of: the network follow-up view (supervisor), one centre's view
(its director), the export of that centre's remitted people (CSV read to the end, XLSX), the
network export (CSV), and a 5,000-row DPS answer for that centre, previewed and applied.
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Actuacion, ContactoIntento, Participante, Staff  # noqa: E402
from databases import throwaway  # noqa: E402
from tableros import fill  # noqa: E402

REPEAT = int(__import__("os").environ.get("BENCH_REPEAT", "3"))
RESULTADOS = ("localizado", "no_contesta", "numero_errado", "localizado", "desiste")


def remit() -> int:
    start = time.perf_counter()
    admin = db.session.scalar(select(Staff.id).where(Staff.username == "admin"))
    # Everyone remitted, so a centre holds a few thousand remitted people (a full DPS answer).
    db.session.execute(sa.update(Participante).values(remitido_dps=True, programa_dps="RIE 2013"))
    first = (select(Actuacion.participante_id, func.min(Actuacion.fecha).label("primera"))
             .group_by(Actuacion.participante_id).subquery())
    people = db.session.execute(
        select(Participante.id, Participante.centro_id, first.c.primera)
        .outerjoin(first, first.c.participante_id == Participante.id)
        .where(Participante.remitido_dps.is_(True))
        .execution_options(todos_los_centros=True)).all()
    now = datetime.now(UTC)
    rows, contacts = [], []
    for n, (person_id, centro_id, primera) in enumerate(people):
        fecha = (primera or datetime(2015, 6, 1).date()) - timedelta(days=7)
        rows.append({"participante_id": person_id, "centro_id": centro_id, "asesor_id": admin,
                     "tipo": "remision_dps", "fecha": fecha, "anulada": False, "creado_en": now,
                     "datos": {"programa": ("RIE 2013", "Jóvenes en Acción")[centro_id % 2]}})
        if n % 2 == 0:
            contacts.append({"participante_id": person_id, "centro_id": centro_id,
                             "fecha": fecha + timedelta(days=3), "medio": "telefono",
                             "resultado": RESULTADOS[n % len(RESULTADOS)], "staff_id": admin,
                             "creado_en": now})
    for chunk in range(0, len(rows), 10_000):
        db.session.execute(insert(Actuacion), rows[chunk:chunk + 10_000])
    for chunk in range(0, len(contacts), 10_000):
        db.session.execute(insert(ContactoIntento), contacts[chunk:chunk + 10_000])
    db.session.commit()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    print(f"  remissions: {len(rows):,}, contact attempts {len(contacts):,} in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    return len(rows)


def timed(call) -> tuple[float, object]:
    call()  # warm-up
    samples, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def token(client, username: str) -> dict:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": demo.DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def run(url: str, count: int) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    with app.app_context():
        upgrade()
        if count:
            fill(count)
            remit()
        # The centre with most remissions, and a director of it (with the demo password).
        centro_id, remitidos = db.session.execute(
            select(Actuacion.centro_id, func.count()).where(Actuacion.tipo == "remision_dps")
            .group_by(Actuacion.centro_id).order_by(func.count().desc()).limit(1)).one()
        username = f"director.bench{centro_id}"
        if db.session.scalar(select(Staff.id).where(Staff.username == username)) is None:
            db.session.add(Staff(username=username, nombre="Dirección (benchmark)", rol="director",
                                 centro_id=centro_id, activo=True,
                                 password_hash=db.session.scalar(select(Staff.password_hash)
                                                                 .where(Staff.username == "admin"))))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    supervisor, own = token(client, "supervisor.pnud"), token(client, username)

    def get(path, headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response

    seconds, response = timed(lambda: get("/api/v1/dps/seguimiento", supervisor))
    body = response.get_json()
    print(f"  network follow-up view: {len(body['items'])} lists, {body['total']['remitidos']:,} "
          f"remitted  {seconds * 1000:7.0f} ms", flush=True)
    seconds, _ = timed(lambda: get("/api/v1/dps/seguimiento", own))
    print(f"  one centre's view ({remitidos:,} remissions)            {seconds * 1000:7.0f} ms", flush=True)
    seconds, response = timed(lambda: get("/api/v1/dps/remitidos.csv", own).get_data(as_text=True))
    lines = response.count("\n") - 1
    print(f"  centre export CSV: {lines:,} rows                       {seconds * 1000:7.0f} ms", flush=True)
    seconds, response = timed(lambda: get("/api/v1/dps/remitidos.xlsx", own).data)
    print(f"  centre export XLSX: {len(response) / 1024:,.0f} KB                     "
          f"{seconds * 1000:7.0f} ms", flush=True)
    seconds, response = timed(lambda: get("/api/v1/dps/remitidos.csv", supervisor).get_data(as_text=True))
    print(f"  network export CSV: {response.count(chr(10)) - 1:,} rows                  "
          f"{seconds * 1000:7.0f} ms", flush=True)

    exported = list(csv.reader(io.StringIO(get("/api/v1/dps/remitidos.csv", own)
                                           .get_data(as_text=True)[1:]), delimiter=";"))[1:]
    with app.app_context():  # the opposite of what an earlier run applied, so the apply writes
        validated = db.session.scalar(select(func.count()).select_from(Participante).where(
            Participante.centro_id == centro_id, Participante.dps_vulnerabilidad_validada.is_(True)))
    vulnerabilidad = "no" if validated else "si"
    seen, answer_rows = set(), []
    for row in exported:
        if row[1] not in seen and len(answer_rows) < 5000:
            seen.add(row[1])
            answer_rows.append([row[0], row[1], vulnerabilidad, "no", "no", ""])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tipo_documento", "numero_documento", "vulnerabilidad_validada", "fallecido",
                     "reside_en_otra_ciudad", "ciudad"])
    writer.writerows(answer_rows)
    data = out.getvalue().encode()

    def post(aplicar: bool):
        response = client.post("/api/v1/dps/respuestas", headers=own, content_type="multipart/form-data",
                               data={"archivo": (io.BytesIO(data), "respuesta.csv"),
                                     "aplicar": "true" if aplicar else "false"})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    seconds, report = timed(lambda: post(False))
    print(f"  answer preview: {report['filas']:,} rows, {report['con_cambios']:,} to change    "
          f"{seconds * 1000:7.0f} ms", flush=True)
    start = time.perf_counter()
    report = post(True)
    applied = time.perf_counter() - start
    print(f"  answer apply: {report['con_cambios']:,} people updated            "
          f"{applied * 1000:7.0f} ms", flush=True)
    start = time.perf_counter()
    report = post(True)
    print(f"  same answer again: {report['con_cambios']:,} changed                 "
          f"{(time.perf_counter() - start) * 1000:7.0f} ms", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=100_000)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--url", help="a database this script filled before (--fill URL): not filled again")
    parser.add_argument("--fill", help="fill this (empty) database and time it, keeping it")
    args = parser.parse_args()
    if args.fill:
        run(args.fill, args.participantes)
        return
    if args.url:  # filled by an earlier run with --fill-only: timings only, kept
        run(args.url, 0)
        return
    for engine in args.engines.split(","):
        print(f"{engine}, {args.participantes:,} participants", flush=True)
        with throwaway(engine) as url:
            run(url, args.participantes)


if __name__ == "__main__":
    main()
