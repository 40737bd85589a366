"""API tokens: issued for a username and password, revoked by their bearer."""
from __future__ import annotations

from flask import current_app, g, jsonify, request

from ..auth import services as auth
from ..errors import Malformed
from ..extensions import client_address, limiter
from .base import Unauthenticated, actor, body, bp


def _token_username_key() -> str:
    data = request.get_json(silent=True)
    username = data.get("username") if isinstance(data, dict) else None
    return "login-usuario:" + (username if isinstance(username, str) else "").strip().lower()[:60]


def _not_created(response) -> bool:
    return response.status_code != 201


@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], key_func=_token_username_key,
               deduct_when=_not_created, scope="login-usuario")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=client_address,
               deduct_when=_not_created, scope="login-ip")
def create_token():
    data = body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Malformed("Envíe username y password como texto.")
    staff = auth.authenticate(username, password)
    if staff is None:
        raise Unauthenticated("Usuario o contraseña incorrectos.")
    token, expires_at = auth.issue_api_token(staff)
    return jsonify({"token": token, "expires_at": expires_at.isoformat()}), 201


@bp.delete("/tokens/current")
def revoke_token():
    auth.revoke_api_token(actor(), g.api_token)
    return "", 204
