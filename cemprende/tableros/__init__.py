from flask import Blueprint

bp = Blueprint("tableros", __name__, url_prefix="/tableros")

from . import views  # noqa: E402,F401
