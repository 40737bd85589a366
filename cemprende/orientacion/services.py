"""Orientación: characterise a person, the acta de compromiso, routing, desistimiento, queues.

Every step is an actuación recorded through the itinerary's own service, so its rules (order,
dates, fields) and the tableros' summary apply exactly as they do for the generic form and the API.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, select

from .. import actas
from ..auth.guards import scoped_select
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..itinerario import services as itinerario
from ..itinerario.tipos import DESTINOS_ENRUTAMIENTO, RUTAS, SITUACIONES, Tipo
from ..models import Actuacion, Participante
from ..models.actuacion import vigentes
from ..models.participante import TIPOS_DOCUMENTO
from ..pagination import Page, paginate
from ..scoping import ALL_CENTRES_OPTION
from ..participantes import services as participantes
from ..validation import Fields
from ..itinerario.dia import today_bogota

NECESIDADES = {
    "empleo": "Conseguir empleo",
    "formacion": "Formación para el trabajo",
    "iniciar_negocio": "Iniciar un negocio",
    "fortalecer_negocio": "Fortalecer su negocio",
    "financiacion": "Financiación",
    "formalizacion": "Formalizar su negocio",
    "apoyo_social": "Apoyo social (salud, vivienda, cuidado)",
}
CATEGORIAS_PERSONA = ("tipo_poblacion", "etnia", "discapacidad", "desplazamiento")
PASOS = (Tipo.CARACTERIZACION, Tipo.ACTA_COMPROMISO, Tipo.ENRUTAMIENTO, Tipo.DESISTIMIENTO)


# ---- where a person stands ------------------------------------------------------------------

@dataclass
class Etapa:
    """The latest valid actuación of each orientation step (None: not done yet)."""

    caracterizacion: Actuacion | None = None
    acta_compromiso: Actuacion | None = None
    enrutamiento: Actuacion | None = None
    desistimiento: Actuacion | None = None

    @property
    def siguiente(self) -> str | None:
        if self.desistimiento is not None:
            return None
        for paso in PASOS[:3]:
            if getattr(self, paso) is None:
                return paso
        return None


def stage(person: Participante) -> Etapa:
    # Every centre's steps: a person who moved keeps the orientation the first centre recorded.
    found = db.session.scalars(
        select(Actuacion).where(Actuacion.participante_id == person.id,
                                Actuacion.tipo.in_(PASOS), vigentes())
        .order_by(Actuacion.fecha, Actuacion.id)
        .execution_options(**{ALL_CENTRES_OPTION: True}))
    etapa = Etapa()
    for actuacion in found:
        setattr(etapa, actuacion.tipo, actuacion)  # ordered, so the latest stays
    return etapa


@dataclass
class Sugerencia:
    destino: str
    ruta: str | None
    motivo: str


def suggest_routing(etapa: Etapa) -> Sugerencia | None:
    """What the characterisation points to; the advisor may choose otherwise."""
    if etapa.caracterizacion is None:
        return None
    situacion = etapa.caracterizacion.categoria
    reason = SITUACIONES.get(situacion, "")
    if situacion == "negocio_en_marcha":
        return Sugerencia("emprendimiento", "fortalece", f"{reason}: fortalecerlo (ruta Fortalece).")
    if situacion == "idea_negocio":
        return Sugerencia("emprendimiento", "emprende", f"{reason}: ruta Emprende.")
    if situacion == "busca_empleo":
        return Sugerencia("empleabilidad", None, f"{reason}: empleabilidad.")
    return None


# ---- the steps --------------------------------------------------------------------------------

def _needs_text(raw) -> str | None:
    """Needs as the page's checkboxes (a list of keys) or the API's list; stored as labels."""
    if raw in (None, "", []):
        return None
    keys = raw if isinstance(raw, list) else [k.strip() for k in str(raw).split(",")]
    unknown = [k for k in keys if k not in NECESIDADES]
    if unknown:
        raise ValidationFailed({"necesidades": f"Necesidad desconocida: {', '.join(map(str, unknown))}."})
    return "; ".join(NECESIDADES[k] for k in keys)


def characterise(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """Updates the person's categories and records the caracterización, in one transaction."""
    person = participantes.get_editable(actor, participante_id)
    categories = {k: data[k] for k in CATEGORIAS_PERSONA if k in data}
    if categories:
        participantes.update(actor, person.id, {**categories, "version": data.get("version")},
                             today=today)
    return itinerario.register(actor, person.id, {
        "tipo": Tipo.CARACTERIZACION, "fecha": data.get("fecha"), "situacion": data.get("situacion"),
        "necesidades": _needs_text(data.get("necesidades")),
        "observaciones": data.get("observaciones")}, today=today)


