"""Fast fills of network-sized benchmark databases (PostgreSQL: COPY; SQLite: demo_bulk).

    from llenado import create_filled, fill        # bench scripts (bench/ is on sys.path)
    python bench/llenado.py --participantes 1000000 --nombre cemprende_bench_x_1m   # keep a database

The data set is demo_bulk.generate's, row for row (same seed, same random sequence): 20 centres'
accounts and metas from demo.load, participants with documents, names, ages and centres, about six
actuaciones each dated start..end in an order the gate would accept, the name words for the search,
and the tableros' summary rebuilt from the actuaciones (resumen.rebuild). On PostgreSQL the three
big tables lose their secondary indexes and constraints for the load, take the rows by COPY in
text format (large chunks, no per-row driver call), then get their indexes and constraints back,
the id sequences advanced, the summary rebuilt and VACUUM ANALYZE run. On SQLite it calls
demo_bulk.generate (already fast there).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cemprende import demo, demo_bulk, versiones  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Actuacion, Centro, Participante, ParticipantePalabra, Staff, Vacante  # noqa: E402
from cemprende.participantes.services import name_words  # noqa: E402
from cemprende.tableros import resumen  # noqa: E402
from cemprende.calidad import resumen as calidad_resumen  # noqa: E402

START, END, HASTA = date(2014, 1, 1), date(2016, 6, 30), date(2015, 12, 31)
TABLES = ("participante", "participante_palabra", "actuacion")
KEEP_PRIMARY = {"participante", "actuacion"}  # ids arrive in order: their primary keys stay
CHUNK = 20_000  # participants per COPY round

PERSON_COLUMNS = (
    "id", "centro_id", "tipo_documento", "numero_documento", "nombres", "apellidos",
    "nombre_busqueda", "sexo", "fecha_nacimiento", "municipio", "telefono", "correo", "etnia",
    "discapacidad", "desplazamiento", "tipo_poblacion", "remitido_dps", "programa_dps",
    "consentimiento_datos", "consentimiento_en", "consentimiento_por_id", "consentimiento_version",
    "creado_en", "creado_por_id", "actualizado_en", "version", "fallecido")
ACT_COLUMNS = ("id", "participante_id", "centro_id", "asesor_id", "tipo", "fecha", "categoria",
               "valor", "vacante_id", "autoempleos", "directos", "datos", "anulada",
               "motivo_anulacion", "anulada_en", "anulada_por_id", "creado_en")


def _text(value) -> str:
    """One value in COPY's text format (the generated values hold no tab, newline or backslash)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict):
        return "{}" if not value else json.dumps(value)
    return str(value)


def fill(count: int, seed: int = 1, start: date = START, end: date = END, hasta: date = HASTA,
         words: bool = True, log=print) -> dict:
    """Inside an app context on a migrated, empty database: the demo accounts, then `count`
    participants. Returns the timings (seconds) and row counts."""
    began = time.perf_counter()
    demo.load(0, seed=seed, hasta=hasta)  # centres, accounts, vigencia and metas
    db.session.commit()
    if db.engine.dialect.name != "postgresql":
        people, acts = demo_bulk.generate(count, seed=seed, start=start, end=end, words=words)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
        total = time.perf_counter() - began
        log(f"  fill (demo_bulk, SQLite): {people:,} participants, {acts:,} actuaciones in {total:.0f} s")
        return {"participantes": people, "actuaciones": acts, "total": total}
    return _fill_postgres(count, seed, start, end, words, log, began)


