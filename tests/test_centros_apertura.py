"""A centre with no opening date has not opened: it is offered nowhere until an admin sets one."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Centro
from cemprende.tableros import services as tableros
from conftest import TODAY, csrf_token, login


@pytest.fixture
def imported(app, world):
    """The bundled centres.csv on top of the world's Cartagena and Ocaña."""
    result = app.test_cli_runner().invoke(args=["import-centros"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return {c.ciudad: (c.id, c.fecha_apertura) for c in db.session.scalars(select(Centro))}


def options(html: str, name: str = "centro_id") -> set[str]:
    """The labels of the select `name` on a page."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {name}"
    return set(re.findall(r"<option[^>]*>([^<]*)</option>", found.group(1)))


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_import_keeps_an_empty_opening_date_null(imported):
    assert imported["Montería"][1] is None and imported["Yopal"][1] is None
    assert imported["Tunja"][1] == date(2014, 9, 1)


def test_centres_without_an_opening_date_are_offered_nowhere(app, imported, world, make_client):
    admin = make_client()
    login(admin, world["admin"])
    for path in ("/participantes/nuevo", "/admin/staff/nuevo", "/empleabilidad/vacantes/nueva",
                 "/microfinanciamiento/comite/nueva", "/verificadores/subir", "/tableros/",
                 "/tableros/metas", "/microfinanciamiento/alertas", "/verificadores/cobertura",
                 "/verificadores/", "/microfinanciamiento/"):
        offered = options(page(admin, path))
        assert "COEE Tunja" not in offered  # Tunja is a Cemprende centre
        assert "Cemprende Tunja" in offered and "COEE Ocaña" in offered, path
        assert "COEE Montería" not in offered and "COEE Yopal" not in offered, path
    listing = page(admin, "/admin/centros")
    assert "COEE Montería" in listing and "Sin abrir: falta la fecha de apertura" in listing
    # The network tablero has no column for a centre that has not opened.
    with app.app_context():
        from cemprende.models import Staff
        actor = db.session.get(Staff, world["admin"].id)
        network = tableros.compute(actor, "global", None, date(2026, 1, 1), TODAY)
        names = {c.nombre for c in network.centros}
    assert "Cemprende Tunja" in names and "COEE Montería" not in names and "COEE Yopal" not in names
    assert ">COEE Montería</th>" not in page(admin, "/tableros/")


def test_the_admin_opens_a_centre_by_setting_its_opening_date(app, api, imported, world, make_client):
    monteria_id = imported["Montería"][0]
    caller = api(world["admin"])
    current = caller.get(f"/centros/{monteria_id}").get_json()
    assert current["fecha_apertura"] is None
    future = (TODAY + timedelta(days=10)).isoformat()
    response = caller.patch(f"/centros/{monteria_id}", json={
        "ciudad": "Montería", "departamento": "Córdoba", "modalidad": "COEE",
        "fecha_apertura": future, "version": current["version"]})
    assert response.status_code == 200 and response.get_json()["fecha_apertura"] == future
    admin = make_client()
    login(admin, world["admin"])
    assert "COEE Montería" not in options(page(admin, "/participantes/nuevo"))  # not open yet
    assert f"Abre el {TODAY + timedelta(days=10):%d/%m/%Y}" in page(admin, "/admin/centros")
    # From the edit page this time: opened today, it is offered at once.
    edit = page(admin, f"/admin/centros/{monteria_id}")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    saved = admin.post(f"/admin/centros/{monteria_id}", data={
        "csrf_token": csrf_token(admin, f"/admin/centros/{monteria_id}"), "nombre": "COEE Montería",
        "ciudad": "Montería", "departamento": "Córdoba", "modalidad": "COEE",
        "fecha_apertura": TODAY.isoformat(), "fecha_lanzamiento": "", "activo": "y",
        "version": version})
    assert saved.status_code == 302
    assert "COEE Montería" in options(page(admin, "/participantes/nuevo"))
    assert "COEE Montería" in options(page(admin, "/admin/staff/nuevo"))
    assert ">COEE Montería</th>" in page(admin, "/tableros/")


def test_an_inactive_centre_is_not_offered(app, api, world, make_client):
    caller = api(world["admin"])
    current = caller.get(f"/centros/{world['centro_b'].id}").get_json()
    assert caller.patch(f"/centros/{world['centro_b'].id}", json={
        "ciudad": "Ocaña", "departamento": "Bolívar", "modalidad": "COEE", "activo": False,
        "fecha_apertura": current["fecha_apertura"], "version": current["version"]}).status_code == 200
    admin = make_client()
    login(admin, world["admin"])
    assert "COEE Ocaña" not in options(page(admin, "/participantes/nuevo"))
    assert "Inactivo" in page(admin, "/admin/centros")


def test_editing_an_account_keeps_its_centre_even_if_not_open(app, api, imported, world, make_client):
    yopal_id = imported["Yopal"][0]
    created = api(world["admin"]).post("/staff", json={
        "username": "asesor.yopal", "password": "Una-clave-larga-2026", "nombre": "Asesor Yopal",
        "rol": "asesor", "centro_id": yopal_id})
    assert created.status_code == 201
    admin = make_client()
    login(admin, world["admin"])
    edit = page(admin, f"/admin/staff/{created.get_json()['id']}")
    assert "COEE Yopal" in options(edit)
    assert re.search(rf'<option selected value="{yopal_id}">|<option value="{yopal_id}" selected>', edit)
