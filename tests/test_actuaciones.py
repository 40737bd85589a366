"""The itinerary: every tipo with good and bad fields, order rules, dates and annulment."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cemprende.extensions import db
from cemprende.itinerario.tipos import TIPOS
from cemprende.models import Actuacion
from conftest import TODAY as CLOCK_TODAY
from conftest import person_payload

TODAY = CLOCK_TODAY
D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731


def as_sent(items: list[dict]) -> list[dict]:
    """Stored items with only the fields a client sends (answers add id and categoria)."""
    return [{k: item[k] for k in ("descripcion", "cantidad", "precio_unitario")} for item in items]


@pytest.fixture
def caller(api, world):
    return api(world["asesor_a"])


@pytest.fixture
def person(caller):
    return caller.post("/participantes", json=person_payload()).get_json()


@pytest.fixture
def vacante(caller):
    return caller.post("/vacantes", json={"empresa": "Tecnoquímicas", "cargo": "Operario",
                                          "cupos": 1, "fecha": D(30)}).get_json()


def add(caller, person, tipo, fecha=None, **fields):
    return caller.post(f"/participantes/{person['id']}/actuaciones",
                       json={"tipo": tipo, "fecha": fecha or D(10), **fields})


# What the order rules want before each tipo, oldest first (days ago, tipo, fields).
PLAN = [(60, "plan_negocio", {"nombre_negocio": "Tienda Rosita", "valor_solicitado": 3_000_000}),
        (50, "visita_acompanamiento", {"clase": "diagnostico"}),
        (40, "plan_ajustado", {"valor": 3_000_000})]
PREREQUISITES = {
    "plan_ajustado": PLAN[:2],
    "comite": PLAN,
    "desembolso": PLAN + [(30, "comite", {"decision": "aprobado", "valor": 3_000_000, "acta": "ACA-01"})],
    "financiacion": PLAN[:1],
    "plan_implementado": PLAN[:1] + [(30, "financiacion", {"modalidad": "directo", "valor": 2_500_000})],
    "colocacion": [(20, "remision_seleccion", {"vacante_id": "VACANTE"})],
}


def ready_to_adjust(caller, person, days_ago=60):
    """A business plan and a diagnostic visit: what a plan_ajustado needs before it."""
    prepare_for(caller, person, "plan_ajustado")


def prepare_for(caller, person, tipo, vacante=None):
    """Records what the order rules require before this tipo."""
    for days_ago, before, fields in PREREQUISITES.get(tipo, ()):
        fields = {k: (vacante["id"] if v == "VACANTE" else v) for k, v in fields.items()}
        response = add(caller, person, before, D(days_ago), **fields)
        assert response.status_code == 201, response.get_json()


GOOD = {
    "caracterizacion": {"observaciones": "Busca apoyo para su tienda."},
    "enrutamiento": {"destino": "emprendimiento"},
    "acta_compromiso": {},
    "desistimiento": {"motivo": "Se trasladó de ciudad."},
    "referenciacion": {"destino": "gobierno_local", "programa": "Emprende tu barrio"},
    "ingreso_ruta": {"ruta": "fortalece"},
    "perfil_proyecto": {"nombre_negocio": "Tienda Rosita", "sector": "Comercio"},
    "plan_negocio": {"nombre_negocio": "Tienda Rosita", "valor_solicitado": 2_500_000},
    "financiacion": {"modalidad": "directo", "valor": 2_500_000},
    "plan_implementado": {},
    "fortalecimiento_sede": {"tema": "Costos"},
    "formalizacion": {"registro": "Matrícula mercantil"},
    "empleo_generado": {"autoempleos": 1, "directos": 0},
    "plan_ajustado": {"valor": 2_000_000},
    "comite": {"decision": "aprobado", "valor": 2_000_000, "acta": "ACA-07"},
    "desembolso": {"valor": 1_500_000, "proveedor": "Almacén La Economía", "nit": "890321654"},
    "visita_acompanamiento": {"clase": "diagnostico"},
    "control_inversion": {"observaciones": "Bienes en uso."},
    "capacitacion_fis": {"curso": "Servicio al cliente"},
    "hoja_de_vida": {"plataforma": "ape_sena", "codigo": "12345"},
    "remision_seleccion": {"vacante_id": "VACANTE"},
    "colocacion": {"vacante_id": "VACANTE"},
    "remision_dps": {"programa": "RIE 2013"},
}
BAD = {
    "acta_compromiso": {"fecha": "ayer"},
    "plan_implementado": {"fecha": "2026-02-30"},
    "caracterizacion": {"observaciones": "x" * 2001},
    "enrutamiento": {"destino": "turismo"},
    "desistimiento": {"motivo": ""},
    "referenciacion": {"destino": "iglesia", "programa": "X"},
    "ingreso_ruta": {"ruta": "vuela"},
    "perfil_proyecto": {"nombre_negocio": "", "sector": "Comercio"},
    "plan_negocio": {"nombre_negocio": "Tienda", "valor_solicitado": 0},
    "financiacion": {"modalidad": "regalo", "valor": 1000},
    "fortalecimiento_sede": {"tema": None},
    "formalizacion": {"registro": ""},
    "empleo_generado": {"autoempleos": -1, "directos": 0},
    "plan_ajustado": {"valor": -5},
    "comite": {"decision": "quizas", "valor": 2_000_000, "acta": "ACA-07"},
    "desembolso": {"valor": 1_500_000, "proveedor": ""},
    "visita_acompanamiento": {"clase": "social"},
    "control_inversion": {"observaciones": ""},
    "capacitacion_fis": {"curso": ""},
    "hoja_de_vida": {"plataforma": "linkedin", "codigo": "1"},
    "remision_seleccion": {"vacante_id": "abc"},
    "colocacion": {"vacante_id": 0},
    "remision_dps": {"programa": ""},
}


def test_vocabulary_matches_the_contract():
    assert set(GOOD) == set(TIPOS)
    assert set(BAD) == set(TIPOS)


@pytest.mark.parametrize("tipo", sorted(GOOD))
def test_each_tipo_is_accepted_with_good_fields(caller, person, vacante, tipo):
    prepare_for(caller, person, tipo, vacante)
    fields = {k: (vacante["id"] if v == "VACANTE" else v) for k, v in GOOD[tipo].items()}
    response = add(caller, person, tipo, **fields)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["tipo"] == tipo and body["participante_id"] == person["id"]
    assert body["centro_id"] == person["centro_id"] and body["asesor"]
    for key, value in fields.items():
        assert body[key] == value


@pytest.mark.parametrize("tipo", sorted(BAD))
def test_each_tipo_is_refused_with_a_bad_field(app, caller, person, vacante, tipo):
    prepare_for(caller, person, tipo, vacante)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Actuacion))
    fields = dict(BAD[tipo])
    response = add(caller, person, tipo, fields.pop("fecha", None), **fields)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) & set(BAD[tipo])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Actuacion)) == before


def test_unknown_tipo_is_refused(caller, person):
    response = add(caller, person, "fiesta")
    assert response.status_code == 422 and "tipo" in response.get_json()["error"]["fields"]


def test_fecha_in_the_future_is_refused_and_past_is_fine(caller, person):
    future = add(caller, person, "caracterizacion", (TODAY + timedelta(days=1)).isoformat())
    assert future.status_code == 422 and "fecha" in future.get_json()["error"]["fields"]
    assert add(caller, person, "caracterizacion", TODAY.isoformat()).status_code == 201
    assert add(caller, person, "caracterizacion", "2015-03-31").status_code == 201
    assert add(caller, person, "caracterizacion", "31/03/2015").status_code == 422


def test_comite_needs_an_earlier_plan_ajustado(caller, person):
    ready_to_adjust(caller, person)
    refused = add(caller, person, "comite", D(20), decision="aprobado", valor=1_000_000, acta="A")
    assert refused.status_code == 422 and "plan ajustado" in refused.get_json()["error"]["message"]
    add(caller, person, "plan_ajustado", D(10), valor=1_000_000)
    # A plan dated after the comité does not count as earlier.
    assert add(caller, person, "comite", D(20), decision="aprobado", valor=1_000_000,
               acta="A").status_code == 422
    assert add(caller, person, "comite", D(10), decision="aprobado", valor=1_000_000,
               acta="A").status_code == 201


def test_desembolso_needs_an_earlier_approved_comite(caller, person):
    ready_to_adjust(caller, person)
    add(caller, person, "plan_ajustado", D(40), valor=1_000_000)
    add(caller, person, "comite", D(30), decision="rechazado", valor=1_000_000, acta="A")
    refused = add(caller, person, "desembolso", D(20), valor=500_000, proveedor="P")
    assert refused.status_code == 422 and "aprobado" in refused.get_json()["error"]["message"]
    # A rejected plan is decided: it goes back to the committee as a new adjusted plan.
    assert add(caller, person, "comite", D(25), decision="aprobado", valor=1_000_000,
               acta="B").status_code == 422
    add(caller, person, "plan_ajustado", D(28), valor=1_000_000)
    add(caller, person, "comite", D(25), decision="aprobado", valor=1_000_000, acta="B")
    assert add(caller, person, "desembolso", D(26), valor=500_000, proveedor="P").status_code == 422
    assert add(caller, person, "desembolso", D(20), valor=500_000, proveedor="P").status_code == 201


def test_desembolsos_may_not_exceed_the_latest_approved_value(caller, person):
    ready_to_adjust(caller, person)
    add(caller, person, "plan_ajustado", D(40), valor=2_000_000)
    add(caller, person, "comite", D(30), decision="aprobado", valor=2_000_000, acta="A")
    assert add(caller, person, "desembolso", D(20), valor=1_500_000, proveedor="P").status_code == 201
    over = add(caller, person, "desembolso", D(10), valor=600_000, proveedor="P")
    assert over.status_code == 422
    assert "$ 500.000" in over.get_json()["error"]["fields"]["valor"]
    assert add(caller, person, "desembolso", D(10), valor=500_000, proveedor="P").status_code == 201


def test_items_must_add_up_to_the_value(caller, person):
    items = [{"descripcion": "Nevera", "cantidad": 2, "precio_unitario": 1_000_000},
             {"descripcion": "Vitrina", "cantidad": 1, "precio_unitario": 500_000}]
    wrong = add(caller, person, "plan_negocio", nombre_negocio="T", valor_solicitado=2_000_000,
                items=items)
    assert wrong.status_code == 422 and "valor_solicitado" in wrong.get_json()["error"]["fields"]
    ok = add(caller, person, "plan_negocio", nombre_negocio="T", valor_solicitado=2_500_000,
             items=items)
    assert ok.status_code == 201 and as_sent(ok.get_json()["items"]) == items
    bad_item = add(caller, person, "plan_ajustado", valor=1, items=[{"descripcion": "", "cantidad": 0,
                                                                      "precio_unitario": 1}])
    assert bad_item.status_code == 422
    assert {"items[1].descripcion", "items[1].cantidad"} <= set(bad_item.get_json()["error"]["fields"])
    not_allowed = add(caller, person, "comite", decision="aprobado", valor=1, acta="A", items=items)
    assert not_allowed.status_code == 422


def test_vacante_must_belong_to_the_persons_centre(api, world, caller, person):
    other = api(world["asesor_b"]).post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 3,
                                                           "fecha": D(5)}).get_json()
    response = add(caller, person, "remision_seleccion", vacante_id=other["id"])
    assert response.status_code == 422 and "vacante_id" in response.get_json()["error"]["fields"]


def test_colocacion_needs_free_cupos(caller, person, vacante):
    second = caller.post("/participantes", json=person_payload(numero_documento="77788899")).get_json()
    for someone in (person, second):
        add(caller, someone, "remision_seleccion", D(20), vacante_id=vacante["id"])
    assert add(caller, person, "colocacion", vacante_id=vacante["id"]).status_code == 201
    full = add(caller, second, "colocacion", vacante_id=vacante["id"])
    assert full.status_code == 422 and "cupos" in full.get_json()["error"]["message"]
    assert caller.get(f"/vacantes/{vacante['id']}").get_json()["cupos_libres"] == 0


def test_annulment_keeps_the_record_and_frees_what_it_held(caller, person, vacante):
    sent = add(caller, person, "remision_seleccion", D(20), vacante_id=vacante["id"]).get_json()
    placed = add(caller, person, "colocacion", vacante_id=vacante["id"]).get_json()
    assert caller.post(f"/actuaciones/{placed['id']}/anular", json={"motivo": ""}).status_code == 422
    response = caller.post(f"/actuaciones/{placed['id']}/anular",
                           json={"motivo": "Registrada en la persona equivocada"})
    assert response.status_code == 200
    itinerary = caller.get(f"/participantes/{person['id']}").get_json()["itinerario"]
    assert [(a["id"], a["anulada"]) for a in itinerary] == [(sent["id"], False), (placed["id"], True)]
    assert itinerary[1]["motivo_anulacion"] == "Registrada en la persona equivocada"
    # Annulled, it no longer counts: the cupo is free again.
    assert caller.get(f"/vacantes/{vacante['id']}").get_json()["cupos_libres"] == 1
    again = caller.post(f"/actuaciones/{placed['id']}/anular", json={"motivo": "otra vez más"})
    assert again.status_code == 422


def test_annulled_actuaciones_do_not_satisfy_order_rules(caller, person):
    ready_to_adjust(caller, person)
    plan = add(caller, person, "plan_ajustado", D(40), valor=1_000_000).get_json()
    caller.post(f"/actuaciones/{plan['id']}/anular", json={"motivo": "Error de digitación"})
    assert add(caller, person, "comite", D(30), decision="aprobado", valor=1,
               acta="A").status_code == 422


def test_itinerary_is_oldest_first_in_the_api(caller, person):
    add(caller, person, "enrutamiento", D(5), destino="empleabilidad")
    add(caller, person, "caracterizacion", D(9))
    tipos = [a["tipo"] for a in caller.get(f"/participantes/{person['id']}").get_json()["itinerario"]]
    assert tipos == ["caracterizacion", "enrutamiento"]


def test_money_as_people_type_it_in_forms(app, world, ctx):
    from cemprende.itinerario import services
    from cemprende.participantes import services as people
    from cemprende.models import Staff
    asesor = db.session.get(Staff, world["asesor_a"].id)
    person = people.register(asesor, person_payload())
    db.session.flush()
    actuacion = services.register(asesor, person.id, {"tipo": "plan_negocio", "fecha": D(1),
                                                      "nombre_negocio": "Tienda",
                                                      "valor_solicitado": "$ 1.500.000"})
    assert actuacion.valor == 1_500_000


def test_profile_timeline_names_the_vacancy_and_marks_annulled(client, caller, person, vacante, world):
    from conftest import login
    add(caller, person, "remision_seleccion", D(20), vacante_id=vacante["id"])
    placed = add(caller, person, "colocacion", vacante_id=vacante["id"]).get_json()
    caller.post(f"/actuaciones/{placed['id']}/anular", json={"motivo": "Digitada dos veces"})
    login(client, world["asesor_a"])
    html = client.get(f"/participantes/{person['id']}").get_data(as_text=True)
    assert "Operario — Tecnoquímicas" in html
    assert "Anulada: Digitada dos veces" in html and 'class="anulada"' in html


def test_profile_and_api_itinerary_do_not_query_once_per_actuacion(app, client, caller, person, world):
    from sqlalchemy import event

    from cemprende.extensions import db
    from conftest import login
    item = [{"descripcion": "Nevera", "cantidad": 1, "precio_unitario": 1_000}]
    for day in range(12):
        add(caller, person, "plan_negocio", D(day + 1), nombre_negocio="T", valor_solicitado=1_000, items=item)
    login(client, world["asesor_a"])
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(f"/participantes/{person['id']}")
        page_queries = len(statements)
        statements.clear()
        body = caller.get(f"/participantes/{person['id']}").get_json()
        api_queries = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(body["itinerario"]) == 12 and all(as_sent(a["items"]) == item for a in body["itinerario"])
    assert page_queries < 12 and api_queries < 12, (page_queries, api_queries)


def test_a_remision_dps_marks_the_person_as_referred_and_moves_the_routed_rows(app, caller):
    from cemprende.tableros import resumen

    person = caller.post("/participantes", json=person_payload(remitido_dps=False, programa_dps=None)).get_json()
    assert add(caller, person, "enrutamiento", D(5), destino="empleabilidad").status_code == 201
    tablero = lambda: {f["codigo"]: f["resultado"] for f in caller.get(  # noqa: E731
        f"/tableros/global?hasta={TODAY.isoformat()}&desde={D(30)}").get_json()["filas"]}
    assert (tablero()["1.1"], tablero()["1.2"]) == (1, 0)
    made = add(caller, person, "remision_dps", D(3), programa="Mi Negocio")
    assert made.status_code == 201, made.get_json()
    stored = caller.get(f"/participantes/{person['id']}").get_json()
    assert stored["remitido_dps"] is True and stored["programa_dps"] == "Mi Negocio"
    assert (tablero()["1.1"], tablero()["1.2"], tablero()["1.6"]) == (0, 1, 1)
    with app.app_context():
        assert resumen.stored() == {k: v for k, v in resumen.contributions().items() if v}
