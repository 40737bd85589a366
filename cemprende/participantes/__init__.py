from flask import Blueprint

bp = Blueprint("participantes", __name__, url_prefix="/participantes")

from . import views  # noqa: E402,F401
