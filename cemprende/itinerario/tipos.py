"""The fixed vocabulary of actuaciones (API.md), declared once for services, pages and API."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Tipo(StrEnum):
    """Every tipo of actuación (API.md), by name: code says Tipo.COMITE, never "comite"."""

    CARACTERIZACION = "caracterizacion"
    ENRUTAMIENTO = "enrutamiento"
    ACTA_COMPROMISO = "acta_compromiso"
    DESISTIMIENTO = "desistimiento"
    REFERENCIACION = "referenciacion"
    INGRESO_RUTA = "ingreso_ruta"
    PERFIL_PROYECTO = "perfil_proyecto"
    PLAN_NEGOCIO = "plan_negocio"
    FINANCIACION = "financiacion"
    PLAN_IMPLEMENTADO = "plan_implementado"
    FORTALECIMIENTO_SEDE = "fortalecimiento_sede"
    FORMALIZACION = "formalizacion"
    EMPLEO_GENERADO = "empleo_generado"
    PLAN_AJUSTADO = "plan_ajustado"
    COMITE = "comite"
    DESEMBOLSO = "desembolso"
    VISITA_ACOMPANAMIENTO = "visita_acompanamiento"
    CONTROL_INVERSION = "control_inversion"
    CAPACITACION_FIS = "capacitacion_fis"
    HOJA_DE_VIDA = "hoja_de_vida"
    REMISION_SELECCION = "remision_seleccion"
    COLOCACION = "colocacion"
    REMISION_DPS = "remision_dps"


@dataclass(frozen=True)
class Campo:
    nombre: str
    etiqueta: str
    clase: str  # texto | opcion | entero | dinero | vacante
    opciones: dict[str, str] | None = None
    requerido: bool = True
    minimo: int | None = None
    maximo: int | None = None
    # Where it is stored: categoria, valor, vacante_id, autoempleos, directos or datos (JSON).
    columna: str = "datos"
    max_length: int = 500
    patron: str | None = None  # a text's form, with the message that explains it
    patron_mensaje: str | None = None


@dataclass(frozen=True)
class TipoActuacion:
    nombre: str
    etiqueta: str
    proceso: str
    campos: tuple[Campo, ...] = ()
    admite_items: bool = False
    valor_campo: str | None = field(default=None)  # the field that must equal the items' sum

    def campo(self, nombre: str) -> Campo | None:
        return next((c for c in self.campos if c.nombre == nombre), None)


# The kind of goods an investment item buys: reference prices and overprice alerts group by it.
CATEGORIAS_INVERSION = {
    "maquinaria_equipo": "Maquinaria y equipo",
    "herramientas": "Herramientas y utensilios",
    "mobiliario": "Muebles y enseres",
    "tecnologia": "Equipos de cómputo y comunicaciones",
    "materia_prima": "Materias primas e insumos",
    "mercancia": "Mercancía para la venta",
    "adecuaciones": "Adecuaciones locativas",
    "vehiculos": "Vehículos y transporte",
    "otros": "Otros",
}
DESTINOS_ENRUTAMIENTO = {"emprendimiento": "Emprendimiento", "empleabilidad": "Empleabilidad"}
DESTINOS_REFERENCIACION = {
    "terceros": "Programas de terceros",
    "gobierno_local": "Gobierno local",
    "gobierno_nacional": "Gobierno nacional",
    "dps": "DPS",
    "otras_entidades_nacionales": "Otras entidades nacionales",
    "otros": "Otros programas",
}
RUTAS = {"emprende": "Emprende", "fortalece": "Fortalece", "desarrolla": "Desarrolla",
         "transforma": "Transforma"}
MODALIDADES_FINANCIACION = {"directo": "Directo", "referenciacion": "Por referenciación"}
class Decision(StrEnum):
    """What the Comité de Asignación decides on an adjusted plan."""

    APROBADO = "aprobado"
    RECHAZADO = "rechazado"
    APLAZADO = "aplazado"  # leaves the plan open for another sitting


class ClaseVisita(StrEnum):
    DIAGNOSTICO = "diagnostico"  # before the plan adjustment
    SEGUIMIENTO = "seguimiento"  # after the delivery: the one rows 17.1 and M6 count


DECISIONES = {Decision.APROBADO: "Aprobado", Decision.RECHAZADO: "Rechazado",
              Decision.APLAZADO: "Aplazado"}
CLASES_VISITA = {ClaseVisita.DIAGNOSTICO: "Diagnóstico", ClaseVisita.SEGUIMIENTO: "Seguimiento"}
PLATAFORMAS = {"spe": "SPE", "ape_sena": "APE SENA", "otra": "Otra"}
# What the characterisation found; it suggests the routing (orientacion.services.suggest_routing).
SITUACIONES = {
    "negocio_en_marcha": "Tiene un negocio en marcha",
    "idea_negocio": "Tiene una idea de negocio",
    "busca_empleo": "Busca empleo y no tiene negocio",
    "otra": "Otra situación",
}

PROCESOS = {
    "orientacion": "Orientación",
    "referenciacion": "Referenciación",
    "emprendimiento": "Emprendimiento",
    "microfinanciamiento": "Microfinanciamiento",
    "empleabilidad": "Empleabilidad",
}


def _texto(nombre, etiqueta, requerido=True, max_length=500):
    return Campo(nombre, etiqueta, "texto", requerido=requerido, max_length=max_length)


def _opcion(nombre, etiqueta, opciones):
    return Campo(nombre, etiqueta, "opcion", opciones=opciones, columna="categoria")


def _dinero(nombre, etiqueta):
    return Campo(nombre, etiqueta, "dinero", minimo=1, columna="valor")


def _vacante():
    return Campo("vacante_id", "Vacante", "vacante", columna="vacante_id")


TIPOS: dict[str, TipoActuacion] = {Tipo(t.nombre): t for t in (
    TipoActuacion("caracterizacion", "Caracterización", "orientacion",
                  (Campo("situacion", "Situación", "opcion", opciones=SITUACIONES, requerido=False,
                         columna="categoria"),
                   _texto("necesidades", "Necesidades", requerido=False, max_length=500),
                   _texto("observaciones", "Observaciones", requerido=False, max_length=2000))),
    TipoActuacion("enrutamiento", "Enrutamiento", "orientacion",
                  (_opcion("destino", "Destino", DESTINOS_ENRUTAMIENTO),)),
    TipoActuacion("acta_compromiso", "Acta de compromiso", "orientacion"),
    TipoActuacion("desistimiento", "Desistimiento", "orientacion",
                  (_texto("motivo", "Motivo", max_length=1000),)),
    TipoActuacion("referenciacion", "Referenciación", "referenciacion",
                  (_opcion("destino", "Destino", DESTINOS_REFERENCIACION),
                   _texto("programa", "Programa", max_length=200))),
    TipoActuacion("ingreso_ruta", "Ingreso a ruta", "emprendimiento",
                  (_opcion("ruta", "Ruta", RUTAS),)),
    TipoActuacion("perfil_proyecto", "Perfil de proyecto", "emprendimiento",
                  (_texto("nombre_negocio", "Nombre del negocio", max_length=200),
                   _texto("sector", "Sector", max_length=120))),
    TipoActuacion("plan_negocio", "Plan de negocio", "emprendimiento",
                  (_texto("nombre_negocio", "Nombre del negocio", max_length=200),
                   _dinero("valor_solicitado", "Valor solicitado")),
                  admite_items=True, valor_campo="valor_solicitado"),
    TipoActuacion("financiacion", "Financiación", "emprendimiento",
                  (_opcion("modalidad", "Modalidad", MODALIDADES_FINANCIACION),
                   _dinero("valor", "Valor"))),
    TipoActuacion("plan_implementado", "Plan implementado", "emprendimiento"),
    TipoActuacion("fortalecimiento_sede", "Fortalecimiento en sede", "emprendimiento",
                  (_texto("tema", "Tema", max_length=200),)),
    TipoActuacion("formalizacion", "Formalización", "emprendimiento",
                  (_texto("registro", "Registro (p. ej. matrícula mercantil)", max_length=200),)),
    TipoActuacion("empleo_generado", "Empleo generado", "emprendimiento",
                  (Campo("autoempleos", "Autoempleos", "entero", minimo=0, columna="autoempleos"),
                   Campo("directos", "Empleos directos", "entero", minimo=0, columna="directos"))),
    TipoActuacion("plan_ajustado", "Plan ajustado", "microfinanciamiento",
                  (_dinero("valor", "Valor ajustado"),), admite_items=True, valor_campo="valor"),
    TipoActuacion("comite", "Comité de asignación", "microfinanciamiento",
                  (_opcion("decision", "Decisión", DECISIONES), _dinero("valor", "Valor"),
                   _texto("acta", "Acta", max_length=120))),
    TipoActuacion("desembolso", "Desembolso", "microfinanciamiento",
                  (_dinero("valor", "Valor"), _texto("proveedor", "Proveedor", max_length=200),
                   Campo("nit", "NIT del proveedor", "texto", requerido=False, max_length=20,
                         patron=r"\d(\.?\d){5,9}(-\d)?",  # 6 to 10 digits, dots allowed
                         patron_mensaje="Escriba el NIT con sus dígitos y, si quiere, el de "
                                        "verificación: 900123456-7.")),
                  admite_items=True, valor_campo="valor"),
    TipoActuacion("visita_acompanamiento", "Visita de acompañamiento", "microfinanciamiento",
                  (_opcion("clase", "Clase de visita", CLASES_VISITA),
                   _texto("notas", "Notas de la visita", requerido=False, max_length=2000))),
    TipoActuacion("control_inversion", "Control de inversión", "microfinanciamiento",
                  (_texto("observaciones", "Observaciones", max_length=2000),
                   Campo("porcentaje_verificado", "Inversión verificada (%)", "entero", minimo=0,
                         maximo=100, requerido=False))),
    TipoActuacion("capacitacion_fis", "Capacitación FIS", "empleabilidad",
                  (_texto("curso", "Curso", max_length=200),)),
    TipoActuacion("hoja_de_vida", "Hoja de vida", "empleabilidad",
                  (_opcion("plataforma", "Plataforma", PLATAFORMAS),
                   _texto("codigo", "Código en la plataforma", max_length=60))),
    TipoActuacion("remision_seleccion", "Remisión a selección", "empleabilidad", (_vacante(),)),
    TipoActuacion("colocacion", "Colocación", "empleabilidad", (_vacante(),)),
    # Recorded by a DPS list import or by hand; the gate marks the person as referred by DPS.
    TipoActuacion("remision_dps", "Remisión DPS", "orientacion",
                  (_texto("programa", "Programa DPS", max_length=120),)),
)}


def etiqueta_opcion(tipo: str, campo: str, valor: str | None) -> str | None:
    definicion = TIPOS[tipo].campo(campo)
    if definicion is None or definicion.opciones is None or valor is None:
        return valor
    return definicion.opciones.get(valor, valor)


if set(TIPOS) != set(Tipo):
    raise RuntimeError("Every Tipo must be declared in TIPOS with its fields, and only those.")
