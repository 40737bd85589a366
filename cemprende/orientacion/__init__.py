from flask import Blueprint

bp = Blueprint("orientacion", __name__, url_prefix="/orientacion")

from . import views  # noqa: E402,F401
