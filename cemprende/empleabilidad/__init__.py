from flask import Blueprint

bp = Blueprint("empleabilidad", __name__, url_prefix="/empleabilidad")

from . import views  # noqa: E402,F401
