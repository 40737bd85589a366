"""API tokens: issued for a username and password (and the TOTP code of accounts with a second
factor), revoked by their bearer; changing one's own password. Failed attempts go through the one
throttle shared with the login page (cemprende/auth/throttle.py)."""
from __future__ import annotations

from flask import g, jsonify

from ..auth import services as auth
from ..errors import Malformed
from .base import Unauthenticated, actor, body, bp


@bp.post("/tokens")
def create_token():
    data = body()
    username, password, codigo = data.get("username"), data.get("password"), data.get("codigo")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Malformed("Envíe username y password como texto.")
    if codigo is not None and not isinstance(codigo, str):
        raise Malformed("Envíe codigo como texto.")
    staff = auth.authenticate_for_token(username, password, codigo)
    if staff is None:
        raise Unauthenticated("Usuario o contraseña incorrectos.")
    token, expires_at = auth.issue_api_token(staff)
    return jsonify({"token": token, "expires_at": expires_at.isoformat()}), 201


@bp.delete("/tokens/current")
def revoke_token():
    auth.revoke_api_token(actor(), g.api_token)
    return "", 204


@bp.post("/cuenta/contrasena")
def change_password():
    """{"actual", "nueva"}: every other token and page session of the account ends; this token
    goes on."""
    data = body()
    auth.change_own_password(actor(), data.get("actual"), data.get("nueva"),
                             keep_token_id=g.api_token.id)
    return jsonify({"cambiada": True})
