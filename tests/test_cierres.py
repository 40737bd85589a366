"""Month close (API.md "Cierre de mes"): closing an ended month, the supervisor's acceptance or
return, reopening, the gate refusing writes dated in a closed month, and the frozen tableros.

The test clock stands at 21:30 on 31 March 2026 in Bogotá: February has ended, March has not.
(Every door of the gate is walked with the real close in tests/test_gate.py.)
"""
from __future__ import annotations

import re
from datetime import date
from html import unescape
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cemprende.extensions import db
from cemprende.models import Actuacion, Auditoria, CierreCifra
from conftest import api_token, csrf_token, login, post_at_once

FEB = "desde=2026-02-01&hasta=2026-02-28"
VIGENCIA = "desde=2026-01-01&hasta=2026-02-28"
WINDOWS = [(q, t) for q in (FEB, VIGENCIA) for t in ("global", "microcapitalizacion")]


@pytest.fixture
def a(centre, world):
    return centre(world["asesor_a"])


@pytest.fixture
def b(centre, world):
    return centre(world["asesor_b"])


@pytest.fixture
def director(api, world):
    return api(world["director_a"])


@pytest.fixture
def supervisor(api, world):
    return api(world["supervisor"])


@pytest.fixture
def vigencia(api, world):
    """The 2026 vigencia, with a meta for centre A (so the vigencia window starts in January)."""
    answer = api(world["director_a"]).put("/metas", json={
        "centro_id": world["centro_a"].id, "metas": {"1.1": 10, "6.2": 4},
        "vigencia": {"nombre": "Convenio 2026", "desde": "2026-01-01", "hasta": "2026-12-31"}})
    assert answer.status_code == 200, answer.get_json()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Actuacion))


def _close(caller, centro_id, mes="2026-02", status=201):
    answer = caller.post("/cierres", json={"centro_id": centro_id, "mes": mes})
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()


