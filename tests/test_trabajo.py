"""Mi trabajo: each list shows what waits for this advisor, and only that."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY as CLOCK_TODAY
from conftest import login
from conftest import Centre

TODAY = CLOCK_TODAY


def iso(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def scenario(api, world, build):
    mine = Centre(api(world["asesor_a"]))
    colleague_staff = build.staff("asesor", world["centro_a"])
    colleague = Centre(api(colleague_staff))
    # Orientación: one characterised and waiting, one DPS person not characterised.
    waiting = mine.person(nombres="Rosa")
    mine.act(waiting, "caracterizacion", iso(9))
    mine.person(nombres="Dora", remitido_dps=True)
    # Empleabilidad: a job seeker, an open vacancy with room, a closed one.
    seeker = mine.person(nombres="Tomás")
    mine.act(seeker, "caracterizacion", iso(8))
    mine.act(seeker, "enrutamiento", iso(7), destino="empleabilidad")
    open_v = mine.caller.post("/vacantes", json={"empresa": "Olímpica", "cargo": "Bodeguero", "cupos": 2,
                                                 "fecha": iso(3)}).get_json()
    closed = mine.caller.post("/vacantes", json={"empresa": "Tostao", "cargo": "Barista", "cupos": 2,
                                                 "fecha": iso(3)}).get_json()
    mine.caller.patch(f"/vacantes/{closed['id']}", json={"version": 1, "estado": "cerrada"})
    # Referrals: mine overdue, a colleague's overdue (not mine), mine not due yet.
    programa = mine.caller.post("/programas", json={"nombre": "SENA", "entidad": "SENA",
                                                    "categoria": "gobierno_nacional"}).get_json()
    for caller, pid, seguimiento in ((mine, waiting, iso(2)), (colleague, seeker, iso(2)),
                                     (mine, seeker, iso(-5))):
        caller.caller.post(f"/participantes/{pid}/referencias", json={
            "programa_id": programa["id"], "fecha": iso(6), "fecha_seguimiento": seguimiento})
    # A colleague's acta without its document does not wait for me.
    colleague.act(seeker, "acta_compromiso", iso(5))
    mine.act(waiting, "acta_compromiso", iso(4))
    return {"open": open_v, "closed": closed, "colleague": colleague_staff}


def test_each_list_of_my_work(app, world, make_client, scenario):
    browser = make_client()
    login(browser, world["asesor_a"])
    page = browser.get("/mi-trabajo").get_data(as_text=True)

    def section(title):
        start = page.index(title)
        return page[start:page.index("</section>", start)]

    assert "Rosa" in section("Por enrutar") and "Tomás" not in section("Por enrutar")
    assert "Dora" in section("Remitidas por DPS")
    assert "Tomás" in section("Por colocar")
    vacancies = section("Vacantes con cupos libres")
    assert "Bodeguero — Olímpica" in vacancies and "Barista" not in vacancies
    assert "2 cupos libres · 1 personas para remitir" in vacancies
    referrals = section("Referenciaciones por seguir")
    assert "Rosa" in referrals and "Tomás" not in referrals
    missing = section("Actuaciones sin verificador")
    # My acta (Rosa) and my three registrations lack documents; the colleague's acta is not mine.
    assert '<span class="contador">4</span>' in missing
    assert "Acta de compromiso" in missing and "falta AC" in missing
    assert missing.count("Tomás") == 1  # his registration (CC), not the colleague's acta


def test_the_colleagues_view_is_their_own(app, make_client, scenario):
    browser = make_client()
    login(browser, scenario["colleague"])
    page = browser.get("/mi-trabajo").get_data(as_text=True)
    referrals = page[page.index("Referenciaciones por seguir"):]
    referrals = referrals[:referrals.index("</section>")]
    assert "Tomás Pérez Rojas → SENA" in referrals and "Rosa" not in referrals


def test_empty_state_and_roles(app, world, make_client):
    browser = make_client()
    login(browser, world["asesor_b"])
    assert "No hay nada pendiente" in browser.get("/mi-trabajo").get_data(as_text=True)
    supervisor = make_client()
    login(supervisor, world["supervisor"])
    assert supervisor.get("/mi-trabajo").status_code == 403
