"""Errors reach people as Spanish pages or the API's error shape, never as tracebacks."""
import logging

import pytest

from cemprende import create_app
from cemprende.config import ProductionConfig, TestConfig
from conftest import login


@pytest.fixture
def broken_app(database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        PROPAGATE_EXCEPTIONS = False

    app = create_app(Config)

    @app.get("/api/v1/_roto")
    @app.get("/_roto")
    def roto():
        raise RuntimeError("detalle interno que nadie debe ver")

    return app


def test_unexpected_error_page_shows_a_request_id_and_no_traceback(broken_app, caplog):
    client = broken_app.test_client()
    with caplog.at_level(logging.ERROR, logger="cemprende"):
        response = client.get("/_roto")
    html = response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert response.status_code == 500
    assert request_id and request_id in html and "Algo salió mal" in html
    assert "Traceback" not in html and "detalle interno" not in html
    assert any("detalle interno" in (r.exc_text or "") for r in caplog.records)


def test_unexpected_api_error_uses_the_error_shape(broken_app):
    client = broken_app.test_client()
    response = client.get("/api/v1/_roto")
    error = response.get_json()["error"]
    assert response.status_code == 500 and error["code"] == "error_interno"
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "detalle interno" not in response.get_data(as_text=True)


def test_api_errors_have_code_and_message(client, api, world):
    caller = api(world["asesor_a"])
    missing = caller.get("/participantes/987654")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "no_encontrado"
    not_json = caller.post("/participantes", data="tipo=CC", content_type="text/plain")
    assert not_json.status_code == 415
    malformed = caller.post("/participantes", data="{no es json", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.get_json()["error"]["code"] == "solicitud_invalida"
    a_list = caller.post("/participantes", json=[1, 2])
    assert a_list.status_code == 400


def test_bad_or_expired_token_is_401(client, app, api, world):
    assert client.get("/api/v1/centros", headers={"Authorization": "Bearer inventado"}).status_code == 401
    caller = api(world["asesor_a"])
    assert caller.delete("/tokens/current").status_code == 204
    assert caller.get("/centros").status_code == 401  # revoked


def test_wrong_password_on_the_api_answers_like_an_unknown_user(client, world):
    wrong = client.post("/api/v1/tokens", json={"username": world["asesor_a"].username,
                                                "password": "no-es-la-clave"})
    unknown = client.post("/api/v1/tokens", json={"username": "fantasma", "password": "no-es-la-clave"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: {k: v for k, v in r.get_json()["error"].items() if k != "request_id"}
    assert strip(wrong) == strip(unknown)


def test_api_token_requests_are_throttled(client, world):
    for _ in range(5):
        client.post("/api/v1/tokens", json={"username": world["asesor_a"].username, "password": "x" * 12})
    throttled = client.post("/api/v1/tokens", json={"username": world["asesor_a"].username,
                                                    "password": "x" * 12})
    assert throttled.status_code == 429
    assert throttled.get_json()["error"]["code"] == "demasiados_intentos"


def test_page_404_is_spanish(client, world):
    login(client, world["asesor_a"])
    response = client.get("/participantes/424242")
    assert response.status_code == 404 and "No encontrado" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    class Config(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config)
