"""PQRS: Ley 1755 deadlines in Colombian business days, overdue first, never deleted or hidden."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import TODAY, csrf_token, login, person_payload
from cemprende.itinerario.dia import business_days_after


def _pqrs(**overrides) -> dict:
    data = {"tipo": "queja", "canal": "presencial", "fecha_radicacion": TODAY.isoformat(),
            "asunto": "Entrega incompleta", "texto": "Me entregaron la mitad de lo aprobado.",
            "nombre_peticionario": "Vecina del barrio"}
    data.update(overrides)
    return data


def test_business_days_skip_weekends_and_colombian_holidays():
    # Tuesday 31/03/2026; Holy Thursday and Good Friday (2 and 3 April) are holidays.
    assert business_days_after(date(2026, 3, 31), 1) == date(2026, 4, 1)
    assert business_days_after(date(2026, 3, 31), 2) == date(2026, 4, 6)
    assert business_days_after(date(2026, 3, 31), 15) == date(2026, 4, 23)
    assert business_days_after(date(2026, 12, 31), 1) == date(2027, 1, 4)  # 1 January off


@pytest.mark.parametrize("tipo, limite", [("queja", "2026-04-23"), ("peticion", "2026-04-23"),
                                          ("peticion_documentos", "2026-04-16"),
                                          ("consulta", "2026-05-15")])
def test_deadline_follows_the_kind(api, world, tipo, limite):
    response = api(world["asesor_a"]).post("/pqrs", json=_pqrs(tipo=tipo))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["fecha_limite"] == limite
    assert body["estado"] == "radicada" and body["centro_id"] == world["centro_a"].id
    assert body["radicado"].startswith("PQRS-2026-")


@pytest.mark.parametrize("change, field", [
    ({"tipo": "denuncia"}, "tipo"),
    ({"fecha_radicacion": "2026-04-01"}, "fecha_radicacion"),  # tomorrow in Bogotá
    ({"texto": "x" * 5001}, "texto"),
    ({"asunto": ""}, "asunto"),
    ({"anonima": True}, "anonima"),  # anonymous with a name
    ({"nombre_peticionario": None}, "nombre_peticionario"),  # nobody and not anonymous
])
def test_bad_input_is_refused_and_nothing_written(api, world, change, field):
    caller = api(world["asesor_a"])
    response = caller.post("/pqrs", json=_pqrs(**change))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert caller.get("/pqrs").get_json()["total"] == 0


def test_seed_capital_complaint_links_the_persons_plan_only(api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()["id"]
    other = caller.post("/participantes", json=person_payload(numero_documento="1098700001")).get_json()["id"]
    plan = caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "plan_negocio", "fecha": "2026-01-08", "nombre_negocio": "Panadería",
        "valor_solicitado": 500_000}).get_json()["id"]
    refused = caller.post("/pqrs", json=_pqrs(participante_id=other, plan_id=plan,
                                               nombre_peticionario=None))
    assert refused.status_code == 422 and "plan_id" in refused.get_json()["error"]["fields"]
    made = caller.post("/pqrs", json=_pqrs(participante_id=person, plan_id=plan,
                                            nombre_peticionario=None))
    assert made.status_code == 201 and made.get_json()["plan_id"] == plan


def test_another_centre_sees_nothing_and_supervisor_sees_all_overdue_first(api, world):
    a = api(world["asesor_a"])
    old = a.post("/pqrs", json=_pqrs(fecha_radicacion="2026-01-05", asunto="Vieja")).get_json()
    new = a.post("/pqrs", json=_pqrs(asunto="Nueva")).get_json()
    answered = a.post("/pqrs", json=_pqrs(fecha_radicacion="2026-01-02", asunto="Respondida")).get_json()
    assert a.post(f"/pqrs/{answered['id']}/respuesta", json={
        "respuesta": "Se entregó lo faltante.", "fecha_respuesta": "2026-01-09",
        "version": answered["version"]}).status_code == 200
    b = api(world["director_b"])
    assert b.get(f"/pqrs/{old['id']}").status_code == 404
    assert b.get("/pqrs").get_json()["total"] == 0
    supervisor = api(world["supervisor"])
    listed = supervisor.get("/pqrs").get_json()["items"]
    assert [p["asunto"] for p in listed] == ["Vieja", "Nueva", "Respondida"]
    assert [p["vencida"] for p in listed] == [True, False, False]
    overdue = supervisor.get("/pqrs?vencidas=1").get_json()
    assert overdue["total"] == 1 and overdue["items"][0]["id"] == old["id"]
    assert supervisor.post("/pqrs", json=_pqrs(centro_id=world["centro_a"].id)).status_code == 403


def test_no_one_deletes_or_rewrites_a_pqrs(api, client, world):
    director = api(world["director_a"])
    made = director.post("/pqrs", json=_pqrs()).get_json()
    for method in ("delete", "put", "patch"):
        assert getattr(director, method)(f"/pqrs/{made['id']}", json={}).status_code == 405
    admin = api(world["admin"])
    assert admin.delete(f"/pqrs/{made['id']}").status_code == 405
    answer = {"respuesta": "Atendida.", "fecha_respuesta": TODAY.isoformat(),
              "version": made["version"]}
    assert director.post(f"/pqrs/{made['id']}/respuesta", json=answer).status_code == 200
    again = director.post(f"/pqrs/{made['id']}/respuesta", json={**answer, "version": 2})
    assert again.status_code == 409
    kept = director.get(f"/pqrs/{made['id']}").get_json()
    assert kept["respuesta"] == "Atendida." and kept["texto"] == made["texto"]
    assert director.get("/pqrs").get_json()["total"] == 1


def test_answer_checks_dates_and_version(api, world):
    caller = api(world["asesor_a"])
    made = caller.post("/pqrs", json=_pqrs(fecha_radicacion="2026-03-20")).get_json()
    early = caller.post(f"/pqrs/{made['id']}/respuesta", json={
        "respuesta": "Ok", "fecha_respuesta": "2026-03-19", "version": made["version"]})
    assert early.status_code == 422 and "fecha_respuesta" in early.get_json()["error"]["fields"]
    stale = caller.post(f"/pqrs/{made['id']}/respuesta", json={
        "respuesta": "Ok", "fecha_respuesta": "2026-03-25", "version": made["version"] + 1})
    assert stale.status_code == 409
    late = caller.post("/pqrs", json=_pqrs(fecha_radicacion="2026-01-02")).get_json()
    body = caller.post(f"/pqrs/{late['id']}/respuesta", json={
        "respuesta": "Tarde", "fecha_respuesta": "2026-03-02", "version": late["version"]}).get_json()
    assert body["estado"] == "respondida" and body["fuera_de_termino"] is True


def test_notes_by_staff_open_the_tramite_but_a_supervisors_do_not(api, world):
    made = api(world["asesor_a"]).post("/pqrs", json=_pqrs()).get_json()
    supervisor = api(world["supervisor"])
    assert supervisor.post(f"/pqrs/{made['id']}/notas", json={"nota": "¿Ya llamaron?"}).status_code == 201
    assert supervisor.get(f"/pqrs/{made['id']}").get_json()["estado"] == "radicada"
    director = api(world["director_a"])
    assert director.post(f"/pqrs/{made['id']}/notas", json={"nota": "Llamamos hoy."}).status_code == 201
    kept = director.get(f"/pqrs/{made['id']}").get_json()
    assert kept["estado"] == "en_tramite"
    assert [n["nota"] for n in kept["notas"]] == ["¿Ya llamaron?", "Llamamos hoy."]


def test_pages_record_answer_and_list(app, client, world, api):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    login(client, world["asesor_a"])
    token = csrf_token(client, f"/pqrs/nueva?participante_id={person['id']}")
    response = client.post(f"/pqrs/nueva?participante_id={person['id']}", data={
        "csrf_token": token, "tipo": "reclamo", "canal": "telefonico",
        "fecha_radicacion": TODAY.isoformat(), "asunto": "Cobro indebido",
        "texto": "Le cobraron por el curso."})
    assert response.status_code == 303
    detail = client.get(response.location).get_data(as_text=True)
    assert "Cobro indebido" in detail and "23/04/2026" in detail and person["nombres"] in detail
    pqrs_id = int(response.location.rstrip("/").rsplit("/", 1)[-1])
    answered = client.post(f"/pqrs/{pqrs_id}/respuesta", data={
        "csrf_token": csrf_token(client, f"/pqrs/{pqrs_id}"), "respuesta": "Se devolvió el dinero.",
        "fecha_respuesta": TODAY.isoformat(), "version": "1"})
    assert answered.status_code == 303
    listing = client.get("/pqrs/").get_data(as_text=True)
    assert "Cobro indebido" in listing and "Respondida" in listing
    refused = client.post(f"/pqrs/{pqrs_id}/respuesta", data={
        "csrf_token": csrf_token(client, f"/pqrs/{pqrs_id}"), "respuesta": "Otra",
        "fecha_respuesta": TODAY.isoformat(), "version": "2"})
    assert refused.status_code == 409
