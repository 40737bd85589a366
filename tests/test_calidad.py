"""Data-quality score: each component counted per advisor, centre and month, the score's formula,
the trend, and who may see it."""
from __future__ import annotations

import pytest

from conftest import csrf_token, login, person_payload
from documents import files, image_bytes


def expected_score(c: dict) -> int:
    shares = [part / whole for part, whole in ((c["tardias"], c["registradas"]),
                                               (c["sin_documento"], c["requeridos"]),
                                               (c["sin_caracterizacion"], c["personas"])) if whole]
    score = 100 - 100 * sum(shares) / len(shares) - 2 * c["rechazados"] - 5 * c["alertas"]
    return max(0, min(100, round(score)))


@pytest.fixture
def scenario(api, world):
    """March: two people characterised by asesor A (one on time, one 21 days late), an acta de
    compromiso without its document, one CC uploaded and one rejected, a person registered
    without sex or population type. January: an approval never delivered (an open alert)."""
    asesor = api(world["asesor_a"])
    p1 = asesor.post("/participantes", json=person_payload(numero_documento="81000001")).get_json()
    p2 = asesor.post("/participantes", json=person_payload(
        numero_documento="81000002", sexo=None, tipo_poblacion=None)).get_json()
    p3 = asesor.post("/participantes", json=person_payload(numero_documento="81000003")).get_json()
    for person, tipo, fecha in ((p1, "caracterizacion", "2026-03-30"),
                                (p2, "caracterizacion", "2026-03-10"),
                                (p1, "acta_compromiso", "2026-03-30"),
                                (p3, "plan_negocio", "2026-01-08"),
                                (p3, "visita_acompanamiento", "2026-01-09"),
                                (p3, "plan_ajustado", "2026-01-10")):
        body = {"tipo": tipo, "fecha": fecha}
        if tipo == "plan_negocio":
            body.update(nombre_negocio="Tienda", valor_solicitado=300_000)
        if tipo == "visita_acompanamiento":
            body.update(clase="diagnostico")
        if tipo == "plan_ajustado":
            body.update(valor=300_000, items=[{"descripcion": "Nevera", "cantidad": 1,
                                               "precio_unitario": 300_000}])
        made = asesor.post(f"/participantes/{person['id']}/actuaciones", json=body)
        assert made.status_code == 201, made.get_json()
    plan_id = asesor.get(f"/participantes/{p3['id']}").get_json()["itinerario"][-1]["id"]
    assert asesor.post("/comite/sesiones", json={
        "fecha": "2026-01-11", "lugar": "Sede", "miembros": "Uno\nDos",
        "decisiones": [{"plan_id": plan_id, "decision": "aprobado"}]}).status_code == 201
    uploaded = asesor.post("/verificadores", content_type="multipart/form-data", data=files(
        (f"CC_{p1['numero_documento']}.png", image_bytes()),
        (f"CC_{p2['numero_documento']}.png", image_bytes(colour=(10, 200, 10)))))
    assert uploaded.status_code == 200, uploaded.get_json()
    rejected = uploaded.get_json()["items"][1]["verificador_id"]
    assert api(world["supervisor"]).post(f"/verificadores/{rejected}/revision", json={
        "estado": "rechazado", "observacion": "Ilegible"}).status_code == 200
    return world


def test_components_and_score_per_advisor(api, scenario):
    body = api(scenario["director_a"]).get("/calidad?mes=2026-03").get_json()
    assert body["por"] == "asesor" and body["centro_id"] == scenario["centro_a"].id
    rows = {row["asesor_id"]: row for row in body["filas"]}
    march = rows[scenario["asesor_a"].id]
    assert {k: march[k] for k in ("registradas", "tardias", "requeridos", "con_documento",
                                  "rechazados", "alertas", "personas", "sin_caracterizacion")} == {
        "registradas": 3, "tardias": 1, "requeridos": 4, "con_documento": 1, "rechazados": 1,
        "alertas": 0, "personas": 3, "sin_caracterizacion": 1}
    assert march["puntaje"] == expected_score(march) == 51
    assert body["total"]["puntaje"] == march["puntaje"]


def test_trend_carries_each_month_and_the_open_alert_stays_in_its_month(api, scenario):
    body = api(scenario["director_a"]).get("/calidad?mes=2026-03").get_json()
    trend = {t["mes"]: t for t in body["tendencia"]}
    assert list(trend) == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    january = trend["2026-01"]
    assert january["registradas"] == 4 and january["tardias"] == 4  # typed in March
    assert january["alertas"] == 1  # approved on 11/01, never delivered
    assert january["requeridos"] == 3 and january["con_documento"] == 0  # PN, IVAE, ACA
    assert january["puntaje"] == expected_score(january)
    assert trend["2026-02"]["puntaje"] is None  # nothing recorded: no score


def test_network_view_and_scope(api, scenario):
    supervisor = api(scenario["supervisor"]).get("/calidad?mes=2026-03").get_json()
    assert supervisor["por"] == "centro"
    assert [row["centro_id"] for row in supervisor["filas"]] == [scenario["centro_a"].id]
    assert api(scenario["director_b"]).get(
        f"/calidad?centro_id={scenario['centro_a'].id}").status_code == 404
    own = api(scenario["director_b"]).get("/calidad?mes=2026-03").get_json()
    assert own["filas"] == [] and own["total"]["puntaje"] is None
    assert api(scenario["asesor_a"]).get("/calidad").status_code == 403
    assert api(scenario["supervisor"]).get("/calidad?mes=marzo").status_code == 422


def test_page_and_directors_home(app, client, scenario):
    login(client, scenario["director_a"])
    page = client.get("/calidad/?mes=2026-03").get_data(as_text=True)
    assert "Por asesor" in page and "<strong class=\"falta\">51</strong>" in page
    home = client.get("/mi-trabajo").get_data(as_text=True)
    assert "Calidad de los datos del mes" in home


def test_supervisors_home_shows_the_network_score_worst_centre_first(app, make_client, scenario):
    browser = make_client()
    login(browser, scenario["supervisor"])
    home = browser.get("/verificadores/?mes=2026-03").get_data(as_text=True)
    assert "Calidad de los datos de la red" in home
    assert scenario["centro_a"].nombre in home.split("Calidad de los datos de la red")[1]


def test_what_an_import_brought_is_never_late(app, api, world):
    """A DPS list arrives weeks after its remissions: those records keep their fecha and do not
    count against the advisor who imported them (they carry their import in datos)."""
    from cemprende.extensions import db
    from cemprende.itinerario import services as itinerario
    from cemprende.models import Participante, Staff

    caller = api(world["asesor_a"])
    typed = caller.post("/participantes", json=person_payload(numero_documento="82000001")).get_json()
    imported = caller.post("/participantes", json=person_payload(numero_documento="82000002")).get_json()
    assert caller.post(f"/participantes/{typed['id']}/actuaciones", json={
        "tipo": "remision_dps", "fecha": "2026-03-02", "programa": "Red Unidos"}).status_code == 201
    with app.app_context():
        actor = db.session.get(Staff, world["asesor_a"].id)
        person = db.session.get(Participante, imported["id"])
        [made] = itinerario.register_many(actor, [(person, {
            "tipo": "remision_dps", "fecha": "2026-03-02", "programa": "Red Unidos"})],
            origen={"importacion_id": 1})
        assert isinstance(made, int)
        db.session.commit()
    row = {r["asesor_id"]: r for r in api(world["director_a"]).get(
        "/calidad?mes=2026-03").get_json()["filas"]}[world["asesor_a"].id]
    assert row["registradas"] == 2 and row["tardias"] == 1  # only the one typed 29 days late
