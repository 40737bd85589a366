"""The JSON API of API.md: thin over the same services as the pages."""
from __future__ import annotations


from flask import current_app, g, jsonify, request

from ..admin import services as admin
from ..auth import services as auth
from ..empleabilidad import formacion
from ..empleabilidad import services as vacantes
from ..errors import DomainError, Malformed
from ..extensions import client_address, limiter
from ..itinerario import services as itinerario
from ..microfinanciamiento import services as microfinanciamiento
from ..pagination import Page, page_args
from ..participantes import services as participantes
from ..referenciacion import services as referenciacion
from ..scoping import set_centre_scope
from ..tableros import services as tableros
from ..verificadores import services as verificadores
from ..verificadores.views import send_document
from ..auth.guards import centre_scope
from . import bp
from ..itinerario.dia import today_bogota

PUBLIC_ENDPOINTS = {"api.create_token"}


class Unauthenticated(DomainError):
    status = 401
    code = "no_autenticado"


class UnsupportedType(DomainError):
    status = 415
    code = "tipo_no_soportado"


@bp.before_request
def authenticate_bearer():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    found = auth.staff_for_api_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    if found is None:
        raise Unauthenticated("Falta un token válido: Authorization: Bearer <token>.")
    g.api_staff, g.api_token = found
    set_centre_scope(centre_scope(g.api_staff))


def actor():
    return g.api_staff


def body() -> dict:
    if not request.is_json:
        raise UnsupportedType("Envíe JSON con Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed("El cuerpo no es un objeto JSON válido.")
    return data


def page_of(result: Page, serialise) -> dict:
    return {"items": [serialise(item) for item in result.items], "page": result.page,
            "per_page": result.per_page, "total": result.total}


def paging() -> tuple[int, int]:
    return page_args(request.args.get("page"), request.args.get("per_page"))


def _token_username_key() -> str:
    data = request.get_json(silent=True)
    username = data.get("username") if isinstance(data, dict) else None
    return "login-usuario:" + (username if isinstance(username, str) else "").strip().lower()[:60]


def _not_created(response) -> bool:
    return response.status_code != 201


# ---- tokens --------------------------------------------------------------------------------

@bp.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_USERNAME"], key_func=_token_username_key,
               deduct_when=_not_created, scope="login-usuario")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=client_address,
               deduct_when=_not_created, scope="login-ip")
def create_token():
    data = body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise Malformed("Envíe username y password como texto.")
    staff = auth.authenticate(username, password)
    if staff is None:
        raise Unauthenticated("Usuario o contraseña incorrectos.")
    token, expires_at = auth.issue_api_token(staff)
    return jsonify({"token": token, "expires_at": expires_at.isoformat()}), 201


@bp.delete("/tokens/current")
def revoke_token():
    auth.revoke_api_token(actor(), g.api_token)
    return "", 204


# ---- centros and staff ---------------------------------------------------------------------

@bp.get("/centros")
def list_centros():
    centros = admin.visible_centros(actor())
    return jsonify({"items": [c.to_dict() for c in centros], "page": 1,
                    "per_page": len(centros), "total": len(centros)})


@bp.get("/centros/<int:centro_id>")
def get_centro(centro_id: int):
    return jsonify(admin.get_centro(actor(), centro_id).to_dict())


@bp.post("/centros")
def create_centro():
    return jsonify(admin.create_centro(actor(), body()).to_dict()), 201


@bp.patch("/centros/<int:centro_id>")
def update_centro(centro_id: int):
    return jsonify(admin.update_centro(actor(), centro_id, body()).to_dict())


@bp.get("/staff")
def list_staff():
    page, per_page = paging()
    result = admin.visible_staff(actor(), q=request.args.get("q"), page=page, per_page=per_page)
    return jsonify(page_of(result, lambda s: s.to_dict()))


@bp.post("/staff")
def create_staff():
    return jsonify(admin.create_staff(actor(), body()).to_dict()), 201


@bp.patch("/staff/<int:staff_id>")
def update_staff(staff_id: int):
    return jsonify(admin.update_staff(actor(), staff_id, body()).to_dict())


# ---- participantes and their itinerary -------------------------------------------------------

@bp.post("/participantes")
def create_participante():
    return jsonify(participantes.register(actor(), body()).to_dict()), 201


@bp.get("/participantes")
def list_participantes():
    page, per_page = paging()
    result = participantes.search(actor(), q=request.args.get("q"),
                                  documento=request.args.get("documento"),
                                  page=page, per_page=per_page)
    return jsonify(page_of(result, lambda p: p.to_dict()))


@bp.get("/participantes/<int:participante_id>")
def get_participante(participante_id: int):
    person = participantes.get_visible(actor(), participante_id)
    data = person.to_dict()
    data["itinerario"] = [itinerario.to_dict(a) for a in itinerario.itinerary(person)]
    return jsonify(data)


