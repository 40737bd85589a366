"""Referenciación: the directory per centre, referring, the follow-up states and the overdue queue."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login, person_payload

TODAY = CLOCK_TODAY


def iso(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def a(api, world):
    return api(world["asesor_a"])


@pytest.fixture
def programa(a):
    response = a.post("/programas", json={"nombre": "Mujeres Emprendedoras", "entidad": "Fundación Mundo Mujer",
                                          "categoria": "terceros", "contacto": "300 111 2233"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def person(a):
    return a.post("/participantes", json=person_payload()).get_json()


def refer(caller, person, programa, **extra):
    body = {"programa_id": programa["id"], "fecha": iso(0), **extra}
    return caller.post(f"/participantes/{person['id']}/referencias", json=body)


def test_directory_validation_duplicates_and_centres(api, world, a, programa):
    refused = a.post("/programas", json={"nombre": "", "entidad": "X", "categoria": "marte"})
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"nombre", "categoria"}
    again = a.post("/programas", json={"nombre": "Mujeres Emprendedoras", "entidad": "Otra",
                                       "categoria": "otros"})
    assert again.status_code == 409
    # Another centre keeps its own directory: same name allowed there, A's invisible.
    b = api(world["asesor_b"])
    assert b.post("/programas", json={"nombre": "Mujeres Emprendedoras", "entidad": "Otra",
                                      "categoria": "otros"}).status_code == 201
    assert [p["entidad"] for p in b.get("/programas").get_json()["items"]] == ["Otra"]
    assert b.patch(f"/programas/{programa['id']}", json={"version": 1, "activo": False}).status_code == 404
    assert api(world["supervisor"]).get("/programas").get_json()["total"] == 2
    assert api(world["supervisor"]).post("/programas", json={}).status_code == 403


def test_referring_records_the_actuacion_and_opens_the_follow_up(api, world, a, programa, person):
    response = refer(a, person, programa, notas="Llamar a Diana")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["estado"] == "enviada"
    assert body["fecha_seguimiento"] == (TODAY + timedelta(days=15)).isoformat()
    itinerary = a.get(f"/participantes/{person['id']}").get_json()["itinerario"]
    assert [(x["tipo"], x["destino"], x["programa"]) for x in itinerary] == [
        ("referenciacion", "terceros", "Mujeres Emprendedoras")]
    assert itinerary[0]["id"] == body["actuacion_id"]


def test_refusals_record_nothing(api, world, a, programa, person):
    b = api(world["asesor_b"])
    other = b.post("/programas", json={"nombre": "SENA", "entidad": "SENA", "categoria": "gobierno_nacional"}).get_json()
    assert refer(a, person, other).status_code == 422
    early = refer(a, person, programa, fecha=iso(1), fecha_seguimiento=iso(3))
    assert early.status_code == 422 and "fecha_seguimiento" in early.get_json()["error"]["fields"]
    a.patch(f"/programas/{programa['id']}", json={"version": 1, "activo": False})
    inactive = refer(a, person, programa)
    assert inactive.status_code == 422 and "activo" in inactive.get_json()["error"]["fields"]["programa_id"]
    assert a.get(f"/participantes/{person['id']}").get_json()["itinerario"] == []
    assert a.get("/referencias").get_json()["total"] == 0


def test_follow_up_only_moves_forward(a, programa, person):
    ref = refer(a, person, programa).get_json()
    path = f"/referencias/{ref['id']}"
    skipped = a.patch(path, json={"version": 1, "estado": "atendida"})
    assert skipped.status_code == 422 and "aceptada, rechazada" in skipped.get_json()["error"]["fields"]["estado"]
    accepted = a.patch(path, json={"version": 1, "estado": "aceptada", "fecha_seguimiento": iso(-7),
                                   "notas": "Cita el lunes"})
    assert accepted.status_code == 200
    assert accepted.get_json()["fecha_seguimiento"] == iso(-7)
    assert a.patch(path, json={"version": 1, "estado": "atendida"}).status_code == 409  # stale
    attended = a.patch(path, json={"version": 2, "estado": "atendida"})
    assert attended.status_code == 200 and attended.get_json()["estado"] == "atendida"
    closed = a.patch(path, json={"version": 3, "estado": "rechazada"})
    assert closed.status_code == 422 and "cerrada" in closed.get_json()["error"]["fields"]["estado"]


def test_only_the_creation_counts_for_the_tablero(a, programa, person):
    ref = refer(a, person, programa).get_json()
    query = f"/tableros/global?desde={iso(0)}&hasta={iso(0)}"

    def row_21():
        return next(f["resultado"] for f in a.get(query).get_json()["filas"] if f["codigo"] == "2.1")

    assert row_21() == 1
    a.patch(f"/referencias/{ref['id']}", json={"version": 1, "estado": "aceptada"})
    a.patch(f"/referencias/{ref['id']}", json={"version": 2, "estado": "atendida"})
    assert row_21() == 1


def test_the_overdue_queue(a, programa, person):
    second = a.post("/participantes", json=person_payload(numero_documento="44556677",
                                                          nombres="Luis")).get_json()
    third = a.post("/participantes", json=person_payload(numero_documento="44556678",
                                                         nombres="Marta")).get_json()
    old = refer(a, person, programa, fecha=iso(30), fecha_seguimiento=iso(10)).get_json()
    older = refer(a, second, programa, fecha=iso(40), fecha_seguimiento=iso(20)).get_json()
    refer(a, third, programa, fecha=iso(5), fecha_seguimiento=iso(-3))  # not due yet
    closed = refer(a, third, programa, fecha=iso(50), fecha_seguimiento=iso(30)).get_json()
    a.patch(f"/referencias/{closed['id']}", json={"version": 1, "estado": "rechazada"})
    annulled = refer(a, third, programa, fecha=iso(60), fecha_seguimiento=iso(40)).get_json()
    a.post(f"/actuaciones/{annulled['actuacion_id']}/anular", json={"motivo": "Registrada por error"})
    due = a.get("/referencias?vencidas=1").get_json()
    assert [r["id"] for r in due["items"]] == [older["id"], old["id"]]
    assert a.patch(f"/referencias/{annulled['id']}", json={"version": 1, "estado": "aceptada"}).status_code == 409
    assert a.get("/referencias?estado=rechazada").get_json()["total"] == 1
    assert a.get("/referencias?vencidas=talvez").status_code == 422


def test_pages_refer_follow_up_and_queue(app, make_client, world, a, programa, person):
    browser = make_client()
    login(browser, world["asesor_a"])
    form = browser.get(f"/referenciacion/personas/{person['id']}/nueva").get_data(as_text=True)
    assert "Mujeres Emprendedoras — Fundación Mundo Mujer" in form
    token = csrf_token(browser, f"/referenciacion/personas/{person['id']}/nueva")
    refused = browser.post(f"/referenciacion/personas/{person['id']}/nueva",
                           data={"csrf_token": token, "programa_id": "", "fecha": iso(0)})
    assert refused.status_code == 422
    done = browser.post(f"/referenciacion/personas/{person['id']}/nueva", follow_redirects=True,
                        data={"csrf_token": token, "programa_id": str(programa["id"]),
                              "fecha": iso(20), "fecha_seguimiento": iso(2)})
    assert "Referida a Mujeres Emprendedoras" in done.get_data(as_text=True)
    queue = browser.get("/referenciacion/?vencidas=y").get_data(as_text=True)
    assert "Ana María Pérez Rojas" in queue and "vencido" in queue
    ref_id = a.get("/referencias").get_json()["items"][0]["id"]
    page = browser.get(f"/referenciacion/{ref_id}").get_data(as_text=True)
    assert "Registrar seguimiento" in page and '<option value="atendida">' not in page
    saved = browser.post(f"/referenciacion/{ref_id}", data={
        "csrf_token": token, "estado": "aceptada", "fecha_seguimiento": iso(-10), "notas": "Inició",
        "version": "1"})
    assert saved.status_code == 303
    assert "Ana María" not in browser.get("/referenciacion/?vencidas=y").get_data(as_text=True)
    other = make_client()
    login(other, world["asesor_b"])
    assert other.get(f"/referenciacion/{ref_id}").status_code == 404
    assert other.get(f"/referenciacion/personas/{person['id']}/nueva").status_code == 404
