"""Contact tracking of remitted people and the consent rule: the contact state is the latest
attempt's result (pendiente without any), the queue "Por contactar" puts the oldest remission
first, three failed attempts offer "no localizada", and a person without consent gets only the
remisión DPS until the consent is recorded (never withdrawn through PATCH)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Actuacion, Auditoria, ContactoIntento, Participante
from conftest import TODAY, csrf_token, login, person_payload

D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731


def _remitted(api, staff, documento: str, remitido_hace: int | None = None, consent=True) -> int:
    caller = api(staff)
    person = caller.post("/participantes", json=person_payload(numero_documento=documento)).get_json()["id"]
    if remitido_hace is not None:
        made = caller.post(f"/participantes/{person}/actuaciones", json={
            "tipo": "remision_dps", "fecha": D(remitido_hace), "programa": "RIE 2013"})
        assert made.status_code == 201, made.get_json()
    if not consent:
        _withdraw_consent(person)
    return person


def _withdraw_consent(person_id: int) -> None:
    """As an import creates them: no consent yet (set directly; no door withdraws it)."""
    db.session.get(Participante, person_id).consentimiento_datos = False
    db.session.commit()


def _contact(caller, person, resultado, days_ago=1, medio="telefono", **extra):
    return caller.post(f"/participantes/{person}/contactos", json={
        "fecha": D(days_ago), "medio": medio, "resultado": resultado, **extra})


def test_contact_state_is_the_latest_result_by_date(app, api, world):
    a = api(world["asesor_a"])
    person = _remitted(api, world["asesor_a"], "700100")
    assert a.get(f"/participantes/{person}").get_json()["estado_contacto"] == "pendiente"
    made = _contact(a, person, "no_contesta", days_ago=5)
    assert made.status_code == 201 and made.get_json()["resultado"] == "no_contesta"
    assert _contact(a, person, "localizado", days_ago=2).status_code == 201
    # Typed later but dated earlier: the state stays the latest by fecha.
    assert _contact(a, person, "numero_errado", days_ago=4).status_code == 201
    assert a.get(f"/participantes/{person}").get_json()["estado_contacto"] == "localizado"
    listed = a.get("/participantes?documento=700100").get_json()["items"]
    assert listed[0]["estado_contacto"] == "localizado"
    with app.app_context():
        assert len(db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "contacto_intento")).all()) == 3
        # Contact attempts are not actuaciones.
        assert db.session.scalars(select(Actuacion)).all() == []


def test_bad_contacts_are_refused_in_spanish_and_another_centre_is_404(api, world):
    a = api(world["asesor_a"])
    person = _remitted(api, world["asesor_a"], "700101")
    bad = a.post(f"/participantes/{person}/contactos", json={
        "fecha": (TODAY + timedelta(days=1)).isoformat(), "medio": "paloma", "resultado": "quizá"})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"fecha", "medio", "resultado"}
    assert _contact(api(world["asesor_b"]), person, "localizado").status_code == 404
    assert _contact(api(world["supervisor"]), person, "localizado").status_code == 403


def test_queue_oldest_remission_first_with_attempts_and_closed_states_leave(client, api, world):
    a = api(world["asesor_a"])
    newest = _remitted(api, world["asesor_a"], "700201", remitido_hace=3)
    oldest = _remitted(api, world["asesor_a"], "700202", remitido_hace=30)
    middle = _remitted(api, world["asesor_a"], "700203", remitido_hace=10)
    found = _remitted(api, world["asesor_a"], "700204", remitido_hace=40)
    gave_up = _remitted(api, world["asesor_a"], "700205", remitido_hace=41)
    not_listed = _remitted(api, world["asesor_a"], "700206", remitido_hace=42)
    _remitted(api, world["asesor_b"], "700207", remitido_hace=50)  # another centre's
    a.post("/participantes", json=person_payload(numero_documento="700208", remitido_dps=False,
                                                 programa_dps=None))  # not remitted
    _contact(a, found, "localizado")
    _contact(a, gave_up, "desiste")
    _contact(a, not_listed, "no_figura")
    for days in (6, 5, 4):
        _contact(a, oldest, "no_contesta", days_ago=days)
    _contact(a, middle, "numero_errado")
    login(client, world["asesor_a"])
    page = client.get("/contactos/por-contactar").get_data(as_text=True)
    order = [page.index(d) for d in ("700202", "700203", "700201")]
    assert order == sorted(order)
    for gone in ("700204", "700205", "700206", "700207", "700208"):
        assert gone not in page
    # Three failed attempts: offered as "no localizada".
    assert page.count("Marcar no localizada") == 1
    assert f"/contactos/personas/{oldest}?resultado=no_localizado" in page
    work = client.get("/mi-trabajo").get_data(as_text=True)
    assert "Por contactar" in work and "3 intentos · ofrecer como no localizada" in work
    assert _contact(a, oldest, "no_localizado").status_code == 201
    assert "700202" not in client.get("/contactos/por-contactar").get_data(as_text=True)
    assert a.get(f"/participantes/{newest}").get_json()["estado_contacto"] == "pendiente"


def test_contact_page_records_the_consent_at_first_contact(app, client, api, world):
    with app.app_context():
        person = _remitted(api, world["asesor_a"], "700301", remitido_hace=5, consent=False)
    login(client, world["asesor_a"])
    page = client.get(f"/contactos/personas/{person}").get_data(as_text=True)
    assert "aún no ha autorizado" in page and "consentimiento_datos" in page
    response = client.post(f"/contactos/personas/{person}", data={
        "csrf_token": csrf_token(client, f"/contactos/personas/{person}"), "fecha": D(0),
        "medio": "telefono", "resultado": "localizado", "consentimiento_datos": "y"})
    assert response.status_code == 303
    with app.app_context():
        stored = db.session.get(Participante, person)
        assert stored.consentimiento_datos is True
        assert stored.consentimiento_por_id == world["asesor_a"].id
        assert db.session.scalars(select(ContactoIntento)).one().resultado == "localizado"
    profile = client.get(f"/participantes/{person}").get_data(as_text=True)
    assert f"/contactos/personas/{person}" in profile


def test_consent_by_patch_is_recorded_audited_and_never_withdrawn(app, api, world):
    a = api(world["asesor_a"])
    with app.app_context():
        person = _remitted(api, world["asesor_a"], "700401", remitido_hace=5, consent=False)
    refused = a.post(f"/participantes/{person}/actuaciones", json={"tipo": "caracterizacion", "fecha": D(1)})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "sin_consentimiento"
    # The remission and contact attempts stay allowed.
    assert a.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "remision_dps", "fecha": D(2), "programa": "Mi Negocio"}).status_code == 201
    assert _contact(a, person, "localizado").status_code == 201
    version = a.get(f"/participantes/{person}").get_json()["version"]
    withdraw = a.patch(f"/participantes/{person}", json={"version": version, "consentimiento_datos": False})
    assert withdraw.status_code == 422
    given = a.patch(f"/participantes/{person}", json={"version": version, "consentimiento_datos": True})
    assert given.status_code == 200 and given.get_json()["consentimiento_datos"] is True
    again = a.patch(f"/participantes/{person}", json={"version": given.get_json()["version"],
                                                      "consentimiento_datos": False})
    assert again.status_code == 422
    assert a.get(f"/participantes/{person}").get_json()["consentimiento_datos"] is True
    with app.app_context():
        entry = db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == person,
            Auditoria.accion == "editar").order_by(Auditoria.id.desc())).first()
        assert entry.antes["consentimiento_datos"] is False and entry.despues["consentimiento_datos"] is True
    assert a.post(f"/participantes/{person}/actuaciones",
                  json={"tipo": "caracterizacion", "fecha": D(1)}).status_code == 201
