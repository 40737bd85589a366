"""Habeas data (Ley 1581 de 2012, Decreto 1377 de 2013) for one person.

- The *reporte al titular*: everything held about the person, as a PDF, from their page.
- Rectification: an edit of their data made at their request, with its reason in the audit.
- Revocation of the authorisation for sensitive data: those fields are emptied and stay empty
  until the person authorises again; the service record stays.
- Consultas (10 business days, extendable by 5) and reclamos (15, extendable by 8), counted
  from the day after receipt with Colombia's holidays off; an open reclamo puts "reclamo en
  trámite" on the person's record, and the deadlines show in Mi trabajo.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import actas, audit
from ..auth.guards import Accion, ensure, scoped_select, visible_or_404
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..formatting import fecha, fecha_hora
from ..itinerario import services as itinerario
from ..itinerario.dia import business_days_after, today_bogota
from ..itinerario.tipos import TIPOS
from ..models import (Auditoria, Centro, Participante, Pqrs, Referencia, SolicitudHabeas,
                      Verificador)
from ..models.base import utcnow
from ..models.habeas import ESTADOS_SOLICITUD, PLAZOS_HABEAS, TIPOS_SOLICITUD
from ..models.participante import ETNIAS, SENSIBLES, SEXOS, TIPOS_POBLACION
from ..models.pqrs import ESTADOS_PQRS, TIPOS_PQRS
from ..pagination import Page, paginate
from ..participantes import services as participantes
from ..validation import Fields, check_version

LONG_TEXT = 5000


# ---- requests (consultas y reclamos) --------------------------------------------------------

def create_request(actor, participante_id: int, data: dict, today: date | None = None) -> SolicitudHabeas:
    today = today or today_bogota()
    person = participantes.get_editable(actor, participante_id)
    f = Fields(data)
    tipo = f.choice("tipo", TIPOS_SOLICITUD)
    recibida = f.date("fecha_recibida", not_future=True, today=today)
    f.text("descripcion", max_length=LONG_TEXT)
    f.raise_if_errors()
    request = SolicitudHabeas(
        participante_id=person.id, centro_id=person.centro_id, tipo=tipo, fecha_recibida=recibida,
        descripcion=f.clean["descripcion"], creado_por_id=actor.id,
        fecha_limite=business_days_after(recibida, PLAZOS_HABEAS[tipo][0]))
    return audit.add_audited(request, actor=actor, entidad="solicitud_habeas",
                             centro_id=person.centro_id,
                             values={"participante_id": person.id, "tipo": tipo,
                                     "fecha_recibida": recibida,
                                     "fecha_limite": request.fecha_limite})


def get_request(actor, solicitud_id: int) -> SolicitudHabeas:
    return visible_or_404(actor, SolicitudHabeas, solicitud_id, "No se encontró la solicitud.")


def _open_request(actor, solicitud_id: int, data: dict) -> SolicitudHabeas:
    request = get_request(actor, solicitud_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, request.centro_id)
    check_version(data, request.version)
    if not request.abierta:
        raise Conflict("La solicitud ya fue respondida.")
    return request


def extend(actor, solicitud_id: int, data: dict, today: date | None = None) -> SolicitudHabeas:
    """The law allows one extension, told to the person before the deadline, with its reason."""
    today = today or today_bogota()
    request = _open_request(actor, solicitud_id, data)
    if request.prorrogada:
        raise Conflict("El plazo de esta solicitud ya se prorrogó una vez.")
    if today > request.fecha_limite:
        raise Conflict("El plazo ya venció: la prórroga debe informarse antes del vencimiento.")
    f = Fields(data)
    motivo = f.text("motivo_prorroga", max_length=1000)
    f.raise_if_errors()
    nuevo = business_days_after(request.fecha_limite, PLAZOS_HABEAS[request.tipo][1])
    return audit.update_audited(request, {"prorrogada": True, "motivo_prorroga": motivo,
                                          "fecha_limite": nuevo}, actor=actor,
                                entidad="solicitud_habeas", centro_id=request.centro_id)


def answer(actor, solicitud_id: int, data: dict, today: date | None = None) -> SolicitudHabeas:
    today = today or today_bogota()
    request = _open_request(actor, solicitud_id, data)
    f = Fields(data)
    f.text("respuesta", max_length=LONG_TEXT)
    f.date("fecha_respuesta", not_future=True, today=today, earliest=request.fecha_recibida)
    f.raise_if_errors()
    return audit.update_audited(request, {
        "respuesta": f.clean["respuesta"], "fecha_respuesta": f.clean["fecha_respuesta"],
        "estado": "respondida", "respondida_por_id": actor.id}, actor=actor,
        entidad="solicitud_habeas", centro_id=request.centro_id)


def requests_of(person: Participante) -> list[SolicitudHabeas]:
    return list(db.session.scalars(select(SolicitudHabeas).where(
        SolicitudHabeas.participante_id == person.id).order_by(SolicitudHabeas.fecha_recibida.desc(),
                                                               SolicitudHabeas.id.desc())))


def pending(actor, page: int = 1, per_page: int = 25) -> Page:
    """Open requests of the caller's scope, nearest deadline first."""
    statement = scoped_select(actor, SolicitudHabeas).where(
        SolicitudHabeas.estado == "en_tramite").order_by(SolicitudHabeas.fecha_limite,
                                                        SolicitudHabeas.id)
    return paginate(statement, page, per_page)


