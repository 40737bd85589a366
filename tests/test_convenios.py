"""Metas beyond the vigencia (issue 12.6): convenios and cuatrienios, their metas per tablero row
and their progress, which is the tablero's resultado over the same window and centres."""
from datetime import date

import pytest

from cemprende.extensions import db
from cemprende.models import Auditoria
from conftest import NONE, TODAY, Centre, build_routing_scenario, build_services_scenario, csrf_token, login

TABLEROS = ("global", "microcapitalizacion")


def tablero(caller, centro_id, desde, hasta) -> dict[str, int]:
    """Every row's resultado of both tableros for one centre (None: the network)."""
    values = {}
    scope = f"&centro_id={centro_id}" if centro_id else ""
    for name in TABLEROS:
        response = caller.get(f"/tableros/{name}?desde={desde}&hasta={hasta}{scope}")
        assert response.status_code == 200, response.get_json()
        values.update({f["codigo"]: f["resultado"] for f in response.get_json()["filas"]})
    return values


def summed(*per_centre: dict[str, int]) -> dict[str, int]:
    """The figure of several centres as the network's: sums, M5 the average of the sums."""
    total = {code: sum(values[code] for values in per_centre) for code in per_centre[0]}
    n, v = total["M4.n"], total["M4.v"]
    total["M5"] = (2 * v + n) // (2 * n) if n else 0
    return total


def convenio_body(**overrides) -> dict:
    body = {"clase": "convenio", "nombre": "Convenio DPS 2015", "financiador": "DPS",
            "recursos": 1_200_000_000, "desde": "2015-01-01", "hasta": "2015-12-31",
            "toda_la_red": False, "centros": [], "metas": {}}
    body.update(overrides)
    return body


@pytest.fixture
def scenario(api, world, build):
    """Routings and services in A (March 2015), routings in B, and a third centre C with a
    routing of its own that a convenio of A and B must not count."""
    build_routing_scenario(Centre(api(world["asesor_a"])))
    build_services_scenario(Centre(api(world["asesor_a"])))
    build_routing_scenario(Centre(api(world["asesor_b"])))
    c = build.centro("Pasto")
    other = Centre(api(build.staff("asesor", c)))
    person = other.person(sexo="F", **NONE)
    other.act(person, "enrutamiento", "2015-03-10", destino="emprendimiento")
    return {"a": world["centro_a"].id, "b": world["centro_b"].id, "c": c.id}


def avance_of(answer: dict) -> dict[str, dict]:
    return {f["codigo"]: f for f in answer["avance"]["filas"]}


def test_progress_is_the_tablero_resultado_over_the_same_window_and_centres(api, world, scenario):
    admin = api(world["admin"])
    made = admin.post("/convenios", json=convenio_body(
        centros=[scenario["a"], scenario["b"]], metas={"1.1": 20, "M4.v": 4_000_000, "6.2": 10}))
    assert made.status_code == 201, made.get_json()
    answer = admin.get(f"/convenios/{made.get_json()['id']}").get_json()
    expected = summed(tablero(admin, scenario["a"], "2015-01-01", "2015-12-31"),
                      tablero(admin, scenario["b"], "2015-01-01", "2015-12-31"))
    rows = avance_of(answer)
    assert {code: row["resultado"] for code, row in rows.items()} == expected
    assert expected["1.1"] == 14  # seven routed in 2015 in each of A and B, none of C's
    assert rows["1.1"]["meta"] == 20 and rows["1.1"]["avance"] == 70
    assert rows["M4.v"]["resultado"] == 3_000_001 and rows["M4.v"]["avance"] == 75
    # 6.x: as in the tablero, the share of everyone routed (1.1 + 1.2), not the meta
    routed = expected["1.1"] + expected["1.2"]
    assert rows["6.2"]["avance"] == (200 * expected["6.2"] + routed) // (2 * routed)
    assert rows["8"]["meta"] is None and rows["8"]["avance"] is None
    assert answer["avance"]["corte"] == "2015-12-31"

    network = admin.post("/convenios", json=convenio_body(nombre="Toda la red 2015", toda_la_red=True))
    rows = avance_of(admin.get(f"/convenios/{network.get_json()['id']}").get_json())
    assert {code: row["resultado"] for code, row in rows.items()} == tablero(admin, None, "2015-01-01", "2015-12-31")
    assert rows["1.1"]["resultado"] == 15  # C's person too


