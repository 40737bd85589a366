"""Empleabilidad: vacancies with level and state, sending people, placing them, FIS courses."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login
from conftest import Centre

TODAY = CLOCK_TODAY.isoformat()
YESTERDAY = (CLOCK_TODAY - timedelta(days=1)).isoformat()


@pytest.fixture
def a(api, world):
    return Centre(api(world["asesor_a"]))


@pytest.fixture
def browser(make_client, world):
    client = make_client()
    login(client, world["asesor_a"])
    return client


def seeker(a: Centre, **fields) -> int:
    pid = a.person(**fields)
    a.act(pid, "enrutamiento", YESTERDAY, destino="empleabilidad")
    return pid


def vacancy(a: Centre, cupos=2, **extra) -> dict:
    response = a.caller.post("/vacantes", json={"empresa": "Almacenes Éxito", "cargo": "Cajero(a)",
                                                "cupos": cupos, "fecha": YESTERDAY, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def itinerary_tipos(a: Centre, pid) -> list[str]:
    return [x["tipo"] for x in a.caller.get(f"/participantes/{pid}").get_json()["itinerario"]]


def test_vacancy_level_state_and_editing(a):
    v = vacancy(a, nivel="tecnico")
    assert (v["nivel"], v["estado"]) == ("tecnico", "abierta")
    assert a.caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 1, "fecha": TODAY,
                                            "nivel": "doctorado"}).status_code == 422
    assert vacancy(a)["nivel"] is None  # the level stays optional for API clients of before
    edited = a.caller.patch(f"/vacantes/{v['id']}", json={"version": v["version"], "estado": "cerrada",
                                                          "cupos": 5})
    assert edited.status_code == 200 and edited.get_json()["estado"] == "cerrada"
    assert a.caller.patch(f"/vacantes/{v['id']}", json={"version": v["version"], "cupos": 3}).status_code == 409
    listed = a.caller.get("/vacantes").get_json()["items"]
    assert {x["id"]: x["estado"] for x in listed}[v["id"]] == "cerrada"


def test_a_closed_vacancy_takes_no_one(a):
    v = vacancy(a)
    pid = seeker(a)
    a.caller.patch(f"/vacantes/{v['id']}", json={"version": v["version"], "estado": "cerrada"})
    refused = a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [pid],
                                                                      "fecha": TODAY})
    assert refused.status_code == 422 and "cerrada" in refused.get_json()["error"]["message"]
    assert itinerary_tipos(a, pid) == ["enrutamiento"]


def test_candidates_are_job_seekers_not_yet_sent(app, a, browser):
    v = vacancy(a)
    waiting = seeker(a, nombres="Carla")
    entrepreneur = a.person(nombres="Diego")
    a.act(entrepreneur, "enrutamiento", YESTERDAY, destino="emprendimiento")
    rerouted = seeker(a, nombres="Elena")
    a.act(rerouted, "enrutamiento", TODAY, destino="emprendimiento")
    placed_elsewhere = seeker(a, nombres="Fabio")
    other = vacancy(a)
    a.act(placed_elsewhere, "remision_seleccion", YESTERDAY, vacante_id=other["id"])
    a.act(placed_elsewhere, "colocacion", TODAY, vacante_id=other["id"])
    desisted = seeker(a, nombres="Gloria")
    a.act(desisted, "desistimiento", TODAY, motivo="Viaja")
    sent = seeker(a, nombres="Hugo")
    a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [sent], "fecha": TODAY})
    page = browser.get(f"/empleabilidad/vacantes/{v['id']}").get_data(as_text=True)
    candidates = page[page.index("Remitir a la selección"):]
    assert "Carla" in candidates
    for name in ("Diego", "Elena", "Fabio", "Gloria", "Hugo"):
        assert name not in candidates, name
    assert "Hugo" in page  # listed among those sent
    assert f'value="{waiting}"' in candidates  # her checkbox, by id


def test_sending_several_people_is_one_transaction(a):
    v = vacancy(a)
    first, second, third = seeker(a), seeker(a), seeker(a)
    done = a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [first, second],
                                                                   "fecha": TODAY})
    assert done.status_code == 201 and len(done.get_json()["items"]) == 2
    again = a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [third, first],
                                                                    "fecha": TODAY})
    assert again.status_code == 422
    assert itinerary_tipos(a, third) == ["enrutamiento"]
    assert a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [],
                                                                  "fecha": TODAY}).status_code == 422


def test_placements_never_exceed_the_cupos(a):
    v = vacancy(a, cupos=1)
    first, second = seeker(a), seeker(a)
    a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [first, second], "fecha": TODAY})
    assert a.caller.post(f"/vacantes/{v['id']}/colocaciones",
                         json={"participante_id": first, "fecha": TODAY}).status_code == 201
    full = a.caller.post(f"/vacantes/{v['id']}/colocaciones", json={"participante_id": second, "fecha": TODAY})
    assert full.status_code == 422 and "cupos" in full.get_json()["error"]["message"]
    twice = a.caller.post(f"/vacantes/{v['id']}/colocaciones", json={"participante_id": first, "fecha": TODAY})
    assert twice.status_code == 422
    shrink = a.caller.patch(f"/vacantes/{v['id']}", json={"version": v["version"], "cupos": 0})
    assert shrink.status_code == 422
    assert a.caller.get(f"/vacantes/{v['id']}").get_json()["cupos_libres"] == 0


def test_vacancy_page_flow_send_and_place(app, a, browser):
    v = vacancy(a, cupos=1)
    pid = seeker(a, nombres="Inés")
    token = csrf_token(browser, f"/empleabilidad/vacantes/{v['id']}")
    nobody = browser.post(f"/empleabilidad/vacantes/{v['id']}/remitir",
                          data={"csrf_token": token, "fecha": TODAY})
    assert nobody.status_code == 422 and "Elija al menos una persona" in nobody.get_data(as_text=True)
    sent = browser.post(f"/empleabilidad/vacantes/{v['id']}/remitir",
                        data={"csrf_token": token, "fecha": TODAY, "participante_ids": [str(pid)]})
    assert sent.status_code == 303
    placed = browser.post(f"/empleabilidad/vacantes/{v['id']}/colocar", follow_redirects=True,
                          data={"csrf_token": token, "fecha": TODAY, "participante_id": str(pid)})
    page = placed.get_data(as_text=True)
    assert "Colocación registrada." in page and "0 libres" in page
    assert itinerary_tipos(a, pid) == ["enrutamiento", "remision_seleccion", "colocacion"]


def test_fis_course_sessions_and_attendance(app, api, world, a, browser):
    course = a.caller.post("/cursos", json={"nombre": "Servicio al cliente", "fecha_inicio": "2026-01-05"})
    assert course.status_code == 201
    course = course.get_json()
    early = a.caller.post(f"/cursos/{course['id']}/sesiones", json={"fecha": "2026-01-01", "tema": "x"})
    assert early.status_code == 422
    session = a.caller.post(f"/cursos/{course['id']}/sesiones",
                            json={"fecha": "2026-01-12", "tema": "Atención telefónica"}).get_json()
    p1, p2 = seeker(a), seeker(a)
    b = Centre(api(world["asesor_b"]))
    outsider = b.person()
    refused = a.caller.post(f"/sesiones/{session['id']}/asistencias", json={"participante_ids": [p1, outsider]})
    assert refused.status_code == 404  # another centre's person is invisible; nothing recorded
    assert "capacitacion_fis" not in itinerary_tipos(a, p1)
    admin = api(world["admin"])
    mixed = admin.post(f"/sesiones/{session['id']}/asistencias", json={"participante_ids": [p1, outsider]})
    assert mixed.status_code == 422 and "centro del curso" in mixed.get_json()["error"]["fields"]["participante_ids"]
    done = a.caller.post(f"/sesiones/{session['id']}/asistencias", json={"participante_ids": [p1, p2]})
    assert done.status_code == 201
    itinerary = a.caller.get(f"/participantes/{p1}").get_json()["itinerario"]
    fis = [x for x in itinerary if x["tipo"] == "capacitacion_fis"]
    assert [(x["fecha"], x["curso"]) for x in fis] == [("2026-01-12", "Servicio al cliente — Atención telefónica")]
    twice = a.caller.post(f"/sesiones/{session['id']}/asistencias", json={"participante_ids": [p2]})
    assert twice.status_code == 422
    row7 = next(f["resultado"] for f in a.caller.get(
        "/tableros/global?desde=2026-01-01&hasta=2026-01-31").get_json()["filas"] if f["codigo"] == "7")
    assert row7 == 2
    # Withdrawing an attendance annuls its capacitación.
    page = browser.get(f"/empleabilidad/cursos/{course['id']}").get_data(as_text=True)
    assert "Atención telefónica" in page and "retirar" in page
    from cemprende.extensions import db
    from cemprende.models import AsistenciaFis
    with app.app_context():
        asistencia_id = db.session.scalar(db.select(AsistenciaFis.id).where(AsistenciaFis.participante_id == p1))
    token = csrf_token(browser, f"/empleabilidad/cursos/{course['id']}")
    assert browser.post(f"/empleabilidad/asistencias/{asistencia_id}/retirar",
                        data={"csrf_token": token}).status_code == 303
    annulled = [x for x in a.caller.get(f"/participantes/{p1}").get_json()["itinerario"]
                if x["tipo"] == "capacitacion_fis"]
    assert annulled[0]["anulada"] is True


def test_a_persons_employability_page(app, a, browser):
    v = vacancy(a)
    pid = seeker(a, nombres="Julia")
    path = f"/empleabilidad/personas/{pid}"
    assert "Sin hoja de vida registrada" in browser.get(path).get_data(as_text=True)
    token = csrf_token(browser, path)
    refused = browser.post(path, data={"csrf_token": token, "fecha": TODAY, "plataforma": "", "codigo": ""})
    assert refused.status_code == 422
    assert browser.post(path, data={"csrf_token": token, "fecha": TODAY, "plataforma": "ape_sena",
                                    "codigo": "HV-7781"}).status_code == 303
    a.caller.post(f"/vacantes/{v['id']}/remisiones", json={"participante_ids": [pid], "fecha": TODAY})
    page = browser.get(path).get_data(as_text=True)
    assert "APE SENA" in page and "HV-7781" in page
    assert "Cajero(a) — Almacenes Éxito" in page and "En proceso" in page


def test_other_centre_pages_are_404(app, api, world, a, make_client):
    v = vacancy(a)
    pid = seeker(a)
    course = a.caller.post("/cursos", json={"nombre": "C", "fecha_inicio": "2026-01-05"}).get_json()
    other = make_client()
    login(other, world["asesor_b"])
    for path in (f"/empleabilidad/vacantes/{v['id']}", f"/empleabilidad/personas/{pid}",
                 f"/empleabilidad/cursos/{course['id']}", f"/empleabilidad/vacantes/{v['id']}/editar"):
        assert other.get(path).status_code == 404, path
    assert api(world["asesor_b"]).post(f"/vacantes/{v['id']}/remisiones",
                                       json={"participante_ids": [pid], "fecha": TODAY}).status_code == 404


def test_an_empty_attendance_says_why_beside_the_session(app, a, browser):
    course = a.caller.post("/cursos", json={"nombre": "Ventas", "fecha_inicio": "2026-01-05"}).get_json()
    session = a.caller.post(f"/cursos/{course['id']}/sesiones",
                            json={"fecha": "2026-01-12", "tema": "Cierre"}).get_json()
    seeker(a)
    token = csrf_token(browser, f"/empleabilidad/cursos/{course['id']}")
    refused = browser.post(f"/empleabilidad/sesiones/{session['id']}/asistencia",
                           data={f"s{session['id']}-csrf_token": token, "csrf_token": token})
    assert refused.status_code == 422
    assert '<small class="error">Elija al menos una persona.</small>' in refused.get_data(as_text=True)


def test_course_and_session_bad_input(a):
    refused = a.caller.post("/cursos", json={"nombre": "", "fecha_inicio": "ayer"})
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"nombre", "fecha_inicio"}
    course = a.caller.post("/cursos", json={"nombre": "Ventas", "fecha_inicio": "2026-01-05"}).get_json()
    assert a.caller.post(f"/cursos/{course['id']}/sesiones", json={"fecha": "2026-01-06", "tema": ""}).status_code == 422
    session = a.caller.post(f"/cursos/{course['id']}/sesiones", json={"fecha": "2026-01-06", "tema": "T"}).get_json()
    for bad in ({"participante_ids": "abc"}, {"participante_ids": []}, {"participante_ids": [{"id": 1}]}):
        assert a.caller.post(f"/sesiones/{session['id']}/asistencias", json=bad).status_code == 422


def test_remission_ids_beyond_any_stored_id_are_refused_not_a_500(api, world):
    asesor = api(world["asesor_a"])
    vacante = asesor.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 1,
                                             "fecha": "2026-03-01"}).get_json()["id"]
    answer = asesor.post(f"/vacantes/{vacante}/remisiones", json={
        "fecha": "2026-03-02", "participante_ids": [1, 2 ** 70, -5]})
    assert answer.status_code == 422
    assert "participante_ids" in answer.get_json()["error"]["fields"]
