"""Every tablero row on scenarios built through the API, with the expected figure worked out by hand.

Period: March 2015 (desde 2015-03-01, hasta 2015-03-31) unless a test says otherwise.
"""
import pytest

from conftest import MARCH, NONE, TODAY, build_routing_scenario, build_services_scenario


def rows(caller, tablero="global", query=MARCH):
    response = caller.get(f"/tableros/{tablero}?{query}")
    assert response.status_code == 200, response.get_json()
    return {fila["codigo"]: fila for fila in response.get_json()["filas"]}


def results(caller, tablero="global", query=MARCH):
    return {code: fila["resultado"] for code, fila in rows(caller, tablero, query).items()}


ROUTING_EXPECTED = {
    # Routed in March: P1, P3, P4, P6, P7, P8, P9. DPS: P3, P4. 5.3: P3, P8, P9 (P4 did not answer).
    "1.1": 5, "1.2": 2, "1.3": 3, "1.4": 2, "1.5": 1, "1.6": 1,
    "3.1": 2, "3.2": 2, "3.3": 1, "3.4": 1, "3.9": 1,
    "4.1": 1, "4.2": 2, "4.3": 2, "4.4": 1, "4.9": 1,
    "5.1": 2, "5.2": 2, "5.3": 3, "5.9": 1,
    "6.1": 2, "6.2": 3, "6.9": 2,
}


def test_routing_rows(a, api, world):
    build_routing_scenario(a)
    got = results(a.caller)
    assert {code: got[code] for code in ROUTING_EXPECTED} == ROUTING_EXPECTED
    # Each block of categories adds up to 1.1 + 1.2 (5.x: plus the one double condition).
    for block in ("3", "4", "6"):
        assert sum(v for k, v in got.items() if k.startswith(block + ".")) == 7
    assert sum(v for k, v in got.items() if k.startswith("5.")) == 7 + 1


def test_sex_rows_show_their_share_of_all_routed(a):
    build_routing_scenario(a)
    filas = rows(a.caller)
    # 2/7 = 28.6 % → 29; 3/7 = 42.9 % → 43; 2/7 → 29, with or without metas.
    assert [filas[c]["avance"] for c in ("6.1", "6.2", "6.9")] == [29, 43, 29]
    assert filas["1.1"]["avance"] is None and filas["1.1"]["meta"] is None


SERVICES_EXPECTED = {
    "2.1": 2, "2.2": 0, "2.3": 0, "2.4": 1, "2.5": 1, "2.6": 1,
    "7": 2, "8": 1, "9": 5, "10": 2, "11": 1,
    "13": 2, "14": 1, "15.1": 1, "15.2": 2, "16": 1,
    "17.1": 1, "17.2": 2, "17.3": 1,  # 17.1: q1's follow-up visit; q2 had a diagnostic one only "18.1": 2, "18.2": 2,
}
MICRO_EXPECTED = {
    "M1.n": 2, "M1.v": 3_000_001,
    "M2.n": 3, "M2.v": 4_500_001,
    "M3.n": 2, "M3.v": 3_000_001,
    "M4.n": 2, "M4.v": 2_000_001,
    "M5": 1_000_001,  # 2,000,001 / 2 = 1,000,000.5, rounded half up
    "M6": 1,  # q1's follow-up visit; the two diagnostic visits are counted apart
}


def test_service_rows(a):
    build_services_scenario(a)
    got = results(a.caller)
    assert {code: got[code] for code in SERVICES_EXPECTED} == SERVICES_EXPECTED


def test_microcapitalizacion_rows(a):
    build_services_scenario(a)
    assert results(a.caller, "microcapitalizacion") == MICRO_EXPECTED


