import time
from urllib.parse import urlsplit

from flask import (
    Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from .. import security
from ..forms import submit
from ..models import Staff
from . import segundo_factor, services
from .forms import CambiarContrasenaForm, CodigoForm, LoginForm, LogoutForm
from .loader import current_staff

bp = Blueprint("auth", __name__)

PENDING = "segundo_paso"  # session key: the account whose password was right, awaiting its code
PENDING_SECONDS = 300
# Bandit B105: a session key name, not a secret
ENROLMENT_SECRET = "totp_por_confirmar"  # nosec B105
OPEN_WHILE_ENROLLING = {"static", "auth.segundo_factor", "auth.logout", "auth.login",
                        "auth.cambiar_contrasena"}


def home_url(staff) -> str:
    # Each role starts where its daily work is: an advisor's pending work, a director's centre
    # this month, a PNUD supervisor's network; admins start from people.
    if staff.rol == "asesor":
        return url_for("trabajo.inicio")
    if staff.rol == "director":
        return url_for("trabajo.centro")
    if staff.rol == "supervisor":
        return url_for("trabajo.red")
    return url_for("participantes.lista")


def _safe_next(target: str | None, staff) -> str:
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return home_url(staff)


def _start_session(staff, next_url: str):
    session.clear()  # a fresh session at login: nothing from before survives
    login_user(staff)
    session["last_seen"] = time.time()
    if segundo_factor.needs_enrolment(staff):
        return redirect(url_for("auth.segundo_factor"))
    return redirect(next_url)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        staff = services.authenticate(form.username.data, form.password.data)
        if staff is not None:
            next_url = _safe_next(request.args.get("next"), staff)
            if staff.totp_activo:
                session.clear()
                session[PENDING] = {"id": staff.id, "token": staff.session_token, "next": next_url,
                                    "hasta": time.time() + PENDING_SECONDS}
                return redirect(url_for("auth.codigo"))
            services.complete_login(staff)
            return _start_session(staff, next_url)
        flash("Usuario o contraseña incorrectos.", "error")
    return render_template("auth/login.html", form=form)


def _pending_staff() -> Staff | None:
    """The account whose password was just right, if that was less than five minutes ago and
    nothing ended its sessions since."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("hasta", 0) < time.time():
        return None
    return services.awaiting_second_factor(pending.get("id"), pending.get("token"))


@bp.route("/login/codigo", methods=["GET", "POST"])
def codigo():
    """The second step of the login, for accounts with a second factor."""
    staff = _pending_staff()
    if staff is None:
        session.pop(PENDING, None)
        flash("Ingrese de nuevo con su usuario y contraseña.", "aviso")
        return redirect(url_for("auth.login"))
    form = CodigoForm()
    if form.validate_on_submit():
        if services.check_second_factor(staff, form.codigo.data):
            next_url = session[PENDING]["next"]
            services.complete_login(staff)
            return _start_session(staff, next_url)
        flash("El código no es válido. Use el código vigente de su aplicación o un código de "
              "recuperación.", "error")
    return render_template("auth/codigo.html", form=form)


@bp.before_app_request
def require_second_factor():
    """A role that must use a second factor and has not set it up reaches only its set-up page."""
    if request.blueprint == "api" or request.endpoint in OPEN_WHILE_ENROLLING:
        return None
    if current_user.is_authenticated and segundo_factor.needs_enrolment(current_user):
        return redirect(url_for("auth.segundo_factor"))
    return None


@bp.route("/cuenta/segundo-factor", methods=["GET", "POST"], endpoint="segundo_factor")
@login_required
def segundo_factor_page():
    staff = current_staff()
    if staff.totp_activo:
        session.pop(ENROLMENT_SECRET, None)
        return render_template("auth/segundo_factor.html", activo=True, codigos=None, form=None)
    secret = session.get(ENROLMENT_SECRET) or segundo_factor.new_secret()
    session[ENROLMENT_SECRET] = secret
    form = CodigoForm()
    outcome = submit(form, lambda data: segundo_factor.enrol(staff, secret, data["codigo"]))
    if outcome.done:
        session.pop(ENROLMENT_SECRET, None)
        return render_template("auth/segundo_factor.html", activo=True, codigos=outcome.result,
                               form=None)
    return render_template(
        "auth/segundo_factor.html", activo=False, codigos=None, form=form, errors=outcome.errors,
        secreto=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        uri=segundo_factor.provisioning_uri(staff, secret),
        obligatorio=segundo_factor.required(staff)), outcome.status


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@login_required
def cambiar_contrasena():
    staff = current_staff()
    form = CambiarContrasenaForm()
    outcome = submit(form, lambda data: services.change_own_password(
        staff, data["actual"], data["nueva"], data["repetir"]) or True)
    if outcome.done:
        login_user(staff)  # this session goes on, on the account's new session token
        session["last_seen"] = time.time()
        flash("Contraseña cambiada. Las demás sesiones y los tokens de su cuenta se cerraron.", "ok")
        return redirect(home_url(staff))
    return render_template("auth/contrasena.html", form=form, errors=outcome.errors), outcome.status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services.logout(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("Sesión cerrada.", "ok")
    return redirect(url_for("auth.login"))


@bp.route("/sesion/extender", methods=["POST"])
@login_required
def extender_sesion():
    """"Seguir trabajando" before the idle timeout: the session's idle clock starts again (the
    CSRF token comes in the X-CSRFToken header)."""
    security.touch_session()
    seconds = int(current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds())
    return jsonify({"segundos_restantes": seconds})


@bp.route("/")
@login_required
def inicio():
    return redirect(home_url(current_user))


@bp.route("/admin/staff/<int:staff_id>/quitar-segundo-factor", methods=["POST"])
@login_required
def quitar_segundo_factor(staff_id: int):
    if not LogoutForm().validate_on_submit():  # only the CSRF token
        return redirect(url_for("admin.editar_staff", staff_id=staff_id))
    removed = services.remove_second_factor(current_staff(), staff_id)
    flash("Se quitó el segundo factor; la cuenta lo configurará de nuevo al ingresar." if removed
          else "La cuenta no tenía segundo factor.", "ok")
    return redirect(url_for("admin.editar_staff", staff_id=staff_id), 303)
