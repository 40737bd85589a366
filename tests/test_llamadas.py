"""Verification calls: the month's call list (all or a seeded sample), calls item by item, and
the entrega_no_confirmada alert a contradicting call raises until a later call confirms."""
from __future__ import annotations

import itertools

import pytest

from conftest import csrf_token, login, person_payload

documents = itertools.count(80_100_000)


def seed_capital(caller, delivered_on: str, horno: int = 1) -> int:
    """A person with an approved plan (horno and batidora) and a delivery on `delivered_on`."""
    person = caller.post("/participantes", json=person_payload(
        numero_documento=str(next(documents)), telefono="3001112233")).get_json()["id"]
    for body in ({"tipo": "plan_negocio", "fecha": "2026-01-08", "nombre_negocio": "Panadería",
                  "valor_solicitado": 900_000},
                 {"tipo": "visita_acompanamiento", "fecha": "2026-01-09", "clase": "diagnostico"},
                 {"tipo": "plan_ajustado", "fecha": "2026-01-10", "valor": 900_000,
                  "items": [{"descripcion": "Horno", "cantidad": 1, "precio_unitario": 500_000},
                            {"descripcion": "Batidora", "cantidad": 2, "precio_unitario": 200_000}]}):
        assert caller.post(f"/participantes/{person}/actuaciones", json=body).status_code == 201
    plan_id = caller.get(f"/participantes/{person}").get_json()["itinerario"][-1]["id"]
    sesion = caller.post("/comite/sesiones", json={
        "fecha": "2026-01-11", "lugar": "Sede", "miembros": "Uno\nDos",
        "decisiones": [{"plan_id": plan_id, "decision": "aprobado"}]})
    assert sesion.status_code == 201, sesion.get_json()
    entrega = caller.post(f"/participantes/{person}/entregas", json={
        "fecha": delivered_on, "proveedor": "Almacén El Sol", "nit": "900123456",
        "items": [{"descripcion": "Horno", "cantidad": horno, "precio_unitario": 500_000},
                  {"descripcion": "Batidora", "cantidad": 2, "precio_unitario": 200_000}]})
    assert entrega.status_code == 201, entrega.get_json()
    return person


def confirm_all(person: int, **changes) -> dict:
    body = {"participante_id": person, "fecha": "2026-03-30", "contesto": True,
            "proveedor_confirmado": True,
            "items": [{"descripcion": "Horno", "recibido": "si", "estado_bienes": "bueno"},
                      {"descripcion": "batidora ", "recibido": "si", "estado_bienes": "regular"}]}
    body.update(changes)
    return body


def _alerts(caller, tipo="entrega_no_confirmada"):
    return caller.get(f"/alertas?tipo={tipo}").get_json()["items"]


def test_call_list_holds_the_months_deliveries_with_what_to_ask(api, world):
    asesor = api(world["asesor_a"])
    march = seed_capital(asesor, "2026-03-10")
    seed_capital(asesor, "2026-02-20")
    supervisor = api(world["supervisor"])
    lista = supervisor.get(f"/llamadas/lista?mes=2026-03&centro_id={world['centro_a'].id}")
    assert lista.status_code == 200
    body = lista.get_json()
    assert body["con_entrega"] == 1 and [b["participante_id"] for b in body["items"]] == [march]
    row = body["items"][0]
    assert row["telefono"] == "3001112233" and row["proveedores"] == ["Almacén El Sol"]
    assert row["valor_aprobado"] == 900_000 and row["valor_entregado"] == 900_000
    assert {i["descripcion"]: (i["aprobado"], i["entregado"]) for i in row["items"]} == {
        "Horno": (1, 1), "Batidora": (2, 2)}
    assert row["ultima_llamada"] is None
    assert api(world["director_a"]).get("/llamadas/lista?mes=2026-03").status_code == 403
    assert supervisor.get("/llamadas/lista?mes=2026-13").status_code == 422


def test_sample_is_reproducible_from_its_seed(api, world):
    asesor = api(world["asesor_a"])
    people = {seed_capital(asesor, "2026-03-10") for _ in range(6)}
    supervisor = api(world["supervisor"])
    first = supervisor.get("/llamadas/lista?mes=2026-03&muestra=3&semilla=42").get_json()
    again = supervisor.get("/llamadas/lista?mes=2026-03&muestra=3&semilla=42").get_json()
    chosen = [b["participante_id"] for b in first["items"]]
    assert len(chosen) == 3 and set(chosen) <= people and first["con_entrega"] == 6
    assert chosen == [b["participante_id"] for b in again["items"]]
    drawn = supervisor.get("/llamadas/lista?mes=2026-03&muestra=3").get_json()
    assert drawn["semilla"] is not None  # a seed is drawn and shown, so the sample can be redrawn
    redrawn = supervisor.get(f"/llamadas/lista?mes=2026-03&muestra=3&semilla={drawn['semilla']}")
    assert [b["participante_id"] for b in redrawn.get_json()["items"]] == \
        [b["participante_id"] for b in drawn["items"]]


