"""The OpenAPI 3.1 description of API v1 (API.md), served at GET /api/v1/openapi.json.

Kept by hand next to the routes and kept true by tests: tests/test_openapi.py compares its paths
and methods with the registered /api/v1 rules (both ways), and a property-based run of
schemathesis sends generated requests to every operation and checks each answer against the
schema below (no 5xx, documented status, content type and body shape).

The description is public (no token): it says what the API accepts and answers, nothing about
any record; every operation except `POST /tokens`, `GET /salud` and this one needs a bearer token.
Schemas state the fields every answer carries; records may carry more (`additionalProperties`),
since API.md allows adding fields, never renaming them.
"""
from __future__ import annotations

import copy
from functools import lru_cache

from flask import jsonify

from .base import bp

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# ---- schema helpers --------------------------------------------------------------------------

INT = {"type": "integer"}
INT_OR_NULL = {"type": ["integer", "null"]}
STR = {"type": "string"}
STR_OR_NULL = {"type": ["string", "null"]}
BOOL = {"type": "boolean"}
BOOL_OR_NULL = {"type": ["boolean", "null"]}
DATE = {"type": "string", "format": "date"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": "string"}  # ISO 8601 with offset, as datetime.isoformat() writes it
DATETIME_OR_NULL = {"type": ["string", "null"]}
MES = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
ANY_OBJECT = {"type": "object"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict | None = None, optional: dict | None = None, *, closed: bool = False) -> dict:
    """An object whose `required` properties are always present (and typed), `optional` ones
    typed when present; others allowed unless closed."""
    required = required or {}
    schema = {"type": "object", "properties": {**(optional or {}), **required},
              "required": sorted(required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def page(items: dict) -> dict:
    return obj({"items": array(items), "page": INT, "per_page": INT, "total": INT})


def items_of(items: dict) -> dict:
    return obj({"items": array(items)})


# ---- components ------------------------------------------------------------------------------

SCHEMAS = {
    "Error": obj({"error": obj({"code": STR, "message": STR},
                               {"fields": {"type": "object",
                                           "additionalProperties": {"type": "string"}}})}),
    "Token": obj({"token": STR, "expires_at": DATETIME}),
    "Centro": obj({"id": INT, "nombre": STR, "ciudad": STR, "departamento": STR, "modalidad": STR,
                   "fecha_apertura": DATE_OR_NULL, "activo": BOOL, "version": INT}),
    "Staff": obj({"id": INT, "username": STR, "nombre": STR, "rol": STR, "centro_id": INT_OR_NULL,
                  "activo": BOOL, "version": INT}),
    "Participante": obj({"id": INT, "tipo_documento": STR, "numero_documento": STR,
                         "nombres": STR, "apellidos": STR, "version": INT, "creado_en": DATETIME,
                         "centro_id": INT, "consentimiento_datos": BOOL}),
    "Actuacion": obj({"id": INT, "tipo": STR, "fecha": DATE, "participante_id": INT,
                      "centro_id": INT, "asesor": STR_OR_NULL, "anulada": BOOL,
                      "motivo_anulacion": STR_OR_NULL}),
    "Vacante": obj({"id": INT, "empresa": STR, "cargo": STR, "cupos": INT, "fecha": DATE,
                    "centro_id": INT, "version": INT}),
    "Curso": obj({"id": INT, "centro_id": INT, "nombre": STR, "fecha_inicio": DATE,
                  "activo": BOOL}),
    "Sesion": obj({"id": INT, "curso_id": INT, "fecha": DATE, "asistentes": array(INT)}),
    "Cierre": obj({"id": INT, "centro_id": INT, "mes": MES, "estado": STR, "version": INT}),
    "ComiteSesion": obj({"id": INT, "centro_id": INT, "fecha": DATE, "decisiones": array(ANY_OBJECT),
                         "actas": array(ANY_OBJECT)}),
    "Llamada": obj({"id": INT, "centro_id": INT, "participante_id": INT, "fecha": DATE,
                    "items": array(ANY_OBJECT)}),
    "Proveedor": obj({"id": INT, "centro_id": INT_OR_NULL, "nit": STR_OR_NULL, "version": INT}),
    "Cotizacion": obj({"id": INT, "item_id": INT, "proveedor_id": INT, "precio_unitario": INT,
                       "fecha": DATE}),
    "Programa": obj({"id": INT, "version": INT}),
    "Referencia": obj({"id": INT, "centro_id": INT, "actuacion_id": INT, "participante_id": INT,
                       "programa_id": INT, "estado": STR, "fecha": DATE, "version": INT}),
    "Pqrs": obj({"id": INT, "radicado": STR, "centro_id": INT, "tipo": STR, "estado": STR,
                 "fecha_radicacion": DATE, "fecha_limite": DATE, "vencida": BOOL, "version": INT,
                 "notas": array(ANY_OBJECT)}),
    "PqrsNota": obj({"id": INT, "nota": STR, "creado_en": DATETIME}),
    "SolicitudHabeas": obj({"id": INT, "participante_id": INT, "centro_id": INT, "tipo": STR,
                            "fecha_recibida": DATE, "fecha_limite": DATE, "prorrogada": BOOL,
                            "estado": STR, "vencida": BOOL, "version": INT}),
    "Traslado": obj({"id": INT, "estado": STR, "participante_id": INT, "centro_origen_id": INT,
                     "centro_destino_id": INT, "solicitado_en": DATETIME}),
    "Contacto": obj({"id": INT, "participante_id": INT, "fecha": DATE, "medio": STR,
                     "resultado": STR, "centro_id": INT}),
    "Verificador": obj({"id": INT, "participante_id": INT_OR_NULL, "centro_id": INT, "prefijo": STR,
                        "archivo": STR, "tipo_contenido": STR, "tamano": INT,
                        "estado_revision": STR}),
    "Importacion": obj({"id": INT, "tipo": STR, "estado": STR, "filas": INT_OR_NULL,
                        "aplicada": BOOL, "centro_id": INT, "creado_en": DATETIME}),
    "Muestra": obj({"id": INT, "centro_id": INT, "mes": MES, "semilla": INT, "tamano": INT}),
    "MuestraItem": obj({"id": INT, "tablero": STR, "codigo": STR, "veredicto": STR_OR_NULL,
                        "version": INT}),
    "Tablero": obj({"tablero": STR, "centro_id": INT_OR_NULL, "desde": DATE, "hasta": DATE,
                    "cerrado": BOOL,
                    "filas": array(obj({"codigo": STR, "area": STR, "indicador": STR,
                                        "descripcion": STR, "meta": INT_OR_NULL,
                                        "resultado": {"type": ["integer", "number"]},
                                        "avance": INT_OR_NULL}))}),
    "ArchivoBase": obj({"id": INT, "base": STR, "formato": STR, "estado": STR, "centro_id": INT_OR_NULL,
                        "desde": DATE, "hasta": DATE, "enlace": STR}),
    "Informe": obj({"id": INT, "centro_id": INT, "mes": MES, "tipo": STR}),
    "Convenio": obj({"id": INT, "clase": STR, "nombre": STR, "desde": DATE, "hasta": DATE,
                     "version": INT}),
    "CandidatoDuplicado": obj({"id": INT, "razon": STR, "estado": STR, "version": INT,
                               "participante_a": ANY_OBJECT, "participante_b": ANY_OBJECT}),
    "Auditoria": obj({"id": INT, "en": DATETIME, "usuario": STR_OR_NULL, "accion": STR,
                      "entidad": STR_OR_NULL, "entidad_id": INT_OR_NULL, "centro_id": INT_OR_NULL}),
}

# ---- request bodies --------------------------------------------------------------------------

PERSONA = {
    "tipo_documento": {"enum": ["CC", "TI", "CE", "PEP", "PPT", "PA", "RC"]},
    "numero_documento": STR, "nombres": STR, "apellidos": STR,
    "sexo": {"enum": ["F", "M", "I", None]}, "fecha_nacimiento": DATE, "municipio": STR_OR_NULL,
    "telefono": STR_OR_NULL, "correo": STR_OR_NULL,
    "etnia": {"enum": ["indigena", "afrodescendiente", "rrom", "raizal", "palenquero", "ninguno",
                       None]},
    "discapacidad": BOOL_OR_NULL, "desplazamiento": BOOL_OR_NULL,
    "tipo_poblacion": {"enum": ["red_unidos", "sisben", "otros_vulnerables", "no_vulnerables", None]},
    "remitido_dps": BOOL, "programa_dps": STR_OR_NULL, "consentimiento_datos": BOOL,
    "centro_id": INT, "acudiente_nombre": STR_OR_NULL, "acudiente_documento": STR_OR_NULL,
}
TIPOS_ACTUACION = ["caracterizacion", "enrutamiento", "acta_compromiso", "desistimiento",
                   "referenciacion", "ingreso_ruta", "perfil_proyecto", "plan_negocio",
                   "financiacion", "plan_implementado", "fortalecimiento_sede", "formalizacion",
                   "empleo_generado", "plan_ajustado", "comite", "desembolso",
                   "visita_acompanamiento", "control_inversion", "capacitacion_fis",
                   "hoja_de_vida", "remision_seleccion", "colocacion", "remision_dps"]
ITEM = obj({"descripcion": STR, "cantidad": INT, "precio_unitario": INT})
ACTUACION_IN = obj({"tipo": {"enum": TIPOS_ACTUACION}, "fecha": DATE}, {
    "observaciones": STR, "destino": STR, "motivo": STR, "programa": STR, "ruta": STR,
    "nombre_negocio": STR, "sector": STR, "valor_solicitado": INT, "modalidad": STR, "valor": INT,
    "tema": STR, "registro": STR, "autoempleos": INT, "directos": INT, "decision": STR,
    "acta": STR, "proveedor": STR, "nit": STR, "clase": STR, "curso": STR, "plataforma": STR,
    "codigo": STR, "vacante_id": INT, "items": array(ITEM)})
MOTIVO = obj({"motivo": STR})


def multipart(properties: dict) -> dict:
    return {"required": True, "content": {"multipart/form-data": {"schema": obj(optional=properties)}}}


FILES = {"archivo": array({"type": "string", "format": "binary"})}

# ---- query parameters ------------------------------------------------------------------------

PAGING = {"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1,
                                                                   "maximum": 200}}
WINDOW = {"centro_id": INT, "desde": DATE, "hasta": DATE}
AUDIT_FILTERS = {"usuario": STR, "accion": STR, "entidad": STR, "entidad_id": INT, "centro_id": INT,
                 "desde": DATE, "hasta": DATE}

# ---- the operations --------------------------------------------------------------------------
# (method, path as Flask writes it, summary, query, request body, success status, answer);
# the answer is a schema (JSON), a media type string (a file), or None (no body).

OPERATIONS: list[tuple] = [
    # Operation and auth
    ("get", "/salud", "Whether the database answers (public)", {}, None, 200,
     obj({"estado": {"const": "ok"}})),
    ("get", "/openapi.json", "This description (public)", {}, None, 200, ANY_OBJECT),
    ("post", "/tokens", "Issue a bearer token (public)", {},
     obj({"username": STR, "password": STR}, {"codigo": STR}), 201, ref("Token")),
    ("delete", "/tokens/current", "Revoke the token sent", {}, None, 204, None),
    ("post", "/cuenta/contrasena", "Change one's own password", {},
     obj({"actual": STR, "nueva": STR}), 200, obj({"cambiada": BOOL})),
    # Centros and staff
    ("get", "/centros", "Centres the caller may see", {}, None, 200, page(ref("Centro"))),
    ("post", "/centros", "Create a centre (admin)", {},
     obj({"nombre": STR, "ciudad": STR, "departamento": STR,
          "modalidad": {"enum": ["Cemprende", "COEE"]}, "fecha_apertura": DATE}),
     201, ref("Centro")),
    ("get", "/centros/<int:centro_id>", "One centre", {}, None, 200, ref("Centro")),
    ("patch", "/centros/<int:centro_id>", "Edit a centre (admin)", {},
     obj({"version": INT}, {"nombre": STR, "ciudad": STR, "departamento": STR, "activo": BOOL,
                            "fecha_apertura": DATE}), 200, ref("Centro")),
    ("get", "/staff", "Staff the caller may see", {"q": STR, **PAGING}, None, 200,
     page(ref("Staff"))),
    ("post", "/staff", "Create a staff account", {},
     obj({"username": STR, "password": STR, "nombre": STR,
          "rol": {"enum": ["asesor", "director", "supervisor", "admin"]}},
         {"centro_id": INT_OR_NULL}), 201, ref("Staff")),
    ("patch", "/staff/<int:staff_id>", "Edit a staff account", {},
     obj({"version": INT}, {"nombre": STR, "rol": STR, "centro_id": INT_OR_NULL, "activo": BOOL,
                            "password": STR}), 200, ref("Staff")),
    # Participantes and actuaciones
    ("get", "/participantes", "Search people", {"q": STR, "documento": STR, **PAGING}, None, 200,
     page(ref("Participante"))),
    ("post", "/participantes", "Register a person", {},
     obj({k: PERSONA[k] for k in ("tipo_documento", "numero_documento", "nombres", "apellidos",
                                  "consentimiento_datos")}, PERSONA), 201, ref("Participante")),
    ("get", "/participantes/<int:participante_id>", "A person with the itinerary", {}, None, 200,
     {"allOf": [ref("Participante"), obj({"itinerario": array(ref("Actuacion")),
                                          "estado_contacto": STR})]}),
    ("patch", "/participantes/<int:participante_id>", "Edit a person", {},
     obj({"version": INT}, PERSONA), 200, ref("Participante")),
    ("post", "/participantes/<int:participante_id>/actuaciones", "Record an actuación", {},
     ACTUACION_IN, 201, ref("Actuacion")),
    ("get", "/actuaciones/<int:actuacion_id>", "One actuación", {}, None, 200, ref("Actuacion")),
    ("post", "/actuaciones/<int:actuacion_id>/anular", "Annul an actuación", {}, MOTIVO, 200,
     ref("Actuacion")),
    ("post", "/participantes/<int:participante_id>/contactos", "Record a contact attempt", {},
     obj({"fecha": DATE,
          "medio": {"enum": ["telefono", "visita", "mensaje", "correo"]},
          "resultado": {"enum": ["localizado", "no_contesta", "numero_errado", "desiste",
                                 "no_figura", "no_localizado"]}}, {"observacion": STR}),
     201, ref("Contacto")),
    # Habeas data
    ("get", "/solicitudes-habeas", "Open habeas-data requests", PAGING, None, 200,
     page(ref("SolicitudHabeas"))),
    ("get", "/participantes/<int:participante_id>/solicitudes-habeas", "A person's requests", {},
     None, 200, items_of(ref("SolicitudHabeas"))),
    ("post", "/participantes/<int:participante_id>/solicitudes-habeas", "Record a request", {},
     obj({"tipo": {"enum": ["consulta", "reclamo"]}, "fecha_recibida": DATE, "descripcion": STR}),
     201, ref("SolicitudHabeas")),
    ("post", "/solicitudes-habeas/<int:solicitud_id>/prorroga", "Extend a request", {},
     obj({"motivo_prorroga": STR}, {"version": INT}), 200, ref("SolicitudHabeas")),
    ("post", "/solicitudes-habeas/<int:solicitud_id>/respuesta", "Answer a request", {},
     obj({"respuesta": STR}, {"fecha_respuesta": DATE, "version": INT}), 200,
     ref("SolicitudHabeas")),
    ("post", "/participantes/<int:participante_id>/rectificacion", "Audited correction", {},
     obj({"motivo": STR}, {**PERSONA, "version": INT}), 200, ref("Participante")),
    ("post", "/participantes/<int:participante_id>/revocatoria-sensibles",
     "Revoke consent for sensitive data", {}, obj(optional={"version": INT, "motivo": STR}), 200,
     ref("Participante")),
    ("post", "/participantes/<int:participante_id>/autorizacion-sensibles",
     "Record consent for sensitive data", {}, obj(optional={"version": INT}), 200,
     ref("Participante")),
    ("get", "/participantes/<int:participante_id>/reporte-titular.pdf", "Report to the person",
     {}, None, 200, PDF),
    # Vacantes, cursos
    ("get", "/vacantes", "Vacancies", {"q": STR, **PAGING}, None, 200, page(ref("Vacante"))),
    ("post", "/vacantes", "Create a vacancy", {},
     obj({"empresa": STR, "cargo": STR, "cupos": INT, "fecha": DATE}, {"centro_id": INT}),
     201, ref("Vacante")),
    ("get", "/vacantes/<int:vacante_id>", "One vacancy", {}, None, 200, ref("Vacante")),
    ("patch", "/vacantes/<int:vacante_id>", "Edit a vacancy", {},
     obj({"version": INT}, {"empresa": STR, "cargo": STR, "cupos": INT, "estado": STR}), 200,
     ref("Vacante")),
    ("post", "/vacantes/<int:vacante_id>/remisiones", "Remit people to a vacancy", {},
     obj({"participante_ids": array(INT), "fecha": DATE}), 201, items_of(ref("Actuacion"))),
    ("post", "/vacantes/<int:vacante_id>/colocaciones", "Place a person", {},
     obj({"participante_id": INT, "fecha": DATE}, {"plataforma": STR}), 201, ref("Actuacion")),
    ("get", "/cursos", "FIS courses", {"q": STR, **PAGING}, None, 200, page(ref("Curso"))),
    ("post", "/cursos", "Create a course", {},
     obj({"nombre": STR, "fecha_inicio": DATE}, {"descripcion": STR, "centro_id": INT}),
     201, ref("Curso")),
    ("get", "/cursos/<int:curso_id>", "A course with its sessions", {}, None, 200,
     {"allOf": [ref("Curso"), obj({"sesiones": array(ref("Sesion"))})]}),
    ("post", "/cursos/<int:curso_id>/sesiones", "Add a session", {},
     obj({"fecha": DATE, "tema": STR}, {"participante_ids": array(INT)}), 201, ref("Sesion")),
    ("post", "/sesiones/<int:sesion_id>/asistencias", "Mark attendance", {},
     obj({"participante_ids": array(INT)}), 201,
     items_of(obj({"id": INT, "participante_id": INT, "actuacion_id": INT_OR_NULL}))),
    # Referenciación
    ("get", "/programas", "Programmes", {"q": STR, "categoria": STR, **PAGING}, None, 200,
     page(ref("Programa"))),
    ("post", "/programas", "Create a programme", {},
     obj({"nombre": STR, "categoria": STR}, {"entidad": STR, "contacto": STR, "activo": BOOL}),
     201, ref("Programa")),
    ("patch", "/programas/<int:programa_id>", "Edit a programme", {},
     obj({"version": INT}, {"nombre": STR, "categoria": STR, "activo": BOOL}), 200,
     ref("Programa")),
    ("post", "/participantes/<int:participante_id>/referencias", "Refer a person", {},
     obj({"programa_id": INT, "fecha": DATE}, {"notas": STR, "fecha_seguimiento": DATE}), 201,
     ref("Referencia")),
    ("get", "/referencias", "Referrals", {"q": STR, "participante_id": INT, "estado": STR,
                                          "vencidas": BOOL, **PAGING}, None, 200,
     page(ref("Referencia"))),
    ("get", "/referencias/<int:referencia_id>", "One referral", {}, None, 200, ref("Referencia")),
    ("patch", "/referencias/<int:referencia_id>", "Follow up a referral", {},
     obj({"version": INT}, {"estado": STR, "notas": STR, "fecha_seguimiento": DATE}), 200,
     ref("Referencia")),
    # Traslados
    ("post", "/traslados", "Ask for a person's transfer", {},
     obj({"centro_destino_id": INT, "motivo": STR},
         {"participante_id": INT, "tipo_documento": STR, "numero_documento": STR}),
     201, obj({"id": INT, "estado": STR})),
    ("get", "/traslados", "Transfers", {"estado": STR, "lado": STR, **PAGING}, None, 200,
     page(ref("Traslado"))),
    ("get", "/traslados/<int:traslado_id>", "One transfer", {}, None, 200, ref("Traslado")),
    ("post", "/traslados/<int:traslado_id>/respuesta", "Accept or refuse a transfer", {},
     obj({"aceptar": BOOL}, {"motivo": STR}), 200, ref("Traslado")),
    # Microfinanciamiento
    ("get", "/comite/sesiones", "Committee sessions", PAGING, None, 200,
     page(ref("ComiteSesion"))),
    ("post", "/comite/sesiones", "Hold a committee session", {},
     obj({"fecha": DATE, "decisiones": array(ANY_OBJECT)},
         {"lugar": STR, "miembros": array(STR), "centro_id": INT}), 201, ref("ComiteSesion")),
    ("get", "/comite/sesiones/<int:sesion_comite_id>", "One committee session", {}, None, 200,
     ref("ComiteSesion")),
    ("post", "/comite/sesiones/<int:sesion_comite_id>/acta", "Upload the signed minutes", {},
     multipart(FILES), 201, ref("ComiteSesion")),
    ("get", "/participantes/<int:participante_id>/plan-aprobado", "The approved plan", {}, None,
     200, obj({"participante_id": INT, "comite_id": INT, "valor_aprobado": INT,
               "valor_entregado": INT, "completo": BOOL, "items": array(ANY_OBJECT),
               "entregas": array(INT)})),
    ("post", "/participantes/<int:participante_id>/entregas", "Record a delivery", {},
     obj({"fecha": DATE, "items": array(ITEM)}, {"proveedor": STR, "nit": STR}), 201,
     ref("Actuacion")),
    ("get", "/alertas", "Integrity alerts", {"centro_id": INT, "tipo": STR, **PAGING}, None, 200,
     obj({"items": array(obj({"tipo": STR, "centro_id": INT, "participante_id": INT_OR_NULL,
                              "detalle": STR})),
          "page": INT, "per_page": INT, "total": INT, "por_tipo": ANY_OBJECT,
          "umbrales": ANY_OBJECT})),
    ("get", "/llamadas/lista", "Verification call list", {"centro_id": INT, "mes": MES,
                                                           "muestra": INT, "semilla": INT},
     None, 200, obj({"centro_id": INT_OR_NULL, "mes": MES, "items": array(ANY_OBJECT)})),
    ("post", "/llamadas", "Record a verification call", {},
     obj({"participante_id": INT, "fecha": DATE, "contesto": BOOL},
         {"observacion": STR, "items": array(ANY_OBJECT)}), 201, ref("Llamada")),
    ("get", "/participantes/<int:participante_id>/llamadas", "A person's calls", {}, None, 200,
     items_of(ref("Llamada"))),
    ("get", "/proveedores", "Suppliers", {"q": STR, "estado": STR, "centro_id": INT, **PAGING},
     None, 200, page(ref("Proveedor"))),
    ("post", "/proveedores", "Register a supplier", {},
     obj({"nombre": STR, "nit": STR}, {"centro_id": INT, "telefono": STR}), 201,
     ref("Proveedor")),
    ("get", "/proveedores/<int:proveedor_id>", "One supplier", {}, None, 200, ref("Proveedor")),
    ("patch", "/proveedores/<int:proveedor_id>", "Edit a supplier", {},
     obj({"version": INT}, {"nombre": STR, "estado": STR, "telefono": STR}), 200,
     ref("Proveedor")),
    ("get", "/items/<int:item_id>/cotizaciones", "Quotes of a plan item", {}, None, 200,
     items_of(ref("Cotizacion"))),
    ("post", "/items/<int:item_id>/cotizaciones", "Add a quote", {},
     obj({"proveedor_id": INT, "precio_unitario": INT, "fecha": DATE}), 201, ref("Cotizacion")),
    ("delete", "/cotizaciones/<int:cotizacion_id>", "Withdraw a quote", {}, None, 204, None),
    ("get", "/precios-referencia", "Reference prices", {"categoria": STR, "mes": MES}, None, 200,
     items_of(ANY_OBJECT)),
    # Verificadores
    ("post", "/verificadores", "Upload verifier documents", {},
     multipart({**FILES, "participante_id": STR, "centro_id": STR, "prefijo": STR}), 200,
     obj({"carga_id": INT, "total": INT, "vinculados": INT,
          "items": array(obj({"archivo": STR, "estado": STR}))})),
    ("get", "/verificadores", "Verifier documents",
     {"participante_id": INT, "centro_id": INT, "prefijo": STR, "estado_revision": STR, **PAGING},
     None, 200, page(ref("Verificador"))),
    ("get", "/verificadores/<int:verificador_id>", "One document's record", {}, None, 200,
     ref("Verificador")),
    ("get", "/verificadores/<int:verificador_id>/archivo", "The document's bytes", {}, None, 200,
     ["application/pdf", "image/jpeg", "image/png"]),
    ("post", "/verificadores/<int:verificador_id>/revision", "Supervisor review", {},
     obj({"estado": {"enum": ["aprobado", "rechazado"]}}, {"observacion": STR, "version": INT}),
     200, ref("Verificador")),
    ("get", "/verificadores/cobertura", "Verifier coverage", {**WINDOW, **PAGING}, None, 200,
     obj({"faltantes": page(obj({"actuacion_id": INT_OR_NULL, "participante_id": INT, "tipo": STR,
                                  "fecha": DATE, "prefijo": STR}))})),
    # Importaciones
    ("post", "/importaciones", "Upload a file to import", {},
     multipart({"archivo": {"type": "string", "format": "binary"},
                "tipo": {"enum": ["remision_dps", "legado"]},
                "aplicar": {"enum": ["true", "false"]}, "centro_id": STR}),
     202, obj({"id": INT, "estado": STR})),
    ("get", "/importaciones", "The centre's imports", PAGING, None, 200, page(ref("Importacion"))),
    ("get", "/importaciones/<int:importacion_id>", "An import's report", {}, None, 200,
     {"allOf": [ref("Importacion"), obj({"errores": array(ANY_OBJECT),
                                         "avisos": array(ANY_OBJECT)})]}),
    ("post", "/importaciones/<int:importacion_id>/aplicar", "Apply a previewed import", {}, None,
     202, obj({"id": INT, "estado": STR})),
    ("get", "/importaciones/<int:importacion_id>/errores.csv", "An import's error rows", {}, None,
     200, CSV),
    # Metas, tableros, drill-down, bases
    ("put", "/metas", "Set a centre's goals", {},
     obj({"centro_id": INT, "vigencia": obj({"nombre": STR, "desde": DATE, "hasta": DATE}),
          "metas": {"type": "object", "additionalProperties": INT}}), 200,
     obj({"centro_id": INT, "vigencia": obj({"id": INT, "nombre": STR, "desde": DATE,
                                              "hasta": DATE}),
          "metas": ANY_OBJECT})),
    ("get", "/tableros/<any(global, microcapitalizacion):tablero>", "A tablero", WINDOW, None, 200,
     ref("Tablero")),
    ("get", "/tableros/<any(global, microcapitalizacion):tablero>/filas/<codigo>/personas",
     "The units behind a figure", {**WINDOW, **PAGING}, None, 200,
     {"allOf": [page(ANY_OBJECT), obj({"tablero": STR, "codigo": STR, "centro_id": INT_OR_NULL,
                                       "desde": DATE, "hasta": DATE, "unidad": STR})]}),
    ("get", "/bases", "The bases the caller may download", {}, None, 200,
     items_of(obj({"nombre": STR, "titulo": STR, "columnas": array(STR), "enlaces": ANY_OBJECT}))),
    ("get", "/bases/<nombre>.csv", "A base as CSV", WINDOW, None, 200, CSV),
    ("get", "/bases/<nombre>.xlsx", "A base as XLSX (202 while prepared in the background)",
     WINDOW, None, 200, XLSX),
    ("get", "/bases/archivos", "The caller's prepared files", {}, None, 200,
     items_of(ref("ArchivoBase"))),
    ("get", "/bases/archivos/<int:archivo_id>", "A prepared file (202 while being prepared)", {},
     None, 200, [XLSX, CSV]),
    # Cierres
    ("get", "/cierres", "Month closes", {"centro_id": INT, "mes": MES, "estado": STR, **PAGING},
     None, 200,
     page(ref("Cierre"))),
    ("post", "/cierres", "Close a month", {}, obj({"centro_id": INT, "mes": MES}), 201,
     ref("Cierre")),
    ("get", "/cierres/<int:cierre_id>", "One close with its checklist", {}, None, 200,
     {"allOf": [ref("Cierre"), obj({"ventanas": ANY_OBJECT, "pendientes": ANY_OBJECT})]}),
    ("post", "/cierres/<int:cierre_id>/aceptacion", "Accept a close", {},
     obj(optional={"version": INT}), 200, ref("Cierre")),
    ("post", "/cierres/<int:cierre_id>/devolucion", "Return a close", {}, MOTIVO, 200,
     ref("Cierre")),
    ("post", "/cierres/<int:cierre_id>/reapertura", "Reopen a close", {}, MOTIVO, 200,
     ref("Cierre")),
    # Calidad, muestras, PQRS, auditoría
    ("get", "/calidad", "Data-quality scores", {"centro_id": INT, "mes": MES}, None,
     200, obj({"mes": MES, "centro_id": INT_OR_NULL, "por": STR, "filas": array(ANY_OBJECT),
               "total": ANY_OBJECT, "tendencia": array(ANY_OBJECT)})),
    ("get", "/muestras", "Audit samples", PAGING, None, 200, page(ref("Muestra"))),
    ("post", "/muestras", "Draw an audit sample", {},
     obj({"centro_id": INT, "mes": MES}, {"tamano": INT, "semilla": INT}), 201,
     {"allOf": [ref("Muestra"), obj({"items": array(ref("MuestraItem")),
                                     "tasas": array(ANY_OBJECT), "total": ANY_OBJECT})]}),
    ("get", "/muestras/<int:muestra_id>", "One sample with error rates", {}, None, 200,
     {"allOf": [ref("Muestra"), obj({"items": array(ref("MuestraItem")),
                                     "tasas": array(ANY_OBJECT), "total": ANY_OBJECT})]}),
    ("get", "/muestras/<int:muestra_id>.csv", "A sample as CSV", {}, None, 200, CSV),
    ("post", "/muestras/items/<int:muestra_item_id>/veredicto", "Review a sampled unit", {},
     obj({"veredicto": {"enum": ["conforme", "no_conforme"]}, "version": INT}, {"motivo": STR}),
     200, ref("MuestraItem")),
    ("get", "/pqrs", "PQRS, overdue first", {"q": STR, "estado": STR, "tipo": STR,
                                             "centro_id": INT, "vencidas": BOOL, **PAGING},
     None, 200, page(ref("Pqrs"))),
    ("post", "/pqrs", "Record a PQRS", {},
     obj({"tipo": STR, "canal": STR, "fecha_radicacion": DATE, "asunto": STR, "texto": STR},
         {"anonima": BOOL, "participante_id": INT, "nombre_peticionario": STR, "contacto": STR,
          "centro_id": INT, "plan_id": INT}), 201, ref("Pqrs")),
    ("get", "/pqrs/<int:pqrs_id>", "One PQRS", {}, None, 200, ref("Pqrs")),
    ("post", "/pqrs/<int:pqrs_id>/respuesta", "Answer a PQRS", {},
     obj({"version": INT, "respuesta": STR}, {"fecha_respuesta": DATE}), 200, ref("Pqrs")),
    ("post", "/pqrs/<int:pqrs_id>/notas", "Add a follow-up note", {}, obj({"nota": STR}), 201,
     ref("PqrsNota")),
    ("get", "/auditoria", "The audit trail", {**AUDIT_FILTERS, **PAGING},
     None, 200, page(ref("Auditoria"))),
    ("get", "/auditoria.csv", "The audit trail as CSV", AUDIT_FILTERS,
     None, 200, CSV),
    # Breakdowns, informes, convenios
    ("get", "/tableros/<any(global, microcapitalizacion):tablero>/filas/<codigo>/desglose",
     "A row broken down by one characteristic of the people it counts",
     {"por": STR, **WINDOW}, None, 200,
     obj({"tablero": STR, "codigo": STR, "por": STR, "total": INT,
          "grupos": array(obj({"clave": STR_OR_NULL, "etiqueta": STR, "personas": INT}))})),
    ("get", "/informes", "Monthly informe versions", {"centro_id": INT, "mes": MES, "tipo": STR,
                                                      **PAGING}, None, 200, page(ref("Informe"))),
    ("post", "/informes", "Generate a frozen informe version", {},
     obj({"centro_id": INT, "mes": MES,
          "tipo": {"enum": ["enrutamiento", "capitalizacion", "tecnico"]}},
         {"logros": STR, "dificultades": STR, "acciones_mejora": STR, "casos_destacados": STR}),
     201, ref("Informe")),
    ("get", "/informes/<int:informe_id>", "One informe version with its snapshot", {}, None, 200,
     ref("Informe")),
    ("get", "/convenios", "Convenios and cuatrienios", {"clase": STR, **PAGING}, None, 200,
     page(ref("Convenio"))),
    ("post", "/convenios", "Create a convenio or cuatrienio (admin)", {},
     obj({"clase": {"enum": ["convenio", "cuatrienio"]}, "nombre": STR, "desde": DATE,
          "hasta": DATE},
         {"financiador": STR_OR_NULL, "recursos": INT_OR_NULL, "toda_la_red": BOOL,
          "centros": array(INT), "metas": ANY_OBJECT}), 201, ref("Convenio")),
    ("get", "/convenios/<int:convenio_id>", "One convenio with its progress", {}, None, 200,
     ref("Convenio")),
    ("put", "/convenios/<int:convenio_id>", "Edit a convenio (admin)", {},
     obj({"version": INT}, {"clase": STR, "nombre": STR, "financiador": STR_OR_NULL,
                            "recursos": INT_OR_NULL, "desde": DATE, "hasta": DATE,
                            "toda_la_red": BOOL, "centros": array(INT), "metas": ANY_OBJECT}),
     200, ref("Convenio")),
    # DPS: follow-up, export of the remitted people, DPS's answer
    ("get", "/dps/seguimiento", "Remitted → located → served, per list and centre", WINDOW, None,
     200, ANY_OBJECT),
    ("get", "/dps/seguimiento.csv", "The follow-up as CSV", WINDOW, None, 200, CSV),
    ("get", "/dps/seguimiento/personas", "The people behind a follow-up figure",
     {**WINDOW, "etapa": STR, "programa": STR, "importacion_id": STR, **PAGING}, None, 200,
     page(ANY_OBJECT)),
    ("get", "/dps/remitidos.csv", "The remitted people in DPS's shape", WINDOW, None, 200, CSV),
    ("get", "/dps/remitidos.xlsx", "The remitted people in DPS's shape (XLSX)", WINDOW, None,
     200, XLSX),
    ("post", "/dps/respuestas", "DPS's answer: preview (aplicar=false) or apply", {},
     multipart({"archivo": {"type": "string", "format": "binary"},
                "aplicar": {"enum": ["true", "false"]}, "centro_id": STR}), 200, ANY_OBJECT),
    # Possible duplicates
    ("get", "/duplicados", "Pairs of possible duplicate people",
     {"estado": STR, "razon": STR, "centro_id": INT, **PAGING}, None, 200,
     page(ref("CandidatoDuplicado"))),
    ("post", "/duplicados/deteccion", "Queue the detection over the network", {}, None, 202,
     obj({"id": INT, "estado": STR})),
    ("get", "/duplicados/<int:candidato_id>", "One pair", {}, None, 200,
     ref("CandidatoDuplicado")),
    ("post", "/duplicados/<int:candidato_id>/fusion", "Merge the pair into one person", {},
     obj({"superviviente_id": INT}, {"version": INT}), 201,
     obj({"id": INT, "superviviente_id": INT, "absorbido_id": INT, "absorbido_documento": STR,
          "movidos": ANY_OBJECT})),
    ("post", "/duplicados/<int:candidato_id>/descarte", "Not the same person (remembered)", {},
     obj(optional={"motivo": STR, "version": INT}), 200, ref("CandidatoDuplicado")),
    # Vacancy matching
    ("get", "/vacantes/<int:vacante_id>/candidatos", "Job seekers for a vacancy, best fit first",
     {"q": STR, **PAGING}, None, 200,
     page(obj({"participante_id": INT, "nombres": STR, "apellidos": STR,
               "criterios": array(obj({"nombre": STR, "cumple": BOOL_OR_NULL,
                                       "detalle": STR}))}))),
    ("put", "/participantes/<int:participante_id>/perfil-laboral", "A person's employability profile",
     {}, obj({"version": INT}, {"nivel_educativo": STR_OR_NULL,
                                "experiencia_meses": INT_OR_NULL,
                                "municipios_trabajo": {"type": ["array", "string", "null"]},
                                "horarios": {"type": ["array", "null"]}}), 200,
     obj({"participante_id": INT, "version": INT, "nivel_educativo": STR_OR_NULL,
          "experiencia_meses": INT_OR_NULL, "municipios_trabajo": array(STR),
          "horarios": array(STR)})),
]

PUBLIC = {("post", "/tokens"), ("get", "/salud"), ("get", "/openapi.json")}
# Statuses beyond the success one that an operation may answer.
ERRORS = {"400": "Malformed request", "401": "No valid token", "403": "The role may not do this",
          "404": "Not found or not visible to you", "405": "Method not allowed",
          "409": "Conflict (stale version, duplicate, race)", "413": "Too large",
          "415": "Wrong content type", "422": "Valid JSON that breaks a rule", "429": "Throttled"}
PATH_PARAM_SCHEMAS = {
    "tablero": {"type": "string", "enum": ["global", "microcapitalizacion"]},
    "nombre": {"type": "string", "enum": ["participantes", "actuaciones", "remisiones_dps",
                                          "capitalizacion"]},
    "codigo": {"type": "string", "minLength": 1},
}


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule (without the /api/v1 prefix) as an OpenAPI path template with its path
    parameters."""
    parameters, out, rest = [], "", rule
    while "<" in rest:
        before, _, tail = rest.partition("<")
        inside, _, rest = tail.partition(">")
        converter, _, name = inside.rpartition(":")
        schema = ({"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
                  if converter == "int" else PATH_PARAM_SCHEMAS.get(name, {"type": "string"}))
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        out += before + "{" + name + "}"
    return out + rest, parameters


def _responses(status: int, answer, public: bool) -> dict:
    if answer is None:
        success = {"description": "Done, no body"}
    elif isinstance(answer, (str, list)):
        types = [answer] if isinstance(answer, str) else answer
        success = {"description": "The file",
                   "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in types}}
    else:
        success = {"description": "OK", "content": {JSON: {"schema": answer}}}
    responses = {str(status): success}
    if status == 200 and isinstance(answer, str) and answer in (XLSX,):
        responses["202"] = {"description": "Prepared in the background",
                            "content": {JSON: {"schema": obj({"id": INT, "estado": STR})}}}
    for code, description in ERRORS.items():
        if public and code == "403" or (public and code == "401" and status != 201):
            continue
        responses[code] = {"description": description,
                           "content": {JSON: {"schema": ref("Error")}}}
    return responses


@lru_cache(maxsize=1)
def _build() -> dict:
    paths: dict = {}
    for method, rule, summary, query, request_body, status, answer in OPERATIONS:
        path, parameters = openapi_path(rule)
        parameters += [{"name": name, "in": "query", "required": False, "schema": schema}
                       for name, schema in query.items()]
        public = (method, rule) in PUBLIC
        operation = {"summary": summary, "operationId": f"{method}_{path}",
                     "responses": _responses(status, answer, public)}
        if parameters:
            operation["parameters"] = parameters
        if request_body is not None:
            operation["requestBody"] = (request_body if "content" in request_body else
                                        {"required": True,
                                         "content": {JSON: {"schema": request_body}}})
        if public:
            operation["security"] = []
        paths.setdefault("/api/v1" + path, {})[method] = operation
    # Answers that differ from the one success status of the table.
    archivo = paths["/api/v1/bases/archivos/{archivo_id}"]["get"]["responses"]
    archivo["202"] = {"description": "Still being prepared",
                      "content": {JSON: {"schema": ref("ArchivoBase")}}}
    paths["/api/v1/salud"]["get"]["responses"]["503"] = {
        "description": "The database does not answer",
        "content": {JSON: {"schema": obj({"estado": STR})}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Cemprende API", "version": "1",
                 "description": "The contract of API.md: JSON in and out, dates YYYY-MM-DD, money "
                                "in integer pesos; `Authorization: Bearer <token>` from "
                                "POST /api/v1/tokens. A record of another centre answers 404."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def spec() -> dict:
    """A copy of the description (callers may change theirs)."""
    return copy.deepcopy(_build())


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(_build())