def test_active_route_rows_as_of_the_cut(a):
    r1 = a.person(**NONE)
    a.act(r1, "ingreso_ruta", "2015-01-10", ruta="emprende")           # entered before: still active
    r2 = a.person(**NONE)
    a.act(r2, "ingreso_ruta", "2015-01-10", ruta="emprende")
    a.act(r2, "ingreso_ruta", "2015-03-20", ruta="fortalece")          # moved: only the latest
    r3 = a.person(**NONE)
    a.act(r3, "ingreso_ruta", "2015-02-01", ruta="desarrolla")
    a.act(r3, "desistimiento", "2015-03-15", motivo="Se fue de la ciudad")  # desisted after entering
    r4 = a.person(**NONE)
    a.act(r4, "desistimiento", "2015-02-01", motivo="Primera vez")
    a.act(r4, "ingreso_ruta", "2015-03-01", ruta="transforma")         # came back after desisting
    r5 = a.person(**NONE)
    a.act(r5, "ingreso_ruta", "2015-03-01", ruta="emprende")
    a.act(r5, "ingreso_ruta", "2015-04-05", ruta="fortalece")          # after the cut: ignored
    r6 = a.person(**NONE)
    a.annul(a.act(r6, "ingreso_ruta", "2015-03-10", ruta="desarrolla"))
    r7 = a.person(**NONE)
    a.act(r7, "ingreso_ruta", "2015-03-10", ruta="desarrolla")
    a.act(r7, "desistimiento", "2015-04-10", motivo="Después del corte")
    r8 = a.person(**NONE)
    a.act(r8, "ingreso_ruta", "2015-03-10", ruta="emprende")
    a.annul(a.act(r8, "desistimiento", "2015-03-10", motivo="Anulado"))
    got = results(a.caller)
    assert [got[c] for c in ("12.1", "12.2", "12.3", "12.4")] == [3, 1, 1, 1]


def test_metas_avance_meta_zero_and_no_meta(a, api, world):
    build_routing_scenario(a)
    build_services_scenario(a)
    director = api(world["director_a"])
    response = director.put("/metas", json={
        "centro_id": world["centro_a"].id,
        "vigencia": {"nombre": "Convenio 2015", "desde": "2015-01-01", "hasta": "2015-12-31"},
        "metas": {"1.1": 4, "8": 0, "M4.v": 4_000_000, "11": 3}})
    assert response.status_code == 200, response.get_json()
    filas = rows(a.caller)
    assert (filas["1.1"]["meta"], filas["1.1"]["avance"]) == (4, 125)
    assert (filas["8"]["meta"], filas["8"]["avance"]) == (0, None)        # meta 0: N/A
    assert (filas["11"]["meta"], filas["11"]["avance"]) == (3, 33)        # 1/3 = 33.3 %
    assert (filas["7"]["meta"], filas["7"]["avance"]) == (None, None)     # no meta: N/A
    micro = rows(a.caller, "microcapitalizacion")
    assert (micro["M4.v"]["meta"], micro["M4.v"]["avance"]) == (4_000_000, 50)


def test_avance_rounds_half_up():
    from cemprende.tableros.services import avance
    assert avance(1, 8) == 13     # 12.5 % → 13
    assert avance(5, 8) == 63     # 62.5 % → 63
    assert avance(2, 3) == 67 and avance(1, 3) == 33
    assert avance(7, 0) is None and avance(7, None) is None


def test_period_starts_with_the_vigencia_or_the_month(a, api, world):
    build_routing_scenario(a)
    caller = a.caller
    # No vigencia: March alone, so P2 (first routed in February) does not count.
    assert results(caller, query="hasta=2015-03-31")["1.1"] == 5
    api(world["director_a"]).put("/metas", json={
        "centro_id": world["centro_a"].id,
        "vigencia": {"nombre": "Convenio 2015", "desde": "2015-02-01", "hasta": "2015-12-31"},
        "metas": {"1.1": 10}})
    response = caller.get("/tableros/global?hasta=2015-03-31").get_json()
    assert response["desde"] == "2015-02-01" and response["hasta"] == "2015-03-31"
    by_code = {f["codigo"]: f for f in response["filas"]}
    # From February: P2 and P7's annulled February routing (not counted) → P2 adds one.
    assert by_code["1.1"]["resultado"] == 6 and by_code["1.1"]["meta"] == 10
    assert caller.get("/tableros/global?hasta=2015-03-31&desde=2015-04-01").status_code == 422
    assert caller.get("/tableros/global?hasta=31/03/2015").status_code == 422


