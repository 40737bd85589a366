"""Centres and staff accounts."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, update

from .. import audit, lugares
from ..auth.guards import Accion, centre_scope, ensure, is_centre_bound, may, scoped_select, visible_or_404
from ..auth.passwords import hash_password, password_problem
from ..auth.services import end_sessions
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..models import Centro, MunicipioAlias, Participante, Staff
from ..models.centro import MODALIDADES
from ..models.staff import ROLES, ROLES_CON_CENTRO
from ..pagination import Page, paginate
from ..scoping import ALL_CENTRES_OPTION
from ..tableros import resumen
from ..tableros.queries import centros_de_la_red
from ..validation import Fields, check_version

BUNDLED_CENTROS = Path(__file__).resolve().parent.parent / "data" / "centros.csv"


# ---- centros -------------------------------------------------------------------------------

def visible_centros(actor) -> list[Centro]:
    """Every centre the caller may see, opened or not (the admin's list, names of past records)."""
    statement = scoped_select(actor, Centro, centre_column=Centro.id).order_by(Centro.nombre)
    return list(db.session.scalars(statement))


def centros_en_servicio(actor, today: date | None = None, keep: int | None = None) -> list[Centro]:
    """The centres offered to pick from: visible, active and opened by today. A centre with no
    opening date is not open until an administrator sets one. `keep` is the centre a record
    already has, kept on offer so that editing the record does not silently move it."""
    ensure(actor, Accion.VER)
    today = today or today_bogota()
    scope = centre_scope(actor)
    return [c for c in centros_de_la_red()
            if (scope is None or c.id == scope) and (c.en_servicio(today) or (keep and c.id == keep))]


def estado_centro(centro: Centro, today: date | None = None) -> str:
    """How the admin list describes a centre: in service, or why it is not offered."""
    today = today or today_bogota()
    if not centro.activo:
        return "Inactivo"
    if centro.fecha_apertura is None:
        return "Sin abrir: falta la fecha de apertura"
    if not centro.abierto_al(today):
        return f"Abre el {centro.fecha_apertura:%d/%m/%Y}"
    return "Abierto"


def centros_con_estado(actor) -> list[tuple[Centro, str]]:
    ensure(actor, Accion.GESTIONAR_CENTROS)
    today = today_bogota()
    return [(c, estado_centro(c, today)) for c in visible_centros(actor)]


def get_centro(actor, centro_id: int) -> Centro:
    return visible_or_404(actor, Centro, centro_id, "No se encontró el centro.",
                          centre_of=lambda centro: centro.id)


def _centro_fields(data: dict) -> dict:
    f = Fields(data)
    f.text("ciudad", max_length=80)
    f.text("departamento", max_length=80)
    f.choice("modalidad", MODALIDADES)
    f.date("fecha_apertura", required=False)
    f.date("fecha_lanzamiento", required=False)
    nombre = f.text("nombre", required=False, max_length=120)
    if nombre is None and f.clean.get("modalidad") and f.clean.get("ciudad"):
        f.clean["nombre"] = f"{f.clean['modalidad']} {f.clean['ciudad']}"
    apertura, lanzamiento = f.clean.get("fecha_apertura"), f.clean.get("fecha_lanzamiento")
    if apertura and lanzamiento and lanzamiento < apertura:
        f.fail("fecha_lanzamiento", "El lanzamiento no puede ser anterior a la apertura.")
    f.raise_if_errors()
    return f.clean


def _refuse_duplicate_centro(nombre: str, except_id: int | None = None) -> None:
    existing = db.session.scalar(select(Centro).where(func.lower(Centro.nombre) == nombre.lower()))
    if existing is not None and existing.id != except_id:
        raise Conflict("Ya existe un centro con ese nombre.", {"nombre": "Nombre repetido."})


def create_centro(actor, data: dict) -> Centro:
    ensure(actor, Accion.GESTIONAR_CENTROS)
    values = _centro_fields(data)
    _refuse_duplicate_centro(values["nombre"])
    return audit.add_audited(Centro(**values), actor=actor, entidad="centro", centro_id=None,
                             values=values)


def update_centro(actor, centro_id: int, data: dict) -> Centro:
    centro = get_centro(actor, centro_id)
    ensure(actor, Accion.GESTIONAR_CENTROS)
    check_version(data, centro.version)
    values = _centro_fields(data)
    f = Fields(data)
    activo = f.boolean("activo")
    _refuse_duplicate_centro(values["nombre"], except_id=centro.id)
    if activo is not None:
        values["activo"] = activo
    return audit.update_audited(centro, values, actor=actor, entidad="centro", centro_id=centro.id)


def import_centros(csv_path: Path | None = None) -> tuple[int, int]:
    """Adds the centres of the CSV that are missing (by name); returns (added, already there)."""
    path = Path(csv_path) if csv_path else BUNDLED_CENTROS
    added = existing = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            nombre = f"{row['modalidad'].strip()} {row['ciudad'].strip()}"
            if db.session.scalar(select(Centro.id).where(Centro.nombre == nombre)):
                existing += 1
                continue
            db.session.add(Centro(
                nombre=nombre, ciudad=row["ciudad"].strip(),
                departamento=row["departamento"].strip(), modalidad=row["modalidad"].strip(),
                fecha_apertura=_optional_date(row.get("fecha_apertura")),
                fecha_lanzamiento=_optional_date(row.get("fecha_lanzamiento")),
            ))
            added += 1
    db.session.flush()
    if added:
        audit.record("importar", entidad="centro", username="cli", detalle=f"{added} centros")
    return added, existing


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


# ---- staff ---------------------------------------------------------------------------------

def _staff_roles_for(actor) -> tuple[str, ...]:
    """A director manages only asesores; an admin every role."""
    return ("asesor",) if actor.rol == "director" else ROLES


def _ensure_may_manage(actor, staff: Staff | None = None, centro_id: int | None = None) -> None:
    target_centre = staff.centro_id if staff is not None else centro_id
    if is_centre_bound(actor):
        ensure(actor, Accion.GESTIONAR_STAFF, target_centre if target_centre else -1,
               entidad="staff", entidad_id=getattr(staff, "id", None))
    else:
        ensure(actor, Accion.GESTIONAR_STAFF)
    if staff is not None and staff.rol not in _staff_roles_for(actor):
        ensure(actor, Accion.GESTIONAR_CENTROS, entidad="staff", entidad_id=staff.id)


def may_manage(actor, staff: Staff) -> bool:
    """Whether `actor` may open and change this account (a director: the asesores of its centre)."""
    if is_centre_bound(actor) and staff.centro_id != actor.centro_id:
        return False
    return may(actor, Accion.GESTIONAR_STAFF) and (
        staff.rol in _staff_roles_for(actor) or may(actor, Accion.GESTIONAR_CENTROS))


def visible_staff(actor, *, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    ensure(actor, Accion.GESTIONAR_STAFF)
    statement = scoped_select(actor, Staff)
    if q and q.strip():
        term = q.strip()
        statement = statement.where(Staff.username.icontains(term, autoescape=True)
                                    | Staff.nombre.icontains(term, autoescape=True))
    return paginate(statement.order_by(Staff.nombre, Staff.id), page, per_page)


def get_staff(actor, staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("No se encontró la cuenta.")
    _ensure_may_manage(actor, staff)
    return staff


def _check_password(f: Fields, required: bool) -> str | None:
    password = f.data.get("password")
    if password in (None, "") and not required:
        return None
    if not isinstance(password, str) or not password:
        f.fail("password", "Escriba una contraseña.")
        return None
    problem = password_problem(password)
    if problem:
        f.fail("password", problem)
        return None
    return password


def _check_role_and_centre(actor, f: Fields) -> None:
    rol = f.choice("rol", ROLES)
    if rol is not None and rol not in _staff_roles_for(actor):
        f.fail("rol", "Usted solo puede crear cuentas de asesor.")
        return
    centro_raw = f.data.get("centro_id")
    if rol in ROLES_CON_CENTRO:
        if is_centre_bound(actor) and centro_raw in (None, ""):
            f.clean["centro_id"] = actor.centro_id
            return
        centro_id = f.integer("centro_id", minimum=1)
        if centro_id is None:
            return
        if is_centre_bound(actor) and centro_id != actor.centro_id:
            f.fail("centro_id", "Solo puede gestionar cuentas de su propio centro.")
        elif db.session.get(Centro, centro_id) is None:
            f.fail("centro_id", "El centro no existe.")
    elif rol is not None:
        if centro_raw not in (None, ""):
            f.fail("centro_id", "Supervisores y administradores no pertenecen a un centro.")
        f.clean["centro_id"] = None


def create_staff(actor, data: dict) -> Staff:
    _ensure_may_manage(actor, centro_id=actor.centro_id)
    f = Fields(data)
    username = f.text("username", max_length=60, min_length=3, pattern=r"[A-Za-z0-9._-]+",
                      pattern_message="Use letras, dígitos, punto, guion o guion bajo.")
    f.text("nombre", max_length=120)
    password = _check_password(f, required=True)
    _check_role_and_centre(actor, f)
    if username and db.session.scalar(
            select(Staff.id).where(func.lower(Staff.username) == username.lower())):
        f.fail("username", "Ese usuario ya existe.")
    f.raise_if_errors()
    values = {k: f.clean[k] for k in ("username", "nombre", "rol", "centro_id")}
    return audit.add_audited(Staff(**values, password_hash=hash_password(password), activo=True),
                             actor=actor, entidad="staff", centro_id=values["centro_id"],
                             values=values)


def update_staff(actor, staff_id: int, data: dict) -> Staff:
    staff = get_staff(actor, staff_id)
    check_version(data, staff.version)
    f = Fields(data)
    f.text("nombre", max_length=120)
    activo = f.boolean("activo", required=True)
    password = _check_password(f, required=False)
    _check_role_and_centre(actor, f)
    if staff.id == actor.id and activo is False:
        f.fail("activo", "No puede desactivar su propia cuenta.")
    f.raise_if_errors()
    values = {k: f.clean[k] for k in ("nombre", "rol", "centro_id", "activo")}
    # Deactivation, a new password or a new role end every open session of the account.
    if (staff.activo and not values["activo"]) or password or staff.rol != values["rol"]:
        end_sessions(staff)
    if password:
        staff.password_hash = hash_password(password)
    return audit.update_audited(staff, values, actor=actor, entidad="staff",
                                centro_id=values["centro_id"],
                                # Bandit B105: audit marker, no password
                                extra_after={"password": "cambiada"} if password else None)  # nosec B105


def ensure_admin(username: str, password: str, nombre: str = "Administrador") -> Staff:
    """For the CLI: creates the admin, or resets its password if it already exists."""
    problem = password_problem(password)
    if problem:
        raise ValidationFailed({"password": problem})
    staff = db.session.scalar(select(Staff).where(func.lower(Staff.username) == username.lower()))
    if staff is None:
        staff = Staff(username=username, nombre=nombre, rol="admin", centro_id=None,
                      password_hash=hash_password(password), activo=True)
        db.session.add(staff)
        accion = "crear"
    else:
        if staff.rol != "admin":
            raise Conflict(f"El usuario {username} ya existe y no es administrador.")
        staff.password_hash = hash_password(password)
        staff.activo = True
        end_sessions(staff)
        accion = "editar"
    db.session.flush()
    audit.record(accion, username="cli", entidad="staff", entidad_id=staff.id,
                 despues={"username": username, "rol": staff.rol})
    return staff


# ---- municipality spellings -------------------------------------------------------------------

@dataclass
class GrafiaSinMapa:
    clave: str
    ejemplo: str
    personas: int


def unmatched_municipios(actor, page: int = 1, per_page: int = 50) -> Page:
    """Typed municipalities the catalogue does not know, most frequent first."""
    ensure(actor, Accion.GESTIONAR_CENTROS)
    p = Participante
    statement = (select(p.municipio_clave, func.max(p.municipio), func.count())
                 .where(p.subregion.is_(None), p.municipio_clave.is_not(None))
                 .group_by(p.municipio_clave)
                 .order_by(func.count().desc(), p.municipio_clave)
                 .execution_options(**{ALL_CENTRES_OPTION: True}))
    result = paginate(statement, page, per_page, rows=True)
    result.items = [GrafiaSinMapa(*row) for row in result.items]
    return result


def map_municipio(actor, data: dict) -> int:
    """Maps a spelling to a municipality of the catalogue: the people already typed that way get
    its name and subregion, and so will those typed that way later. Returns how many moved."""
    ensure(actor, Accion.GESTIONAR_CENTROS)
    f = Fields(data)
    clave = f.text("clave", max_length=80)
    nombre = f.text("municipio", max_length=80)
    found = {f"{m.nombre} ({m.departamento})": m for m in lugares.municipios()}.get(nombre or "")
    if nombre and found is None:
        f.fail("municipio", "Elija un municipio del catálogo.")
    f.raise_if_errors()
    alias = db.session.get(MunicipioAlias, clave) or MunicipioAlias(clave=clave,
                                                                      creado_por_id=actor.id)
    alias.municipio_oficial, alias.subregion = found.nombre, found.subregion
    db.session.add(alias)
    unmatched = (Participante.municipio_clave == clave, Participante.subregion.is_(None))
    people = db.session.scalars(select(Participante.id).where(*unmatched)
                                .execution_options(**{ALL_CENTRES_OPTION: True})).all()
    # The bulk UPDATE bypasses the flush: the tableros' summary by municipio follows it here
    # (these people's figures move from "Sin información" to the municipality, same transaction).
    moved = 0
    with resumen.following({participante_id: {resumen.MUNICIPIO} for participante_id in people}):
        for start in range(0, len(people), resumen.BATCH):
            moved += db.session.execute(
                update(Participante).where(*unmatched, Participante.id.in_(people[start:start + resumen.BATCH]))
                .values(municipio_oficial=found.nombre, subregion=found.subregion)
                .execution_options(**{ALL_CENTRES_OPTION: True}, synchronize_session=False)).rowcount
    audit.record("mapear_municipio", actor=actor, entidad="municipio_alias",
                 detalle=f"{clave} → {found.nombre}, {found.departamento} ({moved} personas)")
    return moved
