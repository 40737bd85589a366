"""Login, sessions, throttling, password policy, CSRF and security headers."""
import time

from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria, Staff
from conftest import PASSWORD, csrf_token, login


def test_login_page_is_spanish_and_has_the_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html
    assert "Ingresar" in html and "Contraseña" in html


def test_login_succeeds_and_opens_the_advisors_work(client, world):
    response = login(client, world["asesor_a"])
    assert response.status_code == 302 and response.location.endswith("/mi-trabajo")
    assert client.get("/mi-trabajo").status_code == 200
    assert client.get("/participantes/").status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_answer(client, world):
    wrong = login(client, world["asesor_a"], password="otra-clave-equivocada")
    unknown = client.post("/login", data={"username": "nadie.existe", "password": "x" * 12,
                                          "csrf_token": csrf_token(client)})
    assert wrong.status_code == unknown.status_code == 200

    def message(r):
        return [line for line in r.get_data(as_text=True).splitlines() if "mensaje-error" in line]

    assert message(wrong) == message(unknown) == [
        '  <p class="mensaje mensaje-error" role="alert">Usuario o contraseña incorrectos.</p>']


def test_inactive_account_cannot_log_in(client, build):
    centro = build.centro()
    inactive = build.staff("asesor", centro, activo=False)
    assert login(client, inactive).status_code == 200
    assert client.get("/participantes/").status_code == 302


def test_login_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": world["asesor_a"].username,
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/participantes/").status_code == 302


def test_logout_is_a_post_and_really_ends_the_session(client, world):
    login(client, world["asesor_a"])
    assert client.get("/logout").status_code == 405  # no GET changes state
    stolen_cookie = client.get_cookie("session").value
    token = csrf_token(client, "/participantes/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/participantes/").status_code == 302
    # Replaying the cookie from before the logout does not bring the session back.
    client.set_cookie("session", stolen_cookie)
    assert client.get("/participantes/").status_code == 302


def test_deactivating_an_account_ends_its_open_sessions(app, client, make_client, world):
    asesor_client = make_client()
    login(asesor_client, world["asesor_a"])
    assert asesor_client.get("/participantes/").status_code == 200
    login(client, world["admin"])
    with app.app_context():
        version = db.session.get(Staff, world["asesor_a"].id).version
    response = client.post(f"/admin/staff/{world['asesor_a'].id}", data={
        "nombre": "Asesor", "rol": "asesor", "centro_id": str(world["centro_a"].id),
        "activo": "", "version": str(version),
        "csrf_token": csrf_token(client, f"/admin/staff/{world['asesor_a'].id}")})
    assert response.status_code == 302
    assert asesor_client.get("/participantes/").status_code == 302


def test_session_ends_after_thirty_idle_minutes(client, world):
    login(client, world["asesor_a"])
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.get("/participantes/")
    assert response.status_code == 302 and "/login" in response.location


def test_session_is_renewed_at_login(client, world):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "valor de antes"
    login(client, world["asesor_a"])
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_cookie_flags(client, world):
    response = login(client, world["asesor_a"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_every_response(client):
    for path in ("/login", "/no-existe", "/api/v1/centros"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_when_cookies_are_secure(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        assert "max-age" in client.get("/login").headers["Strict-Transport-Security"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_login_is_throttled_per_username(client, world):
    for _ in range(5):
        assert login(client, world["asesor_a"], password="equivocada-123").status_code == 200
    assert login(client, world["asesor_a"], password="equivocada-123").status_code == 429
    # The right password is throttled too until the window passes.
    assert login(client, world["asesor_a"]).status_code == 429
    # Another username from the same address is not yet blocked.
    assert login(client, world["asesor_b"]).status_code == 302


def test_login_is_throttled_per_address(client, world, app):
    before = app.config["LOGIN_LIMIT_PER_ADDRESS"]
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 5 minutes"
    try:
        for name in ("uno.x", "dos.x", "tres.x"):
            client.post("/login", data={"username": name, "password": "x" * 12,
                                        "csrf_token": csrf_token(client)})
        assert login(client, world["asesor_a"]).status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = before


def test_passwords_are_hashed_with_argon2id(app, world):
    with app.app_context():
        stored = db.session.get(Staff, world["asesor_a"].id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_logins_are_audited_both_ways_without_the_password(app, client, world):
    login(client, world["asesor_a"], password="equivocada-123")
    login(client, world["asesor_a"])
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).order_by(Auditoria.id)).all()
        actions = [e.accion for e in entries]
        assert actions == ["login_fallido", "login_ok"]
        assert all(e.username == world["asesor_a"].username for e in entries)
        assert all(e.en.tzinfo is not None for e in entries)
        assert not any("equivocada" in str(e.detalle) + str(e.despues) for e in entries)


def test_next_parameter_cannot_redirect_off_site(client, world):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x", data={
        "username": world["asesor_a"].username, "password": PASSWORD, "csrf_token": token})
    assert response.location.endswith("/mi-trabajo")
