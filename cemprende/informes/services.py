"""Monthly informes of a centre: generating a frozen version (figures, lists and the director's
narrative as they are now, stored as a JSON snapshot), the history of versions, and the PDF and
XLSX of a version drawn again from its snapshot only, so a report sent shows exactly as sent.

Who: the director of the centre (and admins) generate; directors read their centre's versions,
supervisors and admins every centre's; asesores do not see informes. A month must have started
(Bogotá): the month in course gives figures up to today, marked as such.
"""
from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from io import BytesIO

from sqlalchemy import func, select

from .. import audit
from ..auth.guards import Accion, centre_scope, ensure, is_centre_bound, visible_or_404
from ..cierres.periodo import lock_centre, nombre_mes
from ..errors import DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..models import Centro, InformeVersion
from ..models.base import utcnow
from ..models.informe import TIPOS_INFORME
from ..pagination import Page, paginate
from ..tableros import services as tableros
from ..tableros.registry import TABLEROS
from ..validation import CONTROL, Fields
from . import documentos, queries

ENTIDAD = "informe_version"
NARRATIVA = {
    "logros": "Logros",
    "dificultades": "Dificultades",
    "acciones_mejora": "Acciones de mejora",
    "casos_destacados": "Casos destacados",
}
NARRATIVA_REQUERIDA = ("logros", "dificultades", "acciones_mejora")
MAX_NARRATIVA = 5000
# Rows of the tablero that count people by a sensitive category (Ley 1581: ethnic origin,
# disability, displacement): in a document that leaves the network a cell under 5 shows "< 5".
BLOQUES_SENSIBLES = ("4", "5")


class MesFuturo(DomainError):
    code = "mes_futuro"


# ---- the request --------------------------------------------------------------------------

def _centro(actor, accion: Accion, value) -> Centro:
    if value in (None, "") and is_centre_bound(actor):
        value = actor.centro_id
    f = Fields({"centro_id": value})
    centro_id = f.integer("centro_id", minimum=1, maximum=2_147_483_647)
    f.raise_if_errors()
    ensure(actor, accion, centro_id, entidad=ENTIDAD)
    centro = db.session.get(Centro, centro_id)
    if centro is None:
        raise NotFound("No se encontró el centro.")
    return centro


def periodo(mes: date, today: date | None = None) -> tuple[date, date, bool]:
    """(desde, corte, en_curso) of a month: its last day once ended, else today (Bogotá). A month
    not yet begun has no informe."""
    today = today or today_bogota()
    if mes > today.replace(day=1):
        raise MesFuturo(f"El mes de {nombre_mes(mes)} aún no ha comenzado: solo se generan informes "
                        "de un mes ya iniciado.", {"mes": "Mes futuro."})
    last_day = mes.replace(day=monthrange(mes.year, mes.month)[1])
    return mes, min(last_day, today), last_day >= today


def narrativa(data: dict) -> dict[str, str]:
    """The director's four texts: up to 5.000 characters each, line breaks kept, the first three
    required."""
    errors, clean = {}, {}
    for name, label in NARRATIVA.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name in NARRATIVA_REQUERIDA:
                errors[name] = f"Escriba {label.lower()} del mes."
            clean[name] = ""
            continue
        if not isinstance(value, str):
            errors[name] = "Debe ser un texto."
            continue
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if CONTROL.search(value):
            errors[name] = "No use caracteres de control."
        elif len(value) > MAX_NARRATIVA:
            errors[name] = (f"No puede tener más de {MAX_NARRATIVA:,} caracteres "
                            f"(tiene {len(value):,}).").replace(",", ".")
        else:
            clean[name] = re.sub(r"\n{3,}", "\n\n", value)
    if errors:
        raise ValidationFailed(errors)
    return clean


# ---- the snapshot ---------------------------------------------------------------------------

