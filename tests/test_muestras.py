"""Audit samples: drawn from the very units behind each tablero row, reproducible from the stored
seed, reviewed unit by unit, with error rates per row and for the centre."""
from __future__ import annotations

import csv
import io

import pytest

from conftest import MARCH, build_routing_scenario, build_services_scenario, csrf_token, login


def _key(item: dict) -> tuple:
    return (item["codigo"], item["participante_id"], item["actuacion_id"], item["vacante_id"])


@pytest.fixture
def audited(api, centre, world):
    caller = centre(world["asesor_a"])
    build_routing_scenario(caller)
    build_services_scenario(caller)
    return world


def _draw(api, world, **extra):
    body = {"centro_id": world["centro_a"].id, "mes": "2015-03", "tamano": 2, **extra}
    return api(world["supervisor"]).post("/muestras", json=body)


def test_each_rows_sample_comes_from_its_drill_down_and_the_seed_repeats_it(api, audited):
    world = audited
    first = _draw(api, world, semilla=42)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["semilla"] == 42 and body["items"]
    supervisor = api(world["supervisor"])
    by_row: dict[str, list] = {}
    for item in body["items"]:
        by_row.setdefault((item["tablero"], item["codigo"]), []).append(item)
    for (tablero, codigo), items in by_row.items():
        assert len(items) <= 2
        listed = supervisor.get(f"/tableros/{tablero}/filas/{codigo}/personas?{MARCH}"
                                f"&centro_id={world['centro_a'].id}&per_page=200").get_json()
        units = {(codigo, u["participante_id"], u.get("actuacion_id"), u.get("vacante_id"))
                 for u in listed["items"]}
        assert {_key(i) for i in items} <= units, codigo
        assert len(items) == min(2, listed["total"])
    again = _draw(api, world, semilla=42).get_json()
    assert [_key(i) for i in again["items"]] == [_key(i) for i in body["items"]]
    drawn = _draw(api, world).get_json()
    assert isinstance(drawn["semilla"], int)  # a seed is drawn and stored when none is given


def test_verdicts_give_error_rates_per_row_and_centre(api, audited):
    world = audited
    body = _draw(api, world, semilla=7).get_json()
    supervisor = api(world["supervisor"])
    first, second = body["items"][0], body["items"][1]
    missing = supervisor.post(f"/muestras/items/{first['id']}/veredicto", json={
        "veredicto": "no_conforme", "version": first["version"]})
    assert missing.status_code == 422 and "motivo" in missing.get_json()["error"]["fields"]
    assert supervisor.post(f"/muestras/items/{first['id']}/veredicto", json={
        "veredicto": "no_conforme", "motivo": "Sin acta de compromiso firmada",
        "version": first["version"]}).status_code == 200
    assert supervisor.post(f"/muestras/items/{second['id']}/veredicto", json={
        "veredicto": "conforme", "version": second["version"]}).status_code == 200
    stale = supervisor.post(f"/muestras/items/{second['id']}/veredicto", json={
        "veredicto": "conforme", "version": second["version"]})
    assert stale.status_code == 409
    summary = supervisor.get(f"/muestras/{body['id']}").get_json()
    assert summary["total"]["revisadas"] == 2 and summary["total"]["no_conformes"] == 1
    assert summary["total"]["tasa_error"] == 50
    rows = {r["codigo"]: r for r in summary["tasas"]}
    assert rows[first["codigo"]]["no_conformes"] >= 1
    assert sum(r["unidades"] for r in rows.values()) == len(body["items"])
    text = supervisor.get(f"/muestras/{body['id']}.csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][0] == "Tablero" and "No conforme" in {line[9] for line in lines[1:]}


def test_who_draws_sees_and_reviews(api, audited):
    world = audited
    made = _draw(api, world, semilla=3).get_json()
    assert api(world["director_a"]).post("/muestras", json={
        "centro_id": world["centro_a"].id, "mes": "2015-03"}).status_code == 403
    assert api(world["director_a"]).get(f"/muestras/{made['id']}").status_code == 200
    assert api(world["director_b"]).get(f"/muestras/{made['id']}").status_code == 404
    item = made["items"][0]
    assert api(world["director_a"]).post(f"/muestras/items/{item['id']}/veredicto", json={
        "veredicto": "conforme", "version": item["version"]}).status_code == 403
    supervisor = api(world["supervisor"])
    assert supervisor.post("/muestras", json={"mes": "2015-03"}).status_code == 422  # which centre?
    assert supervisor.post("/muestras", json={"centro_id": world["centro_a"].id,
                                              "mes": "2026-03"}).status_code == 422  # not ended
    assert supervisor.post("/muestras", json={"centro_id": world["centro_a"].id, "mes": "2015-03",
                                              "tamano": 500}).status_code == 422


def test_the_pages_draw_and_review(app, client, audited):
    world = audited
    login(client, world["supervisor"])
    response = client.post("/muestras/", data={
        "csrf_token": csrf_token(client, "/muestras/"), "centro_id": str(world["centro_a"].id),
        "mes": "2015-03", "tamano": "1", "semilla": "11"})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "Semilla <strong>11</strong>" in page and "Tasa de error del centro" in page
