"""Emprendimiento: routes and moving between them, the business record, services from its page."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login
from conftest import Centre

TODAY = CLOCK_TODAY


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


@pytest.fixture
def a(api, world):
    return Centre(api(world["asesor_a"]))


@pytest.fixture
def browser(make_client, world):
    client = make_client()
    login(client, world["asesor_a"])
    return client


def post(browser, path, **data):
    data["csrf_token"] = csrf_token(browser, "/emprendimiento/")
    return browser.post(path, data=data)


def test_people_per_route_and_moving_between_routes(a, browser):
    p1, p2, p3 = a.person(nombres="Olga"), a.person(nombres="Pedro"), a.person(nombres="Quique")
    a.act(p1, "ingreso_ruta", ago(30), ruta="emprende")
    a.act(p2, "ingreso_ruta", ago(20), ruta="emprende")
    a.act(p3, "ingreso_ruta", ago(20), ruta="fortalece")
    a.act(p3, "desistimiento", ago(5), motivo="Se fue del país")
    page = browser.get("/emprendimiento/?ruta=emprende").get_data(as_text=True)
    assert page.index("Olga") < page.index("Pedro") and "Quique" not in page
    unknown = post(browser, f"/emprendimiento/personas/{p1}/ruta", ruta="marte", fecha=ago(1))
    assert unknown.status_code == 422
    future = post(browser, f"/emprendimiento/personas/{p1}/ruta", ruta="desarrolla", fecha=ago(-3))
    assert future.status_code == 422
    moved = post(browser, f"/emprendimiento/personas/{p1}/ruta", ruta="desarrolla", fecha=ago(1))
    assert moved.status_code == 303
    same = post(browser, f"/emprendimiento/personas/{p1}/ruta", ruta="desarrolla", fecha=ago(0))
    assert same.status_code == 422 and "La persona ya está en la ruta" in same.get_data(as_text=True)
    emprende = browser.get("/emprendimiento/?ruta=emprende").get_data(as_text=True)
    assert "Olga" not in emprende and "Pedro" in emprende
    desarrolla = browser.get("/emprendimiento/?ruta=desarrolla").get_data(as_text=True)
    assert "Olga" in desarrolla
    assert '>1</span>' in desarrolla  # each tab shows how many are active in it


def test_business_record_and_services_from_its_page(app, a, browser):
    pid = a.person()
    path = f"/emprendimiento/personas/{pid}"
    refused = post(browser, f"{path}/negocio", nombre="", sector="", etapa="eterno")
    assert refused.status_code == 422
    assert post(browser, f"{path}/negocio", nombre="Arepas Doña Ana", sector="Alimentos",
                etapa="6_24", empleados="1").status_code == 303
    stale = post(browser, f"{path}/negocio", nombre="Arepas", sector="Alimentos", etapa="6_24",
                 version="7")
    assert stale.status_code == 409
    # The profile takes the business's name and sector without typing them again.
    assert post(browser, f"{path}/servicios/perfil_proyecto", **{
        "perfil_proyecto-fecha": ago(3), "perfil_proyecto-nombre_negocio": "",
        "perfil_proyecto-sector": ""}).status_code == 303
    plan = post(browser, f"{path}/servicios/plan_negocio", **{
        "plan_negocio-fecha": ago(2),
        "plan_negocio-item_1_descripcion": "Plancha", "plan_negocio-item_1_cantidad": "1",
        "plan_negocio-item_1_precio_unitario": "350.000",
        "plan_negocio-item_2_descripcion": "Nevera", "plan_negocio-item_2_cantidad": "1",
        "plan_negocio-item_2_precio_unitario": "1.150.000"})
    assert plan.status_code == 303
    assert post(browser, f"{path}/servicios/formalizacion", **{
        "formalizacion-fecha": ago(1), "formalizacion-registro": "Matrícula mercantil"}).status_code == 303
    itinerary = a.caller.get(f"/participantes/{pid}").get_json()["itinerario"]
    profile, plan_row, formal = itinerary
    assert (profile["nombre_negocio"], profile["sector"]) == ("Arepas Doña Ana", "Alimentos")
    assert plan_row["valor_solicitado"] == 1_500_000 and len(plan_row["items"]) == 2
    assert formal["registro"] == "Matrícula mercantil"
    page = browser.get(path).get_data(as_text=True)
    assert "formal ·" in page and "6 a 24 meses" in page
    bad_total = post(browser, f"{path}/servicios/plan_negocio", **{
        "plan_negocio-fecha": ago(0), "plan_negocio-valor_solicitado": "9",
        "plan_negocio-item_1_descripcion": "Plancha", "plan_negocio-item_1_cantidad": "1",
        "plan_negocio-item_1_precio_unitario": "350.000"})
    text = bad_total.get_data(as_text=True)
    assert bad_total.status_code == 422 and "suma de los ítems" in text, text[text.find("<main>"):text.find("<main>") + 1500]
    assert post(browser, f"{path}/servicios/comite", **{"comite-fecha": ago(0)}).status_code == 404


def test_emprendimiento_pages_respect_centres_and_roles(app, world, a, make_client):
    pid = a.person()
    other = make_client()
    login(other, world["asesor_b"])
    assert other.get(f"/emprendimiento/personas/{pid}").status_code == 404
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    assert supervisor.get(f"/emprendimiento/personas/{pid}").status_code == 200
    token = csrf_token(supervisor, "/emprendimiento/")
    assert supervisor.post(f"/emprendimiento/personas/{pid}/negocio",
                           data={"csrf_token": token}).status_code == 403
