"""The integrity alerts are reused between loads only while nothing they read has been written:
every write through the gate (or any session write to their tables) shows at the next load."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from cemprende import versiones
from cemprende.extensions import db
from cemprende.models import Actuacion, VersionDatos
from test_alertas import a, alerts, approved, deliver, supervisor  # noqa: F401  (fixtures too)
from test_alertas import ago
from conftest import Statements


def version(app):
    """Every version row of the alerts (the network's and each centre's)."""
    with app.app_context():
        return versiones.family(versiones.ALERTAS)


def test_a_second_load_reuses_the_alerts_without_reading_the_actuaciones(app, a, supervisor):
    pid = a.person()
    approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    first = alerts(supervisor, tipo="aprobado_sin_entrega")
    assert [x["participante_id"] for x in first] == [pid]
    with Statements(app) as sql:
        again = alerts(supervisor, tipo="aprobado_sin_entrega")
    assert again == first
    assert sql.touching("version_datos") and not sql.touching("actuacion")


def test_a_delivery_and_its_annulment_through_the_gate_show_at_once(app, a, supervisor):
    pid = a.person()
    approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    assert len(alerts(supervisor, tipo="aprobado_sin_entrega")) == 1
    assert len(alerts(supervisor, tipo="aprobado_sin_entrega")) == 1  # cached now
    before = version(app)
    entrega = deliver(a, pid, [("Carro de comidas", 1, 1_500_000)], 1)
    assert version(app) != before
    assert alerts(supervisor, tipo="aprobado_sin_entrega") == []
    a.annul(entrega)  # an UPDATE of the actuación, not an insert
    assert [x["participante_id"] for x in alerts(supervisor, tipo="aprobado_sin_entrega")] == [pid]


def test_every_page_that_counts_them_sees_the_write(app, a, supervisor, world, make_client):
    """The supervisor's review queue counts the alerts on every load: a write shows there at once."""
    from conftest import login
    client = make_client()
    login(client, world["supervisor"])
    pid = a.person()
    approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    page = client.get("/verificadores/").get_data(as_text=True)
    assert "Aprobado sin entrega</a>: 1" in page
    deliver(a, pid, [("Carro de comidas", 1, 1_500_000)], 1)
    page = client.get("/verificadores/").get_data(as_text=True)
    assert "Aprobado sin entrega</a>" not in page


def test_a_routing_leaves_the_alerts_version_alone(app, a, supervisor):
    pid = a.person()
    alerts(supervisor)
    before = version(app)
    a.act(pid, "enrutamiento", ago(5), destino="empleabilidad")
    assert version(app) == before
    deliver_to = a.person()
    approved(a, deliver_to, [("Horno", 1, 100_000)], 30)
    assert version(app) != before


def test_a_write_outside_the_gate_through_the_session_bumps_it_too(app, a, supervisor):
    pid = a.person()
    comite = approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    assert len(alerts(supervisor, tipo="aprobado_sin_entrega")) == 1
    with app.app_context():
        db.session.execute(sa.update(Actuacion).where(Actuacion.id == comite).values(anulada=True))
        db.session.commit()
    assert alerts(supervisor, tipo="aprobado_sin_entrega") == []


def test_uncommitted_writes_are_neither_served_nor_cached(app, a, supervisor):
    from cemprende.microfinanciamiento import alertas
    pid = a.person()
    comite = approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    assert len(alerts(supervisor, tipo="aprobado_sin_entrega")) == 1
    with app.app_context():
        args = lambda: (None, "aprobado_sin_entrega", alertas.date.today(), alertas.Umbrales(),  # noqa: E731
                        (alertas.date(2000, 1, 1), alertas.date(2100, 1, 1)))
        db.session.get(Actuacion, comite).anulada = True  # pending, not committed
        assert alertas.compute(*args()) == []  # this session sees its own write
        db.session.rollback()
        assert len(alertas.compute(*args())) == 1  # and nobody kept what it saw


def test_emptied_tables_start_a_new_token(app, a, supervisor):
    pid = a.person()
    approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    with app.app_context():
        versiones.bump(versiones.ALERTAS)
        db.session.commit()
    token, _ = version(app)[versiones.ALERTAS]
    with app.app_context():
        db.session.execute(sa.delete(VersionDatos))
        db.session.commit()
        assert versiones.current(versiones.ALERTAS) is None
        versiones.bump(versiones.ALERTAS)
        db.session.commit()
    assert version(app)[versiones.ALERTAS][0] != token


def test_a_write_outside_the_gate_waits_for_a_transfer_and_bumps_the_new_centre(app, a, supervisor, world):
    """A verification call (no gate) about a person whose transfer is being committed at the same
    moment: its bump waits for the transfer and reaches the centre the person moved to, so that
    centre's part, which reads the person's whole itinerary, is never kept without the call."""
    import threading
    import time
    from datetime import date

    from cemprende.models import LlamadaVerificacion

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite lets one writer at a time: a transfer and a call cannot overlap")
    pid = a.person()
    comite = approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)
    alerts(supervisor)  # every version row exists
    origin, destination = world["centro_a"].id, world["centro_b"].id
    with app.app_context():
        before = versiones.family(versiones.ALERTAS)
        transfer = db.engine.connect()
    transfer.execute(sa.text("UPDATE participante SET centro_id = :c WHERE id = :p"),
                     {"c": destination, "p": pid})  # uncommitted
    done = []

    def call():
        with app.app_context():
            db.session.add(LlamadaVerificacion(
                centro_id=origin, participante_id=pid, comite_id=comite, fecha=date(2026, 11, 28),
                staff_id=world["asesor_a"].id, contesto=False, resumen="No contestó"))
            db.session.commit()
            db.session.remove()
        done.append(True)

    writer = threading.Thread(target=call)
    writer.start()
    time.sleep(1)
    assert not done, "the call's commit read the person's centres before the transfer committed"
    transfer.commit()
    transfer.close()
    writer.join(10)
    assert done
    with app.app_context():
        after = versiones.family(versiones.ALERTAS)
    key = versiones.parte(versiones.ALERTAS, destination)
    assert after[key][1] > before.get(key, ("", 0))[1]
