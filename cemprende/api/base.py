"""What every route of the JSON API shares: the blueprint, bearer authentication, the JSON body,
paging and the API's own errors. The routes live in one module per process of the itinerary,
each attaching to this blueprint; create_app imports them all where it registers it."""
from __future__ import annotations

from flask import Blueprint, g, request

from ..auth import services as auth
from ..auth.guards import centre_scope
from ..errors import DomainError, Malformed
from ..pagination import Page, page_args
from ..scoping import set_centre_scope

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.create_token", "api.salud", "api.openapi_json"}


class Unauthenticated(DomainError):
    status = 401
    code = "no_autenticado"


class UnsupportedType(DomainError):
    status = 415
    code = "tipo_no_soportado"


@bp.before_request
def authenticate_bearer():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    found = auth.staff_for_api_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    if found is None:
        raise Unauthenticated("Falta un token válido: Authorization: Bearer <token>.")
    g.api_staff, g.api_token = found
    set_centre_scope(centre_scope(g.api_staff))


def actor():
    return g.api_staff


def body() -> dict:
    if not request.is_json:
        raise UnsupportedType("Envíe JSON con Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed("El cuerpo no es un objeto JSON válido.")
    return data


def page_of(result: Page, serialise) -> dict:
    return {"items": [serialise(item) for item in result.items], "page": result.page,
            "per_page": result.per_page, "total": result.total}


def paging() -> tuple[int, int]:
    return page_args(request.args.get("page"), request.args.get("per_page"))
