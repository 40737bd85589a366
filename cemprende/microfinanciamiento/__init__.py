from flask import Blueprint

bp = Blueprint("microfinanciamiento", __name__, url_prefix="/microfinanciamiento")

from . import views  # noqa: E402,F401