def _fill_postgres(count, seed, start, end, words, log, began) -> dict:
    timings = {}
    rng = random.Random(seed)  # nosec B311 - reproducible demo data, demo_bulk's sequence
    centros = list(db.session.scalars(select_open_centres(end)))
    asesores = {s.centro_id: s.id for s in db.session.scalars(sa.select(Staff).where(Staff.rol == "asesor"))}
    writer = demo_bulk.BulkWriter()
    now = datetime.now(UTC)
    span = (end - start).days
    vacantes = demo_bulk._vacantes(writer, rng, centros, asesores, start, span, now,
                                   per_centre=max(60, count // len(centros) // 25))
    vacante_ids = {centro_id: list(free) for centro_id, free in vacantes.items()}
    person_id, act_id = demo_bulk._next_id(Participante), demo_bulk._next_id(Actuacion)
    db.session.commit()

    import psycopg
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    driver = psycopg.connect(url, autocommit=True)
    try:
        driver.execute("SET synchronous_commit = off")
        driver.execute("SET maintenance_work_mem = '512MB'")
        restore = _drop_indexes(driver)
        t0 = time.perf_counter()
        now_text, annulled = now.isoformat(), 0
        actuaciones, last_log = 0, time.perf_counter()
        people_lines, word_lines, act_lines = [], [], []
        for n in range(count):
            centro = centros[n % len(centros)]
            asesor = asesores[centro.id]
            person = demo_bulk._person(rng, person_id, centro.id, asesor, now)
            person["fallecido"] = False
            people_lines.append("\t".join([_text(person[c]) for c in PERSON_COLUMNS]))
            if words:
                word_lines.extend(f"{w}\t{person_id}\t{centro.id}" for w in name_words(person["nombre_busqueda"]))
            begin = start + timedelta(days=rng.randint(0, span))
            head = f"\t{person_id}\t{centro.id}\t{asesor}\t"
            for tipo, fecha, extra in demo_bulk._itinerary(rng, begin, end, vacante_ids[centro.id],
                                                          vacantes[centro.id]):
                if rng.random() < 0.01:  # a few annulled, as demo_bulk does
                    tail = f"t\tError de digitación\t{now_text}\t{asesor}\t{now_text}"
                    annulled += 1
                else:
                    tail = f"f\t\\N\t\\N\t\\N\t{now_text}"
                act_lines.append(
                    f"{act_id}{head}{tipo}\t{fecha.isoformat()}\t{_text(extra.get('categoria'))}\t"
                    f"{_text(extra.get('valor'))}\t{_text(extra.get('vacante_id'))}\t"
                    f"{_text(extra.get('autoempleos'))}\t{_text(extra.get('directos'))}\t{{}}\t{tail}")
                act_id += 1
                actuaciones += 1
            person_id += 1
            if len(people_lines) >= CHUNK:
                _copy_all(driver, people_lines, word_lines, act_lines)
                if time.perf_counter() - last_log > 30:
                    log(f"    … {n + 1:,} participants ({time.perf_counter() - t0:.0f} s)")
                    last_log = time.perf_counter()
        _copy_all(driver, people_lines, word_lines, act_lines)
        timings["copy"] = time.perf_counter() - t0
        log(f"  COPY: {count:,} participants, {actuaciones:,} actuaciones in {timings['copy']:.0f} s")
        t0 = time.perf_counter()
        for statement in restore:
            driver.execute(statement)
        timings["indices"] = time.perf_counter() - t0
        log(f"  indexes and constraints rebuilt: {timings['indices']:.0f} s")
    finally:
        driver.close()
    t0 = time.perf_counter()
    writer = demo_bulk.BulkWriter()
    writer.advance_sequences((Vacante, Participante, Actuacion))
    rows = resumen.rebuild()
    versiones.bump_all()  # rows written by COPY, outside the session
    db.session.commit()
    timings["resumen"] = time.perf_counter() - t0
    log(f"  summary rebuilt (resumen.rebuild, {rows:,} day rows): {timings['resumen']:.0f} s")
    t0 = time.perf_counter()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
    timings["vacuum_analyze"] = time.perf_counter() - t0
    log(f"  VACUUM ANALYZE: {timings['vacuum_analyze']:.0f} s")
    timings["total"] = time.perf_counter() - began
    log(f"  fill total: {timings['total']:.0f} s")
    return {"participantes": count, "actuaciones": actuaciones, **timings}


def select_open_centres(end: date):
    return sa.select(Centro).where(Centro.abierto_al(end)).order_by(Centro.id)


def _copy_all(driver, people_lines: list, word_lines: list, act_lines: list) -> None:
    for table, columns, lines in (("participante", PERSON_COLUMNS, people_lines),
                                  ("participante_palabra", ("palabra", "participante_id", "centro_id"), word_lines),
                                  ("actuacion", ACT_COLUMNS, act_lines)):
        if not lines:
            continue
        with driver.cursor() as cursor:
            # Table and column names are this module's constants (bandit B608).
            # The queued writer sends from a thread: the server parses while Python generates.
            with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN',  # nosec B608
                             writer=QueuedLibpqWriter(cursor)) as copy:
                for at in range(0, len(lines), 5_000):
                    copy.write("\n".join(lines[at:at + 5_000]) + "\n")
        lines.clear()


def _drop_indexes(driver) -> list[str]:
    """Drops the big tables' secondary indexes and constraints; returns the statements that
    put them back (constraints after indexes, so a foreign key finds its referenced index)."""
    constraints = driver.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
        "FROM pg_constraint c WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('p','u','f')",
        [list(TABLES)]).fetchall()
    owned = {name for _, name, _, _ in constraints}
    indexes = driver.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
        [list(TABLES)]).fetchall()
    restore_indexes, restore_constraints = [], []
    for table, name, definition, kind in constraints:
        if kind == "p" and table in KEEP_PRIMARY:
            continue
        driver.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        restore_constraints.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for table, name, definition in indexes:
        if name in owned:
            continue
        driver.execute(f'DROP INDEX "{name}"')
        restore_indexes.append(definition)
    # Primary and unique keys first (foreign keys need them), then the rest.
    restore_constraints.sort(key=lambda s: " FOREIGN KEY " in s)
    return restore_indexes + restore_constraints