def _tecnico(actor, centro_id: int, desde: date, corte: date) -> dict:
    """Both tableros for the month and for the vigencia up to the cut, with the vigencia's metas
    (the tableros' own computation: registry, grouped queries, frozen figures of a closed month)."""
    vigencia_desde, _ = tableros.resolve_period(None, corte)
    vigencia = tableros.vigencia_containing(corte)
    result = []
    for nombre in TABLEROS:
        mes = tableros.compute(actor, nombre, centro_id, desde, corte)
        acumulado = (mes if vigencia_desde == desde
                     else tableros.compute(actor, nombre, centro_id, vigencia_desde, corte))
        filas = []
        for del_mes, en_vigencia in zip(mes.filas, acumulado.filas, strict=True):
            fila = del_mes.fila
            filas.append({
                "codigo": fila.codigo, "area": fila.area, "indicador": fila.indicador,
                "descripcion": fila.descripcion, "dinero": fila.dinero,
                "sensible": fila.tablero == "global" and fila.numero in BLOQUES_SENSIBLES,
                "participacion": fila.avance_sobre_enrutados,
                "mes": del_mes.total.resultado, "acumulado": en_vigencia.total.resultado,
                "meta": en_vigencia.total.meta, "avance": en_vigencia.total.avance})
        result.append({"tablero": nombre, "titulo": TABLEROS[nombre], "cerrado": mes.cerrado,
                       "filas": filas})
    return {"vigencia": ({"nombre": vigencia.nombre, "desde": vigencia.desde.isoformat(),
                          "hasta": vigencia.hasta.isoformat()} if vigencia else None),
            "acumulado_desde": vigencia_desde.isoformat(), "tableros": result}


def snapshot(actor, centro: Centro, tipo: str, mes: date, corte: date, en_curso: bool,
             texto: dict | None) -> dict:
    datos = {"tipo": tipo, "titulo": TIPOS_INFORME[tipo],
             "centro": {"id": centro.id, "nombre": centro.nombre, "ciudad": centro.ciudad},
             "mes": f"{mes:%Y-%m}", "nombre_mes": nombre_mes(mes), "desde": mes.isoformat(),
             "corte": corte.isoformat(), "en_curso": en_curso}
    if tipo == "enrutamiento":
        datos.update(queries.enrutamiento(centro.id, mes, corte))
    elif tipo == "capitalizacion":
        datos.update(queries.capitalizacion(centro.id, mes, corte))
    else:
        datos.update(_tecnico(actor, centro.id, mes, corte))
        datos["narrativa"] = texto
    return datos


def generate(actor, data: dict, today: date | None = None) -> InformeVersion:
    """POST /informes: a new frozen version of one informe of a centre and month."""
    if not isinstance(data, dict):
        raise ValidationFailed({}, "Se esperaba un objeto JSON.")
    centro = _centro(actor, Accion.GENERAR_INFORMES, data.get("centro_id"))
    f = Fields(data)
    tipo = f.choice("tipo", TIPOS_INFORME)
    mes, _ = f.month("mes")
    f.raise_if_errors()
    desde, corte, en_curso = periodo(mes, today)
    texto = None
    if tipo == "tecnico":
        raw = data.get("narrativa", data)
        texto = narrativa(raw if isinstance(raw, dict) else {})
    datos = snapshot(actor, centro, tipo, desde, corte, en_curso, texto)
    # Two generations of the same centre at once take their numbers one after the other (the
    # centre's row lock, as a month close takes it), never the same number.
    lock_centre(centro.id, share=False)
    numero = (db.session.scalar(select(func.max(InformeVersion.numero)).where(
        InformeVersion.centro_id == centro.id, InformeVersion.tipo == tipo,
        InformeVersion.mes == mes)) or 0) + 1
    now = utcnow()
    datos.update(version=numero, generado_en=now.isoformat(), generado_por=actor.nombre)
    version = InformeVersion(centro_id=centro.id, tipo=tipo, mes=mes, numero=numero, corte=corte,
                             generado_por_id=actor.id, generado_en=now, datos=datos)
    db.session.add(version)
    db.session.flush()
    audit.record("generar", actor=actor, entidad=ENTIDAD, entidad_id=version.id, centro_id=centro.id,
                 despues={"tipo": tipo, "mes": f"{mes:%Y-%m}", "numero": numero,
                          "corte": corte.isoformat()},
                 detalle=f"{TIPOS_INFORME[tipo]} de {nombre_mes(mes)}, versión {numero}")
    return version


