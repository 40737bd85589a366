"""Issue 14's authentication findings: one throttle across every door and process, sessions and
tokens that end with a password change, changing one's own password, and a second factor (TOTP)."""
import os
import re
import socket
import subprocess
import sys
import textwrap
import uuid
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria, Staff
from conftest import BOGOTA_EVENING, PASSWORD, api_token, csrf_token, login
from test_browser import ARTIFACTS, browser, live_server  # noqa: F401  (the Chromium fixtures)

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "Otra-clave-segura-2026"
WRONG = "equivocada-123"


def _page_attempt(client, username, password=WRONG):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def _api_attempt(client, username, password=WRONG, **extra):
    return client.post("/api/v1/tokens", json={"username": username, "password": password, **extra})


def _actions(app) -> list[str]:
    with app.app_context():
        return [e.accion for e in db.session.scalars(select(Auditoria).order_by(Auditoria.id))]


@pytest.fixture
def totp_required(app):
    before = app.config["REQUIRE_TOTP_ROLES"]
    app.config["REQUIRE_TOTP_ROLES"] = ("supervisor", "admin")
    yield
    app.config["REQUIRE_TOTP_ROLES"] = before


def _enrol(app, staff) -> str:
    """Gives the account a TOTP secret directly (set-up, not what these tests exercise)."""
    secret = pyotp.random_base32()
    with app.app_context():
        db.session.get(Staff, staff.id).totp_secret = secret
        db.session.commit()
    return secret


# ---- 1. one throttle for every door --------------------------------------------------------

@pytest.mark.parametrize("last_door", ["page", "api"])
def test_failures_count_together_across_the_page_and_the_api(client, world, last_door):
    username = world["asesor_a"].username
    for _ in range(3):
        assert _page_attempt(client, username).status_code == 200
    for _ in range(2):
        assert _api_attempt(client, username).status_code == 401
    # The sixth attempt, even with the right password, is refused at either door.
    if last_door == "page":
        assert _page_attempt(client, username, PASSWORD).status_code == 429
    else:
        assert _api_attempt(client, username, PASSWORD).status_code == 429


def test_the_username_window_is_fifteen_minutes(client, world):
    username = world["asesor_a"].username
    for _ in range(5):
        assert _api_attempt(client, username).status_code == 401
    with time_machine.travel(BOGOTA_EVENING + timedelta(minutes=10), tick=True):
        assert _api_attempt(client, username, PASSWORD).status_code == 429
    with time_machine.travel(BOGOTA_EVENING + timedelta(minutes=16), tick=True):
        assert _api_attempt(client, username, PASSWORD).status_code == 201