def _tablero(caller, query, nombre="global", centro_id=None):
    scope = f"centro_id={centro_id}&" if centro_id else ""
    answer = caller.get(f"/tableros/{nombre}?{scope}{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _row(tablero, codigo):
    return next(f for f in tablero["filas"] if f["codigo"] == codigo)


def _feb_people(a):
    """Two women routed in February (one with a referral) and one man in January."""
    ana = a.person(sexo="F", tipo_poblacion="red_unidos")
    a.act(ana, "enrutamiento", "2026-02-10", destino="emprendimiento")
    a.act(ana, "referenciacion", "2026-02-12", destino="terceros", programa="Fundación")
    eva = a.person(sexo="F", tipo_poblacion="sisben")
    a.act(eva, "enrutamiento", "2026-02-20", destino="empleabilidad")
    leo = a.person(sexo="M", tipo_poblacion="sisben")
    a.act(leo, "enrutamiento", "2026-01-15", destino="empleabilidad")
    return ana, eva, leo


# ---- closing -------------------------------------------------------------------------------------

def test_only_an_ended_month_is_closed(director, world):
    centro = world["centro_a"].id
    march = director.post("/cierres", json={"centro_id": centro, "mes": "2026-03"})
    assert march.status_code == 422 and march.get_json()["error"]["code"] == "mes_no_terminado"
    assert "marzo de 2026" in march.get_json()["error"]["message"]
    for bad in ("2026-13", "febrero", "", None):
        answer = director.post("/cierres", json={"centro_id": centro, "mes": bad})
        assert answer.status_code == 422 and "mes" in answer.get_json()["error"]["fields"]
    made = _close(director, centro)
    assert (made["estado"], made["mes"], made["ronda"], made["centro_id"]) == ("cerrado", "2026-02", 1, centro)
    again = director.post("/cierres", json={"centro_id": centro, "mes": "2026-02"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "estado_cierre"


def test_only_the_director_of_the_centre_or_an_admin_closes(api, world, director):
    centro = world["centro_a"].id
    body = {"centro_id": centro, "mes": "2026-02"}
    assert api(world["asesor_a"]).post("/cierres", json=body).status_code == 403
    assert api(world["supervisor"]).post("/cierres", json=body).status_code == 403
    assert api(world["director_b"]).post("/cierres", json=body).status_code == 404
    assert api(world["asesor_b"]).post("/cierres", json=body).status_code == 404
    made = _close(director, centro)
    assert api(world["director_b"]).get(f"/cierres/{made['id']}").status_code == 404
    assert api(world["director_b"]).get("/cierres").get_json()["total"] == 0
    assert api(world["asesor_a"]).get("/cierres").status_code == 403
    assert api(world["supervisor"]).get(f"/cierres?centro_id={centro}&estado=cerrado").get_json()["total"] == 1
    assert api(world["supervisor"]).get("/cierres?estado=aceptado").get_json()["total"] == 0
    admin = _close(api(world["admin"]), centro, "2026-01")
    assert admin["cerrado_por"] == world["admin"].username


def test_the_checklist_shows_what_is_still_open(api, world, director, a):
    ana, eva, leo = _feb_people(a)
    a.act(ana, "acta_compromiso", "2026-02-10")
    answer = api(world["director_a"]).get("/cierres")  # nothing closed yet
    assert answer.get_json()["total"] == 0
    made = _close(director, world["centro_a"].id)
    pendientes = director.get(f"/cierres/{made['id']}").get_json()["pendientes"]
    # Ana's acta de compromiso has no AC document; routed people lack CC and AC.
    assert {(i["participante_id"], i["prefijo"]) for i in pendientes["documentos"]["items"]} >= {(ana, "AC")}
    assert {i["participante_id"] for i in pendientes["sin_orientacion"]["items"]} == {ana, eva}
    assert pendientes["pendientes"] >= 3


def test_the_close_page_shows_the_checklist_and_asks_for_confirmation(app, make_client, world, a):
    ana, eva, leo = _feb_people(a)
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.get("/cierres/nuevo?mes=2026-02")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and "Pendientes del mes" in html and "Confirmar el cierre" in html
    assert "sin la evidencia de orientación completa: 2" in html
    token = csrf_token(browser, "/cierres/nuevo?mes=2026-02")
    unconfirmed = browser.post("/cierres/nuevo", data={"csrf_token": token, "centro_id": str(world["centro_a"].id),
                                                       "mes": "2026-02"})
    assert unconfirmed.status_code == 422 and "Marque la confirmación" in unescape(unconfirmed.get_data(as_text=True))
    assert browser.get("/cierres/").get_data(as_text=True).count("/cierres/") >= 1
    march = browser.get("/cierres/nuevo?mes=2026-03")
    assert march.status_code == 422 and "aún no ha terminado" in unescape(march.get_data(as_text=True))
    done = browser.post("/cierres/nuevo", data={"csrf_token": token, "centro_id": str(world["centro_a"].id),
                                                "mes": "2026-02", "confirmar": "y"})
    assert done.status_code == 303
    detail = browser.get(done.location)
    text = unescape(detail.get_data(as_text=True))
    assert "Cierre de febrero de 2026" in text and "Cerrado (pendiente de aceptación)" in text
    listing = unescape(browser.get("/cierres/").get_data(as_text=True))
    assert "Febrero de 2026" in listing
    other = make_client()
    login(other, world["director_b"])
    cierre_id = re.search(r"/cierres/(\d+)", done.location).group(1)
    assert other.get(f"/cierres/{cierre_id}").status_code == 404


# ---- the gate ------------------------------------------------------------------------------------

def test_writes_and_annulments_dated_in_a_closed_month_are_refused(app, director, world, a):
    ana, eva, leo = _feb_people(a)
    feb_id = a.act(ana, "caracterizacion", "2026-02-11")
    _close(director, world["centro_a"].id)
    before = _count(app)
    write = a.caller.post(f"/participantes/{eva}/actuaciones", json={"tipo": "caracterizacion", "fecha": "2026-02-27"})
    assert write.status_code == 422
    error = write.get_json()["error"]
    assert error["code"] == "periodo_cerrado" and "febrero de 2026" in error["message"]
    annul = a.caller.post(f"/actuaciones/{feb_id}/anular", json={"motivo": "Error de digitación"})
    assert annul.status_code == 422 and annul.get_json()["error"]["code"] == "periodo_cerrado"
    assert _count(app) == before
    assert a.caller.get(f"/actuaciones/{feb_id}").get_json()["anulada"] is False
    # Other months stay open, and so does the same month in another centre.
    a.act(eva, "caracterizacion", "2026-03-02")
    a.act(eva, "acta_compromiso", "2026-01-30")


def test_another_centre_keeps_writing_in_the_month(director, world, a, b):
    _close(director, world["centro_a"].id)
    person = b.person()
    b.act(person, "enrutamiento", "2026-02-15", destino="empleabilidad")


# ---- review and reopening ------------------------------------------------------------------------

def test_return_reopens_writes_and_the_director_closes_again(app, api, director, supervisor, world, a):
    ana, eva, leo = _feb_people(a)
    made = _close(director, world["centro_a"].id)
    assert api(world["director_a"]).post(f"/cierres/{made['id']}/devolucion",
                                         json={"motivo": "Faltan actas"}).status_code == 403
    no_reason = supervisor.post(f"/cierres/{made['id']}/devolucion", json={})
    assert no_reason.status_code == 422 and "motivo" in no_reason.get_json()["error"]["fields"]
    returned = supervisor.post(f"/cierres/{made['id']}/devolucion", json={"motivo": "Faltan las actas de compromiso"})
    assert returned.status_code == 200 and returned.get_json()["estado"] == "devuelto"
    assert supervisor.post(f"/cierres/{made['id']}/aceptacion").status_code == 409
    a.act(eva, "acta_compromiso", "2026-02-21")  # writes are open again
    again = _close(director, world["centro_a"].id)
    assert (again["id"], again["estado"], again["ronda"]) == (made["id"], "cerrado", 2)
    accepted = supervisor.post(f"/cierres/{made['id']}/aceptacion")
    assert accepted.status_code == 200 and accepted.get_json()["estado"] == "aceptado"
    assert a.caller.post(f"/participantes/{eva}/actuaciones", json={
        "tipo": "caracterizacion", "fecha": "2026-02-22"}).get_json()["error"]["code"] == "periodo_cerrado"
    with app.app_context():
        entries = db.session.execute(select(Auditoria.accion, Auditoria.username, Auditoria.detalle).where(
            Auditoria.entidad == "cierre_mes", Auditoria.accion != "denegado").order_by(Auditoria.id)).all()
    assert [e.accion for e in entries] == ["cerrar", "devolver", "cerrar", "aceptar"]
    assert entries[1].username == world["supervisor"].username and "Faltan las actas" in entries[1].detalle


def test_reopening_needs_a_reason_allows_writes_and_the_new_close_shows_the_moves(app, api, director, supervisor, world, a, vigencia):
    ana, eva, leo = _feb_people(a)
    centro = world["centro_a"].id
    made = _close(director, centro)
    assert supervisor.post(f"/cierres/{made['id']}/reapertura", json={"motivo": "Corrección"}).status_code == 409
    supervisor.post(f"/cierres/{made['id']}/aceptacion")
    first = _tablero(director, FEB, centro_id=centro)
    assert first["cerrado"] is True and first["cierre"]["reabierto"] is False
    assert "anterior" not in _row(first, "1.1")
    assert api(world["director_a"]).post(f"/cierres/{made['id']}/reapertura", json={"motivo": "x" * 10}).status_code == 403
    assert supervisor.post(f"/cierres/{made['id']}/reapertura", json={}).status_code == 422
    reopened = api(world["admin"]).post(f"/cierres/{made['id']}/reapertura", json={"motivo": "Se omitió una persona"})
    assert reopened.status_code == 200 and reopened.get_json()["estado"] == "reabierto"
    assert _tablero(director, FEB, centro_id=centro)["cerrado"] is False  # live while reopened
    zoe = a.person(sexo="F", tipo_poblacion="red_unidos")
    a.act(zoe, "enrutamiento", "2026-02-25", destino="emprendimiento")
    again = _close(director, centro)
    assert again["ronda"] == 2
    second = _tablero(director, FEB, centro_id=centro)
    assert second["cerrado"] is True and second["cierre"]["reabierto"] is True
    row = _row(second, "1.1")
    assert (row["anterior"], row["resultado"], row["variacion"]) == (
        _row(first, "1.1")["resultado"], _row(first, "1.1")["resultado"] + 1, 1)
    assert _row(second, "6.2")["variacion"] == 1 and _row(second, "6.1")["variacion"] == 0
    vig = _tablero(director, VIGENCIA, centro_id=centro)
    assert vig["cerrado"] is True and _row(vig, "1.1")["variacion"] == 1
    page = make_page(app, world["director_a"])
    html = unescape(page.get(f"/tableros/?centro_id={centro}&{FEB}").get_data(as_text=True))
    assert "sello-cerrado" in html and "se reabrió y se volvió a cerrar" in html
    with app.app_context():
        entries = db.session.execute(select(Auditoria.accion, Auditoria.despues).where(
            Auditoria.entidad == "cierre_mes", Auditoria.accion != "denegado").order_by(Auditoria.id)).all()
        creado = db.session.scalar(select(func.count()).select_from(Auditoria).where(
            Auditoria.entidad == "actuacion", Auditoria.accion == "crear"))
    assert [e.accion for e in entries] == ["cerrar", "aceptar", "reabrir", "cerrar"]
    assert entries[2].despues["motivo"] == "Se omitió una persona"
    assert entries[3].despues["variaciones"]["mes"]["1.1"] == [_row(first, "1.1")["resultado"], _row(first, "1.1")["resultado"] + 1]
    assert creado >= 1  # the change made while reopened is in the audit trail too


def make_page(app, staff):
    browser = app.test_client()
    login(browser, staff)
    return browser


# ---- frozen figures ------------------------------------------------------------------------------

def test_the_frozen_tablero_is_served_only_for_the_two_windows(director, world, a, vigencia):
    _feb_people(a)
    centro = world["centro_a"].id
    live = {(q, t): _tablero(director, q, t, centro) for q, t in WINDOWS}
    _close(director, centro)
    for (q, t), before in live.items():
        frozen = _tablero(director, q, t, centro)
        assert frozen["cerrado"] is True, (q, t)
        assert frozen["filas"] == before["filas"], (q, t)
    assert _row(_tablero(director, FEB, centro_id=centro), "1.1")["resultado"] == 2
    assert _row(_tablero(director, VIGENCIA, centro_id=centro), "1.1")["resultado"] == 3
    for other in ("desde=2026-02-02&hasta=2026-02-28", "desde=2026-02-01&hasta=2026-02-27",
                  "desde=2026-01-01&hasta=2026-01-31", "desde=2026-02-01&hasta=2026-03-31", "hasta=2026-03-30"):
        assert _tablero(director, other, centro_id=centro)["cerrado"] is False, other
    # The vigencia window without desde (its default start) is the same window.
    assert _tablero(director, "hasta=2026-02-28", centro_id=centro)["cerrado"] is True


def test_the_network_is_frozen_only_once_every_centre_has_closed(api, world, director, a, b, vigencia):
    _feb_people(a)
    person = b.person(sexo="M")
    b.act(person, "enrutamiento", "2026-02-03", destino="empleabilidad")
    admin = api(world["admin"])
    _close(director, world["centro_a"].id)
    network = _tablero(admin, FEB)
    assert network["cerrado"] is False and _row(network, "1.1")["resultado"] == 3
    _close(api(world["director_b"]), world["centro_b"].id)
    frozen = _tablero(admin, FEB)
    assert frozen["cerrado"] is True and _row(frozen, "1.1")["resultado"] == 3
    assert _row(frozen, "6.1")["resultado"] == 1 and _row(frozen, "6.2")["resultado"] == 2
    assert _row(frozen, "1.1")["meta"] == 10


def test_a_later_back_dated_attempt_and_a_characterisation_change_leave_the_frozen_tablero_identical(
        app, api, director, world, a, vigencia):
    ana, eva, leo = _feb_people(a)
    centro = world["centro_a"].id
    _close(director, centro)
    before = {(q, t): _tablero(director, q, t, centro) for q, t in WINDOWS}
    live_before = _tablero(director, "desde=2026-02-01&hasta=2026-03-30", centro_id=centro)
    refused = a.caller.post(f"/participantes/{leo}/actuaciones",
                            json={"tipo": "referenciacion", "fecha": "2026-02-14", "destino": "terceros",
                                  "programa": "SENA"})
    assert refused.get_json()["error"]["code"] == "periodo_cerrado"
    current = a.caller.get(f"/participantes/{ana}").get_json()
    patched = a.caller.patch(f"/participantes/{ana}", json={"version": current["version"], "sexo": "M",
                                                            "tipo_poblacion": "no_vulnerables"})
    assert patched.status_code == 200, patched.get_json()
    live_after = _tablero(director, "desde=2026-02-01&hasta=2026-03-30", centro_id=centro)
    assert _row(live_after, "6.1")["resultado"] == _row(live_before, "6.1")["resultado"] + 1  # live moves
    assert _row(live_after, "3.1")["resultado"] == _row(live_before, "3.1")["resultado"] - 1
    for (q, t), was in before.items():
        assert _tablero(director, q, t, centro) == was, (q, t)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CierreCifra)) > 0


# ---- races ---------------------------------------------------------------------------------------

def test_two_closes_racing_get_one_close_and_a_409(app, world):
    body = {"centro_id": world["centro_a"].id, "mes": "2026-02"}
    answers = post_at_once(app, [(world["director_a"], "/cierres", body), (world["admin"], "/cierres", body)])
    assert sorted(answers) == [(201, None), (409, "estado_cierre")], answers


def test_a_write_racing_the_close_is_either_refused_or_in_the_frozen_figures(app, world, director, a):
    centro = world["centro_a"].id
    for _ in range(3):
        person = a.person(sexo="F")
        answers = post_at_once(app, [
            (world["asesor_a"], f"/participantes/{person}/actuaciones",
             {"tipo": "enrutamiento", "fecha": "2026-02-20", "destino": "empleabilidad"}),
            (world["director_a"], "/cierres", {"centro_id": centro, "mes": "2026-02"})])
        assert answers[1] == (201, None), answers
        assert answers[0] in ((201, None), (422, "periodo_cerrado")), answers
        frozen = _tablero(director, FEB, centro_id=centro)
        assert frozen["cerrado"] is True
        with app.app_context():
            routed = db.session.scalar(select(func.count()).select_from(Actuacion).where(
                Actuacion.tipo == "enrutamiento", Actuacion.fecha == date(2026, 2, 20)))
        assert _row(frozen, "1.1")["resultado"] == routed
        cierre = director.get(f"/cierres?centro_id={centro}").get_json()["items"][0]
        assert api_return(app, world, cierre["id"]) == 200


def api_return(app, world, cierre_id) -> int:
    """The supervisor returns the close (so the next round can close the month again)."""
    client = app.test_client()
    return client.post(f"/api/v1/cierres/{cierre_id}/devolucion", json={"motivo": "Otra ronda"},
                       headers=api_token(client, world["supervisor"])).status_code


def test_the_excel_of_a_closed_window_says_it_is_closed(app, world, director, a):
    _feb_people(a)
    centro = world["centro_a"].id
    browser = make_page(app, world["director_a"])
    live = browser.get(f"/tableros/global.xlsx?centro_id={centro}&{FEB}")
    assert "CERRADO" not in load_workbook(BytesIO(live.data)).active["A3"].value
    _close(director, centro)
    frozen = browser.get(f"/tableros/global.xlsx?centro_id={centro}&{FEB}")
    assert "CERRADO: cifras congeladas" in load_workbook(BytesIO(frozen.data)).active["A3"].value