def database_size(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT pg_database_size(current_database())"))
    finally:
        engine.dispose()


def create_filled(name: str, count: int, seed: int = 1, words: bool = True) -> tuple[str, dict]:
    """A new PostgreSQL database `name` (dropped first if it exists), migrated and filled; kept."""
    from flask_migrate import upgrade
    from cemprende import create_app
    from cemprende.config import TestConfig
    from databases import PG_SERVER

    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        ARGON2_PARAMETERS = {}

    app = create_app(Config)
    with app.app_context():
        t0 = time.perf_counter()
        upgrade()
        print(f"  schema (migrations): {time.perf_counter() - t0:.0f} s", flush=True)
        result = fill(count, seed=seed, words=words, log=lambda s: print(s, flush=True))
        db.session.remove()
        db.engine.dispose()
    size = database_size(url)
    print(f"  database size: {size / 2**30:.2f} GiB ({size / 2**30 / (count / 1e6):.2f} GiB per "
          f"million participants)", flush=True)
    return url, {**result, "bytes": size}


def replicate(source: str, name: str, factor: int, scale_summary: bool = False) -> tuple[str, dict]:
    """A new database `name` holding `factor` copies of the filled database `source` (made by
    create_filled): a file copy of it (CREATE DATABASE … TEMPLATE), then, with the big tables'
    indexes and constraints dropped, factor-1 set-based INSERT … SELECT rounds that repeat every
    bulk participant (ids, documents and vacantes shifted, so each copy is a new person with the
    same names, ages, centre and itinerary), indexes and constraints back, sequences advanced,
    the summary rebuilt, VACUUM ANALYZE. For sizes whose Python generation would take hours.

    scale_summary: instead of resumen.rebuild, multiply the copied summary by `factor` (its rows
    are sums over people of each person's contribution, and every copy is disjoint people with
    the same contributions, in the same municipality): exact for resumen_diario/resumen_mensual/
    resumen_municipio/resumen_municipio_diario as they are today, and
    minutes faster at 30M actuaciones; check with `flask tableros-reconstruir --verificar`."""
    import psycopg
    from databases import PG_SERVER

    timings = {}
    began = time.perf_counter()
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    server.dispose()
    timings["template"] = time.perf_counter() - began
    print(f"  copy of {source}: {timings['template']:.0f} s", flush=True)
    url = PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    driver = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    try:
        driver.execute("SET synchronous_commit = off")
        driver.execute("SET maintenance_work_mem = '512MB'")
        people = driver.execute("SELECT max(id) FROM participante").fetchone()[0]
        acts = driver.execute("SELECT max(id) FROM actuacion").fetchone()[0]
        vacantes = driver.execute("SELECT max(id) FROM vacante").fetchone()[0] or 0
        restore = _drop_indexes(driver)
        t0 = time.perf_counter()
        person_columns = ", ".join(c for c in PERSON_COLUMNS if c not in ("id", "numero_documento"))
        act_columns = ", ".join(c for c in ACT_COLUMNS if c not in ("id", "participante_id", "vacante_id"))
        vacante_columns = "centro_id, empresa, cargo, cupos, fecha, creado_por_id, creado_en, version"
        for k in range(1, factor):
            # The offsets are integers computed here; the column lists are this module's constants.
            driver.execute(
                f"INSERT INTO vacante (id, {vacante_columns}) "  # nosec B608
                f"SELECT id + {k * vacantes}, {vacante_columns} FROM vacante WHERE id <= {vacantes}")
            driver.execute(
                f"INSERT INTO participante (id, numero_documento, {person_columns}) "  # nosec B608
                f"SELECT id + {k * people}, (2000000000 + id + {k * people})::text, {person_columns} "
                f"FROM participante WHERE id <= {people}")
            driver.execute(
                f"INSERT INTO participante_palabra (palabra, participante_id, centro_id) "  # nosec B608
                f"SELECT palabra, participante_id + {k * people}, centro_id FROM participante_palabra "
                f"WHERE participante_id <= {people}")
            driver.execute(
                f"INSERT INTO actuacion (id, participante_id, vacante_id, {act_columns}) "  # nosec B608
                f"SELECT id + {k * acts}, participante_id + {k * people}, vacante_id + {k * vacantes}, "
                f"{act_columns} FROM actuacion WHERE id <= {acts}")
            print(f"    … copy {k + 1} of {factor} ({time.perf_counter() - t0:.0f} s)", flush=True)
        timings["replicas"] = time.perf_counter() - t0
        print(f"  {factor - 1} set-based copies: {timings['replicas']:.0f} s", flush=True)
        t0 = time.perf_counter()
        for statement in restore:
            driver.execute(statement)
        timings["indices"] = time.perf_counter() - t0
        print(f"  indexes and constraints rebuilt: {timings['indices']:.0f} s", flush=True)
        for table in ("vacante", "participante", "actuacion"):
            driver.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                           f"(SELECT max(id) FROM \"{table}\"))")
    finally:
        driver.close()
    from cemprende import create_app
    from cemprende.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        t0 = time.perf_counter()
        if scale_summary:
            for table in ("resumen_diario", "resumen_mensual", "resumen_municipio",
                          "resumen_municipio_diario"):
                db.session.execute(sa.text(f"UPDATE {table} SET valor = valor * {int(factor)}"))  # nosec B608
            rows = db.session.scalar(sa.text("SELECT count(*) FROM resumen_diario"))
            calidad_resumen.rebuild()  # its keys are the copies' own advisors and months
        else:
            rows = resumen.rebuild()
        db.session.commit()
        timings["resumen"] = time.perf_counter() - t0
        how = f"scaled ×{factor}" if scale_summary else "resumen.rebuild"
        print(f"  summary ({how}, {rows:,} day rows): {timings['resumen']:.0f} s", flush=True)
        t0 = time.perf_counter()
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        timings["vacuum_analyze"] = time.perf_counter() - t0
        print(f"  VACUUM ANALYZE: {timings['vacuum_analyze']:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    timings["total"] = time.perf_counter() - began
    size = database_size(url)
    print(f"  replicated fill total: {timings['total']:.0f} s; database size: {size / 2**30:.2f} GiB",
          flush=True)
    return url, {**timings, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participantes", type=int, default=1_000_000)
    parser.add_argument("--nombre", required=True, help="database name, cemprende_bench_<you>_*")
    parser.add_argument("--sin-palabras", action="store_true", help="skip the name-word index table")
    parser.add_argument("--desde", help="replicate this filled database instead of generating")
    parser.add_argument("--veces", type=int, default=5, help="with --desde: how many copies")
    parser.add_argument("--escalar-resumen", action="store_true",
                        help="with --desde: multiply the copied summary instead of rebuilding it")
    args = parser.parse_args()
    if not args.nombre.startswith("cemprende_bench_"):
        parser.error("the name must start with cemprende_bench_")
    if args.desde:
        url, _ = replicate(args.desde, args.nombre, args.veces, scale_summary=args.escalar_resumen)
        print(url)
        return
    url, _ = create_filled(args.nombre, args.participantes, words=not args.sin_palabras)
    print(url)


if __name__ == "__main__":
    main()
