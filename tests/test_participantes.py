"""Registration, validation, duplicates, search, profile and optimistic locking."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cemprende.itinerario.dia import today_bogota
from cemprende.extensions import db
from cemprende.models import Auditoria, Participante
from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login, person_payload


def count_people(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Participante))


def test_register_returns_the_participant_with_every_field(api, world):
    response = api(world["asesor_a"]).post("/participantes", json=person_payload())
    assert response.status_code == 201
    body = response.get_json()
    for key, value in person_payload().items():
        assert body[key] == value, key
    assert body["centro_id"] == world["centro_a"].id
    assert body["version"] == 1 and body["id"] and body["creado_en"]


def test_consent_is_recorded_with_when_by_whom_and_notice_version(app, api, world):
    body = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    with app.app_context():
        person = db.session.get(Participante, body["id"])
        assert person.consentimiento_por_id == world["asesor_a"].id
        assert person.consentimiento_version == app.config["CONSENT_NOTICE_VERSION"]
        assert person.consentimiento_en.tzinfo is not None


BAD_VALUES = [
    ("tipo_documento", "XX"),
    ("numero_documento", "12AB34"),          # letters in a CC
    ("numero_documento", "12"),              # too short
    ("numero_documento", ""),
    ("nombres", ""),
    ("apellidos", "x" * 101),
    ("sexo", "X"),
    ("fecha_nacimiento", "17/05/1990"),
    ("fecha_nacimiento", (CLOCK_TODAY + timedelta(days=1)).isoformat()),
    ("fecha_nacimiento", (CLOCK_TODAY - timedelta(days=365 * 13)).isoformat()),   # under 14
    ("fecha_nacimiento", (CLOCK_TODAY - timedelta(days=365 * 112)).isoformat()),  # over 110
    ("municipio", ""),
    ("telefono", "llámeme"),
    ("correo", "no-es-correo"),
    ("etnia", "mestizo"),
    ("discapacidad", "tal vez"),
    ("desplazamiento", 3),
    ("tipo_poblacion", "pobre"),
    ("remitido_dps", "quizá"),
    ("programa_dps", None),                   # remitido_dps true needs the programme
    ("centro_id", "abc"),
]


@pytest.mark.parametrize("field,value", BAD_VALUES)
def test_each_bad_value_is_refused_with_a_spanish_message(app, api, world, field, value):
    response = api(world["asesor_a"]).post("/participantes", json=person_payload(**{field: value}))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["fields"] and error["fields"][field]
    assert count_people(app) == 0


def test_passport_accepts_letters(api, world):
    response = api(world["asesor_a"]).post(
        "/participantes", json=person_payload(tipo_documento="PA", numero_documento="ab-123456"))
    assert response.status_code == 201 and response.get_json()["numero_documento"] == "AB123456"


def test_sensitive_answers_are_optional(api, world):
    response = api(world["asesor_a"]).post("/participantes", json=person_payload(
        etnia=None, discapacidad=None, desplazamiento=None, sexo=None, tipo_poblacion=None))
    assert response.status_code == 201
    body = response.get_json()
    assert body["etnia"] is None and body["discapacidad"] is None and body["desplazamiento"] is None


def test_missing_consent_stores_nothing(app, api, world):
    for consent in (False, None, "no"):
        response = api(world["asesor_a"]).post("/participantes",
                                               json=person_payload(consentimiento_datos=consent))
        assert response.status_code == 422
        assert "consentimiento_datos" in response.get_json()["error"]["fields"]
    assert count_people(app) == 0


def test_document_is_normalised(api, world):
    caller = api(world["asesor_a"])
    first = caller.post("/participantes", json=person_payload(numero_documento="1.098.765-432"))
    assert first.status_code == 201 and first.get_json()["numero_documento"] == "1098765432"
    second = caller.post("/participantes", json=person_payload(numero_documento="1098765432"))
    assert second.status_code == 409


def test_duplicate_in_same_centre_links_the_existing_record(api, world):
    caller = api(world["asesor_a"])
    first = caller.post("/participantes", json=person_payload()).get_json()
    response = caller.post("/participantes", json=person_payload(nombres="Otra"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicado"
    assert response.get_json()["error"]["participante_id"] == first["id"]


def test_duplicate_in_other_centre_reveals_no_id(api, world):
    api(world["asesor_b"]).post("/participantes", json=person_payload())
    response = api(world["asesor_a"]).post("/participantes", json=person_payload())
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["participante_id"] is None and "otro centro" in error["message"]


def test_duplicate_page_links_the_record_or_says_other_centre(client, api, world):
    mine = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    api(world["asesor_b"]).post("/participantes", json=person_payload(numero_documento="555666777"))
    login(client, world["asesor_a"])
    form = {k: ("si" if v is True else "no" if v is False else (v or ""))
            for k, v in person_payload().items()}
    form.update(remitido_dps="y", consentimiento_datos="y")
    form["csrf_token"] = csrf_token(client, "/participantes/nuevo")
    html = client.post("/participantes/nuevo", data=form).get_data(as_text=True)
    assert f"/participantes/{mine['id']}" in html and "ver su registro" in html
    form["numero_documento"] = "555.666.777"
    html = client.post("/participantes/nuevo", data=form).get_data(as_text=True)
    assert "registrada en otro centro" in html and "ver su registro" not in html


def test_asesor_cannot_register_in_another_centre(app, api, world):
    response = api(world["asesor_a"]).post(
        "/participantes", json=person_payload(centro_id=world["centro_b"].id))
    assert response.status_code == 422 and "centro_id" in response.get_json()["error"]["fields"]
    assert count_people(app) == 0


def test_admin_must_choose_an_existing_centre(api, world):
    caller = api(world["admin"])
    assert caller.post("/participantes", json=person_payload()).status_code == 422
    assert caller.post("/participantes", json=person_payload(centro_id=9999)).status_code == 422
    ok = caller.post("/participantes", json=person_payload(centro_id=world["centro_b"].id))
    assert ok.status_code == 201 and ok.get_json()["centro_id"] == world["centro_b"].id


def test_supervisor_cannot_register(api, world):
    response = api(world["supervisor"]).post(
        "/participantes", json=person_payload(centro_id=world["centro_a"].id))
    assert response.status_code == 403


def test_search_by_name_fragment_ignores_accents_and_case(api, world):
    caller = api(world["asesor_a"])
    caller.post("/participantes", json=person_payload())
    caller.post("/participantes", json=person_payload(numero_documento="222333444",
                                                      nombres="José", apellidos="Gómez"))
    api(world["asesor_b"]).post("/participantes", json=person_payload(numero_documento="999888777"))
    names = lambda q: [p["nombres"] for p in caller.get(f"/participantes?q={q}").get_json()["items"]]
    assert names("maria") == ["Ana María"]
    assert names("JOSE gom") == ["José"]
    assert names("rojas") == ["Ana María"]  # the other centre's Ana María stays hidden
    assert names("10987") == ["Ana María"]
    assert names("zzz") == []


def test_search_by_exact_document_normalises_it(api, world):
    caller = api(world["asesor_a"])
    caller.post("/participantes", json=person_payload())
    found = caller.get("/participantes?documento=1.098.765.432").get_json()
    assert found["total"] == 1 and found["items"][0]["numero_documento"] == "1098765432"


def test_lists_are_paginated(api, world):
    caller = api(world["asesor_a"])
    for n in range(7):
        caller.post("/participantes", json=person_payload(numero_documento=f"10000000{n}"))
    page = caller.get("/participantes?per_page=3&page=3").get_json()
    assert page["total"] == 7 and page["page"] == 3 and len(page["items"]) == 1
    assert caller.get("/participantes?per_page=201").status_code == 422
    assert caller.get("/participantes?page=0").status_code == 422


def test_profile_page_shows_age_group_and_timeline(client, api, world):
    born = today_bogota().replace(year=today_bogota().year - 30) - timedelta(days=2)
    person = api(world["asesor_a"]).post(
        "/participantes", json=person_payload(fecha_nacimiento=born.isoformat())).get_json()
    login(client, world["asesor_a"])
    html = client.get(f"/participantes/{person['id']}").get_data(as_text=True)
    assert "30 años (25–62)" in html and "Todavía no hay actuaciones" in html


@pytest.mark.parametrize("years,group", [(18, "18–24"), (24, "18–24"), (25, "25–62"),
                                          (62, "25–62"), (63, "63 y más")])
def test_age_groups_as_the_centres_report(years, group):
    today = date(2026, 11, 22)
    person = Participante(fecha_nacimiento=date(today.year - years, 11, 22))
    assert person.grupo_edad(today) == group


def test_stale_version_gets_409_and_the_row_is_unchanged(app, api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()
    first = caller.patch(f"/participantes/{person['id']}", json={"version": 1, "telefono": "3110000000"})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = caller.patch(f"/participantes/{person['id']}", json={"version": 1, "municipio": "Cúcuta"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "version_desactualizada"
    stored = caller.get(f"/participantes/{person['id']}").get_json()
    assert stored["municipio"] == "Ocaña" and stored["telefono"] == "3110000000"
    assert stored["version"] == 2


def test_patch_requires_version_and_validates(api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()
    assert caller.patch(f"/participantes/{person['id']}", json={"telefono": "3"}).status_code == 422
    bad = caller.patch(f"/participantes/{person['id']}", json={"version": 1, "sexo": "Q"})
    assert bad.status_code == 422 and "sexo" in bad.get_json()["error"]["fields"]


def test_two_advisors_editing_through_the_page_do_not_overwrite(client, make_client, api, world):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    other = make_client()
    login(client, world["asesor_a"])
    login(other, world["director_a"])
    url = f"/participantes/{person['id']}/editar"
    token_1, token_2 = csrf_token(client, url), csrf_token(other, url)
    form = {k: ("si" if v is True else "no" if v is False else (v or ""))
            for k, v in person_payload().items() if k != "consentimiento_datos"}
    form.update(remitido_dps="y", version="1")
    assert client.post(url, data={**form, "municipio": "Ábrego", "csrf_token": token_1}).status_code == 302
    response = other.post(url, data={**form, "municipio": "Cúcuta", "csrf_token": token_2})
    assert response.status_code == 409 and "Recargue" in response.get_data(as_text=True)
    assert api(world["asesor_a"]).get(f"/participantes/{person['id']}").get_json()["municipio"] == "Ábrego"


def test_audit_of_registration_keeps_sensitive_values_out(app, api, world):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    api(world["asesor_a"]).patch(f"/participantes/{person['id']}",
                                 json={"version": 1, "etnia": "indigena", "municipio": "Cúcuta"})
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(Auditoria.entidad == "participante")
                                     .order_by(Auditoria.id)).all()
    created, edited = entries
    text = str(created.despues) + str(edited.antes) + str(edited.despues)
    assert "1098765432" not in text and "afrodescendiente" not in text and "indigena" not in text
    assert created.despues["numero_documento"] == "[reservado]"
    assert edited.antes == {"etnia": "[reservado]", "municipio": "Ocaña"}
    assert edited.despues == {"etnia": "[reservado]", "municipio": "Cúcuta"}


def test_search_follows_a_change_of_name(api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload()).get_json()
    caller.patch(f"/participantes/{person['id']}", json={"version": 1, "apellidos": "Ñañez Ortiz"})
    total = lambda q: caller.get(f"/participantes?q={q}").get_json()["total"]
    assert total("nanez") == 1 and total("ortiz ana") == 1
    assert total("rojas") == 0 and total("perez") == 0


def test_search_matches_the_start_of_words_and_documents_only(api, world):
    caller = api(world["asesor_a"])
    caller.post("/participantes", json=person_payload())
    total = lambda q: caller.get(f"/participantes?q={q}").get_json()["total"]
    assert total("mar") == 1 and total("aria") == 0        # word starts, not any infix
    assert total("1.098") == 1 and total("098765") == 0     # document starts
    assert total("%") == 0 and total("_") == 0 and total("") == 1


def test_name_search_counts_each_person_once_newest_first_and_pages_within_the_scope(api, world):
    caller = api(world["asesor_a"])
    for n, (nombres, apellidos) in enumerate([("Ana Andrea", "Rojas"), ("Ana", "Pérez"),
                                               ("Andrés", "Rojas Ana"), ("Luis", "Rojas")]):
        caller.post("/participantes", json=person_payload(numero_documento=f"7000{n}",
                                                          nombres=nombres, apellidos=apellidos))
    api(world["asesor_b"]).post("/participantes", json=person_payload(numero_documento="80001",
                                                                      nombres="Ana", apellidos="Rojas"))
    search = lambda q, **page: caller.get("/participantes", query_string={"q": q, **page}).get_json()
    # "an" starts two words of Ana Andrea Rojas: she is one person, counted once.
    found = search("an")
    assert found["total"] == 3
    assert [p["numero_documento"] for p in found["items"]] == ["70002", "70001", "70000"]
    assert search("an roj")["total"] == 2  # every word must start a word of the name
    pages = [search("an", page=n, per_page=2) for n in (1, 2)]
    assert [[p["numero_documento"] for p in page["items"]] for page in pages] == [["70002", "70001"], ["70000"]]
    assert {page["total"] for page in pages} == {3}
    assert (search("an", page=3, per_page=2)["items"], search("an", page=3, per_page=2)["total"]) == ([], 3)
    # The network (a supervisor) sees the other centre's Ana Rojas too.
    network = lambda q: api(world["supervisor"]).get("/participantes", query_string={"q": q}).get_json()
    assert network("ana rojas")["total"] == 3 and network("ana rojas")["items"][0]["numero_documento"] == "80001"
    assert [p["numero_documento"] for p in network("roj andr")["items"]] == ["70002", "70000"]
    # Several words over the network take another index on PostgreSQL: same meaning, and a
    # wildcard typed is only a character.
    assert network("an andre rojas")["total"] == 2 and network("ana %")["total"] == 0
    assert network("ana _")["total"] == 0 and network("ojas ana")["total"] == 0
    # A word typed twice is one condition; a pasted paragraph is refused with a message.
    assert search("ana ana an")["total"] == 3
    for who in (caller, api(world["supervisor"])):
        refused = who.get("/participantes", query_string={"q": " ".join(["ana"] + [f"w{n}x" for n in range(600)])})
        assert refused.status_code == 422 and "12 palabras" in refused.get_json()["error"]["fields"]["q"]


def test_search_page_refuses_a_pasted_paragraph_with_the_message_and_finds_by_name(client, api, world):
    api(world["asesor_a"]).post("/participantes", json=person_payload())
    login(client, world["asesor_a"])
    found = client.get("/participantes/", query_string={"q": "ana roj"})
    assert found.status_code == 200 and "1098765432" in found.get_data(as_text=True)
    refused = client.get("/participantes/", query_string={"q": " ".join(f"w{n}x" for n in range(40))})
    assert refused.status_code == 422
    assert "Escriba como máximo 12 palabras del nombre." in refused.get_data(as_text=True)


def test_a_minor_is_registered_with_the_guardian_who_consents(api, world):
    caller = api(world["asesor_a"])
    born = today_bogota().replace(year=today_bogota().year - 16)
    alone = caller.post("/participantes", json=person_payload(
        tipo_documento="TI", numero_documento="1154195690", fecha_nacimiento=born.isoformat()))
    assert alone.status_code == 422
    assert set(alone.get_json()["error"]["fields"]) >= {"acudiente_nombre", "acudiente_documento"}
    assert caller.get("/participantes?documento=1154195690").get_json()["total"] == 0
    with_guardian = caller.post("/participantes", json=person_payload(
        tipo_documento="TI", numero_documento="1154195690", fecha_nacimiento=born.isoformat(),
        acudiente_nombre="Rosa Vélez", acudiente_documento="1.098.765.400"))
    assert with_guardian.status_code == 201, with_guardian.get_json()
    body = with_guardian.get_json()
    assert (body["acudiente_nombre"], body["acudiente_documento"]) == ("Rosa Vélez", "1098765400")
    adult = caller.post("/participantes", json=person_payload(numero_documento="55500011"))
    assert adult.status_code == 201 and adult.get_json()["acudiente_nombre"] is None
