"""Migrations build the models' schema; the global centre filter hides other centres' rows."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import func, select

from cemprende import create_app
from cemprende.config import TestConfig
from cemprende.extensions import db
from cemprende.models import Actuacion, Participante, Staff
from cemprende.participantes import services as people
from cemprende.scoping import ALL_CENTRES_OPTION, set_centre_scope
from conftest import BASE_URL, _create_postgres_database, _drop_postgres_database, person_payload


@pytest.fixture
def empty_database_url(tmp_path):
    if BASE_URL.startswith("postgresql"):
        url = _create_postgres_database(BASE_URL)
        yield url
        _drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"


# The trigram index is an expression: alembic cannot compare those and says so.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.filterwarnings("ignore:Expression #1 .* detected to include an operator clause")
def test_flask_db_upgrade_gives_the_schema_the_models_declare(empty_database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {"centro", "staff", "participante", "actuacion", "actuacion_item", "vacante",
            "auditoria", "api_token", "alembic_version"} <= tables


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/pragmas.sqlite3"

    app = create_app(Config)
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        db.engine.dispose()


def test_centre_scope_filters_a_query_that_forgot_its_filter(app, world, ctx):
    asesor_a = db.session.get(Staff, world["asesor_a"].id)
    asesor_b = db.session.get(Staff, world["asesor_b"].id)
    mine = people.register(asesor_a, person_payload())
    theirs = people.register(asesor_b, person_payload(numero_documento="444555666"))
    db.session.commit()
    mine_id, theirs_id = mine.id, theirs.id

    set_centre_scope(world["centro_a"].id)
    # No where clause on centro_id: the global criteria adds it.
    assert [p.id for p in db.session.scalars(select(Participante))] == [mine_id]
    db.session.expunge_all()  # so get() goes to the database instead of the identity map
    assert db.session.get(Participante, theirs_id) is None
    assert db.session.scalar(select(func.count(Actuacion.id))) == 0
    # A query that must look across centres says so explicitly.
    everyone = db.session.scalars(
        select(Participante).execution_options(**{ALL_CENTRES_OPTION: True})).all()
    assert {p.id for p in everyone} == {mine_id, theirs_id}
    set_centre_scope(None)
    assert len(db.session.scalars(select(Participante)).all()) == 2


def test_scope_is_set_per_request_for_pages_and_api(app, client, api, world):
    from conftest import login
    theirs = api(world["asesor_b"]).post("/participantes", json=person_payload()).get_json()
    login(client, world["asesor_a"])
    assert client.get(f"/participantes/{theirs['id']}").status_code == 404
    assert api(world["asesor_a"]).get(f"/participantes/{theirs['id']}").status_code == 404
    assert api(world["supervisor"]).get(f"/participantes/{theirs['id']}").status_code == 200


def test_the_upgrade_that_creates_the_daily_summary_by_municipio_fills_it(empty_database_url):
    """Migration 0045 on a database with actuaciones: resumen_municipio_diario holds what the
    per-day queries give (so a breakdown cut mid-month adds up from the first request)."""
    from flask_migrate import downgrade

    from cemprende.tableros import resumen

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "60", "--seed", "3",
                                                "--hasta", "2026-03-31", "--masivo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        # The bulk people have no municipality: give half of them one (the fill reads the current one).
        db.session.execute(sa.text("UPDATE participante SET municipio_oficial = 'Ocaña', "
                                   "subregion = 'Provincia de Ocaña' WHERE id % 2 = 0"))
        db.session.commit()
        expected = resumen.contributions_by_municipio_per_day()
        assert len(expected) > 50 and len({m for (_, _, _, m, _) in expected}) >= 2
        db.session.remove()
        downgrade(revision="a7d2c4e6f8b1")
        assert "resumen_municipio_diario" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        assert resumen.stored_by_municipio_per_day() == expected
        db.session.remove()
        db.engine.dispose()