# ---- reading ------------------------------------------------------------------------------

def get_visible(actor, informe_id: int) -> InformeVersion:
    version = visible_or_404(actor, InformeVersion, informe_id, "No se encontró el informe.")
    ensure(actor, Accion.VER_INFORMES, version.centro_id, entidad=ENTIDAD, entidad_id=version.id)
    return version


def listing(actor, args: dict, page: int = 1, per_page: int = 25) -> Page:
    """The versions the caller may see (a director: its centre's), newest month first, each
    month's latest version first."""
    ensure(actor, Accion.VER_INFORMES)
    f = Fields(args)
    centro_id = f.integer("centro_id", required=False, minimum=1, maximum=2_147_483_647)
    tipo = f.choice("tipo", TIPOS_INFORME, required=False)
    mes, _ = f.month("mes", default=None) if args.get("mes") else (None, None)
    f.raise_if_errors()
    statement = select(InformeVersion).order_by(InformeVersion.mes.desc(), InformeVersion.tipo,
                                                InformeVersion.numero.desc())
    scope = centre_scope(actor)
    if scope is not None:
        statement = statement.where(InformeVersion.centro_id == scope)
    if centro_id is not None:
        if scope is not None and centro_id != scope:
            ensure(actor, Accion.VER_INFORMES, centro_id, entidad=ENTIDAD)
        statement = statement.where(InformeVersion.centro_id == centro_id)
    if tipo:
        statement = statement.where(InformeVersion.tipo == tipo)
    if mes:
        statement = statement.where(InformeVersion.mes == mes)
    return paginate(statement, page, per_page)


def last_narrative(actor, centro_id, mes) -> dict[str, str]:
    """The narrative of the centre's latest técnico of the month, to start the next version from."""
    f = Fields({"centro_id": centro_id, "mes": mes})
    centro_id = f.integer("centro_id", minimum=1, maximum=2_147_483_647)
    mes, _ = f.month("mes")
    if f.errors:
        return {}
    ensure(actor, Accion.GENERAR_INFORMES, centro_id, entidad=ENTIDAD)
    version = db.session.scalar(select(InformeVersion).where(
        InformeVersion.centro_id == centro_id, InformeVersion.tipo == "tecnico",
        InformeVersion.mes == mes).order_by(InformeVersion.numero.desc()).limit(1))
    return dict(version.datos.get("narrativa") or {}) if version else {}


# ---- the documents of a version (downloads, audited as exports) ----------------------------

def _filename(version: InformeVersion, extension: str) -> str:
    centro = "".join(c if c.isascii() and c.isalnum() else "_" for c in version.datos["centro"]["nombre"])
    return f"informe_{version.tipo}_{centro}_{version.mes:%Y-%m}_v{version.numero}.{extension}"


def _exported(actor, version: InformeVersion, formato: str) -> None:
    audit.record("exportar", actor=actor, entidad=ENTIDAD, entidad_id=version.id,
                 centro_id=version.centro_id,
                 detalle=f"{version.titulo} de {nombre_mes(version.mes)}, versión {version.numero} "
                         f"({formato.upper()})")


def pdf(actor, informe_id: int) -> tuple[BytesIO, str]:
    version = get_visible(actor, informe_id)
    content = documentos.pdf(version.datos)
    _exported(actor, version, "pdf")
    return content, _filename(version, "pdf")


def xlsx(actor, informe_id: int) -> tuple[BytesIO, str]:
    version = get_visible(actor, informe_id)
    content = documentos.xlsx(version.datos)
    _exported(actor, version, "xlsx")
    return content, _filename(version, "xlsx")