def test_network_is_the_sum_of_centres_and_a_quiet_centre_is_zeros(a, b, api, world, build):
    quiet = build.centro("Yopal", "COEE")
    build_routing_scenario(a)
    build_services_scenario(a)
    build_routing_scenario(b)
    admin = api(world["admin"])
    for centro in (world["centro_a"], world["centro_b"]):
        admin.put("/metas", json={"centro_id": centro.id, "metas": {"1.1": 3, "M1.n": 1},
                                  "vigencia": {"nombre": "Convenio 2015", "desde": "2015-01-01",
                                               "hasta": "2015-12-31"}})
    supervisor = api(world["supervisor"])
    network = rows(supervisor)
    centre_a = rows(supervisor, query=f"{MARCH}&centro_id={world['centro_a'].id}")
    centre_b = rows(supervisor, query=f"{MARCH}&centro_id={world['centro_b'].id}")
    for code in network:
        assert network[code]["resultado"] == centre_a[code]["resultado"] + centre_b[code]["resultado"], code
    assert network["1.1"]["resultado"] == 10 and network["1.1"]["meta"] == 6
    assert network["1.1"]["avance"] == 167
    silent = rows(supervisor, query=f"{MARCH}&centro_id={quiet.id}")
    assert all(fila["resultado"] == 0 for fila in silent.values())
    assert all(fila["avance"] is None for fila in silent.values())
    micro = rows(supervisor, "microcapitalizacion", query=f"{MARCH}&centro_id={quiet.id}")
    assert micro["M5"]["resultado"] == 0


def test_tablero_scope(api, world, a):
    asesor = api(world["asesor_a"])
    assert asesor.get(f"/tableros/global?centro_id={world['centro_b'].id}").status_code == 404
    assert asesor.get("/tableros/global?centro_id=99999").status_code == 404
    own = asesor.get("/tableros/global").get_json()
    assert own["centro_id"] == world["centro_a"].id  # omitted: its own centre, never the network
    assert api(world["supervisor"]).get("/tableros/global").get_json()["centro_id"] is None
    assert api(world["director_b"]).get(
        f"/tableros/microcapitalizacion?centro_id={world['centro_a'].id}").status_code == 404


def test_metas_validation_and_roles(api, world):
    body = {"centro_id": world["centro_a"].id, "metas": {"1.1": 10},
            "vigencia": {"nombre": "Convenio 2015", "desde": "2015-01-01", "hasta": "2015-12-31"}}
    assert api(world["asesor_a"]).put("/metas", json=body).status_code == 403
    assert api(world["supervisor"]).put("/metas", json=body).status_code == 403
    assert api(world["director_b"]).put("/metas", json=body).status_code == 404
    director = api(world["director_a"])
    bad = director.put("/metas", json={**body, "metas": {"1.1": -1, "99": 3, "8": "muchas"}})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"1.1", "99", "8"}
    assert director.put("/metas", json={**body, "vigencia": {"nombre": "X", "desde": "2015-05-01",
                                                             "hasta": "2015-01-01"}}).status_code == 422
    assert director.put("/metas", json=body).status_code == 200
    overlapping = director.put("/metas", json={**body, "vigencia": {
        "nombre": "Otra", "desde": "2015-06-01", "hasta": "2016-05-31"}})
    assert overlapping.status_code == 409
    same_name_other_dates = director.put("/metas", json={**body, "vigencia": {
        "nombre": "Convenio 2015", "desde": "2015-02-01", "hasta": "2015-12-31"}})
    assert same_name_other_dates.status_code == 409
    cleared = director.put("/metas", json={**body, "metas": {"1.1": None, "8": "1.500"}})
    assert cleared.get_json()["metas"] == {"8": 1500}


def test_the_kept_summary_equals_one_rebuilt_from_the_actuaciones(app, a, api, world):
    """Every write keeps ResumenDiario; recomputing it from scratch must give the same rows."""
    build_routing_scenario(a)
    build_services_scenario(a)
    p = a.person(sexo="F", **NONE)
    a.act(p, "ingreso_ruta", "2015-03-02", ruta="emprende")
    a.act(p, "enrutamiento", "2015-03-02", destino="emprendimiento")
    before = results(a.caller)
    # Editing a routed person's categories moves them between rows 3.x to 6.x.
    a.caller.patch(f"/participantes/{p}", json={"version": 1, "sexo": "M", "tipo_poblacion": "sisben"})
    after = results(a.caller)
    assert (after["6.1"], after["6.2"]) == (before["6.1"] + 1, before["6.2"] - 1)
    assert (after["3.1"], after["3.2"]) == (before["3.1"] - 1, before["3.2"] + 1)
    from cemprende.extensions import db
    from cemprende.tableros import resumen
    with app.app_context():
        kept = resumen.stored()
        assert kept and kept == resumen.contributions()
        resumen.rebuild()
        db.session.commit()
        assert resumen.stored() == kept
    result = app.test_cli_runner().invoke(args=["tableros-reconstruir", "--verificar"])
    assert result.exit_code == 0 and "Resumen correcto" in result.output