def test_the_address_limit_counts_both_doors(app, client, world):
    before = app.config["LOGIN_LIMIT_PER_ADDRESS"]
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    try:
        assert _page_attempt(client, "nadie.uno").status_code == 200
        assert _api_attempt(client, "nadie.dos").status_code == 401
        assert _page_attempt(client, "nadie.tres").status_code == 200
        assert _api_attempt(client, world["asesor_a"].username, PASSWORD).status_code == 429
        assert _page_attempt(client, world["asesor_b"].username, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = before


REDIS_DOWN = textwrap.dedent("""
    import sys
    from cemprende import create_app
    from cemprende.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = sys.argv[1]
        RATELIMIT_STORAGE_URI = sys.argv[2]
        WTF_CSRF_ENABLED = False

    client = create_app(Config).test_client()
    user, password = sys.argv[3], sys.argv[4]
    codes = [client.get("/login").status_code]
    codes += [client.post("/login", data={"username": user, "password": "mala-clave-1"}).status_code
              for _ in range(3)]
    codes += [client.post("/api/v1/tokens", json={"username": user, "password": "mala-clave-1"}).status_code
              for _ in range(2)]
    codes.append(client.post("/api/v1/tokens", json={"username": user, "password": password}).status_code)
    print(" ".join(map(str, codes)))
""")


ONE_PROCESS = textwrap.dedent("""
    import sys
    from cemprende import create_app
    from cemprende.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = sys.argv[1]
        RATELIMIT_STORAGE_URI = sys.argv[2]
        RATELIMIT_KEY_PREFIX = sys.argv[3]
        WTF_CSRF_ENABLED = False

    client = create_app(Config).test_client()
    door, user, password, times = sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
    if door == "page":
        codes = [client.post("/login", data={"username": user, "password": password}).status_code
                 for _ in range(times)]
    else:
        codes = [client.post("/api/v1/tokens", json={"username": user, "password": password}).status_code
                 for _ in range(times)]
    print(" ".join(map(str, codes)))
""")


def test_page_and_api_failures_in_different_processes_share_the_count_in_redis(database_url, world):
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    prefix = f"cemprende-test-{uuid.uuid4().hex[:8]}"
    username = world["asesor_a"].username

    def process(door, password, times):
        result = subprocess.run(
            [sys.executable, "-c", ONE_PROCESS, database_url, redis_url, prefix, door, username,
             password, str(times)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "memoria" not in result.stderr, "Redis did not answer"
        return [int(code) for code in result.stdout.split()]

    assert process("page", WRONG, 3) == [200] * 3
    assert process("api", WRONG, 2) == [401] * 2
    assert process("page", PASSWORD, 1) == [429]
    assert process("api", PASSWORD, 1) == [429]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_with_redis_down_login_falls_back_to_memory_and_warns(database_url, world):
    result = subprocess.run(
        [sys.executable, "-c", REDIS_DOWN, database_url, f"redis://127.0.0.1:{_closed_port()}/0",
         world["asesor_a"].username, PASSWORD],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert result.returncode == 0, result.stderr[-2000:]
    codes = [int(code) for code in result.stdout.split()]
    # No 500: the throttle still holds, in this process's memory, and says so in the log.
    assert codes == [200, 200, 200, 200, 401, 401, 429]
    assert "límite de intentos" in result.stderr and "memoria" in result.stderr


# ---- 2. a password change or deactivation ends every other session and token -------------------

def _page_session(make_client, staff):
    web = make_client()
    assert login(web, staff).status_code == 302
    return web


def _alive(web) -> bool:
    return web.get("/participantes/").status_code == 200


def test_changing_ones_password_ends_other_sessions_and_tokens_but_not_this_one(
        app, client, make_client, world):
    asesor = world["asesor_a"]
    here, elsewhere = _page_session(make_client, asesor), _page_session(make_client, asesor)
    token = api_token(client, asesor)
    response = here.post("/cuenta/contrasena", data={
        "actual": PASSWORD, "nueva": NEW_PASSWORD, "repetir": NEW_PASSWORD,
        "csrf_token": csrf_token(here, "/cuenta/contrasena")})
    assert response.status_code == 302
    assert _alive(here)
    assert not _alive(elsewhere)
    assert client.get("/api/v1/centros", headers=token).status_code == 401
    assert login(make_client(), asesor).status_code == 200  # the old password no longer works
    assert login(make_client(), asesor, NEW_PASSWORD).status_code == 302
    assert "contrasena_cambiada" in _actions(app)


@pytest.mark.parametrize("who", ["admin", "director_a"])
def test_a_reset_by_admin_or_director_revokes_tokens_and_sessions(client, make_client, world, api, who):
    asesor = world["asesor_a"]
    web = _page_session(make_client, asesor)
    token = api_token(client, asesor)
    manager = api(world[who])
    version = next(s["version"] for s in manager.get("/staff?per_page=200").get_json()["items"]
                   if s["id"] == asesor.id)
    assert manager.patch(f"/staff/{asesor.id}", json={
        "nombre": "Asesor", "rol": "asesor", "centro_id": world["centro_a"].id, "activo": True,
        "password": NEW_PASSWORD, "version": version}).status_code == 200
    assert client.get("/api/v1/centros", headers=token).status_code == 401
    assert not _alive(web)


def test_deactivation_revokes_tokens_for_good(client, world, api):
    asesor = world["asesor_a"]
    token = api_token(client, asesor)
    admin = api(world["admin"])

    def patch(activo):
        version = next(s["version"] for s in admin.get("/staff?per_page=200").get_json()["items"]
                       if s["id"] == asesor.id)
        return admin.patch(f"/staff/{asesor.id}", json={
            "nombre": "Asesor", "rol": "asesor", "centro_id": world["centro_a"].id,
            "activo": activo, "version": version})

    assert patch(False).status_code == 200
    assert client.get("/api/v1/centros", headers=token).status_code == 401
    assert patch(True).status_code == 200
    # Reactivating the account does not bring back a token issued before the deactivation.
    assert client.get("/api/v1/centros", headers=token).status_code == 401


def test_create_admin_on_an_existing_account_ends_its_sessions_and_tokens(app, client, make_client, world):
    admin = world["admin"]
    web = _page_session(make_client, admin)
    token = api_token(client, admin)
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--username", admin.username, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/centros", headers=token).status_code == 401
    assert not _alive(web)


def test_api_password_change_keeps_the_calling_token_and_revokes_the_others(client, make_client, world):
    asesor = world["asesor_a"]
    web = _page_session(make_client, asesor)
    caller, other = api_token(client, asesor), api_token(client, asesor)
    response = client.post("/api/v1/cuenta/contrasena", headers=caller,
                           json={"actual": PASSWORD, "nueva": NEW_PASSWORD})
    assert response.status_code == 200, response.get_json()
    assert client.get("/api/v1/centros", headers=caller).status_code == 200
    assert client.get("/api/v1/centros", headers=other).status_code == 401
    assert not _alive(web)
    assert _api_attempt(client, asesor.username, NEW_PASSWORD).status_code == 201


# ---- 3. "Cambiar mi contraseña" --------------------------------------------------------------

@pytest.mark.parametrize("role", ["asesor_a", "director_a", "supervisor", "admin"])
def test_every_role_has_the_change_password_page(make_client, world, role):
    web = _page_session(make_client, world[role])
    html = web.get("/cuenta/contrasena").get_data(as_text=True)
    for name in ("actual", "nueva", "repetir", "csrf_token"):
        assert f'name="{name}"' in html
    assert "Cambiar mi contraseña" in html
    assert 'href="/cuenta/contrasena"' in web.get("/participantes/").get_data(as_text=True)


@pytest.mark.parametrize("nueva, repetir, message", [
    ("corta-1", "corta-1", "al menos 10 caracteres"),
    ("1234567890", "1234567890", "entre las más usadas"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "no coinciden"),
])
def test_the_new_password_follows_the_staff_policy(make_client, world, nueva, repetir, message):
    web = _page_session(make_client, world["asesor_a"])
    response = web.post("/cuenta/contrasena", data={
        "actual": PASSWORD, "nueva": nueva, "repetir": repetir,
        "csrf_token": csrf_token(web, "/cuenta/contrasena")})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert login(make_client(), world["asesor_a"]).status_code == 302  # unchanged


def test_a_wrong_current_password_counts_as_a_failed_attempt(app, client, make_client, world):
    asesor = world["asesor_a"]
    web = _page_session(make_client, asesor)
    for _ in range(3):
        response = web.post("/cuenta/contrasena", data={
            "actual": WRONG, "nueva": NEW_PASSWORD, "repetir": NEW_PASSWORD,
            "csrf_token": csrf_token(web, "/cuenta/contrasena")})
        assert response.status_code == 422
        assert "contraseña actual no es correcta" in response.get_data(as_text=True)
    headers = api_token(client, asesor)
    for _ in range(2):
        assert client.post("/api/v1/cuenta/contrasena", headers=headers,
                           json={"actual": WRONG, "nueva": NEW_PASSWORD}).status_code == 422
    assert _page_attempt(client, asesor.username, PASSWORD).status_code == 429
    assert client.post("/api/v1/cuenta/contrasena", headers=headers,
                       json={"actual": PASSWORD, "nueva": NEW_PASSWORD}).status_code == 429
    assert _actions(app).count("login_fallido") == 5


def test_change_password_page_needs_its_csrf_token(make_client, world):
    web = _page_session(make_client, world["asesor_a"])
    response = web.post("/cuenta/contrasena", data={
        "actual": PASSWORD, "nueva": NEW_PASSWORD, "repetir": NEW_PASSWORD})
    assert response.status_code == 400
    assert login(make_client(), world["asesor_a"]).status_code == 302


# ---- 4. second factor --------------------------------------------------------------------

def _secret_on(html: str) -> str:
    match = re.search(r'id="secreto-totp">([A-Z2-7 ]+)<', html)
    assert match, "no TOTP secret on the page"
    return match.group(1).replace(" ", "")


def test_supervisor_without_totp_is_sent_to_enrolment_and_enrols(app, make_client, world, totp_required):
    web = make_client()
    response = login(web, world["supervisor"])
    assert response.status_code == 302 and response.location.endswith("/cuenta/segundo-factor")
    # Nothing else opens until the second factor is set up.
    blocked = web.get("/verificadores/")
    assert blocked.status_code == 302 and blocked.location.endswith("/cuenta/segundo-factor")
    html = web.get("/cuenta/segundo-factor").get_data(as_text=True)
    secret = _secret_on(html)
    assert "otpauth://totp/" in html and f"secret={secret}" in html
    token = csrf_token(web, "/cuenta/segundo-factor")
    assert web.post("/cuenta/segundo-factor", data={
        "codigo": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
        "csrf_token": token}).status_code == 422
    done = web.post("/cuenta/segundo-factor", data={
        "codigo": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert done.status_code == 200
    codes = re.findall(r'<li class="codigo-recuperacion">([a-z0-9-]+)</li>', done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        staff = db.session.get(Staff, world["supervisor"].id)
        assert staff.totp_secret == secret
        stored = [c.codigo_hash for c in staff.codigos_recuperacion]
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert web.get("/verificadores/").status_code == 200
    # Shown once: the enrolment page no longer shows a secret or the codes.
    again = web.get("/cuenta/segundo-factor").get_data(as_text=True)
    assert secret not in again and codes[0] not in again
    assert "totp_activado" in _actions(app)


def test_an_asesor_is_not_asked_for_a_second_factor(make_client, world, totp_required):
    web = make_client()
    response = login(web, world["asesor_a"])
    assert response.status_code == 302 and response.location.endswith("/mi-trabajo")


def test_login_asks_for_the_code_after_the_password(app, make_client, world, totp_required):
    secret = _enrol(app, world["admin"])
    web = make_client()
    response = login(web, world["admin"])
    assert response.status_code == 302 and response.location.endswith("/login/codigo")
    assert web.get("/participantes/").status_code == 302  # not in yet
    token = csrf_token(web, "/login/codigo")
    wrong = web.post("/login/codigo", data={"codigo": "12345", "csrf_token": token})
    assert wrong.status_code == 200 and "código no es válido" in wrong.get_data(as_text=True)
    assert web.get("/participantes/").status_code == 302
    right = web.post("/login/codigo", data={"codigo": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert right.status_code == 302
    assert web.get("/participantes/").status_code == 200
    actions = _actions(app)
    assert actions.index("totp_fallido") < actions.index("login_ok")


def test_the_code_step_cannot_be_skipped_without_the_password(app, make_client, world, totp_required):
    secret = _enrol(app, world["admin"])
    web = make_client()
    response = web.post("/login/codigo", data={"codigo": pyotp.TOTP(secret).now(),
                                                   "csrf_token": csrf_token(web)})
    assert response.status_code == 302 and "/login" in response.location
    assert web.get("/participantes/").status_code == 302


def test_a_recovery_code_works_once(app, make_client, world, totp_required):
    web = _page_session(make_client, world["admin"])  # enrols through the page
    secret = _secret_on(web.get("/cuenta/segundo-factor").get_data(as_text=True))
    done = web.post("/cuenta/segundo-factor", data={
        "codigo": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(web, "/cuenta/segundo-factor")})
    code = re.findall(r'<li class="codigo-recuperacion">([a-z0-9-]+)</li>', done.get_data(as_text=True))[0]
    for expected in (302, 200):
        other = make_client()
        assert login(other, world["admin"]).location.endswith("/login/codigo")
        response = other.post("/login/codigo", data={"codigo": code.upper(),
                                                     "csrf_token": csrf_token(other, "/login/codigo")})
        assert response.status_code == expected
    assert "codigo_recuperacion_usado" in _actions(app)


def test_wrong_codes_count_for_the_throttle(app, make_client, client, world, totp_required):
    _enrol(app, world["admin"])
    web = make_client()
    login(web, world["admin"])
    for _ in range(5):
        web.post("/login/codigo", data={"codigo": "999999x",
                                            "csrf_token": csrf_token(web, "/login/codigo")})
    assert _api_attempt(client, world["admin"].username, PASSWORD).status_code == 429
    assert _actions(app).count("totp_fallido") == 5


def test_tokens_need_the_code_for_accounts_with_totp(app, client, world, totp_required):
    secret = _enrol(app, world["supervisor"])
    username = world["supervisor"].username
    missing = _api_attempt(client, username, PASSWORD)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "segundo_factor"
    assert _api_attempt(client, username, PASSWORD, codigo="000000x").status_code == 401
    assert _api_attempt(client, username, PASSWORD, codigo=pyotp.TOTP(secret).now()).status_code == 201
    # The same code is not accepted twice.
    assert _api_attempt(client, username, PASSWORD, codigo=pyotp.TOTP(secret).now()).status_code == 401


def test_no_token_for_a_supervisor_who_has_not_enrolled(client, world, totp_required):
    response = _api_attempt(client, world["supervisor"].username, PASSWORD)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "segundo_factor_pendiente"


def test_an_admin_removes_a_lost_second_factor(app, client, make_client, world):
    secret = _enrol(app, world["supervisor"])
    username = world["supervisor"].username
    token = _api_attempt(client, username, PASSWORD, codigo=pyotp.TOTP(secret).now())
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    web = _page_session(make_client, world["admin"])
    page = f"/admin/staff/{world['supervisor'].id}"
    assert "Quitar segundo factor" in web.get(page).get_data(as_text=True)
    response = web.post(f"{page}/quitar-segundo-factor", data={"csrf_token": csrf_token(web, page)})
    assert response.status_code == 303
    with app.app_context():
        staff = db.session.get(Staff, world["supervisor"].id)
        assert staff.totp_secret is None and staff.codigos_recuperacion == []
    assert client.get("/api/v1/centros", headers=headers).status_code == 401
    assert "Quitar segundo factor" not in web.get(page).get_data(as_text=True)
    assert "totp_quitado" in _actions(app)


def test_a_director_removes_it_only_for_its_own_centre_staff(app, make_client, world):
    for who in ("asesor_a", "asesor_b", "supervisor"):
        _enrol(app, world[who])
    web = _page_session(make_client, world["director_a"])
    token = csrf_token(web, "/participantes/")

    def remove(who):
        return web.post(f"/admin/staff/{world[who].id}/quitar-segundo-factor",
                        data={"csrf_token": token}).status_code

    assert remove("supervisor") == 403
    assert remove("asesor_b") == 404
    assert remove("asesor_a") == 303
    with app.app_context():
        assert db.session.get(Staff, world["supervisor"].id).totp_secret is not None
        assert db.session.get(Staff, world["asesor_b"].id).totp_secret is not None
        assert db.session.get(Staff, world["asesor_a"].id).totp_secret is None


# ---- the second factor in a real browser ---------------------------------------------------------

@pytest.mark.real_clock
def test_admin_enrols_and_signs_in_with_a_recovery_code_in_chromium(browser, live_server, world,
                                                                     totp_required):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def sign_in():
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", world["admin"].username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")

    sign_in()
    page.wait_for_url("**/cuenta/segundo-factor")
    secret = page.inner_text("#secreto-totp").replace(" ", "")
    page.fill("input[name=codigo]", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.wait_for_selector("text=No se volverán a mostrar")
    codes = page.locator("li.codigo-recuperacion").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(ARTIFACTS / "segundo-factor-codigos.png"), full_page=True)
    page.click("header button:has-text('Salir')")
    page.wait_for_url("**/login")

    sign_in()
    page.wait_for_url("**/login/codigo")
    page.fill("input[name=codigo]", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_url("**/participantes/")
    assert "Cambiar mi contraseña" in page.content()
    context.close()