@bp.patch("/participantes/<int:participante_id>")
def update_participante(participante_id: int):
    return jsonify(participantes.update(actor(), participante_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/actuaciones")
def create_actuacion(participante_id: int):
    return jsonify(itinerario.to_dict(itinerario.register(actor(), participante_id, body()))), 201


@bp.get("/actuaciones/<int:actuacion_id>")
def get_actuacion(actuacion_id: int):
    return jsonify(itinerario.to_dict(itinerario.get_visible_actuacion(actor(), actuacion_id)))


@bp.post("/actuaciones/<int:actuacion_id>/anular")
def annul_actuacion(actuacion_id: int):
    return jsonify(itinerario.to_dict(itinerario.annul(actor(), actuacion_id, body())))


# ---- vacantes ------------------------------------------------------------------------------

@bp.post("/vacantes")
def create_vacante():
    vacante = vacantes.create(actor(), body())
    return jsonify(vacante.to_dict(ocupados=0)), 201


@bp.get("/vacantes")
def list_vacantes():
    page, per_page = paging()
    result = vacantes.search(actor(), q=request.args.get("q"), page=page, per_page=per_page)
    return jsonify({"items": vacantes.with_occupancy(result.items), "page": result.page,
                    "per_page": result.per_page, "total": result.total})


@bp.get("/vacantes/<int:vacante_id>")
def get_vacante(vacante_id: int):
    return jsonify(vacantes.with_occupancy([vacantes.get_visible(actor(), vacante_id)])[0])


@bp.patch("/vacantes/<int:vacante_id>")
def update_vacante(vacante_id: int):
    return jsonify(vacantes.with_occupancy([vacantes.update(actor(), vacante_id, body())])[0])


@bp.post("/vacantes/<int:vacante_id>/remisiones")
def remit_to_vacante(vacante_id: int):
    made = vacantes.remit(actor(), vacante_id, body())
    return jsonify({"items": [itinerario.to_dict(a) for a in made]}), 201


@bp.post("/vacantes/<int:vacante_id>/colocaciones")
def hire_in_vacante(vacante_id: int):
    return jsonify(itinerario.to_dict(vacantes.hire(actor(), vacante_id, body()))), 201


@bp.get("/cursos")
def list_cursos():
    page, per_page = paging()
    result = formacion.cursos(actor(), request.args.get("q"), page, per_page)
    return jsonify(page_of(result, lambda c: c.to_dict()))


@bp.post("/cursos")
def create_curso():
    return jsonify(formacion.create_curso(actor(), body()).to_dict()), 201


@bp.get("/cursos/<int:curso_id>")
def get_curso(curso_id: int):
    curso = formacion.get_curso(actor(), curso_id)
    return jsonify({**curso.to_dict(), "sesiones": [s.to_dict() for s in curso.sesiones]})


@bp.post("/cursos/<int:curso_id>/sesiones")
def create_sesion(curso_id: int):
    return jsonify(formacion.add_sesion(actor(), curso_id, body()).to_dict()), 201


@bp.post("/sesiones/<int:sesion_id>/asistencias")
def mark_asistencias(sesion_id: int):
    made = formacion.mark_attendance(actor(), sesion_id, body())
    return jsonify({"items": [{"id": a.id, "participante_id": a.participante_id,
                               "actuacion_id": a.actuacion_id} for a in made]}), 201


# ---- metas and tableros --------------------------------------------------------------------

@bp.put("/metas")
def put_metas():
    data = body()
    vigencia, metas = tableros.set_metas(actor(), data)
    return jsonify({"centro_id": data.get("centro_id") or actor().centro_id,
                    "vigencia": vigencia.to_dict(), "metas": metas})


@bp.get("/tableros/<any(global, microcapitalizacion):tablero>")
def get_tablero(tablero: str):
    centro_id, desde, hasta = tableros.parse_request(actor(), request.args.to_dict())
    return jsonify(tableros.compute(actor(), tablero, centro_id, desde, hasta).to_dict())


# ---- verificadores -------------------------------------------------------------------------

@bp.post("/verificadores")
def upload_verificadores():
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe los archivos como multipart/form-data en partes 'archivo'.")
    files = [(f.filename or "sin_nombre", f.stream) for f in request.files.getlist("archivo")]
    participante_id = request.form.get("participante_id")
    if participante_id not in (None, "") and not participante_id.isdigit():
        raise Malformed("participante_id debe ser un número.")
    carga = verificadores.upload(
        actor(), files, centro_id=request.form.get("centro_id"),
        participante_id=int(participante_id) if participante_id else None,
        prefijo=request.form.get("prefijo"))
    return jsonify({"carga_id": carga.id, "total": carga.total, "vinculados": carga.vinculados,
                    "items": carga.resultados})


@bp.get("/verificadores")
def list_verificadores():
    page, per_page = paging()
    args = request.args
    result = verificadores.search(
        actor(), centro_id=args.get("centro_id"), prefijo=args.get("prefijo"),
        estado=args.get("estado_revision"), participante_id=args.get("participante_id"),
        page=page, per_page=per_page)
    return jsonify(page_of(result, lambda v: v.to_dict()))


@bp.get("/verificadores/<int:verificador_id>")
def get_verificador(verificador_id: int):
    return jsonify(verificadores.get_visible(actor(), verificador_id).to_dict())


@bp.get("/verificadores/<int:verificador_id>/archivo")
def get_verificador_archivo(verificador_id: int):
    return send_document(actor(), verificador_id)


@bp.post("/verificadores/<int:verificador_id>/revision")
def review_verificador(verificador_id: int):
    return jsonify(verificadores.review(actor(), verificador_id, body()).to_dict())


@bp.get("/verificadores/cobertura")
def verificadores_cobertura():
    args = request.args.to_dict()
    page, per_page = paging()
    data = verificadores.coverage(actor(), args).to_dict()
    missing = verificadores.missing(actor(), args, page, per_page)
    data["faltantes"] = page_of(missing, lambda r: {
        "actuacion_id": r.actuacion_id, "participante_id": r.participante_id,
        "centro_id": r.centro_id, "tipo": r.tipo, "fecha": r.fecha.isoformat(),
        "prefijo": r.prefijo, "orden": r.orden})
    return jsonify(data)


# ---- referenciación ------------------------------------------------------------------------

@bp.get("/programas")
def list_programas():
    page, per_page = paging()
    args = request.args
    result = referenciacion.programas(actor(), q=args.get("q"), categoria=args.get("categoria"),
                                      page=page, per_page=per_page)
    return jsonify(page_of(result, lambda p: p.to_dict()))


@bp.post("/programas")
def create_programa():
    return jsonify(referenciacion.create_programa(actor(), body()).to_dict()), 201


@bp.patch("/programas/<int:programa_id>")
def update_programa(programa_id: int):
    return jsonify(referenciacion.update_programa(actor(), programa_id, body()).to_dict())


@bp.post("/participantes/<int:participante_id>/referencias")
def create_referencia(participante_id: int):
    return jsonify(referenciacion.refer(actor(), participante_id, body()).to_dict()), 201


@bp.get("/referencias")
def list_referencias():
    page, per_page = paging()
    filters = referenciacion.parse_list_args(request.args.to_dict(), today_bogota())
    result = referenciacion.referencias(actor(), page=page, per_page=per_page, **filters)
    return jsonify(page_of(result, lambda r: r.to_dict()))


@bp.get("/referencias/<int:referencia_id>")
def get_referencia(referencia_id: int):
    return jsonify(referenciacion.get_referencia(actor(), referencia_id).to_dict())


@bp.patch("/referencias/<int:referencia_id>")
def update_referencia(referencia_id: int):
    return jsonify(referenciacion.follow_up(actor(), referencia_id, body()).to_dict())


# ---- alertas -------------------------------------------------------------------------------

@bp.get("/alertas")
def list_alertas():
    page, per_page = paging()
    found = microfinanciamiento.alerts(actor(), request.args.to_dict())
    start = (page - 1) * per_page
    return jsonify({"items": [a.to_dict() for a in found.items[start:start + per_page]],
                    "page": page, "per_page": per_page, "total": len(found.items),
                    "por_tipo": found.por_tipo, "umbrales": found.umbrales.__dict__})



# ---- microfinanciamiento ---------------------------------------------------------------------

@bp.get("/comite/sesiones")
def list_sesiones_comite():
    page, per_page = paging()
    return jsonify(page_of(microfinanciamiento.sesiones(actor(), page, per_page), lambda s: s.to_dict()))


@bp.post("/comite/sesiones")
def create_sesion_comite():
    return jsonify(microfinanciamiento.hold_session(actor(), body()).to_dict()), 201


@bp.get("/comite/sesiones/<int:sesion_comite_id>")
def get_sesion_comite(sesion_comite_id: int):
    return jsonify(microfinanciamiento.get_sesion(actor(), sesion_comite_id).to_dict())


@bp.post("/comite/sesiones/<int:sesion_comite_id>/acta")
def upload_acta_sesion_comite(sesion_comite_id: int):
    if request.mimetype != "multipart/form-data":
        raise UnsupportedType("Envíe el acta como multipart/form-data en la parte 'archivo'.")
    files = [(f.filename or "acta", f.stream) for f in request.files.getlist("archivo")]
    return jsonify(microfinanciamiento.upload_acta(actor(), sesion_comite_id, files).to_dict()), 201


@bp.get("/participantes/<int:participante_id>/plan-aprobado")
def get_plan_aprobado(participante_id: int):
    found = microfinanciamiento.approved_plan(actor(), participante_id)
    return jsonify({
        "participante_id": found.persona.id, "comite_id": found.comite.id,
        "plan_id": found.plan.id if found.plan else None, "valor_aprobado": found.comite.valor,
        "valor_entregado": found.valor_entregado, "completo": found.completo,
        "items": [{"descripcion": i.descripcion, "aprobado": i.planeado,
                   "precio_cotizado": i.precio_cotizado, "entregado": i.entregado,
                   "pendiente": i.pendiente} for i in found.items.values()],
        "entregas": [e.id for e in found.entregas]})


@bp.post("/participantes/<int:participante_id>/entregas")
def create_entrega(participante_id: int):
    return jsonify(itinerario.to_dict(microfinanciamiento.deliver(actor(), participante_id, body()))), 201
