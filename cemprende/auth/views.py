import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import client_address, limiter
from . import services
from .forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__)


def _login_username_key() -> str:
    return "login-usuario:" + (request.form.get("username") or "").strip().lower()[:60]


def _failed(response) -> bool:
    return response.status_code != 302


def home_url(staff) -> str:
    # Each role starts where its daily work is: an advisor's pending work, a PNUD supervisor's
    # review queue; directors and admins start from people.
    if staff.rol == "asesor":
        return url_for("trabajo.inicio")
    if staff.rol == "supervisor":
        return url_for("verificadores.lista")
    return url_for("participantes.lista")


def _safe_next(target: str | None, staff) -> str:
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return home_url(staff)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], key_func=_login_username_key,
               methods=["POST"], deduct_when=_failed, scope="login-usuario")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=client_address,
               methods=["POST"], deduct_when=_failed, scope="login-ip")
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        staff = services.authenticate(form.username.data, form.password.data)
        if staff is not None:
            next_url = _safe_next(request.args.get("next"), staff)
            session.clear()  # a fresh session at login: nothing from before survives
            login_user(staff)
            session["last_seen"] = time.time()
            return redirect(next_url)
        flash("Usuario o contraseña incorrectos.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services.logout(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("Sesión cerrada.", "ok")
    return redirect(url_for("auth.login"))


@bp.route("/")
@login_required
def inicio():
    return redirect(home_url(current_user))
