from flask import Blueprint

bp = Blueprint("trabajo", __name__)

from . import views  # noqa: E402,F401