def sign_acta(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    return itinerario.register(actor, participante_id,
                               {"tipo": Tipo.ACTA_COMPROMISO, "fecha": data.get("fecha")}, today=today)


def route(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    """Records the enrutamiento; into emprendimiento with a ruta, the ingreso a ruta as well."""
    f = Fields(data)
    destino = f.choice("destino", DESTINOS_ENRUTAMIENTO)
    ruta = f.choice("ruta", RUTAS, required=False)
    if destino == "empleabilidad" and ruta:
        f.fail("ruta", "Las rutas son de emprendimiento; déjela vacía para empleabilidad.")
    f.raise_if_errors()
    routed = itinerario.register(actor, participante_id, {
        "tipo": Tipo.ENRUTAMIENTO, "fecha": data.get("fecha"), "destino": destino}, today=today)
    if ruta:
        itinerario.register(actor, participante_id, {
            "tipo": Tipo.INGRESO_RUTA, "fecha": data.get("fecha"), "ruta": ruta}, today=today)
    return routed


def walk_in(actor, data: dict, today: date | None = None) -> Participante:
    """A walk-in's registration, characterisation and, when a destino is chosen, routing, in one
    transaction through the same services (and so the gate): any refusal leaves nothing."""
    today = today or today_bogota()
    person = participantes.register(actor, data, today=today)
    fecha = today.isoformat()
    characterise(actor, person.id, {"fecha": fecha, "situacion": data.get("situacion"),
                                    "necesidades": data.get("necesidades"),
                                    "observaciones": data.get("observaciones")}, today=today)
    if data.get("destino"):
        route(actor, person.id, {"fecha": fecha, "destino": data.get("destino"),
                                 "ruta": data.get("ruta")}, today=today)
    return person


def desist(actor, participante_id: int, data: dict, today: date | None = None) -> Actuacion:
    return itinerario.register(actor, participante_id, {
        "tipo": Tipo.DESISTIMIENTO, "fecha": data.get("fecha"), "motivo": data.get("motivo")},
        today=today)


# ---- actas ------------------------------------------------------------------------------------

def _person_rows(person: Participante) -> list[tuple[str, str]]:
    return [
        ("Nombre", person.nombre_completo),
        ("Documento", f"{TIPOS_DOCUMENTO.get(person.tipo_documento, person.tipo_documento)} "
                      f"{person.numero_documento}"),
        ("Municipio", person.municipio),
        ("Teléfono", person.telefono or ""),
        ("Centro", person.centro.nombre),
    ]


COMPROMISOS = [
    "La persona participante asistirá a las citas, talleres y visitas que acuerde con su "
    "asesor(a), o avisará con anticipación cuando no pueda asistir.",
    "La persona participante suministrará información veraz sobre su situación, su negocio o su "
    "búsqueda de empleo, y permitirá su verificación.",
    "La persona participante participará activamente en la ruta de su itinerario personalizado y "
    "cumplirá las tareas acordadas en cada etapa.",
    "La persona participante usará los bienes o recursos que reciba solo para el fin aprobado y "
    "permitirá las visitas de seguimiento y de control de inversiones.",
    "La persona participante informará al centro si decide no continuar en el proceso.",
    "El centro brindará orientación, acompañamiento y referenciación sin costo, y tratará los "
    "datos personales conforme a la Ley 1581 de 2012.",
]


def acta_compromiso(actor, participante_id: int, today: date | None = None):
    person = participantes.get_visible(actor, participante_id)
    signed = stage(person).acta_compromiso
    return actas.render(actas.Acta(
        titulo="Acta de compromiso (corresponsabilidad)", centro=person.centro.nombre,
        fecha=signed.fecha if signed else (today or today_bogota()), datos=_person_rows(person),
        introduccion="La persona participante y el centro acuerdan lo siguiente:",
        clausulas=COMPROMISOS,
        firmas=[f"{person.nombre_completo} — participante", f"{actor.nombre} — asesor(a)"],
        archivo=f"AC_{person.numero_documento}"))


def acta_desistimiento(actor, participante_id: int):
    person = participantes.get_visible(actor, participante_id)
    desistimiento = stage(person).desistimiento
    if desistimiento is None:
        raise NotFound("Esta persona no tiene un desistimiento registrado.")
    return actas.render(actas.Acta(
        titulo="Acta de desistimiento", centro=person.centro.nombre, fecha=desistimiento.fecha,
        datos=_person_rows(person) + [("Motivo", desistimiento.datos.get("motivo", ""))],
        introduccion="La persona participante declara:",
        clausulas=[
            "Manifiesta de manera libre y voluntaria su decisión de no "
            "continuar en el proceso de acompañamiento del centro, por el motivo indicado.",
            "Conoce que puede volver a solicitar los servicios del centro cuando lo considere.",
        ],
        firmas=[f"{person.nombre_completo} — participante",
                f"{desistimiento.asesor.nombre} — asesor(a)"],
        archivo=f"AD_{person.numero_documento}"))


# ---- queues -----------------------------------------------------------------------------------

def _valid(tipo_filter):
    return and_(Actuacion.participante_id == Participante.id, vigentes(),
                tipo_filter)


def queue_to_route(actor, q: str | None = None, page: int = 1, per_page: int = 25) -> Page:
    """Characterised, not routed and not desisted: oldest characterisation first."""
    since = (select(Actuacion.participante_id, func.min(Actuacion.fecha).label("desde"))
             .where(Actuacion.tipo == Tipo.CARACTERIZACION, vigentes())
             .group_by(Actuacion.participante_id).subquery())
    closed = exists().where(_valid(Actuacion.tipo.in_((Tipo.ENRUTAMIENTO, Tipo.DESISTIMIENTO))))
    statement = (scoped_select(actor, Participante).add_columns(since.c.desde)
                 .join(since, since.c.participante_id == Participante.id).where(~closed)
                 .order_by(since.c.desde, Participante.id))
    if q and q.strip():
        statement = statement.where(participantes.matches(q))
    return paginate(statement, page, per_page, rows=True)


def queue_dps_to_characterise(actor, q: str | None = None, page: int = 1,
                              per_page: int = 25) -> Page:
    """Referred by DPS, registered, not characterised yet: oldest registration first."""
    characterised = exists().where(_valid(Actuacion.tipo == Tipo.CARACTERIZACION))
    desisted = exists().where(_valid(Actuacion.tipo == Tipo.DESISTIMIENTO))
    statement = (scoped_select(actor, Participante)
                 .where(Participante.remitido_dps.is_(True), ~characterised, ~desisted)
                 .order_by(Participante.creado_en, Participante.id))
    if q and q.strip():
        statement = statement.where(participantes.matches(q))
    return paginate(statement, page, per_page)
