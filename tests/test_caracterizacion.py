"""Differential categories (optional, sensitive, never guessed) and the municipality matched to
the catalogue with its subregion; spellings it does not know wait for an administrator."""
from __future__ import annotations

from sqlalchemy import select

from conftest import csrf_token, login, person_payload
from cemprende.extensions import db
from cemprende.models import Auditoria


def test_categories_are_optional_and_checked(api, world):
    caller = api(world["asesor_a"])
    made = caller.post("/participantes", json=person_payload(
        zona="rural", victima_conflicto=True, mujer_cabeza_hogar="si", migrante=False))
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["zona"], body["victima_conflicto"], body["mujer_cabeza_hogar"], body["migrante"],
            body["lgbtiq"], body["reincorporado"]) == ("rural", True, True, False, None, None)
    bad = caller.post("/participantes", json=person_payload(numero_documento="55501", zona="selva",
                                                            lgbtiq="quizá"))
    assert bad.status_code == 422 and {"zona", "lgbtiq"} <= set(bad.get_json()["error"]["fields"])


def test_sensitive_categories_never_reach_the_audit_text(app, api, world):
    caller = api(world["asesor_a"])
    person = caller.post("/participantes", json=person_payload(victima_conflicto=True,
                                                               lgbtiq=True)).get_json()
    with app.app_context():
        entry = db.session.scalar(select(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == person["id"],
            Auditoria.accion == "crear"))
    assert entry.despues["victima_conflicto"] == "[reservado]" and entry.despues["lgbtiq"] == "[reservado]"
    revoked = caller.post(f"/participantes/{person['id']}/revocatoria-sensibles",
                          json={"version": person["version"]}).get_json()
    assert revoked["victima_conflicto"] is None and revoked["lgbtiq"] is None


def test_municipality_matches_whatever_the_spelling(api, world):
    caller = api(world["asesor_a"])
    for n, (typed, oficial, subregion) in enumerate((
            ("CUCUTA", "Cúcuta", "Oriente/Metropolitana"),
            ("san josé de cúcuta", "Cúcuta", "Oriente/Metropolitana"),
            ("Ocaña, Norte de Santander", "Ocaña", "Occidente"),
            ("  tibu ", "Tibú", "Norte"),
            ("Cartagena", "Cartagena", "Bolívar"),
            ("Vereda El Tarrita", None, None))):
        body = caller.post("/participantes", json=person_payload(
            numero_documento=f"6660{n}", municipio=typed)).get_json()
        assert (body["municipio_oficial"], body["subregion"]) == (oficial, subregion), typed
        assert body["municipio"] == typed.strip()  # what was typed is kept as typed


def test_an_administrator_maps_an_unknown_spelling(app, client, api, world):
    caller = api(world["asesor_a"])
    first = caller.post("/participantes", json=person_payload(
        numero_documento="7770001", municipio="Cucuta N. de S.")).get_json()
    assert first["subregion"] is None
    login(client, world["admin"])
    page = client.get("/admin/municipios").get_data(as_text=True)
    assert "Cucuta N. de S." in page
    refused = client.post("/admin/municipios", data={
        "csrf_token": csrf_token(client, "/admin/municipios"), "clave": "cucuta n de s",
        "municipio": "Cucutá (Marte)"})
    assert refused.status_code == 422
    done = client.post("/admin/municipios", data={
        "csrf_token": csrf_token(client, "/admin/municipios"), "clave": "cucuta n de s",
        "municipio": "Cúcuta (Norte de Santander)"})
    assert done.status_code == 303
    mapped = caller.get(f"/participantes/{first['id']}").get_json()
    assert (mapped["municipio_oficial"], mapped["subregion"]) == ("Cúcuta", "Oriente/Metropolitana")
    later = caller.post("/participantes", json=person_payload(
        numero_documento="7770002", municipio="cucuta  n. de s.")).get_json()
    assert later["subregion"] == "Oriente/Metropolitana"
    assert "Todos los municipios escritos están en el catálogo" in client.get("/admin/municipios").get_data(as_text=True)
