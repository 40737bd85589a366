"""The command-line set-up: import-centros, create-admin, demo-data."""
from sqlalchemy import func, select

from cemprende.extensions import db
from cemprende.models import Actuacion, Centro, Participante, Staff
from conftest import _empty_tables


def test_import_centros_loads_the_bundled_csv_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-centros"])
    assert first.exit_code == 0 and "20 nuevos" in first.output
    second = runner.invoke(args=["import-centros"])
    assert "0 nuevos, 20 ya existían" in second.output
    with app.app_context():
        ocana = db.session.scalar(select(Centro).where(Centro.ciudad == "Ocaña"))
        assert ocana.nombre == "COEE Ocaña" and ocana.departamento == "Norte de Santander"
        assert str(ocana.fecha_apertura) == "2015-02-24" and ocana.fecha_lanzamiento is None


def test_create_admin_refuses_a_weak_password_and_creates_a_working_account(app, client):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "--username", "jefa", "--password", "password123"])
    assert weak.exit_code != 0 and "más usadas" in weak.output
    ok = runner.invoke(args=["create-admin", "--username", "jefa", "--password", "Una-clave-segura-26"])
    assert ok.exit_code == 0
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.username == "jefa"))
        assert staff.rol == "admin" and staff.centro_id is None
    response = client.post("/api/v1/tokens", json={"username": "jefa", "password": "Una-clave-segura-26"})
    assert response.status_code == 201


def _snapshot(app):
    with app.app_context():
        people = db.session.execute(select(Participante.numero_documento, Participante.nombres,
                                           Participante.fecha_nacimiento)
                                    .order_by(Participante.id)).all()
        itinerary = db.session.execute(select(Actuacion.tipo, Actuacion.fecha, Actuacion.valor)
                                       .order_by(Actuacion.id)).all()
    return people, itinerary


def test_demo_data_is_reproducible_by_seed_and_prints_the_logins(app):
    runner = app.test_cli_runner()
    args = ["demo-data", "--participantes", "25", "--seed", "7", "--hasta", "2026-06-30"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    for username in ("admin", "supervisor.pnud", "director.cartagena", "asesor.cartagena",
                     "director.ocana", "asesor.ocana"):
        assert username in result.output
    first = _snapshot(app)
    assert len(first[0]) == 25 and len(first[1]) > 25
    with app.app_context():
        _empty_tables()
    runner.invoke(args=args)
    assert _snapshot(app) == first
    with app.app_context():
        _empty_tables()
    runner.invoke(args=["demo-data", "--participantes", "25", "--seed", "8", "--hasta", "2026-06-30"])
    assert _snapshot(app)[0] != first[0]


def test_demo_data_only_if_empty_leaves_an_existing_database_alone(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--participantes", "5", "--seed", "1"])
    again = runner.invoke(args=["demo-data", "--participantes", "5", "--seed", "1", "--si-vacia"])
    assert again.exit_code == 0 and "no se cargan" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participante)) == 5


def test_demo_data_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "1"])
    finally:
        app.config["ENV_NAME"] = "test"
    assert result.exit_code != 0 and "producción" in result.output


def test_bulk_demo_data_obeys_the_rules_and_leaves_the_app_writable(app, client):
    result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "300", "--seed", "3",
                                                "--hasta", "2026-03-31", "--masivo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        acts = db.session.scalar(select(func.count()).select_from(Actuacion))
        assert db.session.scalar(select(func.count()).select_from(Participante)) == 300
        assert 1200 < acts < 3000  # about six a person
        from cemprende.models import Vacante
        over = db.session.execute(
            select(Vacante.id).join(Actuacion, Actuacion.vacante_id == Vacante.id)
            .where(Actuacion.tipo == "colocacion", Actuacion.anulada.is_(False))
            .group_by(Vacante.id, Vacante.cupos).having(func.count() > Vacante.cupos)).all()
        assert over == []  # never more colocaciones than cupos
        person_id = db.session.scalar(select(func.max(Participante.id)))
    # The summary written in bulk is the one the actuaciones give.
    check = app.test_cli_runner().invoke(args=["tableros-reconstruir", "--verificar"])
    assert check.exit_code == 0, check.output
    # The application keeps writing after a bulk load (ids continue past the loaded ones).
    from cemprende.demo import DEMO_PASSWORD
    token = client.post("/api/v1/tokens", json={"username": "admin", "password": DEMO_PASSWORD}).get_json()
    response = client.post(f"/api/v1/participantes/{person_id}/actuaciones",
                           json={"tipo": "caracterizacion", "fecha": "2026-03-31"},
                           headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status_code == 201, response.get_json()
