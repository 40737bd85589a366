"""Transfers between centres: the duplicate and the early warning name the centre (audited), the
receiving centre asks (by document), the origin's director (or an admin when it has none) answers,
the history moves with the person and keeps counting where it was recorded."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria, Participante, Staff
from conftest import PASSWORD, TODAY, csrf_token, login, person_payload, post_at_once
from test_browser import browser, live_server  # noqa: F401  (the browser fixtures)

D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731
DOC = "1098765432"
ITEMS = [{"descripcion": "Nevera", "cantidad": 2, "precio_unitario": 600_000}]


def _person_in_b(api, world, **fields) -> int:
    response = api(world["asesor_b"]).post("/participantes", json=person_payload(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _ask(api, world, **extra) -> dict:
    body = {"tipo_documento": "CC", "numero_documento": "1.098.765.432",
            "motivo": "Ahora vive en Cartagena", **extra}
    return api(world["asesor_a"]).post("/traslados", json=body)


def _audit(app, accion: str) -> list[Auditoria]:
    with app.app_context():
        return db.session.scalars(select(Auditoria).where(Auditoria.accion == accion)).all()


# ---- the duplicate and the early warning ------------------------------------------------------

def test_duplicate_names_the_centre_and_nothing_else_and_the_lookup_is_audited(app, api, world):
    person = _person_in_b(api, world)
    response = api(world["asesor_a"]).post("/participantes", json=person_payload())
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicado" and error["participante_id"] is None
    assert "COEE Ocaña" in error["message"] and error["centro"] == "COEE Ocaña"
    assert "Ana" not in str(error) and "Pérez" not in str(error)
    entries = _audit(app, "consultar_documento")
    assert [(e.entidad_id, e.staff_id) for e in entries] == [(person, world["asesor_a"].id)]


def test_registration_page_warns_at_once_and_offers_the_transfer(app, client, api, world):
    _person_in_b(api, world)
    login(client, world["asesor_a"])
    page = client.get(f"/participantes/nuevo?numero_documento={DOC}").get_data(as_text=True)
    assert "ya está registrada en COEE Ocaña" in page and "Solicitar traslado" in page
    assert "Ana María" not in page
    fragment = client.get(f"/participantes/consulta-documento?numero_documento={DOC}")
    assert "COEE Ocaña" in fragment.get_data(as_text=True)
    unknown = client.get("/participantes/nuevo?numero_documento=555666777").get_data(as_text=True)
    assert "no está registrado en ningún centro" in unknown
    assert len(_audit(app, "consultar_documento")) == 2  # page and fragment, not the unknown one
    # Filling the whole form anyway: the refusal names the centre and offers the transfer too.
    refused = client.post("/participantes/nuevo", data={
        "csrf_token": csrf_token(client, "/participantes/nuevo"), **{
            k: ("si" if v is True else "no" if v is False else v)
            for k, v in person_payload().items() if v is not None}})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "registrada en otro centro: COEE Ocaña" in html and "Solicitar traslado" in html


def test_intake_search_names_the_centre_and_the_button_posts_the_request(app, client, api, world):
    person = _person_in_b(api, world)
    login(client, world["asesor_a"])
    page = client.get(f"/orientacion/?q={DOC}").get_data(as_text=True)
    assert "ya está registrada en COEE Ocaña" in page and "Registrar a la persona" not in page
    response = client.post("/traslados/solicitar", data={
        "csrf_token": csrf_token(client, "/orientacion/"), "tipo_documento": "CC",
        "numero_documento": DOC, "motivo": "Se mudó a Cartagena"})
    assert response.status_code == 303
    listed = api(world["asesor_a"]).get("/traslados").get_json()
    assert [(t["participante_id"], t["estado"], t["centro_destino_id"]) for t in listed["items"]] == [
        (person, "solicitado", world["centro_a"].id)]
    work = client.get("/mi-trabajo").get_data(as_text=True)
    assert "Traslados solicitados" in work and "Desde COEE Ocaña" in work


# ---- request and answer -----------------------------------------------------------------------

def test_request_by_document_then_accept_moves_the_person_with_the_whole_itinerary(app, api, world):
    person = _person_in_b(api, world)
    b = api(world["asesor_b"])
    char = b.post(f"/participantes/{person}/actuaciones",
                  json={"tipo": "caracterizacion", "fecha": D(10)}).get_json()["id"]
    response = _ask(api, world)
    assert response.status_code == 201
    assert response.get_json() == {"id": response.get_json()["id"], "estado": "solicitado"}
    traslado = response.get_json()["id"]
    a = api(world["asesor_a"])
    # Before the answer, the origin's records stay another centre's: 404.
    assert a.get(f"/participantes/{person}").status_code == 404
    assert a.get(f"/actuaciones/{char}").status_code == 404
    assert a.post(f"/participantes/{person}/contactos", json={
        "fecha": D(1), "medio": "telefono", "resultado": "localizado"}).status_code == 404
    # Both sides list it; a third centre does not see it.
    assert [t["id"] for t in b.get("/traslados").get_json()["items"]] == [traslado]
    answered = api(world["director_b"]).post(f"/traslados/{traslado}/respuesta",
                                             json={"aceptar": True, "motivo": "Vive allá ahora"})
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["estado"] == "aceptado"
    seen = a.get(f"/participantes/{person}").get_json()
    assert seen["centro_id"] == world["centro_a"].id
    assert [(x["id"], x["centro_id"]) for x in seen["itinerario"]] == [(char, world["centro_b"].id)]
    # Read-only: the receiving centre cannot annul the origin's record; its own it can.
    assert a.post(f"/actuaciones/{char}/anular", json={"motivo": "Error de digitación"}).status_code == 404
    own = a.post(f"/participantes/{person}/actuaciones",
                 json={"tipo": "acta_compromiso", "fecha": D(1)})
    assert own.status_code == 201, own.get_json()
    assert a.post(f"/actuaciones/{own.get_json()['id']}/anular",
                  json={"motivo": "Error de digitación"}).status_code == 200
    # The origin no longer sees the person, nor finds it by name; the destination does.
    assert b.get(f"/participantes/{person}").status_code == 404
    named = lambda caller: [p["id"] for p in caller.get("/participantes?q=ana+roj").get_json()["items"]]
    assert named(a) == [person] and named(b) == []
    with app.app_context():
        responder = [e for e in db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "traslado"))]
        assert {e.accion for e in responder} == {"crear", "responder"}
        moved = db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == person,
            Auditoria.accion == "editar")).all()
        assert moved[-1].antes == {"centro_id": world["centro_b"].id}
        assert moved[-1].despues["centro_id"] == world["centro_a"].id


def test_receiving_centre_profile_page_shows_the_origins_records_read_only(client, api, world):
    person = _person_in_b(api, world)
    api(world["asesor_b"]).post(f"/participantes/{person}/actuaciones",
                                json={"tipo": "caracterizacion", "fecha": D(10)})
    traslado = _ask(api, world).get_json()["id"]
    api(world["director_b"]).post(f"/traslados/{traslado}/respuesta", json={"aceptar": True})
    login(client, world["asesor_a"])
    page = client.get(f"/participantes/{person}").get_data(as_text=True)
    assert "Registrada en otro centro (solo lectura)" in page
    assert "/anular" not in page
    # The orientation steps the origin recorded count as done for the receiving centre too.
    orientacion = client.get(f"/orientacion/personas/{person}").get_data(as_text=True)
    assert 'id="caracterizacion" class="tarjeta hecho' in orientacion


def test_refusal_needs_a_reason_and_leaves_the_person_where_it_was(app, api, world):
    person = _person_in_b(api, world)
    traslado = _ask(api, world).get_json()["id"]
    director = api(world["director_b"])
    no_reason = director.post(f"/traslados/{traslado}/respuesta", json={"aceptar": False})
    assert no_reason.status_code == 422 and "motivo" in no_reason.get_json()["error"]["fields"]
    refused = director.post(f"/traslados/{traslado}/respuesta",
                            json={"aceptar": False, "motivo": "Sigue en proceso aquí"})
    assert refused.status_code == 200
    assert (refused.get_json()["estado"], refused.get_json()["respuesta_motivo"]) == (
        "rechazado", "Sigue en proceso aquí")
    again = director.post(f"/traslados/{traslado}/respuesta", json={"aceptar": True})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "traslado_respondido"
    with app.app_context():
        assert db.session.get(Participante, person).centro_id == world["centro_b"].id
    assert api(world["asesor_a"]).get(f"/participantes/{person}").status_code == 404


def test_only_the_origins_director_answers_and_an_admin_when_it_has_none(app, api, world, build):
    _person_in_b(api, world)
    traslado = _ask(api, world).get_json()["id"]
    body = {"aceptar": True}
    assert api(world["asesor_b"]).post(f"/traslados/{traslado}/respuesta", json=body).status_code == 403
    assert api(world["director_a"]).post(f"/traslados/{traslado}/respuesta", json=body).status_code == 403
    third = build.staff("director", build.centro("Pasto"))
    assert api(third).post(f"/traslados/{traslado}/respuesta", json=body).status_code == 404
    assert api(third).get(f"/traslados/{traslado}").status_code == 404
    admin = api(world["admin"])
    refused = admin.post(f"/traslados/{traslado}/respuesta", json=body)
    assert refused.status_code == 403 and "director" in refused.get_json()["error"]["message"]
    with app.app_context():
        db.session.get(Staff, world["director_b"].id).activo = False
        db.session.commit()
    accepted = admin.post(f"/traslados/{traslado}/respuesta", json=body)
    assert accepted.status_code == 200 and accepted.get_json()["estado"] == "aceptado"


def test_a_second_open_request_for_the_same_person_is_a_conflict(api, world, build):
    _person_in_b(api, world)
    assert _ask(api, world).status_code == 201
    again = _ask(api, world)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "traslado_pendiente"
    own = api(world["asesor_b"]).post("/traslados", json={
        "tipo_documento": "CC", "numero_documento": DOC, "motivo": "Prueba de centro"})
    assert own.status_code == 422  # already in the caller's centre
    unknown = _ask(api, world, numero_documento="99999999")
    assert unknown.status_code == 422 and "numero_documento" in unknown.get_json()["error"]["fields"]


def test_refused_while_the_origins_seed_capital_is_not_fully_delivered(api, world):
    person = _person_in_b(api, world)
    b = api(world["asesor_b"])
    for tipo, days, fields in [
            ("plan_negocio", 90, {"nombre_negocio": "Panadería", "valor_solicitado": 1_200_000, "items": ITEMS}),
            ("visita_acompanamiento", 80, {"clase": "diagnostico"}),
            ("plan_ajustado", 70, {"valor": 1_200_000, "items": ITEMS}),
            ("comite", 60, {"decision": "aprobado", "valor": 1_200_000, "acta": "ACA-1"})]:
        made = b.post(f"/participantes/{person}/actuaciones", json={"tipo": tipo, "fecha": D(days), **fields})
        assert made.status_code == 201, made.get_json()
    half = [{"descripcion": "Nevera", "cantidad": 1, "precio_unitario": 600_000}]
    assert b.post(f"/participantes/{person}/entregas", json={
        "fecha": D(50), "proveedor": "Almacén", "items": half}).status_code == 201
    traslado = _ask(api, world).get_json()["id"]
    director = api(world["director_b"])
    refused = director.post(f"/traslados/{traslado}/respuesta", json={"aceptar": True})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "capital_pendiente"
    assert api(world["asesor_a"]).get(f"/participantes/{person}").status_code == 404
    assert b.post(f"/participantes/{person}/entregas", json={
        "fecha": D(40), "proveedor": "Almacén", "items": half}).status_code == 201
    accepted = director.post(f"/traslados/{traslado}/respuesta", json={"aceptar": True})
    assert accepted.status_code == 200, accepted.get_json()


def test_tablero_figures_of_both_centres_do_not_move_with_the_person(api, world):
    person = _person_in_b(api, world, remitido_dps=False, programa_dps=None)
    b = api(world["asesor_b"])
    for tipo, fields in [("caracterizacion", {}), ("enrutamiento", {"destino": "emprendimiento"}),
                         ("ingreso_ruta", {"ruta": "emprende"}),
                         ("referenciacion", {"destino": "terceros", "programa": "Fundación"})]:
        assert b.post(f"/participantes/{person}/actuaciones",
                      json={"tipo": tipo, "fecha": "2026-03-10", **fields}).status_code == 201
    admin = api(world["admin"])

    def figures():
        found = {}
        for centro in (world["centro_a"], world["centro_b"]):
            for tablero in ("global", "microcapitalizacion"):
                data = admin.get(f"/tableros/{tablero}?centro_id={centro.id}"
                                 "&desde=2026-03-01&hasta=2026-03-31").get_json()
                found.update({(centro.id, tablero, f["codigo"]): f["resultado"] for f in data["filas"]})
        return found

    before = figures()
    assert before[(world["centro_b"].id, "global", "1.1")] == 1
    assert before[(world["centro_b"].id, "global", "2.1")] == 1
    assert not any(v for (centro, _, _), v in before.items() if centro == world["centro_a"].id)
    traslado = _ask(api, world).get_json()["id"]
    assert api(world["director_b"]).post(f"/traslados/{traslado}/respuesta",
                                         json={"aceptar": True}).status_code == 200
    assert figures() == before


def test_answer_page_and_mi_trabajo_of_the_origin(client, api, world):
    _person_in_b(api, world)
    traslado = _ask(api, world).get_json()["id"]
    login(client, world["director_b"])
    work = client.get("/mi-trabajo").get_data(as_text=True)
    assert "Traslados por responder" in work and f"/traslados/{traslado}" in work
    page = client.get(f"/traslados/{traslado}").get_data(as_text=True)
    assert "Ana María Pérez Rojas" in page and "Enviar respuesta" in page
    response = client.post(f"/traslados/{traslado}/respuesta", data={
        "csrf_token": csrf_token(client, f"/traslados/{traslado}"), "aceptar": "no",
        "motivo": "Está a mitad de su ruta"})
    assert response.status_code == 303
    assert "Rechazado" in client.get(f"/traslados/{traslado}").get_data(as_text=True)
    login_a = client.application.test_client()
    login(login_a, world["asesor_a"])
    page_a = login_a.get(f"/traslados/{traslado}").get_data(as_text=True)
    assert "Ana María" not in page_a and "CC 1098765432" in page_a and "Enviar respuesta" not in page_a


def test_racing_requests_and_answers_get_one_success_and_409(app, api, world):
    person = _person_in_b(api, world)
    body = {"participante_id": person, "motivo": "Ahora vive en Cartagena"}
    asked = post_at_once(app, [(world["asesor_a"], "/traslados", body), (world["director_a"], "/traslados", body)])
    assert sorted(asked) == [(201, None), (409, "traslado_pendiente")]
    traslado = api(world["asesor_a"]).get("/traslados").get_json()["items"][0]["id"]
    path = f"/traslados/{traslado}/respuesta"
    answered = post_at_once(app, [(world["director_b"], path, {"aceptar": True}),
                              (world["director_b"], path, {"aceptar": False, "motivo": "No procede"})])
    assert sorted(answered) == [(200, None), (409, "traslado_respondido")]


# ---- in a real browser ------------------------------------------------------------------------

@pytest.mark.real_clock
def test_typing_a_document_warns_at_once_and_the_button_asks_for_the_transfer(browser, live_server,
                                                                              api, world):
    _person_in_b(api, world)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", world["asesor_a"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/mi-trabajo")
    page.goto(f"{live_server}/participantes/nuevo")
    # The registration form's own document field asks as soon as it changes (small fetch).
    page.fill("form.formulario input[name=numero_documento]", "1.098.765.432")
    page.press("form.formulario input[name=numero_documento]", "Tab")
    warning = page.locator("#aviso-documento >> text=ya está registrada en COEE Ocaña")
    warning.wait_for()
    page.fill("#aviso-documento input[name=motivo]", "Se mudó a Cartagena")
    page.click("#aviso-documento >> text=Solicitar traslado")
    page.wait_for_url(re.compile(r".*/traslados/\d+$"))
    assert "Solicitado" in page.content() and "Ana María" not in page.content()
    page.close()
