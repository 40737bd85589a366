"""Microfinanciamiento: the committee session's single transaction, delivery limits, actas, pipeline."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login
from conftest import Centre

TODAY = CLOCK_TODAY


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


PLAN = [("Nevera", 2, 600_000), ("Estufa industrial", 1, 400_000)]  # 1.600.000


def plan_items(rows):
    return [{"descripcion": d, "cantidad": q, "precio_unitario": p} for d, q, p in rows]


@pytest.fixture
def a(api, world):
    return Centre(api(world["asesor_a"]))


def adjusted(a: Centre, day=40, rows=PLAN):
    pid = a.person()
    a.act(pid, "plan_negocio", ago(day + 2), nombre_negocio="Panadería",
          valor_solicitado=sum(q * p for _, q, p in rows), items=plan_items(rows))
    a.act(pid, "visita_acompanamiento", ago(day + 1), clase="diagnostico")
    plan = a.act(pid, "plan_ajustado", ago(day), valor=sum(q * p for _, q, p in rows), items=plan_items(rows))
    return pid, plan


def session(a: Centre, decisiones, **extra):
    body = {"fecha": ago(20), "lugar": "Sede Cemprende Cartagena",
            "miembros": "Laura Gómez — PNUD\nCarlos Ruiz — Alcaldía\nAna Díaz — Cemprende", **extra,
            "decisiones": decisiones}
    return a.caller.post("/comite/sesiones", json=body)


def itinerary(a: Centre, pid):
    return [(x["tipo"], x.get("decision")) for x in a.caller.get(f"/participantes/{pid}").get_json()["itinerario"]]


def test_a_session_records_every_decision(a):
    p1, plan1 = adjusted(a)
    p2, plan2 = adjusted(a)
    p3, plan3 = adjusted(a)
    response = session(a, [
        {"plan_id": plan1, "decision": "aprobado", "valor": 1_500_000},
        {"plan_id": plan2, "decision": "rechazado", "observacion": "El negocio no es viable en la zona."},
        {"plan_id": plan3, "decision": "aplazado"},
    ])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(d["decision"], d["valor"]) for d in body["decisiones"]] == [
        ("aprobado", 1_500_000), ("rechazado", 1_600_000), ("aplazado", 1_600_000)]
    assert itinerary(a, p1)[-1] == ("comite", "aprobado")
    # Aplazado stays pending; decided ones do not.
    pending = a.caller.get("/comite/sesiones").get_json()
    assert pending["total"] == 1
    again = session(a, [{"plan_id": plan1, "decision": "aprobado"}])
    assert again.status_code == 422
    assert session(a, [{"plan_id": plan3, "decision": "aprobado"}]).status_code == 201


def test_one_invalid_decision_records_nothing(a):
    p1, plan1 = adjusted(a)
    p2, plan2 = adjusted(a)
    response = session(a, [
        {"plan_id": plan1, "decision": "aprobado"},
        {"plan_id": plan2, "decision": "aprobado", "valor": 9_000_000},  # more than the plan
    ])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "excede_plan"  # the gate's rule, as every door
    assert ("comite", "aprobado") not in itinerary(a, p1)  # the first decision was undone too
    assert a.caller.get("/comite/sesiones").get_json()["total"] == 0
    for bad in ([{"plan_id": plan1, "decision": "rechazado"}],  # a rejection needs its reason
                [{"plan_id": plan1, "decision": "quizas"}],
                [{"plan_id": 999999, "decision": "aprobado"}],
                []):
        assert session(a, bad).status_code == 422
    assert session(a, [{"plan_id": plan1, "decision": "aprobado"}], miembros="Solo una persona").status_code == 422
    assert a.caller.get("/comite/sesiones").get_json()["total"] == 0


def test_a_plan_of_another_centre_cannot_be_decided(api, world, a):
    _, plan = adjusted(a)
    b = Centre(api(world["asesor_b"]))
    response = session(b, [{"plan_id": plan, "decision": "aprobado"}])
    assert response.status_code == 422


def approve(a: Centre, rows=PLAN, valor=None):
    pid, plan = adjusted(a, rows=rows)
    body = session(a, [{"plan_id": plan, "decision": "aprobado", **({"valor": valor} if valor else {})}])
    assert body.status_code == 201, body.get_json()
    return pid


def deliver(a: Centre, pid, rows, **extra):
    body = {"fecha": ago(10), "proveedor": "Almacén La 14", "nit": "890300279-4", "items": plan_items(rows), **extra}
    return a.caller.post(f"/participantes/{pid}/entregas", json=body)


def test_deliveries_never_exceed_the_plan_or_the_approved_value(a):
    pid = approve(a)
    assert deliver(a, pid, [("Nevera", 3, 600_000)]).status_code == 422  # 3 of 2 planned
    assert deliver(a, pid, [("Televisor", 1, 600_000)]).status_code == 422  # not in the plan
    bad_nit = deliver(a, pid, [("Nevera", 1, 600_000)], nit="ABC")
    assert bad_nit.status_code == 422 and "nit" in bad_nit.get_json()["error"]["fields"]
    first = deliver(a, pid, [("nevera", 1, 600_000)])
    assert first.status_code == 201 and first.get_json()["valor"] == 600_000
    state = a.caller.get(f"/participantes/{pid}/plan-aprobado").get_json()
    assert {i["descripcion"]: (i["entregado"], i["pendiente"]) for i in state["items"]} == {
        "Nevera": (1, 1), "Estufa industrial": (0, 1)}
    assert state["completo"] is False
    # Priced above the quote, the money runs out before the items do: refused.
    over = deliver(a, pid, [("Nevera", 1, 700_000), ("Estufa industrial", 1, 400_000)])
    assert over.status_code == 422 and "valor" in over.get_json()["error"]["fields"]
    done = deliver(a, pid, [("Nevera", 1, 600_000), ("Estufa industrial", 1, 400_000)])
    assert done.status_code == 201
    assert a.caller.get(f"/participantes/{pid}/plan-aprobado").get_json()["completo"] is True
    assert deliver(a, pid, [("Nevera", 1, 1)]).status_code == 422


def test_without_an_approved_plan_there_is_no_delivery(a):
    pid, _ = adjusted(a)
    response = deliver(a, pid, [("Nevera", 1, 600_000)])
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "sin_aprobacion"


def test_actas_read_back(app, world, a, make_client):
    pid = approve(a, valor=1_600_000)
    partial = deliver(a, pid, [("Nevera", 2, 600_000)]).get_json()
    browser = make_client()
    login(browser, world["director_a"])
    sesion_id = a.caller.get("/comite/sesiones").get_json()["items"][0]["id"]
    acta = pdf_text(browser.get(f"/microfinanciamiento/comite/{sesion_id}/acta.pdf").data)
    for expected in ("Acta de aprobación del Comité de Asignación", world["centro_a"].nombre,
                     "Laura Gómez — PNUD", "Aprobado", "$ 1.600.000", "Sede Cemprende Cartagena",
                     (TODAY - timedelta(days=20)).strftime("%d/%m/%Y")):
        assert expected in acta, expected
    entrega = pdf_text(browser.get(f"/microfinanciamiento/entregas/{partial['id']}/acta.pdf").data)
    for expected in ("Acta de entrega de bienes", "Almacén La 14", "890300279-4", "Nevera",
                     "$ 1.200.000", "ENTREGA PARCIAL", "Estufa industrial: faltan 1 de 1",
                     "participante", "Proveedor", "AEB_"):
        assert expected in entrega, expected


def test_pages_session_delivery_and_pipeline(app, world, a, make_client):
    pid, plan = adjusted(a, day=45)
    browser = make_client()
    login(browser, world["asesor_a"])
    form = browser.get("/microfinanciamiento/comite/nueva").get_data(as_text=True)
    assert f"d-{plan}-decision" in form
    token = csrf_token(browser, "/microfinanciamiento/comite/nueva")
    refused = browser.post("/microfinanciamiento/comite/nueva", data={
        "csrf_token": token, "fecha": ago(5), "lugar": "Sede", "miembros": "A\nB",
        f"d-{plan}-decision": "rechazado"})
    assert refused.status_code == 422 and "Este campo es obligatorio" in refused.get_data(as_text=True)
    saved = browser.post("/microfinanciamiento/comite/nueva", follow_redirects=True, data={
        "csrf_token": token, "fecha": ago(5), "lugar": "Sede", "miembros": "A\nB",
        f"d-{plan}-decision": "aprobado"})
    assert "Sesión del comité registrada: 1 decisiones." in saved.get_data(as_text=True)
    page = browser.get(f"/microfinanciamiento/personas/{pid}").get_data(as_text=True)
    assert "Registrar entrega de bienes" in page and 'value="Nevera"' in page
    delivered = browser.post(f"/microfinanciamiento/personas/{pid}", follow_redirects=True, data={
        "csrf_token": token, "fecha": ago(1), "proveedor": "Almacén", "nit": "900123456",
        "item_1_descripcion": "Nevera", "item_1_cantidad": "2", "item_1_precio_unitario": "600.000"})
    text = delivered.get_data(as_text=True)
    assert "Entrega registrada" in text and "Acta de entrega (PDF)" in text
    pipeline = browser.get(f"/microfinanciamiento/?desde={ago(60)}&hasta={ago(0)}").get_data(as_text=True)
    assert "Ajustados" in pipeline and "$ 1.600.000" in pipeline and "$ 1.200.000" in pipeline


def test_microfinanciamiento_pages_respect_centres(app, api, world, a, make_client):
    pid = approve(a)
    other = make_client()
    login(other, world["asesor_b"])
    sesion_id = a.caller.get("/comite/sesiones").get_json()["items"][0]["id"]
    for path in (f"/microfinanciamiento/personas/{pid}", f"/microfinanciamiento/comite/{sesion_id}",
                 f"/microfinanciamiento/comite/{sesion_id}/acta.pdf"):
        assert other.get(path).status_code == 404, path
    supervisor = api(world["supervisor"])
    assert supervisor.get(f"/comite/sesiones/{sesion_id}").status_code == 200
    assert supervisor.post(f"/participantes/{pid}/entregas", json={}).status_code == 403


def test_adjustment_needs_the_diagnostic_visit(app, world, a, make_client):
    from documents import image_bytes

    pid = a.person()
    a.act(pid, "plan_negocio", ago(30), nombre_negocio="Taller", valor_solicitado=900_000,
          items=plan_items([("Máquina de coser", 1, 900_000)]))
    browser = make_client()
    login(browser, world["asesor_a"])
    token = csrf_token(browser, f"/microfinanciamiento/personas/{pid}")
    page = browser.get(f"/microfinanciamiento/personas/{pid}").get_data(as_text=True)
    assert 'value="Máquina de coser"' in page  # the adjustment starts from the business plan
    row = {"ajuste_1_descripcion": "Máquina de coser", "ajuste_1_cantidad": "1",
           "ajuste_1_precio_unitario": "850.000"}
    early = browser.post(f"/microfinanciamiento/personas/{pid}/ajuste",
                         data={"csrf_token": token, "fecha": ago(20), **row})
    assert early.status_code == 422 and "visita de diagnóstico" in early.get_data(as_text=True)
    visit = browser.post(f"/microfinanciamiento/personas/{pid}/visitas", data={
        "csrf_token": token, "fecha": ago(25), "clase": "diagnostico", "notas": "Local arrendado, buena luz.",
        "fotos": [(BytesIO(image_bytes("JPEG")), "taller.jpg")]}, content_type="multipart/form-data")
    assert visit.status_code == 303
    assert browser.post(f"/microfinanciamiento/personas/{pid}/ajuste",
                        data={"csrf_token": token, "fecha": ago(20), **row}).status_code == 303
    itinerary = a.caller.get(f"/participantes/{pid}").get_json()["itinerario"]
    assert [(x["tipo"], x.get("valor")) for x in itinerary][-2:] == [
        ("visita_acompanamiento", None), ("plan_ajustado", 850_000)]
    assert itinerary[-2]["notas"] == "Local arrendado, buena luz."
    documents = a.caller.get(f"/verificadores?participante_id={pid}").get_json()["items"]
    assert [d["prefijo"] for d in documents] == ["IVAE"]


def test_a_photo_that_is_not_an_image_records_no_visit(app, world, a, make_client):
    pid = a.person()
    browser = make_client()
    login(browser, world["asesor_a"])
    token = csrf_token(browser, f"/microfinanciamiento/personas/{pid}")
    refused = browser.post(f"/microfinanciamiento/personas/{pid}/visitas", data={
        "csrf_token": token, "fecha": ago(2), "clase": "seguimiento",
        "fotos": [(BytesIO(b"no soy una foto"), "foto.jpg")]}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "foto" in refused.get_data(as_text=True)
    assert a.caller.get(f"/participantes/{pid}").get_json()["itinerario"] == []


def test_investment_control_per_delivered_item(app, world, a, make_client):
    pid = approve(a)
    deliver(a, pid, [("Nevera", 2, 600_000), ("Estufa industrial", 1, 400_000)])
    browser = make_client()
    login(browser, world["asesor_a"])
    token = csrf_token(browser, f"/microfinanciamiento/personas/{pid}")
    path = f"/microfinanciamiento/personas/{pid}/control"
    missing = browser.post(path, data={"csrf_token": token, "fecha": ago(1), "observaciones": "Visita",
                                       "estado-Nevera": "en_uso"})
    assert missing.status_code == 422 and "Estufa industrial" in missing.get_data(as_text=True)
    done = browser.post(path, follow_redirects=True, data={
        "csrf_token": token, "fecha": ago(1), "observaciones": "La estufa no estaba en el local.",
        "estado-Nevera": "en_uso", "estado-Estufa industrial": "no_encontrado"})
    assert "75 % verificado" in done.get_data(as_text=True)  # 1.200.000 of 1.600.000
    control = a.caller.get(f"/participantes/{pid}").get_json()["itinerario"][-1]
    assert (control["tipo"], control["porcentaje_verificado"]) == ("control_inversion", 75)


def test_a_verified_share_above_100_is_refused(a):
    pid = a.person()
    response = a.caller.post(f"/participantes/{pid}/actuaciones", json={
        "tipo": "control_inversion", "fecha": ago(1), "observaciones": "x", "porcentaje_verificado": 150})
    assert response.status_code == 422 and "porcentaje_verificado" in response.get_json()["error"]["fields"]