def test_a_contradicting_call_raises_the_alert_and_a_confirming_one_clears_it(api, world):
    person = seed_capital(api(world["asesor_a"]), "2026-03-10")
    supervisor, director = api(world["supervisor"]), api(world["director_a"])
    call = supervisor.post("/llamadas", json=confirm_all(person, proveedor_confirmado=False, items=[
        {"descripcion": "Horno", "recibido": "no"},
        {"descripcion": "Batidora", "recibido": "parcial", "cantidad_recibida": 1,
         "estado_bienes": "malo"}]))
    assert call.status_code == 201, call.get_json()
    assert call.get_json()["discrepancia"] is True
    found = _alerts(director)
    assert [a["participante_id"] for a in found] == [person]
    assert "no recibió Horno" in found[0]["detalle"] and "1 de 2 Batidora" in found[0]["detalle"]
    assert "no reconoce al proveedor" in found[0]["detalle"]
    assert found[0]["siguiente_paso"]
    assert _alerts(api(world["director_b"])) == []
    later = supervisor.post("/llamadas", json=confirm_all(person, fecha="2026-03-31"))
    assert later.status_code == 201 and later.get_json()["discrepancia"] is False
    assert _alerts(director) == []
    history = supervisor.get(f"/participantes/{person}/llamadas").get_json()["items"]
    assert [c["discrepancia"] for c in history] == [False, True]


def test_no_answer_is_recorded_without_raising_anything(api, world):
    person = seed_capital(api(world["asesor_a"]), "2026-03-10")
    supervisor = api(world["supervisor"])
    call = supervisor.post("/llamadas", json={"participante_id": person, "fecha": "2026-03-30",
                                              "contesto": False})
    assert call.status_code == 201
    assert call.get_json()["resumen"] == "No contestó." and not call.get_json()["discrepancia"]
    assert _alerts(supervisor) == []


@pytest.mark.parametrize("change, field", [
    ({"items": [{"descripcion": "Horno", "recibido": "si", "estado_bienes": "bueno"}]}, "items"),
    ({"items": [{"descripcion": "Nevera", "recibido": "si", "estado_bienes": "bueno"},
                {"descripcion": "Horno", "recibido": "si", "estado_bienes": "bueno"},
                {"descripcion": "Batidora", "recibido": "si", "estado_bienes": "bueno"}]},
     "items[1].descripcion"),
    ({"items": [{"descripcion": "Horno", "recibido": "parcial", "estado_bienes": "bueno"},
                {"descripcion": "Batidora", "recibido": "si", "estado_bienes": "bueno"}]},
     "items[1].cantidad_recibida"),
    ({"fecha": "2026-01-05"}, "fecha"),  # before the comité
    ({"fecha": "2026-04-01"}, "fecha"),  # tomorrow in Bogotá
    ({"proveedor_confirmado": None}, "proveedor_confirmado"),
])
def test_bad_calls_are_refused_and_nothing_written(api, world, change, field):
    person = seed_capital(api(world["asesor_a"]), "2026-03-10")
    supervisor = api(world["supervisor"])
    refused = supervisor.post("/llamadas", json=confirm_all(person, **change))
    assert refused.status_code == 422
    assert field in refused.get_json()["error"]["fields"]
    assert supervisor.get(f"/participantes/{person}/llamadas").get_json()["items"] == []


def test_who_may_call(api, world):
    asesor = api(world["asesor_a"])
    person = seed_capital(asesor, "2026-03-10")
    plain = asesor.post("/participantes", json=person_payload(numero_documento="1234567")).get_json()["id"]
    assert asesor.post("/llamadas", json=confirm_all(person)).status_code == 403
    assert api(world["director_a"]).post("/llamadas", json=confirm_all(person)).status_code == 403
    supervisor = api(world["supervisor"])
    no_plan = supervisor.post("/llamadas", json=confirm_all(plain))
    assert no_plan.status_code == 422 and "participante_id" in no_plan.get_json()["error"]["fields"]
    assert supervisor.post("/llamadas", json=confirm_all(999_999)).status_code == 404
    assert api(world["director_b"]).get(f"/participantes/{person}/llamadas").status_code == 404


def test_supervisor_calls_from_the_pages(app, client, world, api):
    person = seed_capital(api(world["asesor_a"]), "2026-03-10")
    login(client, world["supervisor"])
    listing = client.get("/microfinanciamiento/llamadas?mes=2026-03").get_data(as_text=True)
    assert "3001112233" in listing and "Almacén El Sol" in listing
    page = f"/microfinanciamiento/llamadas/{person}"
    response = client.post(page, data={
        "csrf_token": csrf_token(client, page), "fecha": "2026-03-30", "contesto": "si",
        "proveedor_confirmado": "si",
        "items-1-descripcion": "Horno", "items-1-recibido": "no",
        "items-2-descripcion": "Batidora", "items-2-recibido": "si",
        "items-2-estado_bienes": "bueno"})
    assert response.status_code == 303
    assert "no recibió Horno" in client.get(page).get_data(as_text=True)
    alerts = client.get("/microfinanciamiento/alertas?tipo=entrega_no_confirmada").get_data(as_text=True)
    assert "no recibió Horno" in alerts
