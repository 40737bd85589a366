"""The tablero figures are kept per centre and period (tableros.services.VALORES, versiones.TABLEROS)
and reused only while nothing they read has been written: every write through the gate, a
participant's edit, a vacante, a meta and a month's close show at the very next read, and a
centre-bound caller never sees another centre's figures."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from cemprende import versiones
from cemprende.extensions import db
from cemprende.models import Actuacion, Centro, Staff
from cemprende.tableros import queries, services
from cemprende.tableros.registry import Promedio, filas_de
from conftest import (MARCH, Statements, build_routing_scenario,
                      build_services_scenario)

FEB = "desde=2026-02-01&hasta=2026-02-28"


FIGURE_TABLES = ("actuacion", "resumen_diario", "resumen_mensual", "vacante")


@pytest.fixture
def supervisor(api, world):
    return api(world["supervisor"])


def results(caller, tablero="global", query=MARCH):
    response = caller.get(f"/tableros/{tablero}?{query}")
    assert response.status_code == 200, response.get_json()
    return {fila["codigo"]: fila["resultado"] for fila in response.get_json()["filas"]}


def filas(*names):
    return [f for name in names for f in filas_de(name) if not isinstance(f.calculo, Promedio)]


def fresh(app, desde, hasta, centro_id=None):
    """queries.compute as it stands now, bypassing the kept figures."""
    with app.app_context():
        return {c: v for c, v in queries.compute(filas("global", "microcapitalizacion"), desde, hasta,
                                                 centro_id).items() if v}


def kept(app, desde, hasta, centro_id=None):
    with app.app_context():
        return services.valores(filas("global", "microcapitalizacion"), desde, hasta, centro_id)


def test_a_second_read_reuses_the_figures_and_equals_a_fresh_computation(app, a, b, supervisor):
    build_routing_scenario(a)
    build_services_scenario(a)
    build_routing_scenario(b)
    march = (date(2015, 3, 1), date(2015, 3, 31))
    loose = (date(2015, 2, 14), date(2015, 3, 20))  # distinct persons from the actuaciones
    for desde, hasta in (march, loose):
        first = kept(app, desde, hasta)
        assert first == fresh(app, desde, hasta) and len(first) == 2
        assert kept(app, desde, hasta) == first
    network = results(supervisor)
    assert supervisor.get(f"/tableros/microcapitalizacion?{MARCH}").status_code == 200
    with Statements(app) as sql:
        again = results(supervisor)
        page = supervisor.get(f"/tableros/microcapitalizacion?{MARCH}")
    assert again == network and page.status_code == 200
    assert sql.touching("version_datos") and not sql.touching(*FIGURE_TABLES)


def test_an_actuacion_through_the_gate_and_its_annulment_show_at_once(app, a, supervisor):
    build_routing_scenario(a)
    before = results(supervisor)
    assert results(a.caller) == before  # both kept now (the network, then centre A)
    pid = a.person(sexo="F", tipo_poblacion="sisben")
    routing = a.act(pid, "enrutamiento", "2015-03-21", destino="empleabilidad")
    after = results(supervisor)
    assert after["1.1"] == before["1.1"] + 1 and after["6.2"] == before["6.2"] + 1  # 6.2: women
    assert results(a.caller) == after
    a.annul(routing)  # an UPDATE of the actuación
    assert results(supervisor) == before and results(a.caller) == before


def test_a_participants_edit_a_vacante_and_a_statement_outside_the_gate_show_at_once(app, a, supervisor, world):
    pid = a.person(sexo="F", tipo_poblacion="sisben")
    a.act(pid, "enrutamiento", "2015-03-05", destino="empleabilidad")
    before = results(supervisor)
    assert (before["6.1"], before["6.2"]) == (0, 1)  # 6.1 men, 6.2 women
    version = a.caller.get(f"/participantes/{pid}").get_json()["version"]
    answer = a.caller.patch(f"/participantes/{pid}", json={"version": version, "sexo": "M"})
    assert answer.status_code == 200, answer.get_json()
    after = results(supervisor)
    assert (after["6.1"], after["6.2"]) == (1, 0)
    a.vacante(4, "2015-03-10")
    assert results(supervisor)["9"] == before["9"] + 4
    with app.app_context():  # a session statement that bypasses the gate (its rows unknown)
        db.session.execute(sa.update(Actuacion).where(Actuacion.participante_id == pid)
                           .values(anulada=True))
        db.session.execute(sa.delete(queries.ResumenDiario))  # as a rebuild starts
        db.session.execute(sa.delete(queries.ResumenMensual))
        db.session.commit()
    assert results(supervisor)["1.1"] == 0


def test_a_meta_edit_shows_at_once(a, api, world, supervisor):
    build_routing_scenario(a)
    director = api(world["director_a"])
    vigencia = {"nombre": "Convenio 2015", "desde": "2015-01-01", "hasta": "2015-12-31"}
    assert director.put("/metas", json={"centro_id": world["centro_a"].id, "vigencia": vigencia,
                                        "metas": {"1.1": 4}}).status_code == 200
    query = "hasta=2015-03-31"

    def row(caller):
        return next(f for f in caller.get(f"/tableros/global?{query}").get_json()["filas"]
                    if f["codigo"] == "1.1")

    assert (row(supervisor)["meta"], row(a.caller)["meta"]) == (4, 4)
    assert row(supervisor) == row(supervisor)  # kept
    assert director.put("/metas", json={"centro_id": world["centro_a"].id, "vigencia": vigencia,
                                        "metas": {"1.1": 10}}).status_code == 200
    assert (row(supervisor)["meta"], row(a.caller)["meta"]) == (10, 10)
    assert row(a.caller)["avance"] == 60  # 6 routed since January (the vigencia) of a meta of 10


def test_a_month_close_and_a_write_while_reopened_show_at_once(app, api, world, a):
    director, supervisor = api(world["director_a"]), api(world["supervisor"])
    centro = world["centro_a"].id
    pid = a.person(sexo="F", tipo_poblacion="red_unidos")
    a.act(pid, "enrutamiento", "2026-02-10", destino="emprendimiento")
    query = f"centro_id={centro}&{FEB}"
    live = director.get(f"/tableros/global?{query}").get_json()
    assert live["cerrado"] is False and director.get(f"/tableros/global?{query}").get_json() == live
    made = director.post("/cierres", json={"centro_id": centro, "mes": "2026-02"})
    assert made.status_code == 201, made.get_json()
    closed = director.get(f"/tableros/global?{query}").get_json()
    assert closed["cerrado"] is True
    assert [f["resultado"] for f in closed["filas"]] == [f["resultado"] for f in live["filas"]]
    supervisor.post(f"/cierres/{made.get_json()['id']}/aceptacion")
    reopened = api(world["admin"]).post(f"/cierres/{made.get_json()['id']}/reapertura",
                                        json={"motivo": "Se omitió una persona"})
    assert reopened.status_code == 200
    assert director.get(f"/tableros/global?{query}").get_json()["cerrado"] is False
    zoe = a.person(sexo="F", tipo_poblacion="red_unidos")
    a.act(zoe, "enrutamiento", "2026-02-25", destino="emprendimiento")
    moved = {f["codigo"]: f["resultado"] for f in director.get(f"/tableros/global?{query}").get_json()["filas"]}
    assert moved["1.1"] == 2


def test_a_write_in_one_centre_recomputes_that_centre_only(app, a, b, supervisor, world, monkeypatch):
    build_routing_scenario(a)
    build_routing_scenario(b)
    results(supervisor)
    with app.app_context():
        before = versiones.family(versiones.TABLEROS)
    pid = b.person(sexo="F", tipo_poblacion="sisben")
    b.act(pid, "enrutamiento", "2015-03-21", destino="empleabilidad")
    with app.app_context():
        after = versiones.family(versiones.TABLEROS)
    part_a = versiones.parte(versiones.TABLEROS, world["centro_a"].id)
    part_b = versiones.parte(versiones.TABLEROS, world["centro_b"].id)
    assert after[part_a] == before[part_a] and after[part_b] != before[part_b]
    assert after[versiones.TABLEROS] == before[versiones.TABLEROS]
    asked = []
    compute = queries.compute
    monkeypatch.setattr(queries, "compute", lambda *args: asked.append(args[3]) or compute(*args))
    network = results(supervisor)
    assert asked == [world["centro_b"].id]  # centre A's figures are reused as they were
    assert network["1.1"] == 11


def test_a_centre_bound_caller_never_sees_another_centres_figures(app, a, b, api, world, supervisor):
    build_routing_scenario(a)
    build_services_scenario(a)
    network = results(supervisor)  # the supervisor's read keeps every centre's figures
    own_b = results(api(world["director_b"]))
    assert own_b["1.1"] == 0 and own_b["2.1"] == 0  # centre B has recorded nothing
    assert api(world["director_b"]).get(f"/tableros/global?centro_id={world['centro_a'].id}").status_code == 404
    assert results(api(world["director_a"])) == network
    with app.app_context():  # a centre scope asking for "the network" gets its own centre only
        director_b = db.session.get(Staff, world["director_b"].id)
        tablero = services.compute(director_b, "global", None, date(2015, 3, 1), date(2015, 3, 31))
        assert {f.fila.codigo: f.total.resultado for f in tablero.filas}["1.1"] == 0
    page = supervisor.get(f"/tableros/global?{MARCH}&centro_id={world['centro_b'].id}")
    assert page.get_json()["filas"][0]["resultado"] == 0


def test_a_new_centre_and_uncommitted_writes(app, a, supervisor, build):
    build_routing_scenario(a)
    results(supervisor)
    quiet = build.centro("Yopal", "COEE")  # a centre's row: the network row moves
    assert results(supervisor, query=f"{MARCH}&centro_id={quiet.id}")["1.1"] == 0
    with app.app_context():
        pending = db.session.scalars(sa.select(Actuacion).where(Actuacion.tipo == "enrutamiento",
                                                                Actuacion.anulada.is_(False))).all()
        for actuacion in pending:
            actuacion.anulada = True  # not committed
        seen = services.valores(filas("global"), date(2015, 3, 1), date(2015, 3, 31), None)
        assert all(not v.get("1.1") for v in seen.values())  # this session sees its own writes
        db.session.rollback()
    assert results(supervisor)["1.1"] == 5  # and nobody kept what it saw
    with app.app_context():
        assert db.session.get(Centro, quiet.id) is not None
