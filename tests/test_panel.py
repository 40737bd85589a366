"""The homes of directors and supervisors: the centre (or the network) this month against its
metas, what waits, the alerts, the overdue reviews and the month closes to accept."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from cemprende.extensions import db
from cemprende.models import Verificador
from conftest import TODAY, login, person_payload
from documents import files, pdf_bytes


def _metas(api, world):
    answer = api(world["director_a"]).put("/metas", json={
        "centro_id": world["centro_a"].id,
        "vigencia": {"nombre": "Convenio 2026", "desde": "2026-01-01", "hasta": "2026-12-31"},
        "metas": {"1.1": 10}})
    assert answer.status_code == 200, answer.get_json()


def test_a_director_lands_on_the_month_of_the_centre_against_its_metas(app, client, api, world):
    _metas(api, world)
    asesor = api(world["asesor_a"])
    local = {"remitido_dps": False, "programa_dps": None}  # row 1.1 counts people not sent by DPS
    march = asesor.post("/participantes", json=person_payload(**local)).get_json()["id"]
    february = asesor.post("/participantes", json=person_payload(
        numero_documento="52111222", **local)).get_json()["id"]
    for person, fecha in ((march, "2026-03-10"), (february, "2026-02-10")):
        for body in ({"tipo": "caracterizacion"}, {"tipo": "enrutamiento", "destino": "emprendimiento"}):
            answer = asesor.post(f"/participantes/{person}/actuaciones", json={**body, "fecha": fecha})
            assert answer.status_code == 201, answer.get_json()
    landing = login(client, world["director_a"])
    assert landing.headers["Location"].endswith("/inicio/centro")
    html = client.get("/inicio/centro").get_data(as_text=True)
    assert "Este mes frente a las metas" in html
    row = html[html.index("1.1 "):]
    row = row[:row.index("</tr>")]
    # This month 1, the vigencia so far 2, meta 10, avance 20 %.
    assert 'data-label="Este mes">1<' in row and ">2</a>" in row and 'data-label="Meta">10<' in row
    assert "20 %" in row
    assert "El mes anterior (01/02/2026) no está cerrado" in html
    assert api(world["director_a"]).post("/cierres", json={
        "centro_id": world["centro_a"].id, "mes": "2026-02"}).status_code == 201
    assert "El mes anterior está cerrado." in client.get("/inicio/centro").get_data(as_text=True)


def test_a_supervisor_lands_on_the_network_with_overdue_reviews(app, client, api, world):
    asesor = api(world["asesor_a"])
    person = asesor.post("/participantes", json=person_payload()).get_json()
    asesor.post("/verificadores", content_type="multipart/form-data", data=files(
        (f"CC_{person['numero_documento']}.pdf", pdf_bytes("cedula")),
        (f"AC_{person['numero_documento']}.pdf", pdf_bytes("acta"))))
    with app.app_context():  # one of them waits since ten days ago
        old = datetime.combine(TODAY - timedelta(days=10), datetime.min.time(), UTC)
        db.session.execute(update(Verificador).where(Verificador.prefijo == "CC").values(subido_en=old))
        db.session.commit()
    assert api(world["director_a"]).post("/cierres", json={
        "centro_id": world["centro_a"].id, "mes": "2026-02"}).status_code == 201
    landing = login(client, world["supervisor"])
    assert landing.headers["Location"].endswith("/inicio/red")
    html = client.get("/inicio/red").get_data(as_text=True)
    assert "Red Cemprende" in html and "Revisiones vencidas" in html
    section = html[html.index("Revisiones vencidas"):html.index("Cola de revisión")]
    assert world["centro_a"].nombre in section and 'data-label="Documentos">1<' in section
    assert "2 documentos pendientes en total" in section
    assert "Cierres por aceptar: 1" in html