def test_progress_across_two_vigencias_and_a_year_without_one(api, world, scenario):
    """A column per vigencia the convenio spans (cut to its dates), calendar years where no
    vigencia is defined; each is the tablero over that stretch, and the tablero's meta column
    stays the vigencia's."""
    admin = api(world["admin"])
    for nombre, desde, hasta, meta in (("Vigencia 2015-I", "2015-01-01", "2015-03-15", 7),
                                       ("Vigencia 2015-II", "2015-03-16", "2015-12-31", 9)):
        put = admin.put("/metas", json={"centro_id": scenario["a"], "metas": {"1.1": meta},
                                        "vigencia": {"nombre": nombre, "desde": desde, "hasta": hasta}})
        assert put.status_code == 200, put.get_json()
    made = admin.post("/convenios", json=convenio_body(
        desde="2015-02-01", hasta="2016-06-30", centros=[scenario["a"]], metas={"1.1": 500}))
    answer = admin.get(f"/convenios/{made.get_json()['id']}").get_json()
    periodos = answer["avance"]["periodos"]
    assert [(p["nombre"], p["desde"], p["hasta"]) for p in periodos] == [
        ("Vigencia 2015-I", "2015-02-01", "2015-03-15"),
        ("Vigencia 2015-II", "2015-03-16", "2015-12-31"),
        ("Año 2016", "2016-01-01", "2016-06-30")]
    rows = avance_of(answer)
    for index, periodo in enumerate(periodos):
        expected = tablero(admin, scenario["a"], periodo["desde"], periodo["hasta"])
        assert {code: row["por_periodo"][index] for code, row in rows.items()} == expected, periodo
    whole = tablero(admin, scenario["a"], "2015-02-01", "2016-06-30")
    assert {code: row["resultado"] for code, row in rows.items()} == whole
    # first routings fall on both sides of 15/03: P2 (20/02), P1 (05/03), P7 (12/03) before it
    assert rows["1.1"]["por_periodo"][0] + rows["1.1"]["por_periodo"][1] == rows["1.1"]["resultado"] == 7
    assert rows["1.1"]["por_periodo"][:3] == [3, 4, 0]
    # the tablero keeps the vigencia's meta, whatever the convenio's
    global_ = admin.get(f"/tableros/global?centro_id={scenario['a']}&hasta=2015-03-31").get_json()
    assert next(f for f in global_["filas"] if f["codigo"] == "1.1")["meta"] == 9


def test_a_running_convenio_is_cut_at_today_and_future_years_wait(api, world, scenario):
    admin = api(world["admin"])
    made = admin.post("/convenios", json=convenio_body(
        clase="cuatrienio", nombre="Plan de Desarrollo 2024–2027", financiador=None, recursos=None,
        desde="2024-01-01", hasta="2027-12-31", toda_la_red=True, metas={"1.1": 100}))
    assert made.status_code == 201, made.get_json()
    answer = admin.get(f"/convenios/{made.get_json()['id']}").get_json()
    assert answer["avance"]["corte"] == TODAY.isoformat()
    assert [p["por_venir"] for p in answer["avance"]["periodos"]] == [False, False, False, True]
    assert avance_of(answer)["1.1"]["por_periodo"][3] is None