def test_whole_months_and_loose_days():
    from datetime import date as d

    from cemprende.tableros.queries import _whole_months
    assert _whole_months(d(2015, 1, 1), d(2015, 3, 31)) == (d(2015, 1, 1), d(2015, 4, 1), [])
    assert _whole_months(d(2015, 1, 15), d(2015, 3, 10)) == (
        d(2015, 2, 1), d(2015, 3, 1), [(d(2015, 1, 15), d(2015, 1, 31)), (d(2015, 3, 1), d(2015, 3, 10))])
    assert _whole_months(d(2015, 3, 5), d(2015, 3, 20)) == (d(2015, 4, 1), d(2015, 4, 1),
                                                           [(d(2015, 3, 5), d(2015, 3, 20))])
    assert _whole_months(d(2015, 12, 2), d(2016, 1, 31)) == (
        d(2016, 1, 1), d(2016, 2, 1), [(d(2015, 12, 2), d(2015, 12, 31))])
    assert _whole_months(None, d(2015, 3, 10)) == (None, d(2015, 3, 1), [(d(2015, 3, 1), d(2015, 3, 10))])


def test_any_period_adds_up_the_days_it_covers(app, a):
    """Against the per-day contributions summed by hand, for periods cut at odd days."""
    from datetime import date as d

    from cemprende.tableros import queries, resumen
    from cemprende.tableros.registry import FILAS, Personas
    build_routing_scenario(a)
    build_services_scenario(a)
    periods = [(d(2015, 2, 11), d(2015, 3, 9)), (d(2015, 3, 2), d(2015, 3, 30)),
               (d(2015, 1, 31), d(2015, 4, 1)), (d(2015, 3, 10), d(2015, 3, 10))]
    with app.app_context():
        days = resumen.contributions()
        assert resumen.stored_months() == resumen.by_month(days)
        # Distinct-person rows are not a sum of days: test_distinct_persons_from_the_summary_*.
        summarised = [f for f in queries.summarised(list(FILAS)) if not isinstance(f.calculo, Personas)]
        for desde, hasta in periods:
            got = queries.compute(summarised, desde, hasta, None)
            for fila in summarised:
                as_of = not isinstance(fila.calculo, queries.DAILY)
                expected = sum(v for (code, day, _), v in days.items()
                               if code == fila.codigo and day <= hasta and (as_of or day >= desde))
                assert sum(c.get(fila.codigo, 0) for c in got.values()) == expected, (fila.codigo, desde)


def test_distinct_persons_from_the_summary_equal_the_live_count_for_any_month_start(app, a, world):
    """Rows 2.x, 7, 8, 10, 17.x read from the (person, month) pairs of the summary equal
    COUNT(DISTINCT person) over the actuaciones, per centre, for periods from the first of a
    month to any day (and a mid-month start falls back to the live count)."""
    import random
    from collections import defaultdict
    from datetime import date as d, timedelta

    from cemprende.tableros import queries
    from cemprende.tableros.registry import FILAS, Personas
    build_routing_scenario(a)
    build_services_scenario(a)
    rng = random.Random(7)
    for n in range(8):  # repeated services of the same people in several months
        person = a.person(**NONE)
        for _ in range(3):
            a.act(person, "hoja_de_vida", f"2015-{rng.randint(1, 4):02d}-{rng.randint(1, 28):02d}",
                  plataforma="spe", codigo=str(n))
            a.act(person, "referenciacion", f"2015-{rng.randint(1, 4):02d}-{rng.randint(1, 28):02d}",
                  destino=rng.choice(["dps", "terceros"]), programa="X")
    personas = [f for f in FILAS if isinstance(f.calculo, Personas)]
    periods = [(d(2015, 1, 1), d(2015, 4, 30)), (d(2015, 2, 1), d(2015, 3, 17)), (d(2015, 3, 1), d(2015, 3, 1)),
               (d(2015, 2, 1), d(2015, 2, 28)), (d(2014, 12, 1), d(2015, 1, 9))]
    periods += [(d(2015, rng.randint(1, 4), 1), d(2015, 4, 1) + timedelta(days=rng.randint(0, 40)))
                for _ in range(6)]
    with app.app_context():
        assert queries.summarised(personas) == personas
        for desde, hasta in periods:
            for centro_id in (None, world["centro_a"].id):
                live, summary = defaultdict(dict), defaultdict(dict)
                queries.distinct_persons(personas, desde, hasta, centro_id, live)
                queries.persons_from_summary(personas, desde, hasta, centro_id, summary)
                diff = {(k, code): (summary.get(k, {}).get(code), live.get(k, {}).get(code))
                        for k in summary.keys() | live.keys()
                        for code in summary.get(k, {}).keys() | live.get(k, {}).keys()
                        if summary.get(k, {}).get(code, 0) != live.get(k, {}).get(code, 0)}
                assert not diff, (desde, hasta, centro_id, diff)
        assert any(v for values in live.values() for v in values.values())
        # A period from mid-month is counted live (the pairs start counting on the first).
        got = queries.compute(personas, d(2015, 1, 15), d(2015, 4, 30), None)
        live = defaultdict(dict)
        queries.distinct_persons(personas, d(2015, 1, 15), d(2015, 4, 30), None, live)
        assert got == live


