from flask import Blueprint

bp = Blueprint("verificadores", __name__, url_prefix="/verificadores")

from . import views  # noqa: E402,F401