def test_validation_in_spanish(api, world):
    admin = api(world["admin"])
    a = world["centro_a"].id
    cases = [
        ({"desde": "2015-12-31", "hasta": "2015-01-01", "centros": [a]},
         "hasta", "La fecha final no puede ser anterior a la fecha inicial."),
        ({"recursos": -1, "centros": [a]}, "recursos", "Debe ser mayor o igual a 0."),
        ({"recursos": "mucho", "centros": [a]}, "recursos", "Escriba un número entero de pesos."),
        ({"financiador": None, "centros": [a]}, "financiador", "Este campo es obligatorio."),
        ({"centros": []}, "centros", "Elija los centros que cubre, o marque toda la red."),
        ({"centros": [a, 999_999]}, "centros", "No existe el centro 999999."),
        ({"centros": [a], "metas": {"99.9": 5}}, "metas.99.9", "«99.9» no es un código de fila de los tableros."),
        ({"centros": [a], "metas": {"1.1": -3}}, "metas.1.1", "La meta debe ser un número entero mayor o igual a 0."),
        ({"centros": [a], "metas": {"M4.v": "1,5"}}, "metas.M4.v", "La meta debe ser un número entero mayor o igual a 0."),
        ({"clase": "cuatrienio", "desde": "2024-01-01", "hasta": "2028-01-01", "toda_la_red": True},
         "hasta", "Un cuatrienio no puede durar más de cuatro años."),
        ({"clase": "plan", "toda_la_red": True}, "clase", None),
        ({"desde": "31/12/2015", "toda_la_red": True}, "desde", "Escriba una fecha válida (AAAA-MM-DD)."),
    ]
    for overrides, field, message in cases:
        response = admin.post("/convenios", json=convenio_body(**overrides))
        assert response.status_code == 422, (overrides, response.get_json())
        fields = response.get_json()["error"]["fields"]
        assert field in fields, (overrides, fields)
        if message:
            assert fields[field] == message, (overrides, fields)
    assert admin.get("/convenios").get_json()["total"] == 0
    assert admin.post("/convenios", json=convenio_body(centros=[a])).status_code == 201
    twice = admin.post("/convenios", json=convenio_body(toda_la_red=True))
    assert twice.status_code == 409 and twice.get_json()["error"]["fields"] == {"nombre": "Nombre ya registrado."}


def test_edit_with_version_metas_cleared_and_audited(app, api, world):
    admin = api(world["admin"])
    made = admin.post("/convenios", json=convenio_body(
        centros=[world["centro_a"].id], metas={"1.1": 10, "8": 5})).get_json()
    stale = admin.put(f"/convenios/{made['id']}", json={"metas": {"1.1": 1}})
    assert stale.status_code == 422 and "version" in stale.get_json()["error"]["fields"]
    edited = admin.put(f"/convenios/{made['id']}", json={
        "version": made["version"], "metas": {"1.1": 12, "8": None, "M6": 300}})
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["metas"] == {"1.1": 12, "M6": 300}
    assert edited.get_json()["nombre"] == "Convenio DPS 2015"  # fields not sent stay
    assert edited.get_json()["version"] == made["version"] + 1  # metas alone move the version
    again = admin.put(f"/convenios/{made['id']}", json={"version": made["version"], "nombre": "Otro"})
    assert again.status_code == 409
    widened = admin.put(f"/convenios/{made['id']}", json={
        "version": edited.get_json()["version"], "toda_la_red": True})
    assert widened.status_code == 200 and widened.get_json()["centros"] == []
    with app.app_context():
        entries = db.session.scalars(db.select(Auditoria).where(Auditoria.entidad == "convenio")
                                     .order_by(Auditoria.id)).all()
        assert [e.accion for e in entries] == ["crear", "editar", "editar"]
        assert entries[0].despues["metas"] == {"1.1": 10, "8": 5}
        assert entries[1].antes["metas"] == {"1.1": 10, "8": 5}
        assert entries[1].despues["metas"] == {"1.1": 12, "M6": 300}
        assert entries[2].despues == {"toda_la_red": True, "centros": []}


