from flask import Blueprint

bp = Blueprint("emprendimiento", __name__, url_prefix="/emprendimiento")

from . import views  # noqa: E402,F401