def test_an_earlier_routing_in_the_same_month_moves_the_day_not_the_month(app, a):
    """The day changes (-1 on the 20th, +1 on the 5th) while the month's total stays the same."""
    p = a.person(**NONE)
    a.act(p, "enrutamiento", "2015-03-20", destino="empleabilidad")
    a.act(p, "enrutamiento", "2015-03-05", destino="empleabilidad")
    assert results(a.caller)["1.4"] == 1
    assert results(a.caller, query="desde=2015-03-01&hasta=2015-03-10")["1.4"] == 1
    assert results(a.caller, query="desde=2015-03-11&hasta=2015-03-31")["1.4"] == 0
    from cemprende.tableros import resumen
    with app.app_context():
        assert resumen.stored() == resumen.contributions()
        assert resumen.stored_months() == resumen.by_month(resumen.contributions())


def _summary_is_consistent(app) -> None:
    """The kept summary equals the one recomputed from every actuación, whoever wrote them."""
    from cemprende.tableros import resumen
    with app.app_context():
        assert resumen.stored() == resumen.contributions()
        assert resumen.stored_months() == resumen.by_month(resumen.contributions())
    result = app.test_cli_runner().invoke(args=["tableros-reconstruir", "--verificar"])
    assert result.exit_code == 0 and "Resumen correcto" in result.output, result.output


def test_disability_and_displacement_rows_add_up(app, a):
    """5.3 is "no" to both; 5.9 neither true and one unanswered; both true counts in 5.1 and 5.2."""
    answers = [(True, True), (True, None), (None, True), (True, False),
               (False, False), (False, None), (None, False), (None, None)]
    people = {}
    for day, (discapacidad, desplazamiento) in enumerate(answers, start=2):
        people[discapacidad, desplazamiento] = pid = a.person(
            discapacidad=discapacidad, desplazamiento=desplazamiento)
        a.act(pid, "enrutamiento", f"2015-03-{day:02d}", destino="empleabilidad")
    got = results(a.caller)
    assert got["1.1"] + got["1.2"] == 8
    assert [got[c] for c in ("5.1", "5.2", "5.3", "5.9")] == [3, 2, 1, 3]
    assert sum(v for k, v in got.items() if k.startswith("5.")) == 8 + 1  # one double condition
    # Clearing an answer moves the person from 5.3 to 5.9, in the kept summary too.
    response = a.caller.patch(f"/participantes/{people[False, False]}",
                              json={"version": 1, "discapacidad": None})
    assert response.status_code == 200, response.get_json()
    got = results(a.caller)
    assert [got[c] for c in ("5.1", "5.2", "5.3", "5.9")] == [3, 2, 0, 4]
    _summary_is_consistent(app)


def test_only_follow_up_visits_count_in_17_1_and_m6(a):
    diagnosed = a.person(**NONE)
    a.act(diagnosed, "visita_acompanamiento", "2015-03-03", clase="diagnostico")
    followed = a.person(**NONE)
    a.act(followed, "visita_acompanamiento", "2015-03-04", clase="diagnostico")
    a.act(followed, "visita_acompanamiento", "2015-03-20", clase="seguimiento")
    a.act(followed, "visita_acompanamiento", "2015-03-27", clase="seguimiento")
    assert results(a.caller)["17.1"] == 1                    # distinct persons: only `followed`
    assert results(a.caller, "microcapitalizacion")["M6"] == 2  # its two follow-up visits


