"""Suppliers with a verified NIT, quotes per plan item (three from different suppliers, a warning
on the comité page), item categories, reference prices and the sobreprecio_referencia alert."""
from __future__ import annotations

import itertools

import pytest

from conftest import csrf_token, login, person_payload
from cemprende.microfinanciamiento.proveedores import nit_check_digit

documents = itertools.count(80_500_000)
nits = itertools.count(900_100_001)


def supplier(caller, nombre="Ferretería La 14", **extra) -> dict:
    digits = str(next(nits))
    response = caller.post("/proveedores", json={
        "nit": f"{digits}-{nit_check_digit(digits)}", "nombre": nombre, "ciudad": "Cartagena",
        "sector": "Ferretería", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def adjusted_plan(caller, price=200_000, categoria="herramientas") -> tuple[int, int]:
    """A person with an adjusted plan of one item; returns (person, item id)."""
    person = caller.post("/participantes", json=person_payload(
        numero_documento=str(next(documents)))).get_json()["id"]
    for body in ({"tipo": "plan_negocio", "fecha": "2026-01-08", "nombre_negocio": "Taller",
                  "valor_solicitado": price},
                 {"tipo": "visita_acompanamiento", "fecha": "2026-01-09", "clase": "diagnostico"},
                 {"tipo": "plan_ajustado", "fecha": "2026-01-10", "valor": price,
                  "items": [{"descripcion": "Taladro", "cantidad": 1, "precio_unitario": price,
                             "categoria": categoria}]}):
        made = caller.post(f"/participantes/{person}/actuaciones", json=body)
        assert made.status_code == 201, made.get_json()
    plan = caller.get(f"/participantes/{person}").get_json()["itinerario"][-1]
    assert plan["items"][0]["categoria"] == categoria
    return person, plan["items"][0]["id"]


def approve(caller, person: int, fecha="2026-01-20"):
    plan_id = caller.get(f"/participantes/{person}").get_json()["itinerario"][-1]["id"]
    made = caller.post("/comite/sesiones", json={
        "fecha": fecha, "lugar": "Sede", "miembros": "Uno\nDos",
        "decisiones": [{"plan_id": plan_id, "decision": "aprobado"}]})
    assert made.status_code == 201, made.get_json()


def quote(caller, item_id, proveedor_id, precio=190_000):
    return caller.post(f"/items/{item_id}/cotizaciones", json={
        "proveedor_id": proveedor_id, "precio_unitario": precio, "fecha": "2026-01-15"})


@pytest.mark.parametrize("digits, dv", [("890903938", 8), ("800197268", 4), ("860034313", 7)])
def test_nit_check_digit_is_dians(digits, dv):
    assert nit_check_digit(digits) == dv


def test_supplier_register_verifies_the_nit(api, world):
    caller = api(world["asesor_a"])
    made = caller.post("/proveedores", json={"nit": "890.903.938-8", "nombre": "Bancolombia",
                                             "ciudad": "Medellín"})
    assert made.status_code == 201 and made.get_json()["nit"] == "890903938-8"
    assert made.get_json()["estado"] == "activo"
    wrong = caller.post("/proveedores", json={"nit": "890903938-7", "nombre": "X", "ciudad": "Y"})
    assert wrong.status_code == 422 and "sería 8" in wrong.get_json()["error"]["fields"]["nit"]
    bare = caller.post("/proveedores", json={"nit": "890903938", "nombre": "X", "ciudad": "Y"})
    assert bare.status_code == 422 and "nit" in bare.get_json()["error"]["fields"]
    again = caller.post("/proveedores", json={"nit": "890903938-8", "nombre": "Otra", "ciudad": "Y"})
    assert again.status_code == 409
    assert caller.get("/proveedores?q=890903").get_json()["total"] == 1
    assert api(world["director_b"]).get(f"/proveedores/{made.get_json()['id']}").status_code == 404
    assert api(world["supervisor"]).post("/proveedores", json={
        "nit": "800197268-4", "nombre": "DIAN", "ciudad": "Bogotá",
        "centro_id": world["centro_a"].id}).status_code == 403
    edited = caller.patch(f"/proveedores/{made.get_json()['id']}", json={
        "estado": "suspendido", "version": made.get_json()["version"]})
    assert edited.status_code == 200 and edited.get_json()["estado"] == "suspendido"


def test_item_category_is_checked_at_the_gate(api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()["id"]
    refused = caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "plan_negocio", "fecha": "2026-01-08", "nombre_negocio": "Taller",
        "valor_solicitado": 100, "items": [{"descripcion": "Taladro", "cantidad": 1,
                                            "precio_unitario": 100, "categoria": "joyas"}]})
    assert refused.status_code == 422 and "items[1].categoria" in refused.get_json()["error"]["fields"]


def test_three_quotes_from_different_active_suppliers_until_the_comite_decides(api, world):
    caller = api(world["asesor_a"])
    person, item = adjusted_plan(caller)
    first, second, third, fourth = (supplier(caller, f"Proveedor {n}") for n in range(4))
    suspended = supplier(caller, "Suspendido", estado="suspendido")
    other_centre = supplier(api(world["asesor_b"]), "De Ocaña")
    assert quote(caller, item, first["id"]).status_code == 201
    twice = quote(caller, item, first["id"])
    assert twice.status_code == 422 and "proveedor_id" in twice.get_json()["error"]["fields"]
    assert quote(caller, item, suspended["id"]).status_code == 422
    assert quote(caller, item, other_centre["id"]).status_code == 422
    assert api(world["director_b"]).get(f"/items/{item}/cotizaciones").status_code == 404
    second_quote = quote(caller, item, second["id"], precio=210_000).get_json()
    assert caller.delete(f"/cotizaciones/{second_quote['id']}").status_code == 204
    assert quote(caller, item, second["id"], precio=205_000).status_code == 201
    assert quote(caller, item, third["id"], precio=200_000).status_code == 201
    assert quote(caller, item, fourth["id"]).status_code == 409
    listed = caller.get(f"/items/{item}/cotizaciones").get_json()["items"]
    assert [q["precio_unitario"] for q in listed] == [190_000, 200_000, 205_000]  # cheapest first
    approve(caller, person)
    frozen = caller.get(f"/items/{item}/cotizaciones").get_json()["items"][0]
    assert caller.delete(f"/cotizaciones/{frozen['id']}").status_code == 409
    assert len(caller.get(f"/items/{item}/cotizaciones").get_json()["items"]) == 3


def test_comite_page_shows_quotes_and_warns_below_three(app, client, api, world):
    caller = api(world["asesor_a"])
    _, item = adjusted_plan(caller)
    made = supplier(caller, "Almacén Único")
    assert quote(caller, item, made["id"], precio=180_000).status_code == 201
    login(client, world["asesor_a"])
    page = client.get("/microfinanciamiento/comite/nueva").get_data(as_text=True)
    assert "Almacén Único" in page and "$ 180.000" in page
    assert "solo 1 de 3 cotizaciones" in page


def test_quote_from_the_plan_page(app, client, api, world):
    caller = api(world["asesor_a"])
    person, item = adjusted_plan(caller)
    made = supplier(caller, "Ferretería Central")
    login(client, world["asesor_a"])
    plan_page = f"/microfinanciamiento/personas/{person}"
    response = client.post(f"/microfinanciamiento/items/{item}/cotizaciones", data={
        "csrf_token": csrf_token(client, plan_page), "proveedor_id": str(made["id"]),
        "precio_unitario": "$ 195.000", "fecha": "2026-01-15"})
    assert response.status_code == 303
    shown = client.get(plan_page).get_data(as_text=True)
    assert "Ferretería Central: $ 195.000" in shown and "1 de 3" in shown


def test_reference_price_and_its_alert(api, world):
    caller = api(world["asesor_a"])
    people = [adjusted_plan(caller)[0] for _ in range(3)]
    for person in people:
        approve(caller, person)
    for person, price in zip(people, (100_000, 100_000, 160_000)):
        delivered = caller.post(f"/participantes/{person}/entregas", json={
            "fecha": "2026-03-10", "proveedor": "Ferretería", "nit": "900123456",
            "items": [{"descripcion": "Taladro", "cantidad": 1, "precio_unitario": price}]})
        assert delivered.status_code == 201, delivered.get_json()
    prices = caller.get("/precios-referencia?mes=2026-03").get_json()["items"]
    assert prices == [{"categoria": "herramientas", "mes": "2026-03", "precio": 120_000,
                       "observaciones": 3}]
    found = api(world["director_a"]).get("/alertas?tipo=sobreprecio_referencia").get_json()["items"]
    assert [a["participante_id"] for a in found] == [people[2]]
    assert "referencia del mes $ 120.000" in found[0]["detalle"] and "+33 %" in found[0]["detalle"]
    assert api(world["director_b"]).get("/alertas?tipo=sobreprecio_referencia").get_json()["items"] == []
