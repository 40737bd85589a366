"""Times the breakdown of network rows by municipio against the row itself.

    .venv/bin/python bench/desgloses.py [--participantes 1000000] [--engines postgresql,sqlite]
    .venv/bin/python bench/desgloses.py --url postgresql+psycopg://.../db   # already filled: no fill
    .venv/bin/python bench/desgloses.py --url sqlite:////tmp/x.sqlite3 --llenar --participantes 100000
    .venv/bin/python bench/desgloses.py --url postgresql+psycopg://.../copy --repartir   # spread first

Fills a fresh database as bench/tableros.py does (20 centres, the given participants, about six
actuaciones each, 2014-01-01..2016-06-30; the people then spread over 60 municipalities of the
catalogue and "Sin información"), then for the cut 2015-12-31 (period: the 2015
vigencia), for several network rows, prints the median of 5 runs (after one warm-up) of:
  row        the row's figure as the tablero computes it (queries.compute for that one row:
             summary tables for first routings, counts and routes; COUNT(DISTINCT) for persons);
  units      the same figure counted live from its drill-down units (SELECT count(*) over
             drilldown.units: what the breakdown has to read);
  desglose   GET /api/v1/tableros/<t>/filas/<codigo>/desglose?por=municipio as the PNUD
             supervisor (the whole request);
and the target 1.5 × row + 50 ms (issue 12) with whether the breakdown meets it, plus the same
target taken over the live count.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402

from cemprende import create_app, demo, lugares  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Participante  # noqa: E402
from cemprende.scoping import ALL_CENTRES_OPTION  # noqa: E402
from cemprende.tableros import drilldown, queries, resumen  # noqa: E402
from cemprende.tableros.registry import POR_CODIGO  # noqa: E402
from databases import throwaway  # noqa: E402
from tableros import fill  # noqa: E402

HASTA = "2015-12-31"
DESDE = "2015-01-01"
REPEAT = 5
ROWS = [("global", "1.1"), ("global", "6.2"), ("global", "8"), ("global", "2.1"), ("global", "12.1"),
        ("microcapitalizacion", "M4.n")]


def median_of(run) -> tuple[float, object]:
    run()  # warm-up
    samples, value = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        value = run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), value


def spread_municipios(parts: int = 60) -> None:
    """The bulk data set types one municipality for everybody; spread the people over `parts`
    municipalities of the catalogue (and 1 in 20 unknown), so the breakdown has real groups."""
    start = time.perf_counter()
    catalogue = lugares.municipios()[:: max(1, len(lugares.municipios()) // parts)][:parts]
    p = Participante.__table__
    for index, municipio in enumerate(catalogue):
        db.session.execute(update(p).where(p.c.id % (parts + 3) == index)
                           .values(municipio_oficial=municipio.nombre, subregion=municipio.subregion))
    # The bulk UPDATE bypasses the flush: the summary by municipio is rebuilt after it.
    rows = resumen.rebuild_by_municipio()
    db.session.commit()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE participante"))
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()
    print(f"  municipios spread over {len(catalogue)} in {time.perf_counter() - start:.0f} s "
          f"(resumen_municipio rebuilt: {rows:,} rows)", flush=True)


def run(url: str, count: int | None, por: str, spread: bool = False) -> None:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    if count is not None:
        with app.app_context():
            upgrade()
            fill(count)
            spread_municipios()
            db.session.remove()
    elif spread:  # a copy filled elsewhere (bench/tableros.py, llenado.py): one municipality for all
        with app.app_context():
            upgrade()
            spread_municipios()
            db.session.remove()
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "supervisor.pnud",
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    desde, hasta = date.fromisoformat(DESDE), date.fromisoformat(HASTA)
    for tablero, codigo in ROWS:
        fila = POR_CODIGO[codigo]
        with app.app_context():
            def row():
                values = queries.compute([fila], desde, hasta, None)
                return sum(each.get(codigo, 0) for each in values.values())

            def units():
                u = drilldown.units(fila, desde, hasta, None).subquery()
                return db.session.execute(select(func.count()).select_from(u)
                                          .execution_options(**{ALL_CENTRES_OPTION: True})).scalar()
            row_time, figure = median_of(row)
            units_time, counted = median_of(units)
            db.session.remove()

        def breakdown():
            response = client.get(f"/api/v1/tableros/{tablero}/filas/{codigo}/desglose"
                                  f"?por={por}&desde={DESDE}&hasta={HASTA}", headers=headers)
            assert response.status_code == 200, response.get_json()
            return response.get_json()
        took, body = median_of(breakdown)
        assert body["total"] == figure == counted, (codigo, body["total"], figure, counted)
        target = 1.5 * row_time + 0.05
        live_target = 1.5 * units_time + 0.05
        print(f"  {codigo:<5} figure {figure:>9,}  groups {len(body['grupos']):>4}   row {row_time * 1000:7.0f} ms"
              f"   units {units_time * 1000:7.0f} ms   desglose {took * 1000:7.0f} ms   "
              f"target {target * 1000:6.0f} ms {'ok' if took <= target else 'MISSED'}   "
              f"(over the live count: {live_target * 1000:6.0f} ms {'ok' if took <= live_target else 'MISSED'})"
              f"   load {os.getloadavg()[0]:.1f}",
              flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--por", default="municipio")
    parser.add_argument("--url", help="a database this script (or bench/tableros.py's fill) already filled")
    parser.add_argument("--llenar", action="store_true", help="with --url: fill that (empty) database first")
    parser.add_argument("--hasta", default="2015-12-31",
                        help="the cut (period from 2015-01-01); mid-month, the summary's loose days are live")
    parser.add_argument("--repartir", action="store_true",
                        help="with --url: upgrade and spread its people over the municipalities first "
                             "(a writable copy of a database filled by bench/tableros.py or llenado.py)")
    args = parser.parse_args()
    global HASTA
    HASTA = args.hasta
    if args.url:
        run(args.url, args.participantes if args.llenar else None, args.por, args.repartir)
        return
    for engine in args.engines.split(","):
        with throwaway(engine) as url:
            run(url, args.participantes, args.por)


if __name__ == "__main__":
    main()
