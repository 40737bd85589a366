"""Centres and staff accounts: who may manage whom, and what a new account must satisfy."""
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria
from conftest import csrf_token, login


def new_staff(**overrides):
    data = {"username": "laura.gomez", "password": "Una-clave-larga-2026", "nombre": "Laura Gómez",
            "rol": "asesor"}
    data.update(overrides)
    return data


def test_admin_creates_staff_and_no_answer_carries_the_password(api, world):
    response = api(world["admin"]).post("/staff", json=new_staff(centro_id=world["centro_a"].id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["rol"] == "asesor" and body["centro_id"] == world["centro_a"].id
    assert "password" not in body and "password_hash" not in body
    listing = api(world["admin"]).get("/staff").get_data(as_text=True)
    assert "argon2" not in listing and "Una-clave-larga" not in listing


def test_password_policy(api, world):
    caller = api(world["admin"])
    for password, fragment in (("corta", "10 caracteres"), ("1234567890", "más usadas"),
                               ("qwertyuiop", "más usadas"), ("Contraseña123", "más usadas")):
        response = caller.post("/staff", json=new_staff(password=password, centro_id=world["centro_a"].id))
        assert response.status_code == 422
        assert fragment in response.get_json()["error"]["fields"]["password"]


def test_centre_is_required_for_asesor_and_director_and_refused_for_the_others(api, world):
    caller = api(world["admin"])
    assert "centro_id" in caller.post("/staff", json=new_staff()).get_json()["error"]["fields"]
    refused = caller.post("/staff", json=new_staff(rol="supervisor", centro_id=world["centro_a"].id))
    assert refused.status_code == 422
    ok = caller.post("/staff", json=new_staff(rol="supervisor", username="sup.dos"))
    assert ok.status_code == 201 and ok.get_json()["centro_id"] is None


def test_duplicate_username_is_refused_case_insensitively(api, world):
    caller = api(world["admin"])
    caller.post("/staff", json=new_staff(centro_id=world["centro_a"].id))
    again = caller.post("/staff", json=new_staff(username="Laura.Gomez", centro_id=world["centro_a"].id))
    assert again.status_code == 422 and "username" in again.get_json()["error"]["fields"]


def test_director_manages_only_asesores_of_its_own_centre(api, world):
    director = api(world["director_a"])
    created = director.post("/staff", json=new_staff())  # centre omitted: its own
    assert created.status_code == 201 and created.get_json()["centro_id"] == world["centro_a"].id
    for body in (new_staff(username="x1", rol="director"), new_staff(username="x2", rol="admin"),
                 new_staff(username="x3", rol="supervisor"),
                 new_staff(username="x4", centro_id=world["centro_b"].id)):
        assert director.post("/staff", json=body).status_code == 422, body
    # A director (itself included) is not its to edit; another centre's asesor is a 404.
    other_director = director.patch(f"/staff/{world['director_a'].id}",
                                    json={"nombre": "X", "rol": "director", "activo": True, "version": 1})
    assert other_director.status_code == 403
    assert director.patch(f"/staff/{world['asesor_b'].id}", json={"version": 1}).status_code == 404
    names = {s["username"] for s in director.get("/staff").get_json()["items"]}
    assert world["asesor_b"].username not in names and "laura.gomez" in names


def test_nobody_deactivates_their_own_account(api, world):
    response = api(world["admin"]).patch(f"/staff/{world['admin'].id}", json={
        "nombre": "Admin", "rol": "admin", "activo": False, "version": 1})
    assert response.status_code == 422 and "activo" in response.get_json()["error"]["fields"]


def test_deactivated_staff_loses_its_api_tokens(api, world, client):
    asesor = api(world["asesor_a"])
    assert asesor.get("/centros").status_code == 200
    api(world["admin"]).patch(f"/staff/{world['asesor_a'].id}", json={
        "nombre": "Asesor", "rol": "asesor", "centro_id": world["centro_a"].id, "activo": False,
        "version": 1})
    assert asesor.get("/centros").status_code == 401


def test_centre_pages_create_and_validate(client, world, app):
    login(client, world["admin"])
    token = csrf_token(client, "/admin/centros/nuevo")
    bad = client.post("/admin/centros/nuevo", data={"ciudad": "", "departamento": "Meta",
                                                    "modalidad": "Otro", "csrf_token": token})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Este campo es obligatorio." in html and "Valor no permitido" in html
    ok = client.post("/admin/centros/nuevo", data={
        "ciudad": "Arauca", "departamento": "Arauca", "modalidad": "COEE",
        "fecha_apertura": "2016-02-01", "activo": "y", "csrf_token": token})
    assert ok.status_code == 302
    assert "COEE Arauca" in client.get("/admin/centros").get_data(as_text=True)
    repeated = client.post("/admin/centros/nuevo", data={
        "ciudad": "Arauca", "departamento": "Arauca", "modalidad": "COEE", "csrf_token": token})
    assert repeated.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Auditoria).where(Auditoria.entidad == "centro")) is not None


def test_centros_list_is_scoped(api, world):
    names = [c["nombre"] for c in api(world["asesor_a"]).get("/centros").get_json()["items"]]
    assert names == [world["centro_a"].nombre]
    assert len(api(world["supervisor"]).get("/centros").get_json()["items"]) == 2


def test_refusals_are_audited(app, api, world):
    api(world["supervisor"]).post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 1,
                                                     "fecha": "2026-01-01", "centro_id": world["centro_a"].id})
    with app.app_context():
        refusal = db.session.scalar(select(Auditoria).where(Auditoria.accion == "denegado"))
        assert refusal.staff_id == world["supervisor"].id and "rol supervisor" in refusal.detalle


def test_pages_link_only_what_the_reader_may_open(client, make_client, api, world):
    """A director's list links the asesores it manages, not its own account; a supervisor is not
    offered "Referir" (both would answer 403)."""
    from conftest import login, person_payload

    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    login(client, world["director_a"])
    page = client.get("/admin/staff").get_data(as_text=True)
    assert f'/admin/staff/{world["asesor_a"].id}"' in page
    assert f'/admin/staff/{world["director_a"].id}"' not in page and world["director_a"].username in page
    assert client.get(f"/admin/staff/{world['director_a'].id}").status_code == 403
    assert "/nueva\">Referir" in client.get(f"/orientacion/personas/{person['id']}").get_data(as_text=True)
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    for path in (f"/orientacion/personas/{person['id']}", f"/participantes/{person['id']}"):
        html = supervisor.get(path).get_data(as_text=True)
        assert "Referir</a>" not in html, path
