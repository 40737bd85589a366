"""The supervisor's review queue counts the network's integrity alerts and data-quality score on
every load: both are kept per centre (versiones.Partes), so a write in one centre recomputes that
centre's part only, shows at once, and the union of the parts is the network's result."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cemprende import versiones
from cemprende.calidad import services as calidad
from cemprende.extensions import db
from cemprende.itinerario.dia import today_bogota
from cemprende.microfinanciamiento import alertas
from cemprende.models import Staff
from conftest import Centre, person_payload
from test_alertas import a, alerts, approved, deliver, supervisor  # noqa: F401  (fixtures too)
from test_alertas import ago
from test_alertas_version import Statements

@pytest.fixture
def b(api, world):
    return Centre(api(world["asesor_b"]))


@pytest.fixture
def spy(monkeypatch):
    """The scopes the alerts' rules and the score's cells are computed for (None: the network)."""
    calls = {"alertas": [], "calidad": [], "personas": []}
    run, activity, people = alertas._run, calidad._activity, calidad._people

    def spied_run(names, centro_id, *args):
        if tuple(names) != alertas.RED:
            calls["alertas"].append(centro_id)
        return run(names, centro_id, *args)

    def spied_activity(centro_id, *args):
        calls["calidad"].append(centro_id)
        return activity(centro_id, *args)

    def spied_people(centro_id, *args):
        calls["personas"].append(centro_id)
        return people(centro_id, *args)

    monkeypatch.setattr(alertas, "_run", spied_run)
    monkeypatch.setattr(calidad, "_activity", spied_activity)
    monkeypatch.setattr(calidad, "_people", spied_people)
    return calls


def _score(caller) -> dict:
    response = caller.get("/calidad")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _pending(a, pid):
    return approved(a, pid, [("Carro de comidas", 1, 1_500_000)], 61)


def test_nothing_written_reuses_both_without_reading_the_data(app, a, b, supervisor, spy):
    _pending(a, a.person())
    _pending(b, b.person())
    first, score = alerts(supervisor), _score(supervisor)
    assert len(first) == 2 and sum(m["alertas"] for m in score["tendencia"]) == 2
    for calls in spy.values():
        calls.clear()
    with Statements(app) as sql:
        assert alerts(supervisor) == first and _score(supervisor) == score
    assert spy == {"alertas": [], "calidad": [], "personas": []}
    for table in ("actuacion", "participante", "verificador", "llamada_verificacion"):
        assert not sql.touching(table), table


def test_a_write_in_one_centre_recomputes_that_centre_only_and_shows_at_once(
        app, a, b, world, supervisor, spy, make_client):
    from conftest import login
    pid_a, pid_b = a.person(), b.person()
    _pending(a, pid_a)
    _pending(b, pid_b)
    client = make_client()
    login(client, world["supervisor"])
    page = client.get("/verificadores/").get_data(as_text=True)
    assert "Aprobado sin entrega</a>: 2" in page
    for calls in spy.values():
        calls.clear()
    deliver(a, pid_a, [("Carro de comidas", 1, 1_500_000)], 1)  # centre A only
    page = client.get("/verificadores/").get_data(as_text=True)
    assert "Aprobado sin entrega</a>: 1" in page  # at once
    centro_a, centro_b = world["centro_a"].id, world["centro_b"].id
    assert spy["alertas"] and set(spy["alertas"]) == {centro_a}
    assert spy["calidad"] and set(spy["calidad"]) == {centro_a}
    assert spy["personas"] == []  # nobody registered or edited: the people's cells stay
    found = alerts(supervisor, tipo="aprobado_sin_entrega")
    assert [(x["centro_id"], x["participante_id"]) for x in found] == [(centro_b, pid_b)]
    assert centro_b not in spy["alertas"] + spy["calidad"]


def test_a_write_in_the_receiving_centre_reaches_the_origins_part(app, api, world, a, b,
                                                                     supervisor, spy):
    """A person delivered in B, then transferred to A: A's follow-up visit clears the alert of
    B's delivery (B's part reads the person's whole itinerary), so a write in A bumps B too."""
    response = api(world["asesor_b"]).post("/participantes", json=person_payload())
    assert response.status_code == 201, response.get_json()
    pid = response.get_json()["id"]
    rows = [("Horno", 1, 900_000)]
    approved(b, pid, rows, 200)
    deliver(b, pid, rows, 150)
    asked = api(world["asesor_a"]).post("/traslados", json={
        "tipo_documento": "CC", "numero_documento": "1.098.765.432", "motivo": "Ahora vive en Cartagena"})
    assert asked.status_code == 201, asked.get_json()
    answered = api(world["director_b"]).post(f"/traslados/{asked.get_json()['id']}/respuesta",
                                             json={"aceptar": True})
    assert answered.status_code == 200, answered.get_json()
    found = alerts(supervisor, tipo="sin_seguimiento")
    assert [(x["centro_id"], x["participante_id"]) for x in found] == [(world["centro_b"].id, pid)]
    _score(supervisor)
    a.act(pid, "visita_acompanamiento", ago(10), clase="seguimiento")  # recorded by centre A
    assert alerts(supervisor, tipo="sin_seguimiento") == []
    with app.app_context():
        everything = alertas._compute(None, None, today_bogota(), alertas.Umbrales(),
                                      (alertas.date(2000, 1, 1), alertas.date(2100, 1, 1)))
        assert not [x for x in everything if x.tipo == "sin_seguimiento"]


def _everything(app, supervisor_staff):
    with app.test_request_context():
        actor = db.session.get(Staff, supervisor_staff.id)
        today = today_bogota()
        vigencia = (alertas.date(today.year, 1, 1), alertas.date(today.year, 12, 31))
        kept = alertas.compute(None, None, today, alertas.Umbrales(), vigencia)
        direct = alertas._compute(None, None, today, alertas.Umbrales(), vigencia)
        score = calidad.score(actor, {}).to_dict()
        return kept, direct, score


def _forget():
    for partes in (alertas.PARTES, calidad.PARTES, calidad.PARTES_PERSONAS):
        partes.items.clear()


def _key(alerta):
    return sorted(alerta.to_dict().items(), key=lambda kv: kv[0]).__repr__()


def test_the_union_of_the_parts_is_the_networks_result(app, world, monkeypatch):
    """On the demo data (every kind of alert planted, in several centres): the alerts kept per
    centre are exactly the rules run once over the network, and so is the score."""
    result = app.test_cli_runner().invoke(args=["demo-data", "--participantes", "90", "--seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        supervisor_staff = db.session.scalar(select(Staff).where(Staff.rol == "supervisor"))
    _forget()
    monkeypatch.setattr(versiones.Partes, "NETWORK_FROM", 10_000)  # every part on its own
    kept, direct, score = _everything(app, supervisor_staff)
    assert len({a.tipo for a in direct}) >= 5 and len({a.centro_id for a in direct}) >= 2
    assert sorted(map(_key, kept)) == sorted(map(_key, direct))
    assert [a.tipo for a in kept] == sorted((a.tipo for a in kept), key=list(alertas.TIPOS_ALERTA).index)
    _forget()
    monkeypatch.setattr(versiones.Partes, "NETWORK_FROM", 1)  # one network computation, split
    kept_network, _, score_network = _everything(app, supervisor_staff)
    assert sorted(map(_key, kept_network)) == sorted(map(_key, direct))
    assert score == score_network
    assert score["total"]["alertas"] > 0