# ---- rectification and revocation -----------------------------------------------------------

def rectify(actor, participante_id: int, data: dict, today: date | None = None) -> Participante:
    participantes.get_editable(actor, participante_id)  # 404 / 403 before any field is judged
    f = Fields(data)
    motivo = f.text("motivo", max_length=300)
    f.raise_if_errors()
    changes = {k: v for k, v in data.items() if k != "motivo"}
    person = participantes.update(actor, participante_id, changes, today=today)
    audit.record("rectificar", actor=actor, entidad="participante", entidad_id=person.id,
                 centro_id=person.centro_id, detalle=f"A solicitud del titular: {motivo}")
    return person


def revoke_sensitive(actor, participante_id: int, data: dict) -> Participante:
    person = participantes.get_editable(actor, participante_id)
    check_version(data, person.version)
    if person.sensibles_revocado_en is not None:
        raise Conflict("La persona ya había revocado la autorización de sus datos sensibles.")
    before = {name: getattr(person, name) for name in SENSIBLES}
    for name in SENSIBLES:
        setattr(person, name, None)
    person.sensibles_revocado_en = utcnow()
    person.actualizado_en = utcnow()
    db.session.flush()
    audit.record("revocar_sensibles", actor=actor, entidad="participante", entidad_id=person.id,
                 centro_id=person.centro_id, antes=before,
                 despues={name: None for name in SENSIBLES},
                 detalle="Revocatoria de la autorización de datos sensibles")
    return person


def grant_sensitive(actor, participante_id: int, data: dict) -> Participante:
    person = participantes.get_editable(actor, participante_id)
    check_version(data, person.version)
    if person.sensibles_revocado_en is None:
        raise Conflict("La persona no ha revocado la autorización de sus datos sensibles.")
    person.sensibles_revocado_en = None
    person.actualizado_en = utcnow()
    db.session.flush()
    audit.record("autorizar_sensibles", actor=actor, entidad="participante",
                 entidad_id=person.id, centro_id=person.centro_id,
                 detalle="Nueva autorización de datos sensibles")
    return person


# ---- the report to the person ---------------------------------------------------------------

def _yes_no(value) -> str:
    return "Sin información" if value is None else ("Sí" if value else "No")


