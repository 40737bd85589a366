"""Backups (issue 14.3): create → a fresh empty database and store → restore → every row of every
table and every file identical, on the engine of the run; tampered backups and non-empty targets
refused; private permissions; the store's sweeper."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from conftest import BASE_URL, _drop_postgres_database, _empty_tables, person_payload, stored_files
from documents import pdf_bytes
from cemprende import create_app
from cemprende.config import TestConfig
from cemprende.extensions import db
from cemprende.models import Centro, Verificador

ON_POSTGRES = BASE_URL.startswith("postgresql")


# ---- a second, empty place to restore into ---------------------------------------------------

def _fresh_database_url(database_url: str, folder: Path) -> str:
    if not ON_POSTGRES:
        return f"sqlite:///{folder}/restaurada.sqlite3"
    # A throwaway database on the shared server, under a name of this test's own.
    server = make_url(database_url)
    name = f"cemprende_test_backup_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def target(database_url):
    """An app on a brand-new empty database and an empty document store (the 'wiped' server);
    target(schema=True) has run create_all first, as `flask db upgrade` would."""
    made = []

    def make(schema: bool = False):
        folder = Path(tempfile.mkdtemp(prefix="cemprende-restaurada-"))
        url = _fresh_database_url(database_url, folder)

        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            SERVER_NAME = None
            UPLOAD_ROOT = str(folder / "documentos")

        application = create_app(Config)
        made.append((application, url, folder))
        if schema:
            with application.app_context():
                db.create_all()
        return application

    yield make
    for application, url, folder in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if url.startswith("postgresql"):
            _drop_postgres_database(url)
        shutil.rmtree(folder, ignore_errors=True)


def upload_documents(api, world, count: int = 3) -> None:
    """One person of centre A with `count` verifier documents (real PDFs)."""
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()
    for index, prefijo in enumerate(["CC", "HV", "PN", "AC"][:count]):
        response = caller.post("/verificadores", data={
            "participante_id": str(person["id"]), "prefijo": prefijo,
            "archivo": (io.BytesIO(pdf_bytes(f"documento {index}")), f"doc{index}.pdf")},
            content_type="multipart/form-data")
        assert response.status_code == 200 and response.get_json()["vinculados"] == 1, \
            response.get_json()


# ---- how two installations are compared ------------------------------------------------------

def every_row(application) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (all columns when there is none)."""
    with application.app_context():
        engine = db.engine
        inspector = sa.inspect(engine)
        tables = {}
        with engine.connect() as connection:
            for table in sorted(inspector.get_table_names()):
                columns = [c["name"] for c in inspector.get_columns(table)]
                order = inspector.get_pk_constraint(table)["constrained_columns"] or columns
                listed = ", ".join(f'"{c}"' for c in columns)
                ordered = ", ".join(f'"{c}"' for c in order)
                tables[table] = [tuple(r) for r in connection.execute(
                    sa.text(f'SELECT {listed} FROM "{table}" ORDER BY {ordered}'))]
        return tables


def every_file(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in stored_files(root) if ".tmp" not in p.relative_to(root).parts}


def upload_root_of(application) -> Path:
    return Path(application.config["UPLOAD_ROOT"])


def restore(application, source: Path):
    return application.test_cli_runner().invoke(args=["backup", "restore", str(source)])


@pytest.fixture(scope="module")
def demo_backup(app, upload_root, tmp_path_factory):
    """Demo people, itineraries and verifier documents, backed up once for this module (each
    test then starts on the emptied database, as every test does): the backup, and the rows
    and files it was made of."""
    with app.app_context():
        _empty_tables()  # whatever the previous test of the session left
    for child in upload_root.iterdir():
        shutil.rmtree(child)
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["demo-data", "--participantes", "12", "--seed", "5",
                                 "--hasta", "2026-03-31"])
    assert loaded.exit_code == 0, loaded.output
    rows, files = every_row(app), every_file(upload_root)
    dest = tmp_path_factory.mktemp("respaldos") / "respaldo-demo"
    created = runner.invoke(args=["backup", "create", str(dest)])
    assert created.exit_code == 0, created.output
    assert "Respaldo creado" in created.output
    return dest, rows, files


@pytest.fixture
def backup(demo_backup, tmp_path):
    """A copy of the demo backup this test may spoil."""
    copy = tmp_path / "respaldo"
    shutil.copytree(demo_backup[0], copy)
    return copy


# ---- create → wipe → restore -----------------------------------------------------------------