def test_actuaciones_count_for_the_centre_that_recorded_them(app, api, world, a, b):
    """A person moved from A to B: what A recorded stays A's, also when B writes afterwards."""
    from sqlalchemy import update

    from cemprende.extensions import db
    from cemprende.models import Participante
    p = a.person(sexo="F", **NONE)
    a.act(p, "enrutamiento", "2015-03-05", destino="emprendimiento")
    a.act(p, "ingreso_ruta", "2015-03-06", ruta="emprende")
    a.act(p, "referenciacion", "2015-03-07", destino="terceros", programa="Fundación")
    a.act(p, "perfil_proyecto", "2015-03-08", nombre_negocio="Tienda", sector="Comercio")
    with app.app_context():  # the person moves to centre B (no audit trail needed here)
        db.session.execute(update(Participante).where(Participante.id == p)
                           .values(centro_id=world["centro_b"].id))
        db.session.commit()
    b.act(p, "enrutamiento", "2015-03-20", destino="empleabilidad")       # not their first
    b.act(p, "ingreso_ruta", "2015-03-21", ruta="fortalece")             # ends A's Ruta Emprende
    b.act(p, "referenciacion", "2015-03-22", destino="terceros", programa="Fundación")
    b.act(p, "perfil_proyecto", "2015-03-23", nombre_negocio="Tienda", sector="Comercio")
    version = b.caller.get(f"/participantes/{p}").get_json()["version"]
    response = b.caller.patch(f"/participantes/{p}", json={"version": version, "sexo": "M"})
    assert response.status_code == 200, response.get_json()
    codes = ("1.1", "1.3", "1.4", "6.1", "6.2", "12.1", "12.2", "2.1", "13")
    expected = {
        "centro_a": dict(zip(codes, (1, 1, 0, 1, 0, 0, 0, 1, 1))),
        "centro_b": dict(zip(codes, (0, 0, 0, 0, 0, 0, 1, 1, 1))),
    }
    supervisor = api(world["supervisor"])
    for key, own in (("centro_a", a), ("centro_b", b)):
        for got in (results(own.caller),
                    results(supervisor, query=f"{MARCH}&centro_id={world[key].id}")):
            assert {code: got[code] for code in codes} == expected[key], key
    network = results(supervisor)
    assert {code: network[code] for code in codes} == {
        code: expected["centro_a"][code] + expected["centro_b"][code] for code in codes}
    _summary_is_consistent(app)


def test_network_meta_of_m5_is_the_m4_metas_average(api, world, build):
    """Σ meta M4.v / Σ meta M4.n over the centres that set both, half up; not a sum of M5 metas."""
    third = build.centro("Yopal", "COEE")
    admin = api(world["admin"])
    vigencia = {"nombre": "Convenio 2015", "desde": "2015-01-01", "hasta": "2015-12-31"}

    def set_metas(centro, metas):
        response = admin.put("/metas", json={"centro_id": centro.id, "vigencia": vigencia, "metas": metas})
        assert response.status_code == 200, response.get_json()

    def micro_metas(query=MARCH):
        return {code: fila["meta"] for code, fila in rows(api(world["supervisor"]), "microcapitalizacion",
                                                           query).items()}

    set_metas(world["centro_a"], {"M4.n": 3, "M4.v": 3_000_000, "M5": 1_111_111})
    assert micro_metas()["M5"] == 1_000_000
    set_metas(world["centro_b"], {"M4.n": 1, "M4.v": 1_000_002})
    set_metas(third, {"M4.v": 9_000_000, "M5": 2_000_000})             # no M4.n: left out of M5
    got = micro_metas()
    assert got["M5"] == 1_000_001                                       # 4,000,002 / 4 = 1,000,000.5
    assert (got["M4.n"], got["M4.v"]) == (4, 13_000_002)                # the other rows stay sums
    assert micro_metas(f"{MARCH}&centro_id={third.id}")["M5"] == 2_000_000  # a centre's own meta
    set_metas(world["centro_a"], {"M4.n": None})
    set_metas(world["centro_b"], {"M4.v": None})
    assert micro_metas()["M5"] is None                                  # no centre sets both


def test_the_default_cut_is_bogotas_today(a):
    """At 21:30 on 31 March in Bogotá (1 April in UTC and on the host), today's service is March's."""
    p = a.person(**NONE)
    a.act(p, "enrutamiento", TODAY.isoformat(), destino="emprendimiento")
    response = a.caller.get("/tableros/global")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["desde"], body["hasta"]) == (TODAY.replace(day=1).isoformat(), TODAY.isoformat())
    assert {f["codigo"]: f["resultado"] for f in body["filas"]}["1.1"] == 1