def report(actor, participante_id: int, today: date | None = None):
    """Everything held about the person, for the person (a PDF); recorded as an export."""
    today = today or today_bogota()
    person = participantes.get_visible(actor, participante_id)
    ensure(actor, Accion.EDITAR_ITINERARIO, person.centro_id)
    acts = itinerario.itinerary(person)
    documents = db.session.scalars(select(Verificador).where(
        Verificador.participante_id == person.id).order_by(Verificador.subido_en))
    referrals = db.session.scalars(select(Referencia).where(
        Referencia.participante_id == person.id).order_by(Referencia.id))
    complaints = db.session.scalars(select(Pqrs).where(Pqrs.participante_id == person.id)
                                    .order_by(Pqrs.fecha_radicacion))
    centres = dict(db.session.execute(select(Centro.id, Centro.nombre)).all())
    accesses = db.session.scalars(select(Auditoria).where(
        Auditoria.entidad == "participante", Auditoria.entidad_id == person.id)
        .order_by(Auditoria.en))
    sections = [
        ("Servicios recibidos (itinerario)", [["Fecha", "Servicio", "Centro", "Registró", "Estado"]] + [
            [fecha(a.fecha), TIPOS[a.tipo].etiqueta, centres.get(a.centro_id, "—"), a.asesor.nombre,
             "Anulada" if a.anulada else "Vigente"] for a in acts]),
        ("Documentos verificadores", [["Fecha", "Documento", "Archivo", "Revisión"]] + [
            [fecha(v.subido_en), v.prefijo, v.nombre_archivo, v.estado_revision] for v in documents]),
        ("Remisiones a otros programas", [["Fecha", "Programa", "Estado"]] + [
            [fecha(r.actuacion.fecha), r.programa.nombre, r.estado] for r in referrals]),
        ("Peticiones, quejas y reclamos", [["Fecha", "Tipo", "Asunto", "Estado"]] + [
            [fecha(p.fecha_radicacion), TIPOS_PQRS[p.tipo], p.asunto, ESTADOS_PQRS[p.estado]]
            for p in complaints]),
        ("Solicitudes sobre sus datos", [["Recibida", "Tipo", "Plazo", "Estado"]] + [
            [fecha(s.fecha_recibida), s.tipo.capitalize(), fecha(s.fecha_limite),
             ESTADOS_SOLICITUD[s.estado]] for s in requests_of(person)]),
        ("Consultas y cambios de sus datos", [["Cuándo", "Qué", "Quién"]] + [
            [fecha_hora(e.en), e.accion, e.username or "—"] for e in accesses]),
    ]
    revoked = person.sensibles_revocado_en
    data = [
        ("Nombre", person.nombre_completo),
        ("Documento", f"{person.tipo_documento} {person.numero_documento}"),
        ("Sexo", SEXOS.get(person.sexo, "Sin información")),
        ("Fecha de nacimiento", fecha(person.fecha_nacimiento)),
        ("Municipio", person.municipio), ("Teléfono", person.telefono or "—"),
        ("Correo", person.correo or "—"),
        ("Tipo de población", TIPOS_POBLACION.get(person.tipo_poblacion, "Sin información")),
        ("Etnia (dato sensible)", ETNIAS.get(person.etnia, "Sin información")),
        ("Discapacidad (dato sensible)", _yes_no(person.discapacidad)),
        ("Desplazamiento (dato sensible)", _yes_no(person.desplazamiento)),
        ("Autorización de tratamiento de datos",
         f"Otorgada el {fecha(person.consentimiento_en)} (aviso {person.consentimiento_version})"),
        ("Datos sensibles", f"Autorización revocada el {fecha(revoked)}" if revoked else "Autorizados"),
        ("Centro que la atiende", person.centro.nombre),
    ]
    audit.record("exportar", actor=actor, entidad="participante", entidad_id=person.id,
                 centro_id=person.centro_id, detalle="Reporte al titular (PDF)")
    return actas.render(actas.Acta(
        titulo="Reporte al titular de sus datos personales", centro=person.centro.nombre,
        fecha=today, datos=data, secciones=sections,
        introduccion=("Ley 1581 de 2012: este reporte contiene todos los datos que la Red "
                      "Cemprende tiene sobre usted, los servicios registrados y quién los ha "
                      "consultado o modificado. Puede pedir su corrección, actualización o "
                      "supresión, o revocar la autorización de sus datos sensibles, en el centro "
                      "que lo atiende.")))
