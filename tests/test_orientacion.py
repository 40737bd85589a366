"""Orientación: characterisation, the actas, routing with its suggestion, desistimiento, queues."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from conftest import TODAY as CLOCK_TODAY
from conftest import csrf_token, login, person_payload
from cemprende.itinerario.dia import today_bogota
from cemprende.extensions import db
from cemprende.models import Actuacion, Participante

TODAY = CLOCK_TODAY.isoformat()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture
def asesor(make_client, world):
    browser = make_client()
    login(browser, world["asesor_a"])
    return browser


@pytest.fixture
def person(api, world):
    return api(world["asesor_a"]).post("/participantes", json=person_payload(
        remitido_dps=False, programa_dps=None, etnia=None, tipo_poblacion=None)).get_json()


def post(browser, path, **data):
    data["csrf_token"] = csrf_token(browser, "/orientacion/")
    return browser.post(path, data=data)


def itinerary(app, person_id) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Actuacion).where(Actuacion.participante_id == person_id)
                                  .order_by(Actuacion.id)).all()
        return [(a.tipo, a.categoria) for a in rows]


def characterise(browser, person, situacion="negocio_en_marcha", **extra):
    data = {"fecha": TODAY, "situacion": situacion, "necesidades": ["fortalecer_negocio", "financiacion"],
            "observaciones": "Vende arepas en el barrio.", "version": str(person["version"]),
            "tipo_poblacion": "sisben", "etnia": "", "discapacidad": "no", "desplazamiento": "si"}
    data.update(extra)
    return post(browser, f"/orientacion/personas/{person['id']}/caracterizacion", **data)


def test_characterisation_updates_categories_and_records_needs(app, asesor, person):
    response = characterise(asesor, person)
    assert response.status_code == 303 and response.location.endswith("#acta")
    with app.app_context():
        stored = db.session.get(Participante, person["id"])
        assert stored.tipo_poblacion == "sisben" and stored.desplazamiento is True
        assert stored.discapacidad is False and stored.etnia is None
        char = db.session.scalar(db.select(Actuacion).where(Actuacion.tipo == "caracterizacion"))
        assert char.categoria == "negocio_en_marcha"
        assert char.datos["necesidades"] == "Fortalecer su negocio; Financiación"
        assert char.datos["observaciones"] == "Vende arepas en el barrio."


def test_characterisation_refusals_record_nothing(app, asesor, person):
    unknown = characterise(asesor, person, necesidades=["vivienda_gratis"])
    assert unknown.status_code == 422 and "Necesidad desconocida" in unknown.get_data(as_text=True)
    stale = characterise(asesor, person, version="99")
    assert stale.status_code == 409
    future = characterise(asesor, person, fecha=(today_bogota() + timedelta(days=2)).isoformat())
    assert future.status_code == 422
    assert itinerary(app, person["id"]) == []
    with app.app_context():
        assert db.session.get(Participante, person["id"]).tipo_poblacion is None


@pytest.mark.parametrize("situacion,destino,ruta", [
    ("negocio_en_marcha", "emprendimiento", "fortalece"),
    ("idea_negocio", "emprendimiento", "emprende"),
    ("busca_empleo", "empleabilidad", ""),
])
def test_the_routing_suggestion_follows_the_characterisation(app, asesor, person, situacion,
                                                             destino, ruta):
    characterise(asesor, person, situacion=situacion)
    page = asesor.get(f"/orientacion/personas/{person['id']}").get_data(as_text=True)
    assert "Sugerencia:" in page
    assert f'<option selected value="{destino}">' in page
    if ruta:
        assert f'<option selected value="{ruta}">' in page


def test_no_suggestion_for_another_situation(app, asesor, person):
    characterise(asesor, person, situacion="otra")
    assert "Sugerencia:" not in asesor.get(f"/orientacion/personas/{person['id']}").get_data(as_text=True)


def test_routing_into_emprendimiento_enters_the_route_too(app, asesor, person):
    characterise(asesor, person)
    path = f"/orientacion/personas/{person['id']}/enrutamiento"
    assert post(asesor, path, fecha=TODAY, destino="", ruta="").status_code == 422
    wrong = post(asesor, path, fecha=TODAY, destino="empleabilidad", ruta="fortalece")
    assert wrong.status_code == 422 and "Las rutas son de emprendimiento" in wrong.get_data(as_text=True)
    # The advisor overrides the suggestion (Fortalece) with Desarrolla.
    assert post(asesor, path, fecha=TODAY, destino="emprendimiento", ruta="desarrolla").status_code == 303
    assert itinerary(app, person["id"]) == [("caracterizacion", "negocio_en_marcha"),
                                            ("enrutamiento", "emprendimiento"),
                                            ("ingreso_ruta", "desarrolla")]


def test_routing_to_empleabilidad_records_only_the_routing(app, asesor, person):
    post(asesor, f"/orientacion/personas/{person['id']}/enrutamiento", fecha=TODAY,
         destino="empleabilidad", ruta="")
    assert itinerary(app, person["id"]) == [("enrutamiento", "empleabilidad")]


def test_acta_de_compromiso_pdf_and_signing(app, asesor, person, world):
    response = asesor.get(f"/orientacion/personas/{person['id']}/acta-compromiso.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("Acta de compromiso", world["centro_a"].nombre, "Ana María Pérez Rojas",
                     "Cédula de ciudadanía 1098765432", today_bogota().strftime("%d/%m/%Y"),
                     "participante", "asesor(a)", "Ley 1581 de 2012"):
        assert expected in text, expected
    assert post(asesor, f"/orientacion/personas/{person['id']}/acta",
                fecha="2026-01-15").status_code == 303
    assert itinerary(app, person["id"]) == [("acta_compromiso", None)]
    signed = pdf_text(asesor.get(f"/orientacion/personas/{person['id']}/acta-compromiso.pdf").data)
    assert "15/01/2026" in signed  # the acta carries the day it was signed


def test_desistimiento_and_its_acta(app, asesor, person):
    path = f"/orientacion/personas/{person['id']}/acta-desistimiento.pdf"
    assert asesor.get(path).status_code == 404
    refused = post(asesor, f"/orientacion/personas/{person['id']}/desistimiento", fecha=TODAY, motivo="")
    assert refused.status_code == 422
    done = post(asesor, f"/orientacion/personas/{person['id']}/desistimiento", fecha=TODAY,
                motivo="Se trasladó a otra ciudad.")
    assert done.status_code == 303
    text = pdf_text(asesor.get(path).data)
    assert "Acta de desistimiento" in text and "Se trasladó a otra ciudad." in text
    assert "Ana María Pérez Rojas" in text and "1098765432" in text
    page = asesor.get(f"/orientacion/personas/{person['id']}").get_data(as_text=True)
    assert "Desistió el" in page and "Enrutar</button>" not in page


def test_queues_oldest_first(app, api, world, asesor):
    a = api(world["asesor_a"])

    def make(n, **fields):
        return a.post("/participantes", json=person_payload(
            numero_documento=f"6000{n}", nombres=f"Persona{n}", **fields)).get_json()["id"]

    late, early, routed, desisted = make(1), make(2), make(3), make(4)
    for pid, day in ((late, "2026-02-10"), (early, "2026-01-05"), (routed, "2026-01-01"),
                     (desisted, "2026-01-02")):
        a.post(f"/participantes/{pid}/actuaciones", json={"tipo": "caracterizacion", "fecha": day})
    a.post(f"/participantes/{routed}/actuaciones", json={"tipo": "enrutamiento", "fecha": "2026-01-03",
                                                         "destino": "empleabilidad"})
    a.post(f"/participantes/{desisted}/actuaciones", json={"tipo": "desistimiento", "fecha": "2026-01-03",
                                                           "motivo": "No continúa."})
    page = asesor.get("/orientacion/por-enrutar").get_data(as_text=True)
    assert page.index("Persona2") < page.index("Persona1")
    assert "Persona3" not in page and "Persona4" not in page
    assert "Persona1" not in asesor.get("/orientacion/por-enrutar?q=persona2").get_data(as_text=True)
    # DPS-referred and not characterised; the others in this test are characterised already.
    dps = make(5, remitido_dps=True, programa_dps="RIE 2013")
    make(6, remitido_dps=False, programa_dps=None)
    queue = asesor.get("/orientacion/dps-sin-caracterizar").get_data(as_text=True)
    assert "Persona5" in queue and "Persona6" not in queue and "Persona1" not in queue
    a.post(f"/participantes/{dps}/actuaciones", json={"tipo": "caracterizacion", "fecha": TODAY})
    assert "Persona5" not in asesor.get("/orientacion/dps-sin-caracterizar").get_data(as_text=True)
    # Another centre's queues do not show centre A's people.
    other = api(world["asesor_b"])
    assert other.get("/participantes").get_json()["total"] == 0


def test_walk_in_search_then_register_lands_on_the_orientation_page(app, asesor, world):
    page = asesor.get("/orientacion/?q=1.098.765.432").get_data(as_text=True)
    assert "Registrar a la persona" in page
    assert "/orientacion/ingreso?numero_documento=1098765432" in page
    form = asesor.get("/participantes/nuevo?numero_documento=1098765432&siguiente=orientacion")
    assert 'value="1098765432"' in form.get_data(as_text=True)
    data = person_payload(consentimiento_datos="y", discapacidad="no", desplazamiento="si",
                          remitido_dps="y", correo="")
    data["csrf_token"] = csrf_token(asesor, "/participantes/nuevo")
    response = asesor.post("/participantes/nuevo?numero_documento=1098765432&siguiente=orientacion",
                           data=data)
    assert response.status_code == 302 and "/orientacion/personas/" in response.location
    found = asesor.get("/orientacion/?q=1098765432").get_data(as_text=True)
    assert "Atender" in found and "Ana María Pérez Rojas" in found


def test_orientation_pages_respect_centres_and_roles(app, person, make_client, world):
    other = make_client()
    login(other, world["asesor_b"])
    assert other.get(f"/orientacion/personas/{person['id']}").status_code == 404
    assert other.get(f"/orientacion/personas/{person['id']}/acta-compromiso.pdf").status_code == 404
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    assert supervisor.get(f"/orientacion/personas/{person['id']}").status_code == 200
    refused = post(supervisor, f"/orientacion/personas/{person['id']}/acta", fecha=TODAY)
    assert refused.status_code == 403
    assert itinerary(app, person["id"]) == []


def test_walk_in_page_registers_characterises_and_routes_in_one_post(app, asesor, api, world):
    form = asesor.get("/orientacion/ingreso?tipo_documento=CC&numero_documento=1.098.765.432")
    assert form.status_code == 200 and 'value="1098765432"' in form.get_data(as_text=True)
    data = person_payload(consentimiento_datos="y", discapacidad="no", desplazamiento="si",
                          remitido_dps="y", correo="")
    data.update(csrf_token=csrf_token(asesor, "/orientacion/ingreso"), situacion="busca_empleo",
                necesidades=["empleo"], destino="empleabilidad", ruta="emprende")
    refused = asesor.post("/orientacion/ingreso", data=data)  # a ruta is for emprendimiento only
    assert refused.status_code == 422 and "Las rutas son de emprendimiento" in refused.get_data(as_text=True)
    with app.app_context():  # the refusal of the last step leaves nothing of the first
        assert db.session.scalar(select(func.count()).select_from(Participante)) == 0
    data["ruta"] = ""
    done = asesor.post("/orientacion/ingreso", data=data)
    assert done.status_code == 303 and "/orientacion/personas/" in done.headers["Location"]
    with app.app_context():
        tipos = db.session.scalars(select(Actuacion.tipo).order_by(Actuacion.id)).all()
    assert tipos == ["caracterizacion", "enrutamiento"]
    again = asesor.get("/orientacion/ingreso?tipo_documento=CC&numero_documento=1098765432")
    assert again.status_code == 303 and "/orientacion/personas/" in again.headers["Location"]
    elsewhere = app.test_client()
    login(elsewhere, world["asesor_b"])
    page = elsewhere.get("/orientacion/ingreso?tipo_documento=CC&numero_documento=1098765432")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Solicitar traslado" in html and world["centro_a"].nombre in html
    assert "Guardar y seguir al acta" not in html
