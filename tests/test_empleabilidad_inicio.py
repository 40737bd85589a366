"""The empleabilidad index: people in the route, open vacancies with room, remissions waiting."""
from __future__ import annotations

import re

import pytest

from conftest import login
from conftest import Centre


def counter(html: str, heading: str) -> int:
    found = re.search(rf"{heading} <span class=\"contador\">(\d+)</span>", html)
    assert found, heading
    return int(found.group(1))


@pytest.fixture
def scene(api, world):
    caller = api(world["asesor_a"])
    a = Centre(caller)
    names = ("Karen", "Luisa", "Pedro", "Marta", "Sofía", "Julián")
    p = {name: a.person(nombres=name) for name in names}
    for name in ("Karen", "Luisa", "Pedro", "Sofía"):
        a.act(p[name], "enrutamiento", "2026-01-10", destino="empleabilidad")
    a.act(p["Marta"], "enrutamiento", "2026-01-10", destino="emprendimiento")
    a.act(p["Sofía"], "enrutamiento", "2026-01-20", destino="emprendimiento")  # left the route
    a.act(p["Pedro"], "desistimiento", "2026-01-15", motivo="Se mudó.")
    a.act(p["Julián"], "enrutamiento", "2026-01-05", destino="empleabilidad")  # longest waiting
    abierta, llena = a.vacante(2, "2026-01-12"), a.vacante(1, "2026-01-12")
    cerrada = a.vacante(3, "2026-01-12")
    remit = lambda vacante, *people: caller.post(f"/vacantes/{vacante}/remisiones", json={
        "participante_ids": [p[n] for n in people], "fecha": "2026-01-13"})
    assert remit(abierta, "Karen", "Luisa").status_code == 201
    assert remit(llena, "Luisa").status_code == 201
    assert remit(cerrada, "Karen").status_code == 201
    assert caller.post(f"/vacantes/{llena}/colocaciones", json={
        "participante_id": p["Luisa"], "fecha": "2026-01-14"}).status_code == 201
    version = caller.get(f"/vacantes/{cerrada}").get_json()["version"]
    assert caller.patch(f"/vacantes/{cerrada}", json={"estado": "cerrada", "version": version}).status_code == 200
    Centre(api(world["asesor_b"])).person(nombres="Rosa")
    return {"people": p, "abierta": abierta, "llena": llena, "cerrada": cerrada}


def test_the_index_lists_the_route_the_vacancies_and_the_waiting_remissions(scene, world, make_client):
    browser = make_client()
    login(browser, world["asesor_a"])
    response = browser.get("/empleabilidad/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert counter(html, "En la ruta de empleabilidad") == 2  # Karen and Julián
    route = html[html.index("En la ruta de empleabilidad"):]
    assert "Julián" in route and "Karen" in route and route.index("Julián") < route.index("Karen")
    for absent in ("Luisa", "Pedro", "Marta", "Sofía", "Rosa"):
        assert absent not in route, absent
    assert f'/empleabilidad/personas/{scene["people"]["Karen"]}' in route
    assert counter(html, "Vacantes abiertas con cupos") == 1  # the full and the closed one are not
    assert f'/empleabilidad/vacantes/{scene["abierta"]}"' in html
    assert f'/empleabilidad/vacantes/{scene["llena"]}"' not in html
    assert "2 cupos libres de 2 · 1 remisiones en espera" in html  # Luisa, placed elsewhere, is not waiting
    assert counter(html, "Remisiones en espera") == 1  # Karen → the open one; Luisa was placed
    assert "Karen" in html[html.index("Remisiones en espera"):html.index("En la ruta de empleabilidad")]
    assert "Registrar vacante" in html


def test_search_pages_and_empty_states(scene, world, make_client):
    browser = make_client()
    login(browser, world["asesor_a"])
    found = browser.get("/empleabilidad/?q=karen").get_data(as_text=True)
    assert counter(found, "En la ruta de empleabilidad") == 1
    none = browser.get("/empleabilidad/?q=zzzz").get_data(as_text=True)
    assert "Nadie en la ruta de empleabilidad coincide con la búsqueda." in none
    second = browser.get("/empleabilidad/?page=2").get_data(as_text=True)
    assert counter(second, "En la ruta de empleabilidad") == 2
    assert "No hay personas en esta página" in second
    other = make_client()
    login(other, world["asesor_b"])
    empty = other.get("/empleabilidad/").get_data(as_text=True)
    assert "Nadie está en la ruta de empleabilidad" in empty
    assert "No hay vacantes abiertas con cupos libres." in empty
    assert "Nadie remitido a una selección espera respuesta." in empty
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    network = supervisor.get("/empleabilidad/").get_data(as_text=True)
    assert counter(network, "En la ruta de empleabilidad") == 2 and "Registrar vacante" not in network


def test_people_in_route_come_a_page_at_a_time(app, scene, world, ctx):
    from cemprende.empleabilidad import queries
    from cemprende.extensions import db
    from cemprende.models import Staff

    actor = db.session.get(Staff, world["asesor_a"].id)
    first = queries.people_in_route(actor, page=1, per_page=1)
    second = queries.people_in_route(actor, page=2, per_page=1)
    assert (first.total, first.pages) == (2, 2)
    assert [r[0].nombres for r in first.items + second.items] == ["Julián", "Karen"]
    assert [r.remisiones for r in first.items + second.items] == [0, 2]


def test_the_nav_leads_to_the_index(world, make_client):
    browser = make_client()
    login(browser, world["asesor_a"])
    html = browser.get("/mi-trabajo").get_data(as_text=True)
    assert '<a href="/empleabilidad/">Empleabilidad</a>' in html
