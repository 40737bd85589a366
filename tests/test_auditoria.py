"""The audit trail viewer: admins and supervisors only, filters, and an export that is itself
recorded and formula-safe."""
from __future__ import annotations

import csv
import io

from conftest import PASSWORD, login, person_payload


def test_who_may_read_the_trail(api, world):
    assert api(world["supervisor"]).get("/auditoria").status_code == 200
    assert api(world["admin"]).get("/auditoria").status_code == 200
    for role in ("asesor_a", "director_a"):
        assert api(world[role]).get("/auditoria").status_code == 403
        assert api(world[role]).get("/auditoria.csv").status_code == 403


def test_filters_find_a_persons_changes_and_failed_logins(client, api, world):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    client.post("/api/v1/tokens", json={"username": world["director_b"].username,
                                        "password": "no-es-" + PASSWORD})
    admin = api(world["admin"])
    changes = admin.get(f"/auditoria?entidad=participante&entidad_id={person['id']}").get_json()
    assert changes["total"] >= 1 and {e["accion"] for e in changes["items"]} >= {"crear"}
    assert all(e["entidad_id"] == person["id"] for e in changes["items"])
    assert changes["items"][0]["despues"]["numero_documento"] == "[reservado]"
    failed = admin.get(f"/auditoria?usuario={world['director_b'].username}").get_json()
    assert failed["total"] >= 1 and any("fallido" in e["accion"] or "login" in e["accion"]
                                        for e in failed["items"])
    assert admin.get("/auditoria?desde=2026-03-31&hasta=2026-03-01").status_code == 422


def test_the_export_is_recorded_and_safe(client, api, world):
    api(world["asesor_a"]).post("/participantes", json=person_payload(nombres="=HYPERLINK(\"x\")"))
    admin = api(world["admin"])
    response = admin.get("/auditoria.csv?entidad=participante")
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Fecha y hora (Bogotá)" and len(rows) >= 2
    assert not any(cell.startswith("=") for row in rows for cell in row)
    exported = admin.get("/auditoria?accion=exportar&entidad=auditoria").get_json()
    assert exported["total"] == 1 and "filas" in exported["items"][0]["detalle"]
    login(client, world["supervisor"])
    page = client.get("/auditoria/?accion=exportar").get_data(as_text=True)
    assert "Registro de auditoría" in page and "exportar" in page


def test_another_centres_record_is_a_404_and_the_attempt_is_recorded(api, world):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    assert api(world["asesor_b"]).get(f"/participantes/{person['id']}").status_code == 404
    assert api(world["asesor_b"]).get("/participantes/999999").status_code == 404  # none at all
    denied = api(world["admin"]).get(
        f"/auditoria?accion=denegado&usuario={world['asesor_b'].username}").get_json()
    assert [(e["entidad"], e["entidad_id"]) for e in denied["items"]] == [("participante", person["id"])]
