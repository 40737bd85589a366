"""One comité session, one ACA: the session's signed acta is the evidence of everyone it approved."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Verificador
from conftest import TODAY, csrf_token, login, stored_files
from documents import files, image_bytes, pdf_bytes
from conftest import Centre

PERIOD = f"desde={(TODAY - timedelta(days=60)).isoformat()}&hasta={TODAY.isoformat()}"


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def adjusted_plan(a: Centre, pid: int, day: int) -> int:
    a.act(pid, "plan_negocio", ago(day + 2), nombre_negocio="Panadería", valor_solicitado=900_000)
    a.act(pid, "visita_acompanamiento", ago(day + 1), clase="diagnostico")
    return a.act(pid, "plan_ajustado", ago(day), valor=900_000,
                 items=[{"descripcion": "Horno", "cantidad": 1, "precio_unitario": 900_000}])


def hold(caller, day: int, decisions: list[tuple[int, str]]) -> dict:
    response = caller.post("/comite/sesiones", json={
        "fecha": ago(day), "lugar": "Sede del centro", "miembros": "Ana Ruiz — PNUD\nLuis Mora — DPS",
        "decisiones": [{"plan_id": plan, "decision": decision,
                        **({"observacion": "No viable"} if decision == "rechazado" else {})}
                       for plan, decision in decisions]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload_acta(caller, sesion_id: int, *pairs):
    return caller.post(f"/comite/sesiones/{sesion_id}/acta", data=files(*pairs),
                       content_type="multipart/form-data")


def coverage(caller) -> tuple[dict, list[dict]]:
    body = caller.get(f"/verificadores/cobertura?{PERIOD}&per_page=200").get_json()
    comite = next((f for f in body["filas"] if f["tipo"] == "comite"), None)
    missing = [r for r in body["faltantes"]["items"] if r["prefijo"] == "ACA"]
    return comite, missing


@pytest.fixture
def session(api, world):
    """A session that approved three people and rejected a fourth."""
    caller = api(world["asesor_a"])
    a = Centre(caller)
    people = [a.person() for _ in range(4)]
    plans = [adjusted_plan(a, pid, 20) for pid in people]
    held = hold(caller, 15, [(plans[0], "aprobado"), (plans[1], "aprobado"), (plans[2], "aprobado"),
                             (plans[3], "rechazado")])
    return {"caller": caller, "centre": a, "people": people, "sesion": held,
            "comites": [d["actuacion_id"] for d in held["decisiones"]]}


def test_one_acta_covers_every_approved_comite_of_the_session(app, api, world, session,
                                                              upload_root):
    caller = session["caller"]
    comite, missing = coverage(caller)
    assert (comite["actuaciones"], comite["con_documento"], comite["faltantes"]) == (3, 0, 3)
    assert sorted(r["actuacion_id"] for r in missing) == sorted(session["comites"][:3])

    response = upload_acta(caller, session["sesion"]["id"], ("acta firmada.pdf", pdf_bytes("ACA")))
    assert response.status_code == 201, response.get_json()
    acta = response.get_json()
    assert acta["comite_sesion_id"] == session["sesion"]["id"] and acta["participante_id"] is None
    assert acta["prefijo"] == "ACA" and acta["archivo"] == f"ACA_SESION{session['sesion']['id']}.pdf"
    assert len(stored_files(upload_root)) == 1  # stored once, for the three of them

    comite, missing = coverage(caller)
    assert (comite["actuaciones"], comite["con_documento"], comite["aprobados"]) == (3, 3, 0)
    assert missing == []
    detail = caller.get(f"/comite/sesiones/{session['sesion']['id']}").get_json()
    assert [x["verificador_id"] for x in detail["actas"]] == [acta["id"]]

    supervisor = api(world["supervisor"])
    assert supervisor.post(f"/verificadores/{acta['id']}/revision",
                           json={"estado": "aprobado"}).status_code == 200
    comite, _ = coverage(caller)
    assert comite["aprobados"] == 3


def test_a_rejected_acta_leaves_the_session_uncovered_until_a_replacement(api, world, session):
    caller = session["caller"]
    acta = upload_acta(caller, session["sesion"]["id"], ("acta.pdf", pdf_bytes("borrosa"))).get_json()
    api(world["supervisor"]).post(f"/verificadores/{acta['id']}/revision",
                                  json={"estado": "rechazado", "observacion": "Sin firmas."})
    assert coverage(caller)[0]["con_documento"] == 0
    again = upload_acta(caller, session["sesion"]["id"], ("acta.png", image_bytes()))
    assert again.status_code == 201 and again.get_json()["secuencia"] == 2
    assert coverage(caller)[0]["con_documento"] == 3


def test_personal_acas_go_to_the_sessions_without_an_acta(api, world, session):
    """A person approved in two sessions: the first has its acta, the second counts their own ACA."""
    caller, a = session["caller"], session["centre"]
    pid = session["people"][0]
    plan = a.act(pid, "plan_ajustado", ago(10), valor=800_000,
                 items=[{"descripcion": "Horno", "cantidad": 1, "precio_unitario": 800_000}])
    second = hold(caller, 9, [(plan, "aprobado")])
    assert coverage(caller)[0]["faltantes"] == 4
    caller.post("/verificadores", content_type="multipart/form-data",
                data={**files(("aca.pdf", pdf_bytes("ACA propia"))), "participante_id": str(pid),
                      "prefijo": "ACA"})
    _, missing = coverage(caller)
    assert len(missing) == 3  # the person's own ACA covers the first of their comités
    upload_acta(caller, session["sesion"]["id"], ("acta.pdf", pdf_bytes("ACA de la sesión")))
    comite, missing = coverage(caller)
    assert (comite["actuaciones"], comite["con_documento"]) == (4, 4) and missing == []
    assert second["decisiones"][0]["actuacion_id"] not in {r["actuacion_id"] for r in missing}


def test_what_the_acta_upload_refuses(app, api, world, session, upload_root):
    caller, sesion_id = session["caller"], session["sesion"]["id"]
    exe = upload_acta(caller, sesion_id, ("acta.pdf", b"MZ\x90\x00 not a pdf" * 10))
    assert exe.status_code == 422 and exe.get_json()["error"]["code"] == "tipo_no_permitido"
    big = upload_acta(caller, sesion_id, ("acta.pdf", b"%PDF" + b"\x00" * (10 * 1024 * 1024)))
    assert big.status_code == 413
    two = upload_acta(caller, sesion_id, ("a.pdf", pdf_bytes("uno")), ("b.pdf", pdf_bytes("dos")))
    assert two.status_code == 422 and "archivo" in two.get_json()["error"]["fields"]
    none = caller.post(f"/comite/sesiones/{sesion_id}/acta", data={}, content_type="multipart/form-data")
    assert none.status_code == 422
    assert caller.post(f"/comite/sesiones/{sesion_id}/acta", json={}).status_code == 415
    document = pdf_bytes("la buena")
    assert upload_acta(caller, sesion_id, ("acta.pdf", document)).status_code == 201
    duplicate = upload_acta(caller, sesion_id, ("copia.pdf", document))
    assert duplicate.status_code == 409 and duplicate.get_json()["error"]["code"] == "duplicado"
    assert upload_acta(api(world["asesor_b"]), sesion_id, ("acta.pdf", pdf_bytes("B"))).status_code == 404
    assert upload_acta(api(world["supervisor"]), sesion_id, ("acta.pdf", pdf_bytes("S"))).status_code == 403
    assert upload_acta(caller, 999_999, ("acta.pdf", pdf_bytes("X"))).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Verificador.id).where(
            Verificador.comite_sesion_id == sesion_id, Verificador.participante_id.is_(None))) is not None
    assert len(stored_files(upload_root)) == 1


def test_pages_upload_show_and_mark_the_acta(app, world, session, make_client):
    sesion_id = session["sesion"]["id"]
    browser = make_client()
    login(browser, world["asesor_a"])
    page = browser.get(f"/microfinanciamiento/comite/{sesion_id}").get_data(as_text=True)
    assert "Aún no se ha subido el acta firmada" in page and "Subir el acta" in page
    person = session["people"][1]
    profile = browser.get(f"/participantes/{person}").get_data(as_text=True)
    assert "Falta verificador ACA" in profile
    sent = browser.post(f"/microfinanciamiento/comite/{sesion_id}/acta", data={
        "csrf_token": csrf_token(browser, f"/microfinanciamiento/comite/{sesion_id}"),
        **files(("acta.pdf", pdf_bytes("acta firmada")))}, content_type="multipart/form-data")
    assert sent.status_code == 303
    page = browser.get(f"/microfinanciamiento/comite/{sesion_id}").get_data(as_text=True)
    assert f"ACA_SESION{sesion_id}.pdf" in page and "Pendiente" in page
    profile = browser.get(f"/participantes/{person}").get_data(as_text=True)
    assert "Falta verificador ACA" not in profile and "sesión del comité" in profile
    csv = browser.get(f"/verificadores/cobertura.csv?{PERIOD}").get_data(as_text=True)
    assert ";ACA;" not in csv
    refused = browser.post(f"/microfinanciamiento/comite/{sesion_id}/acta", data={
        "csrf_token": csrf_token(browser, f"/microfinanciamiento/comite/{sesion_id}"),
        **files(("acta.pdf", b"no es un pdf" * 10))}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "no es PDF, JPEG ni PNG" in refused.get_data(as_text=True)
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    queue = supervisor.get("/verificadores/").get_data(as_text=True)
    assert "Sesión del comité" in queue
    with app.app_context():
        verificador = db.session.scalar(select(Verificador).where(Verificador.comite_sesion_id == sesion_id))
    review = supervisor.get(f"/verificadores/{verificador.id}").get_data(as_text=True)
    assert "Sesión del Comité de Asignación" in review and "3" in review
    assert supervisor.get(f"/verificadores/{verificador.id}/archivo").status_code == 200
