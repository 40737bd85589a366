"""Month close: closing (with the checklist), accepting, returning, reopening, and the figures
frozen at each close. Every transition is audited with who, when and why."""
from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from sqlalchemy import select

from .. import audit
from ..auth.guards import Accion, centre_scope, ensure, visible_or_404
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..itinerario.dia import today_bogota
from ..models import Auditoria, Centro, CierreCifra, CierreMes, Meta
from ..models.base import utcnow
from ..models.cierre import CERRADOS, ESTADOS_CIERRE
from ..pagination import Page, paginate
from ..tableros import queries as tablero_queries
from ..tableros import services as tableros
from ..tableros.registry import FILAS, Promedio
from ..validation import Fields
from . import queries
from .periodo import lock_centre, nombre_mes

MES = re.compile(r"^(\d{4})-(\d{2})$")
ENTIDAD = "cierre_mes"


class MesNoTerminado(DomainError):
    code = "mes_no_terminado"


class EstadoCierre(Conflict):
    code = "estado_cierre"


# ---- months and windows --------------------------------------------------------------------------

def parse_mes(value) -> date:
    """«2026-02» → 1 February 2026, or the field's error."""
    match = MES.match(str(value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValidationFailed({"mes": "Indique el mes como AAAA-MM (por ejemplo 2026-02)."})
    return date(int(match[1]), int(match[2]), 1)


def last_day(mes: date) -> date:
    return mes.replace(day=monthrange(mes.year, mes.month)[1])


def windows(mes: date) -> dict[str, tuple[date, date]]:
    """The two windows a close freezes: the month, and the vigencia up to the month's end (the
    same window when no vigencia contains the month's end or it starts with the month)."""
    hasta = last_day(mes)
    vigencia_desde, _ = tableros.resolve_period(None, hasta)
    found = {"mes": (mes, hasta)}
    if vigencia_desde != mes:
        found["vigencia"] = (vigencia_desde, hasta)
    return found


# ---- reading -----------------------------------------------------------------------------------

def _centro(actor, accion: Accion, centro_id) -> int:
    f = Fields({"centro_id": centro_id})
    value = f.integer("centro_id", minimum=1, maximum=2_147_483_647)
    f.raise_if_errors()
    ensure(actor, accion, value, entidad=ENTIDAD)
    if db.session.get(Centro, value) is None:
        raise NotFound("No se encontró el centro.")
    return value


def find(centro_id: int, mes: date) -> CierreMes | None:
    return db.session.scalar(select(CierreMes).where(CierreMes.centro_id == centro_id,
                                                     CierreMes.mes == mes)
                             .execution_options(populate_existing=True))


def get_visible(actor, cierre_id: int) -> CierreMes:
    cierre = visible_or_404(actor, CierreMes, cierre_id, "No se encontró el cierre.")
    ensure(actor, Accion.VER_CIERRES, cierre.centro_id, entidad=ENTIDAD, entidad_id=cierre.id)
    return cierre


def cierres(actor, args: dict, page: int = 1, per_page: int = 25) -> Page:
    """The closes the caller may see (a director: its centre's), newest month first."""
    ensure(actor, Accion.VER_CIERRES)
    f = Fields(args)
    estado = f.choice("estado", ESTADOS_CIERRE, required=False)
    centro_id = f.integer("centro_id", required=False, minimum=1, maximum=2_147_483_647)
    f.raise_if_errors()
    statement = select(CierreMes).order_by(CierreMes.mes.desc(), CierreMes.centro_id)
    scope = centre_scope(actor)
    if scope is not None:
        statement = statement.where(CierreMes.centro_id == scope)
    if centro_id is not None:
        statement = statement.where(CierreMes.centro_id == centro_id)
    if estado:
        statement = statement.where(CierreMes.estado == estado)
    return paginate(statement, page, per_page)


def preparar(actor, args: dict, today: date | None = None):
    """What the director sees before confirming a close: the month, its checklist and the close
    already recorded for it, if any. Refuses a month not yet ended, like the close itself."""
    centro_id = _centro(actor, Accion.CERRAR_MES, args.get("centro_id") or actor.centro_id)
    mes = parse_mes(args.get("mes"))
    _ended(mes, today)
    desde, hasta = mes, last_day(mes)
    return centro_id, mes, queries.checklist(actor, centro_id, desde, hasta), find(centro_id, mes)


def checklist_of(actor, cierre: CierreMes):
    return queries.checklist(actor, cierre.centro_id, cierre.mes, last_day(cierre.mes))


def historia(cierre: CierreMes) -> list[Auditoria]:
    """Every transition of the close, oldest first (the audit trail is the record)."""
    return list(db.session.scalars(select(Auditoria).where(
        Auditoria.entidad == ENTIDAD, Auditoria.entidad_id == cierre.id,
        Auditoria.accion.in_([verbo for *_, verbo, _ in TRANSICIONES.values()] + ["cerrar"]))
        .order_by(Auditoria.id)))


# ---- closing -----------------------------------------------------------------------------------

def _ended(mes: date, today: date | None) -> None:
    today = today or today_bogota()
    if last_day(mes) >= today:
        raise MesNoTerminado(f"El mes de {nombre_mes(mes)} aún no ha terminado: solo se cierra un "
                             "mes ya terminado.", {"mes": "Mes no terminado."})


def _figures(centro_id: int, desde: date, hasta: date) -> dict[str, tuple[int | None, int | None]]:
    """{codigo: (valor, meta)}: the row values as the tableros' grouped queries give them (the
    derived rows are derived again when read), and the centre's metas of the vigencia."""
    filas = [f for f in FILAS if not isinstance(f.calculo, Promedio)]
    values = tablero_queries.compute(filas, desde, hasta, centro_id).get(centro_id, {})
    vigencia = tableros.vigencia_containing(hasta)
    metas = {m.codigo: m.valor for m in db.session.scalars(
        select(Meta).where(Meta.vigencia_id == vigencia.id, Meta.centro_id == centro_id))} if vigencia else {}
    computed = {f.codigo for f in filas}
    return {code: (values.get(code, 0) if code in computed else None, metas.get(code))
            for code in computed | set(metas)}


def _freeze(cierre: CierreMes) -> dict:
    """Stores this close's figures; answers how much each moved since the previous close."""
    previous = {(c.ventana, c.codigo): c.valor for c in db.session.scalars(
        select(CierreCifra).where(CierreCifra.cierre_id == cierre.id,
                                  CierreCifra.ronda == cierre.ronda - 1))}
    moved: dict[str, dict[str, list]] = {}
    for ventana, (desde, hasta) in windows(cierre.mes).items():
        for code, (valor, meta) in sorted(_figures(cierre.centro_id, desde, hasta).items()):
            db.session.add(CierreCifra(cierre_id=cierre.id, ronda=cierre.ronda, ventana=ventana,
                                       desde=desde, hasta=hasta, codigo=code, valor=valor, meta=meta))
            before = previous.get((ventana, code), valor)
            if cierre.ronda > 1 and before != valor:
                moved.setdefault(ventana, {})[code] = [before, valor]
    db.session.flush()
    return moved


def close(actor, data: dict, today: date | None = None) -> CierreMes:
    """POST /cierres: the director closes an ended month of its centre (again, after a return or
    a reopening). From here on the gate refuses writes dated in it."""
    if not isinstance(data, dict):
        raise ValidationFailed({}, "Se esperaba un objeto JSON.")
    centro_id = _centro(actor, Accion.CERRAR_MES, data.get("centro_id") or actor.centro_id)
    mes = parse_mes(data.get("mes"))
    _ended(mes, today)
    lock_centre(centro_id, share=False)  # waits for the writes in flight; later ones see it
    cierre = find(centro_id, mes)
    antes = None
    if cierre is None:
        cierre = CierreMes(centro_id=centro_id, mes=mes, estado="cerrado", ronda=1,
                           cerrado_en=utcnow(), cerrado_por_id=actor.id)
        db.session.add(cierre)
    elif cierre.estado in CERRADOS:
        raise EstadoCierre(f"El mes de {nombre_mes(mes)} ya está cerrado "
                           f"({ESTADOS_CIERRE[cierre.estado].lower()}).")
    else:
        antes = {"estado": cierre.estado, "ronda": cierre.ronda}
        cierre.estado, cierre.ronda = "cerrado", cierre.ronda + 1
        cierre.cerrado_en, cierre.cerrado_por_id = utcnow(), actor.id
        cierre.revisado_en = cierre.revisado_por_id = None
    db.session.flush()
    moved = _freeze(cierre)
    despues = {"estado": "cerrado", "ronda": cierre.ronda, "mes": mes.strftime("%Y-%m")}
    if cierre.ronda > 1:
        despues["variaciones"] = moved
    audit.record("cerrar", actor=actor, entidad=ENTIDAD, entidad_id=cierre.id, centro_id=centro_id,
                 antes=antes, despues=despues,
                 detalle=f"Cierre de {nombre_mes(mes)}" + (f" (cierre n.º {cierre.ronda})" if cierre.ronda > 1 else ""))
    return cierre


# ---- the supervisor's review and reopening -------------------------------------------------------

TRANSICIONES = {
    # action: (states it may start from, the new state, audit action, needs a reason)
    "aceptacion": (("cerrado",), "aceptado", "aceptar", False),
    "devolucion": (("cerrado",), "devuelto", "devolver", True),
    "reapertura": (("aceptado",), "reabierto", "reabrir", True),
}
MENSAJES = {
    "aceptacion": "Solo se acepta un cierre pendiente de aceptación.",
    "devolucion": "Solo se devuelve un cierre pendiente de aceptación.",
    "reapertura": "Solo se reabre un cierre aceptado.",
}


def review(actor, cierre_id: int, accion: str, data: dict | None) -> CierreMes:
    """aceptacion / devolucion (supervisor) and reapertura (supervisor or admin), with a reason
    for the last two; a return or a reopening lets writes dated in the month through again."""
    desde_estados, nuevo, verbo, needs_reason = TRANSICIONES[accion]
    cierre = get_visible(actor, cierre_id)
    ensure(actor, Accion.REVISAR_CIERRES, cierre.centro_id, entidad=ENTIDAD, entidad_id=cierre.id)
    data = data if isinstance(data, dict) else {}
    f = Fields(data)
    motivo = f.text("motivo", min_length=5, max_length=1000, required=needs_reason)
    f.raise_if_errors()
    lock_centre(cierre.centro_id, share=False)
    db.session.refresh(cierre)  # the state as the last committed transition left it
    if cierre.estado not in desde_estados:
        raise EstadoCierre(f"{MENSAJES[accion]} Este está {ESTADOS_CIERRE[cierre.estado].lower()}.")
    antes = {"estado": cierre.estado}
    cierre.estado, cierre.revisado_en, cierre.revisado_por_id = nuevo, utcnow(), actor.id
    if motivo:
        cierre.motivo = motivo
    db.session.flush()
    audit.record(verbo, actor=actor, entidad=ENTIDAD, entidad_id=cierre.id,
                 centro_id=cierre.centro_id, antes=antes,
                 despues={"estado": nuevo, "motivo": motivo, "ronda": cierre.ronda},
                 detalle=f"{nombre_mes(cierre.mes)}: {motivo}" if motivo else nombre_mes(cierre.mes))
    return cierre


def ventanas_de(cierre: CierreMes) -> dict[str, tuple[date, date]]:
    """The windows frozen by the close in force (for links to its tableros)."""
    rows = db.session.execute(select(CierreCifra.ventana, CierreCifra.desde, CierreCifra.hasta)
                              .where(CierreCifra.cierre_id == cierre.id, CierreCifra.ronda == cierre.ronda)
                              .distinct()).all()
    return {r.ventana: (r.desde, r.hasta) for r in rows}