def test_roles_and_a_convenio_of_another_centre(api, world, scenario):
    admin = api(world["admin"])
    of_a = admin.post("/convenios", json=convenio_body(nombre="De A", centros=[scenario["a"]])).get_json()
    of_ab = admin.post("/convenios", json=convenio_body(
        nombre="De A y B", centros=[scenario["a"], scenario["b"]], metas={"1.1": 20})).get_json()
    network = admin.post("/convenios", json=convenio_body(nombre="Red", toda_la_red=True)).get_json()
    director_b, supervisor = api(world["director_b"]), api(world["supervisor"])
    listed = director_b.get("/convenios").get_json()
    assert {c["nombre"] for c in listed["items"]} == {"De A y B", "Red"}
    assert {c["nombre"] for c in supervisor.get("/convenios").get_json()["items"]} == {"De A", "De A y B", "Red"}
    assert {c["nombre"] for c in supervisor.get("/convenios?clase=cuatrienio").get_json()["items"]} == set()
    missing = director_b.get(f"/convenios/{of_a['id']}")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == director_b.get("/convenios/999999").get_json()["error"]["message"]
    # the director of B reads the convenio of A and B whole, as the supervisor does
    assert director_b.get(f"/convenios/{of_ab['id']}").get_json()["avance"] == \
        supervisor.get(f"/convenios/{of_ab['id']}").get_json()["avance"]
    assert avance_of(director_b.get(f"/convenios/{of_ab['id']}").get_json())["1.1"]["resultado"] == 14
    assert api(world["asesor_a"]).get("/convenios").status_code == 403
    assert api(world["asesor_a"]).get(f"/convenios/{of_a['id']}").status_code == 403
    for caller in (api(world["director_a"]), supervisor):
        assert caller.post("/convenios", json=convenio_body(nombre="X", toda_la_red=True)).status_code == 403
        assert caller.put(f"/convenios/{network['id']}", json={"version": network["version"]}).status_code == 403
    assert director_b.put(f"/convenios/{of_a['id']}", json={"version": 1}).status_code == 404


def test_pages_list_progress_and_the_admin_form(app, make_client, world, scenario):
    admin = make_client()
    login(admin, world["admin"])
    token = csrf_token(admin, "/convenios/nuevo")
    refused = admin.post("/convenios/nuevo", data={
        "csrf_token": token, "clase": "convenio", "nombre": "Convenio página", "financiador": "PNUD",
        "recursos": "$ 4.338.512.062", "desde": "2015-12-31", "hasta": "2015-01-01", "toda_la_red": "no",
        "centros": [str(scenario["a"])], "meta_1_1": "-2"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "La fecha final no puede ser anterior a la fecha inicial." in html
    assert "La meta debe ser un número entero mayor o igual a 0." in html
    made = admin.post("/convenios/nuevo", data={
        "csrf_token": token, "clase": "convenio", "nombre": "Convenio página", "financiador": "PNUD",
        "recursos": "$ 4.338.512.062", "desde": "2015-01-01", "hasta": "2015-12-31", "toda_la_red": "no",
        "centros": [str(scenario["a"]), str(scenario["b"])], "meta_1_1": "20", "meta_M4_v": "4000000"})
    assert made.status_code == 303, made.get_data(as_text=True)
    detail = admin.get(made.location).get_data(as_text=True)
    assert "$ 4.338.512.062" in detail and "01/01/2015 a 31/12/2015" in detail
    assert "Cemprende Cartagena" in detail and "COEE Ocaña" in detail
    assert "70 %" in detail and "$ 3.000.001" in detail and "75 %" in detail
    convenio_id = int(made.location.rstrip("/").rsplit("/", 1)[1])
    edit = admin.get(f"/convenios/{convenio_id}/editar").get_data(as_text=True)
    assert 'value="20"' in edit
    listed = admin.get("/convenios/").get_data(as_text=True)
    assert "Convenio página" in listed and "Convenios y cuatrienios" in listed

    director_b = make_client()
    login(director_b, world["director_b"])
    assert director_b.get(f"/convenios/{convenio_id}").status_code == 200
    assert director_b.get(f"/convenios/{convenio_id}/editar").status_code == 403
    asesor = make_client()
    login(asesor, world["asesor_a"])
    assert asesor.get("/convenios/").status_code == 403
    assert 'href="/convenios/"' not in asesor.get("/participantes/").get_data(as_text=True)
    assert 'href="/convenios/"' in director_b.get("/participantes/").get_data(as_text=True)
