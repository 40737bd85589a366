"""Stored records that today's rules would refuse: the service, the command and the page.

The bad records are inserted as rows, the way records written before a rule existed (or by an
import that went around the gate) sit in the database; the clean ones go through the API.
"""
from datetime import date, timedelta

import pytest

from cemprende.extensions import db
from cemprende.itinerario import revision
from cemprende.models import Actuacion, ActuacionItem, Participante
from cemprende.models.base import utcnow
from conftest import TODAY, login, person_payload

D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731
HORNO = {"descripcion": "Horno", "cantidad": 1, "precio_unitario": 500_000}


@pytest.fixture
def asesor_a(api, world):
    return api(world["asesor_a"])


@pytest.fixture
def asesor_b(api, world):
    return api(world["asesor_b"])


def new_person(caller, documento: str) -> int:
    response = caller.post("/participantes", json=person_payload(numero_documento=documento))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def add(caller, person_id: int, tipo: str, fecha: str, **fields) -> int:
    response = caller.post(f"/participantes/{person_id}/actuaciones",
                           json={"tipo": tipo, "fecha": fecha, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def stored(app, person_id: int, asesor, tipo: str, fecha: str, items=(), datos=None,
           centro_id: int | None = None, **columns) -> int:
    """A row written straight into the table, as a record from before the rules would be."""
    with app.app_context():
        person = db.session.get(Participante, person_id)
        actuacion = Actuacion(participante_id=person_id, centro_id=centro_id or person.centro_id,
                              asesor_id=asesor.id, tipo=tipo, fecha=date.fromisoformat(fecha),
                              datos=datos or {}, creado_en=utcnow(), **columns)
        actuacion.items = [ActuacionItem(**item) for item in items]
        db.session.add(actuacion)
        db.session.commit()
        return actuacion.id


@pytest.fixture
def scene(app, world, asesor_a, asesor_b):
    """Centre A: one clean itinerary (through the API) and three people with stored violations;
    centre B: one stored violation."""
    a, b = world["asesor_a"], world["asesor_b"]
    vacante = asesor_a.post("/vacantes", json={"empresa": "Tecnoquímicas", "cargo": "Operario",
                                               "cupos": 5, "fecha": D(90)}).get_json()["id"]

    clean = new_person(asesor_a, "1000000001")
    add(asesor_a, clean, "plan_negocio", D(60), nombre_negocio="Panadería", valor_solicitado=500_000)
    add(asesor_a, clean, "visita_acompanamiento", D(50), clase="diagnostico")
    add(asesor_a, clean, "plan_ajustado", D(40), valor=500_000, items=[HORNO])
    add(asesor_a, clean, "comite", D(30), decision="aprobado", valor=500_000, acta="ACA-01")
    add(asesor_a, clean, "desembolso", D(20), valor=500_000, proveedor="Almacén", items=[HORNO])
    add(asesor_a, clean, "remision_seleccion", D(20), vacante_id=vacante)
    add(asesor_a, clean, "colocacion", D(10), vacante_id=vacante)

    no_comite = new_person(asesor_a, "1000000002")
    desembolso = stored(app, no_comite, a, "desembolso", D(15), valor=300_000,
                        datos={"proveedor": "Ferretería"})

    twice = new_person(asesor_a, "1000000003")
    add(asesor_a, twice, "remision_seleccion", D(30), vacante_id=vacante)
    first = stored(app, twice, a, "colocacion", D(20), vacante_id=vacante)
    second = stored(app, twice, a, "colocacion", D(20), vacante_id=vacante)

    no_visit = new_person(asesor_a, "1000000004")
    add(asesor_a, no_visit, "plan_negocio", D(60), nombre_negocio="Taller", valor_solicitado=800_000)
    plan = stored(app, no_visit, a, "plan_ajustado", D(40), valor=800_000,
                  items=[{"descripcion": "Torno", "cantidad": 1, "precio_unitario": 800_000}])

    in_b = new_person(asesor_b, "2000000001")
    desembolso_b = stored(app, in_b, b, "desembolso", D(5), valor=100_000,
                          datos={"proveedor": "Tienda"})
    return {"clean": clean, "no_comite": no_comite, "desembolso": desembolso, "twice": twice,
            "first": first, "second": second, "no_visit": no_visit, "plan": plan,
            "in_b": in_b, "desembolso_b": desembolso_b, "vacante": vacante}


def findings(centro_id=None) -> set[tuple[int, str]]:
    return {(h.actuacion_id, h.code) for h in revision.review_stored(centro_id)}


def test_finds_exactly_the_stored_records_the_rules_refuse(app, world, scene, ctx):
    assert findings() == {(scene["desembolso"], "sin_aprobacion"),
                          (scene["second"], "colocacion_repetida"),
                          (scene["plan"], "sin_visita_diagnostico"),
                          (scene["desembolso_b"], "sin_aprobacion")}
    # The first of the two colocaciones stands; the clean itinerary has nothing.
    found = revision.review_stored(None)
    assert scene["first"] not in {h.actuacion_id for h in found}
    assert scene["clean"] not in {h.participante_id for h in found}
    by_id = {h.actuacion_id: h for h in found}
    second = by_id[scene["second"]]
    assert (second.participante_id, second.centro_id, second.tipo, second.fecha.isoformat()) == (
        scene["twice"], world["centro_a"].id, "colocacion", D(20))
    assert second.message == "La persona ya está colocada en esta vacante."
    assert second.nombre == "Ana María Pérez Rojas" and second.documento == "CC 1000000003"
    assert by_id[scene["desembolso_b"]].centro_id == world["centro_b"].id


def test_the_centre_filter_keeps_other_centres_out(world, scene, ctx):
    assert findings(world["centro_a"].id) == {(scene["desembolso"], "sin_aprobacion"),
                                              (scene["second"], "colocacion_repetida"),
                                              (scene["plan"], "sin_visita_diagnostico")}
    assert findings(world["centro_b"].id) == {(scene["desembolso_b"], "sin_aprobacion")}


def test_annulling_the_bad_record_removes_it(app, asesor_a, scene):
    response = asesor_a.post(f"/actuaciones/{scene['desembolso']}/anular",
                             json={"motivo": "Desembolso sin comité: registrado por error"})
    assert response.status_code == 200
    # Annulling the first colocación makes the second the only one: it stands now.
    asesor_a.post(f"/actuaciones/{scene['first']}/anular", json={"motivo": "Duplicada por error"})
    with app.app_context():
        assert findings() == {(scene["plan"], "sin_visita_diagnostico"),
                              (scene["desembolso_b"], "sin_aprobacion")}


def test_reads_in_chunks_with_the_same_result(app, scene, monkeypatch, ctx):
    whole = revision.review_stored(None)
    monkeypatch.setattr(revision, "CHUNK", 2)
    assert revision.review_stored(None) == whole


def test_earlier_records_in_another_centre_count_for_a_person_who_moved(
        app, client, world, asesor_a, asesor_b):
    """Recorded in B (plan and diagnostic visit), then moved to A where the plan was adjusted:
    the director of A, whose requests only see A, gets no false finding."""
    person = new_person(asesor_b, "3000000001")
    add(asesor_b, person, "plan_negocio", D(60), nombre_negocio="Tienda", valor_solicitado=400_000)
    add(asesor_b, person, "visita_acompanamiento", D(50), clase="diagnostico")
    with app.app_context():
        db.session.get(Participante, person).centro_id = world["centro_a"].id
        db.session.commit()
    stored(app, person, world["asesor_a"], "plan_ajustado", D(40), valor=400_000)
    # Two decisions on that plan, both recorded in B (stray rows): the second is B's finding.
    rejected = stored(app, person, world["asesor_b"], "comite", D(30),
                      centro_id=world["centro_b"].id, categoria="rechazado", valor=400_000,
                      datos={"acta": "ACA-9"})
    approved = stored(app, person, world["asesor_b"], "comite", D(20),
                      centro_id=world["centro_b"].id, categoria="aprobado", valor=400_000,
                      datos={"acta": "ACA-10"})
    with app.app_context():
        assert findings(world["centro_a"].id) == set()
        assert findings(world["centro_b"].id) == {(approved, "plan_ya_decidido")}
        assert rejected not in {h.actuacion_id for h in revision.review_stored(None)}
    login(client, world["director_a"])
    page = client.get("/itinerario/revision").get_data(as_text=True)
    assert "No hay registros que las reglas actuales rechazarían." in page


# ---- the page ----------------------------------------------------------------------------------

def test_asesor_gets_403(client, world, scene):
    login(client, world["asesor_a"])
    assert client.get("/itinerario/revision").status_code == 403


def test_director_sees_its_own_centre_only(make_client, world, scene):
    director_a = make_client()
    login(director_a, world["director_a"])
    response = director_a.get("/itinerario/revision")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for code in ("sin_aprobacion", "colocacion_repetida", "sin_visita_diagnostico"):
        assert code in page
    assert f'/participantes/{scene["in_b"]}"' not in page
    assert f"/participantes/actuaciones/{scene['desembolso']}/anular\"" in page
    assert f'/participantes/{scene["no_comite"]}"' in page
    assert f"/participantes/actuaciones/{scene['first']}/anular\"" not in page
    assert 'name="centro_id"' not in page  # a director does not choose the centre
    assert director_a.get(f"/itinerario/revision?centro_id={world['centro_b'].id}").status_code == 404
    director_b = make_client()
    login(director_b, world["director_b"])
    page_b = director_b.get("/itinerario/revision").get_data(as_text=True)
    assert f"/participantes/actuaciones/{scene['desembolso_b']}/anular\"" in page_b
    assert f'/participantes/{scene["no_comite"]}"' not in page_b
    assert director_b.get(f"/itinerario/revision?centro_id={world['centro_a'].id}").status_code == 404


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisor_and_admin_see_the_network_or_one_centre(client, world, scene, role):
    login(client, world[role])
    page = client.get("/itinerario/revision").get_data(as_text=True)
    assert f'/participantes/{scene["in_b"]}"' in page and f'/participantes/{scene["no_comite"]}"' in page
    assert 'name="centro_id"' in page and "Cemprende Cartagena" in page
    # Only staff who may change the itinerary are offered the annulment.
    assert ("/anular\"" in page) is (role == "admin")
    only_b = client.get(f"/itinerario/revision?centro_id={world['centro_b'].id}").get_data(as_text=True)
    assert f'/participantes/{scene["in_b"]}"' in only_b
    assert f'/participantes/{scene["no_comite"]}"' not in only_b
    assert client.get("/itinerario/revision?centro_id=99999").status_code == 404
    assert client.get("/itinerario/revision?centro_id=abc").status_code == 422


def test_counts_per_rule_filter_and_pages(client, world, scene):
    login(client, world["admin"])
    page = client.get("/itinerario/revision").get_data(as_text=True)
    assert '<span class="contador">2</span> <code>sin_aprobacion</code>' in page
    assert '<span class="contador">1</span> <code>colocacion_repetida</code>' in page
    one_rule = client.get("/itinerario/revision?codigo=sin_aprobacion").get_data(as_text=True)
    assert "/anular" in one_rule and f"/actuaciones/{scene['second']}/anular" not in one_rule
    first = client.get("/itinerario/revision?per_page=3").get_data(as_text=True)
    assert "Página 1 de 2 (4 en total)" in first and "page=2" in first
    second = client.get("/itinerario/revision?per_page=3&page=2").get_data(as_text=True)
    assert second.count("/anular") == 1
    # Dates as people read them.
    assert date.fromisoformat(D(15)).strftime("%d/%m/%Y") in first + second


def test_empty_state(client, world):
    login(client, world["director_a"])
    page = client.get("/itinerario/revision").get_data(as_text=True)
    assert "No hay registros que las reglas actuales rechazarían." in page


def test_directors_have_a_link_and_asesores_do_not(make_client, world):
    director = make_client()
    login(director, world["director_a"])
    assert 'href="/itinerario/revision"' in director.get("/participantes/").get_data(as_text=True)
    asesor = make_client()
    login(asesor, world["asesor_a"])
    assert 'href="/itinerario/revision"' not in asesor.get("/participantes/").get_data(as_text=True)


# ---- the command -------------------------------------------------------------------------------

def test_command_lists_per_centre_and_exits_zero(app, world, scene):
    result = app.test_cli_runner().invoke(args=["itinerario-revisar"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Cemprende Cartagena (centro %d): 3 actuaciones" % world["centro_a"].id in out
    assert "COEE Ocaña (centro %d): 1 actuaciones" % world["centro_b"].id in out
    assert "  sin_aprobacion: 1" in out and "  colocacion_repetida: 1" in out
    line = (f"  actuación {scene['second']} · {date.fromisoformat(D(20)):%d/%m/%Y} · Colocación · "
            f"persona {scene['twice']} · colocacion_repetida · La persona ya está colocada en esta "
            "vacante.")
    assert line in out.splitlines()
    assert f"actuación {scene['first']} " not in out
    assert "Total: 4 en 2 centros." in out
    only_b = app.test_cli_runner().invoke(args=["itinerario-revisar", "--centro",
                                                str(world["centro_b"].id)])
    assert only_b.exit_code == 0 and "Cartagena" not in only_b.output
    assert f"actuación {scene['desembolso_b']} " in only_b.output


def test_command_writes_the_csv(app, world, scene, tmp_path):
    target = tmp_path / "revision.csv"
    result = app.test_cli_runner().invoke(args=["itinerario-revisar", "--centro",
                                                str(world["centro_a"].id), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "Centro;Actuación;Fecha;Tipo;Persona;Documento;Nombre;Regla;Mensaje"
    assert len(lines) == 4
    row = next(line.split(";") for line in lines[1:] if line.split(";")[1] == str(scene["plan"]))
    assert row == ["Cemprende Cartagena", str(scene["plan"]), date.fromisoformat(D(40)).strftime("%d/%m/%Y"),
                   "Plan ajustado", str(scene["no_visit"]), "CC 1000000004", "Ana María Pérez Rojas",
                   "sin_visita_diagnostico",
                   "El plan se ajusta después de la visita de diagnóstico: regístrela primero."]


def test_command_on_a_clean_database_and_an_unknown_centre(app, world):
    result = app.test_cli_runner().invoke(args=["itinerario-revisar"])
    assert result.exit_code == 0
    assert "No hay registros que las reglas actuales rechazarían." in result.output
    unknown = app.test_cli_runner().invoke(args=["itinerario-revisar", "--centro", "99999"])
    assert unknown.exit_code != 0 and "No existe el centro 99999" in unknown.output