@pytest.mark.parametrize("schema", [False, True], ids=["base-en-blanco", "base-con-tablas-vacias"])
def test_create_then_restore_on_an_empty_server_gives_back_every_row_and_file(
        demo_backup, target, schema):
    dest, before_rows, before_files = demo_backup
    assert sum(len(rows) for rows in before_rows.values()) > 300
    assert len(before_files) > 10 and before_rows["verificador"]
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["motor"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["tablas"] == {t: len(rows) for t, rows in before_rows.items()}
    assert manifest["creado"].endswith("Z") and manifest["revision_codigo"]
    # Every file of the backup has its checksum, the documents keep their content hash.
    on_disk = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert set(manifest["archivos"]) == on_disk - {"manifest.json", "manifest.json.sha256"}
    for relative, info in manifest["archivos"].items():
        assert hashlib.sha256((dest / relative).read_bytes()).hexdigest() == info["sha256"]
    assert {f"documentos/{k}": v for k, v in before_files.items()} == {
        k: v["sha256"] for k, v in manifest["archivos"].items() if k.startswith("documentos/")}

    fresh = target(schema=schema)
    restored = restore(fresh, dest)
    assert restored.exit_code == 0, restored.output
    assert "Filas sin archivo: 0" in restored.output and "Archivos sin fila: 0" in restored.output
    assert "Restauración completa y verificada" in restored.output

    after_rows = every_row(fresh)
    assert after_rows.keys() == before_rows.keys()
    # The data versions come back with their counters and new tokens: a result some process
    # kept for the database the backup came from (written to since) is stale for this one.
    versions = before_rows["version_datos"], after_rows["version_datos"]
    assert versions[0] and [row[:2] for row in versions[1]] == [row[:2] for row in versions[0]]
    assert not {row[2] for row in versions[0]} & {row[2] for row in versions[1]}
    for table, rows in before_rows.items():
        if table != "version_datos":
            assert after_rows[table] == rows, table
    assert every_file(upload_root_of(fresh)) == before_files
    # The identities continue after the restored ones (sequences came back too).
    with fresh.app_context():
        highest = max(r[0] for r in before_rows["centro"])
        centro = Centro(nombre="Centro nuevo", ciudad="Tunja", departamento="Boyacá",
                        modalidad="Cemprende")
        db.session.add(centro)
        db.session.commit()
        assert centro.id > highest
    # And the restored store answers the integrity check clean on its own.
    check = fresh.test_cli_runner().invoke(args=["verificadores-check"])
    assert check.exit_code == 0, check.output


def test_backup_files_are_readable_by_the_service_account_only(app, api, world, tmp_path):
    upload_documents(api, world)
    previous = os.umask(0o022)  # a permissive umask: the command must not depend on it
    try:
        dest = tmp_path / "nocturno" / "2026-03-31"
        result = app.test_cli_runner().invoke(args=["backup", "create", str(dest)])
        assert result.exit_code == 0, result.output
        assert os.umask(0o022) == 0o022  # the process umask is given back
    finally:
        os.umask(previous)
    paths = [dest, *dest.rglob("*")]
    assert len([p for p in paths if p.is_file()]) == 3 + 3  # base, manifest, its sum, documents
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert stat.S_IMODE((tmp_path / "nocturno").stat().st_mode) == 0o700
    # No half-written folder beside it, and a second backup never overwrites the first.
    assert sorted(p.name for p in dest.parent.iterdir()) == ["2026-03-31"]
    again = app.test_cli_runner().invoke(args=["backup", "create", str(dest)])
    assert again.exit_code != 0 and "ya existe" in again.output


# ---- refusals --------------------------------------------------------------------------------

def assert_untouched(application):
    assert not any(every_row(application).values())
    assert not stored_files(upload_root_of(application))


def test_a_tampered_document_is_refused_before_anything_is_restored(backup, target):
    document = next(p for p in (backup / "documentos").rglob("*") if p.is_file())
    data = bytearray(document.read_bytes())
    data[len(data) // 2] ^= 0x01
    document.write_bytes(bytes(data))
    fresh = target(schema=True)
    result = restore(fresh, backup)
    assert result.exit_code != 0
    assert "no coincide con su suma SHA-256" in result.output and "No se restaura" in result.output
    assert_untouched(fresh)


def test_a_tampered_database_file_or_manifest_is_refused(backup, target):
    fresh = target(schema=True)
    base = next(backup.glob("base.*"))
    original = base.read_bytes()
    base.write_bytes(original[:-1] + bytes([original[-1] ^ 0xFF]))
    refused = restore(fresh, backup)
    assert refused.exit_code != 0 and f"{base.name} no coincide" in refused.output
    base.write_bytes(original)

    manifest = backup / "manifest.json"
    body = json.loads(manifest.read_text())
    body["tablas"]["participante"] += 1
    manifest.write_text(json.dumps(body))
    refused = restore(fresh, backup)
    assert refused.exit_code != 0 and "manifiesto del respaldo fue alterado" in refused.output
    assert_untouched(fresh)


def test_a_file_added_to_or_missing_from_the_backup_is_refused(backup, target):
    fresh = target()
    (backup / "documentos" / "intruso.pdf").write_bytes(b"%PDF-1.4 nadie lo puso ahi")
    refused = restore(fresh, backup)
    assert refused.exit_code != 0 and "intruso.pdf no figura en el manifiesto" in refused.output
    (backup / "documentos" / "intruso.pdf").unlink()
    next(p for p in (backup / "documentos").rglob("*") if p.is_file()).unlink()
    refused = restore(fresh, backup)
    assert refused.exit_code != 0 and "falta documentos/" in refused.output
    assert_untouched(fresh)


def test_restore_onto_a_database_with_rows_is_refused(app, world, backup, upload_root):
    rows = every_row(app)
    result = restore(app, backup)
    assert result.exit_code != 0
    assert "La base de datos de destino no está vacía" in result.output
    assert every_row(app) == rows and not stored_files(upload_root)


def test_restore_onto_a_store_with_files_is_refused(backup, target):
    fresh = target(schema=True)
    root = upload_root_of(fresh)
    (root / "1" / "CC").mkdir(parents=True)
    (root / "1" / "CC" / ("0" * 64)).write_bytes(b"un archivo de otra instalacion")
    result = restore(fresh, backup)
    assert result.exit_code != 0 and "El almacén de documentos" in result.output
    assert "no está vacío" in result.output
    assert not any(every_row(fresh).values())


# ---- the sweeper -----------------------------------------------------------------------------

def _age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_the_sweeper_removes_only_old_part_files_and_old_orphans_and_never_a_row(app, api, world,
                                                                               upload_root):
    upload_documents(api, world)
    filled = app
    tmp = upload_root / ".tmp"
    tmp.mkdir(exist_ok=True)
    old_part = tmp / f"1_CC_{'a' * 64}.{uuid.uuid4().hex}.part"
    young_part = tmp / f"1_CC_{'b' * 64}.{uuid.uuid4().hex}.part"
    for part in (old_part, young_part):
        part.write_bytes(b"carga interrumpida")
    _age(old_part, 2 * 3600)
    _age(young_part, 60)  # on the test's clock, as every age here
    (upload_root / "1" / "CC").mkdir(parents=True, exist_ok=True)
    old_orphan, young_orphan = upload_root / "1" / "CC" / ("c" * 64), upload_root / "1" / "CC" / ("d" * 64)
    for orphan in (old_orphan, young_orphan):
        orphan.write_bytes(b"archivo sin fila")
    _age(old_orphan, 8 * 86400)
    _age(young_orphan, 60)
    with filled.app_context():
        rows = list(db.session.execute(sa.select(Verificador.id, Verificador.clave)
                                       .order_by(Verificador.id)))
    # A row whose file is gone (reported, kept) and a committed row whose rename was cut off
    # (its old .part is finished, not swept).
    lost_id, lost_key = rows[0]
    (upload_root / lost_key).unlink()
    cut_id, cut_key = rows[1]
    cut_part = tmp / f"{cut_key.replace('/', '_')}.{uuid.uuid4().hex}.part"
    os.replace(upload_root / cut_key, cut_part)
    _age(cut_part, 3 * 3600)

    runner = filled.test_cli_runner()
    files_before = every_file(upload_root) | {p.name: p.stat().st_mtime for p in tmp.iterdir()}
    dry = runner.invoke(args=["sweep", "--dry-run"])
    assert dry.exit_code == 1, dry.output  # a row without its file needs a person
    assert "Temporales (.part) de más de 1 h se eliminarían: 1" in dry.output
    assert "Archivos sin fila de más de 7 días se eliminarían: 1" in dry.output
    assert every_file(upload_root) | {p.name: p.stat().st_mtime for p in tmp.iterdir()} == files_before

    swept = runner.invoke(args=["sweep"])
    assert swept.exit_code == 1, swept.output
    assert str(old_part) in swept.output and f"verificador {lost_id}" in swept.output
    assert not old_part.exists() and young_part.exists()
    assert not old_orphan.exists() and young_orphan.exists()
    assert (upload_root / cut_key).is_file() and not cut_part.exists()
    with filled.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Verificador)) == len(rows)

    # Lower thresholds take the young ones too; the lost row is still only reported.
    later = runner.invoke(args=["sweep", "--temporales-horas", "0", "--huerfanos-dias", "0"])
    assert not young_part.exists() and not young_orphan.exists()
    assert f"verificador {lost_id}" in later.output
    with filled.app_context():
        assert db.session.get(Verificador, lost_id) is not None


def test_the_sweeper_removes_nothing_when_no_file_has_a_row(app, upload_root):
    for name in ("e", "f"):
        orphan = upload_root / "2" / "AC" / (name * 64)
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_bytes(b"documento")
        _age(orphan, 30 * 86400)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 1 and "no se elimina nada" in result.output
    assert len(stored_files(upload_root)) == 2
