from flask import Blueprint

bp = Blueprint("referenciacion", __name__, url_prefix="/referenciacion")

from . import views  # noqa: E402,F401
