"""One gate: every order rule of API.md gives the same verdict through every door.

Doors: the generic API, the generic page form, the CLI, and each process's own endpoint and page
where it can express the same write. Each case builds its facts through the API, then sends the
refused write through every door: the same status, the same `code` and Spanish message (pages
show the message; the CLI prints "[code] message"), and nothing is written.
"""
from __future__ import annotations

import inspect
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from cemprende.dps import reglas as dps
from cemprende.empleabilidad import reglas as empleabilidad
from cemprende.emprendimiento import reglas as emprendimiento
from cemprende.extensions import db
from cemprende.itinerario import reglas
from cemprende.itinerario.reglas import Incumple
from cemprende.microfinanciamiento import reglas as microfinanciamiento
from cemprende.orientacion import reglas as orientacion
from cemprende.models import Actuacion, Participante
from cemprende.tableros import desgloses, drilldown, queries, resumen
from cemprende.tableros.registry import FILAS, Personas
from conftest import TODAY, api_token, csrf_token, login, person_payload, post_at_once

D = lambda days_ago: (TODAY - timedelta(days=days_ago)).isoformat()  # noqa: E731
ITEMS = [{"descripcion": "Nevera", "cantidad": 2, "precio_unitario": 600_000},
         {"descripcion": "Estufa", "cantidad": 1, "precio_unitario": 400_000}]  # 1.600.000
PLAN_NEGOCIO = ("plan_negocio", 90, {"nombre_negocio": "Panadería", "valor_solicitado": 1_600_000,
                                     "items": ITEMS})
DIAGNOSTICO = ("visita_acompanamiento", 80, {"clase": "diagnostico"})
AJUSTADO = ("plan_ajustado", 70, {"valor": 1_600_000, "items": ITEMS})
APROBADO = ("comite", 60, {"decision": "aprobado", "valor": 1_600_000, "acta": "ACA-1"})


@dataclass
class Case:
    code: str
    tipo: str
    before: list = field(default_factory=list)  # (tipo, days ago, fields); "V" = the vacancy
    write: dict = field(default_factory=dict)
    doors: tuple = ("api", "pagina", "cli")
    vacante: dict | None = None  # {"estado": "cerrada"} or {"cupos": 0...}
    others_placed: int = 0  # people of the centre already placed in the vacancy
    sin_consentimiento: bool = False  # the person has not consented yet (as an import leaves them)
    fallecido: bool = False  # DPS reported the person deceased (as its answer leaves them)


CASES = [
    Case("ruta_actual", "ingreso_ruta", [("ingreso_ruta", 20, {"ruta": "fortalece"})],
         {"ruta": "fortalece"}, ("api", "pagina", "cli", "pagina_ruta")),
    Case("sin_plan_negocio", "plan_ajustado", [DIAGNOSTICO], {"valor": 1_600_000, "items": ITEMS},
         ("api", "pagina", "cli", "pagina_ajuste")),
    Case("sin_visita_diagnostico", "plan_ajustado", [PLAN_NEGOCIO], {"valor": 1_600_000, "items": ITEMS},
         ("api", "pagina", "cli", "pagina_ajuste")),
    Case("sin_plan_ajustado", "comite", [PLAN_NEGOCIO, DIAGNOSTICO],
         {"decision": "aprobado", "valor": 1_000_000, "acta": "ACA-2"}),
    Case("plan_ya_decidido", "comite",
         [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, ("comite", 60, {"decision": "rechazado", "valor": 1_600_000, "acta": "A"})],
         {"decision": "aprobado", "valor": 1_600_000, "acta": "ACA-2"}, ("api", "pagina", "cli", "api_comite")),
    Case("excede_plan", "comite", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO],
         {"decision": "aprobado", "valor": 2_000_000, "acta": "ACA-2"}, ("api", "pagina", "cli", "api_comite")),
    Case("sin_aprobacion", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO],
         {"valor": 600_000, "proveedor": "Almacén", "items": [dict(ITEMS[0], cantidad=1)]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega")),
    Case("excede_aprobado", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO],
         {"valor": 2_000_000, "proveedor": "Almacén",
          "items": [{"descripcion": "Nevera", "cantidad": 2, "precio_unitario": 1_000_000}]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega")),
    Case("item_fuera_del_plan", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO],
         {"valor": 300_000, "proveedor": "Almacén",
          "items": [{"descripcion": "Moto", "cantidad": 1, "precio_unitario": 300_000}]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega")),
    Case("excede_item", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO],
         {"valor": 800_000, "proveedor": "Almacén",
          "items": [{"descripcion": "Estufa", "cantidad": 2, "precio_unitario": 400_000}]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega")),
    Case("sin_plan_negocio", "financiacion", [], {"modalidad": "directo", "valor": 1_000_000},
         ("api", "pagina", "cli", "pagina_servicio")),
    Case("financiacion_repetida", "financiacion",
         [PLAN_NEGOCIO, ("financiacion", 50, {"modalidad": "directo", "valor": 1_600_000})],
         {"modalidad": "referenciacion", "valor": 1_600_000}, ("api", "pagina", "cli", "pagina_servicio")),
    Case("sin_financiacion", "plan_implementado", [PLAN_NEGOCIO], {},
         ("api", "pagina", "cli", "pagina_servicio")),
    Case("vacante_cerrada", "remision_seleccion", [], {"vacante_id": "V"},
         ("api", "pagina", "cli", "api_remision", "pagina_remision"), vacante={"estado": "cerrada"}),
    Case("remision_repetida", "remision_seleccion", [("remision_seleccion", 10, {"vacante_id": "V"})],
         {"vacante_id": "V"}, ("api", "pagina", "cli", "api_remision", "pagina_remision")),
    Case("sin_remision", "colocacion", [], {"vacante_id": "V"},
         ("api", "pagina", "cli", "api_colocacion", "pagina_colocacion")),
    Case("colocacion_repetida", "colocacion",
         [("remision_seleccion", 10, {"vacante_id": "V"}), ("colocacion", 5, {"vacante_id": "V"})],
         {"vacante_id": "V"}, ("api", "pagina", "cli", "api_colocacion", "pagina_colocacion")),
    Case("sin_cupos", "colocacion", [("remision_seleccion", 10, {"vacante_id": "V"})], {"vacante_id": "V"},
         ("api", "pagina", "cli", "api_colocacion", "pagina_colocacion"), others_placed=1),
    # The consent rule (orientacion/reglas.py) comes before every other rule of every tipo but
    # remision_dps: each process's door answers it alike for a person without consent.
    Case("sin_consentimiento", "caracterizacion", [], {}, ("api", "pagina", "cli", "pagina_orientacion"),
         sin_consentimiento=True),
    Case("sin_consentimiento", "ingreso_ruta", [], {"ruta": "fortalece"},
         ("api", "pagina", "cli", "pagina_ruta"), sin_consentimiento=True),
    Case("sin_consentimiento", "plan_ajustado", [PLAN_NEGOCIO, DIAGNOSTICO],
         {"valor": 1_600_000, "items": ITEMS}, ("api", "pagina", "cli", "pagina_ajuste"),
         sin_consentimiento=True),
    Case("sin_consentimiento", "financiacion", [PLAN_NEGOCIO], {"modalidad": "directo", "valor": 1_600_000},
         ("api", "pagina", "cli", "pagina_servicio"), sin_consentimiento=True),
    Case("sin_consentimiento", "comite", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO],
         {"decision": "aprobado", "valor": 1_600_000, "acta": "ACA-2"}, ("api", "pagina", "cli", "api_comite"),
         sin_consentimiento=True),
    Case("sin_consentimiento", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO],
         {"valor": 600_000, "proveedor": "Almacén", "items": [dict(ITEMS[0], cantidad=1)]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega"), sin_consentimiento=True),
    Case("sin_consentimiento", "remision_seleccion", [], {"vacante_id": "V"},
         ("api", "pagina", "cli", "api_remision", "pagina_remision"), sin_consentimiento=True),
    Case("sin_consentimiento", "colocacion", [("remision_seleccion", 10, {"vacante_id": "V"})],
         {"vacante_id": "V"}, ("api", "pagina", "cli", "api_colocacion", "pagina_colocacion"),
         sin_consentimiento=True),
    # The fallecido rule (dps/reglas.py) comes before every rule of every tipo: a person DPS
    # reported deceased gets nothing new, through each process's door alike (the import door,
    # register_many, in tests/test_dps.py).
    Case("fallecido", "caracterizacion", [], {}, ("api", "pagina", "cli", "pagina_orientacion"),
         fallecido=True),
    Case("fallecido", "ingreso_ruta", [], {"ruta": "fortalece"},
         ("api", "pagina", "cli", "pagina_ruta"), fallecido=True),
    Case("fallecido", "plan_ajustado", [PLAN_NEGOCIO, DIAGNOSTICO],
         {"valor": 1_600_000, "items": ITEMS}, ("api", "pagina", "cli", "pagina_ajuste"), fallecido=True),
    Case("fallecido", "financiacion", [PLAN_NEGOCIO], {"modalidad": "directo", "valor": 1_600_000},
         ("api", "pagina", "cli", "pagina_servicio"), fallecido=True),
    Case("fallecido", "comite", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO],
         {"decision": "aprobado", "valor": 1_600_000, "acta": "ACA-3"}, ("api", "pagina", "cli", "api_comite"),
         fallecido=True),
    Case("fallecido", "desembolso", [PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO],
         {"valor": 600_000, "proveedor": "Almacén", "items": [dict(ITEMS[0], cantidad=1)]},
         ("api", "pagina", "cli", "api_entrega", "pagina_entrega"), fallecido=True),
    Case("fallecido", "remision_seleccion", [], {"vacante_id": "V"},
         ("api", "pagina", "cli", "api_remision", "pagina_remision"), fallecido=True),
    Case("fallecido", "colocacion", [("remision_seleccion", 10, {"vacante_id": "V"})],
         {"vacante_id": "V"}, ("api", "pagina", "cli", "api_colocacion", "pagina_colocacion"),
         fallecido=True),
    Case("fallecido", "remision_dps", [], {"programa": "Red Unidos"}, ("api", "pagina", "cli"),
         fallecido=True),
]


@dataclass
class Verdict:
    status: int
    code: str | None
    message: str


class Doors:
    """Sends one write through a named door and reads its verdict."""

    def __init__(self, app, api, world, make_client):
        self.app, self.world = app, world
        self.caller = api(world["asesor_a"])
        self.browser = make_client()
        login(self.browser, world["asesor_a"])

    def _page(self, path: str, form: dict) -> Verdict:
        form = {k: v for k, v in form.items() if v is not None}
        response = self.browser.post(path, data={"csrf_token": csrf_token(self.browser, "/participantes/"),
                                                 **form})
        return Verdict(response.status_code, None, unescape(response.get_data(as_text=True)))

    def _json(self, response) -> Verdict:
        error = (response.get_json() or {}).get("error", {})
        return Verdict(response.status_code, error.get("code"), error.get("message", ""))

    @staticmethod
    def _item_rows(items, prefix="item") -> dict:
        rows = {}
        for n, item in enumerate(items or [], start=1):
            rows.update({f"{prefix}_{n}_{k}": str(v) for k, v in item.items()})
        return rows

    def send(self, door: str, person_id: int, tipo: str, write: dict, fecha: str | None = None) -> Verdict:
        fecha = fecha or D(1)
        body = {"tipo": tipo, "fecha": fecha, **write}
        flat = {k: v for k, v in write.items() if k != "items"}
        if door == "api":
            return self._json(self.caller.post(f"/participantes/{person_id}/actuaciones", json=body))
        if door == "pagina":
            prefix_rows = self._item_rows(write.get("items"))
            return self._page(f"/participantes/{person_id}/actuaciones/nueva?tipo={tipo}",
                              {"fecha": fecha, **{k: str(v) for k, v in flat.items()}, **prefix_rows})
        if door == "cli":
            result = self.app.test_cli_runner().invoke(args=[
                "actuacion-registrar", "--usuario", self.world["asesor_a"].username,
                "--participante", str(person_id), json.dumps(body)])
            code, _, message = result.output.splitlines()[0].partition("] ")
            return Verdict(422 if result.exit_code else 201, code.split("[")[-1], message)
        if door == "pagina_orientacion":
            version = self.caller.get(f"/participantes/{person_id}").get_json()["version"]
            return self._page(f"/orientacion/personas/{person_id}/{tipo}",
                              {"fecha": fecha, "version": str(version), **flat})
        if door == "pagina_ruta":
            return self._page(f"/emprendimiento/personas/{person_id}/ruta", {"fecha": fecha, **flat})
        if door == "pagina_ajuste":
            return self._page(f"/microfinanciamiento/personas/{person_id}/ajuste",
                              {"fecha": fecha, **self._item_rows(write["items"], "ajuste")})
        if door == "pagina_servicio":
            return self._page(f"/emprendimiento/personas/{person_id}/servicios/{tipo}",
                              {f"{tipo}-fecha": fecha, **{f"{tipo}-{k}": str(v) for k, v in flat.items()}})
        if door == "api_comite":
            plan = [a for a in self.caller.get(f"/participantes/{person_id}").get_json()["itinerario"]
                    if a["tipo"] == "plan_ajustado"][-1]
            return self._json(self.caller.post("/comite/sesiones", json={
                "fecha": fecha, "lugar": "Sede", "miembros": "Uno\nDos",
                "decisiones": [{"plan_id": plan["id"], "decision": write["decision"],
                                "valor": write["valor"]}]}))
        if door == "api_entrega":
            return self._json(self.caller.post(f"/participantes/{person_id}/entregas", json={
                "fecha": fecha, "proveedor": write["proveedor"], "items": write["items"]}))
        if door == "pagina_entrega":
            return self._page(f"/microfinanciamiento/personas/{person_id}",
                              {"fecha": fecha, "proveedor": write["proveedor"], "nit": "",
                               **self._item_rows(write["items"])})
        vacante = write.get("vacante_id")
        if door == "api_remision":
            return self._json(self.caller.post(f"/vacantes/{vacante}/remisiones",
                                               json={"participante_ids": [person_id], "fecha": fecha}))
        if door == "pagina_remision":
            return self._page(f"/empleabilidad/vacantes/{vacante}/remitir",
                              {"fecha": fecha, "participante_ids": str(person_id)})
        if door == "api_colocacion":
            return self._json(self.caller.post(f"/vacantes/{vacante}/colocaciones",
                                               json={"participante_id": person_id, "fecha": fecha}))
        if door == "pagina_colocacion":
            return self._page(f"/empleabilidad/vacantes/{vacante}/colocar",
                              {"fecha": fecha, "participante_id": str(person_id)})
        raise AssertionError(door)


@pytest.fixture
def doors(app, api, world, make_client):
    return Doors(app, api, world, make_client)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Actuacion))


def _setup(doors: Doors, case: Case) -> tuple[int, dict]:
    caller = doors.caller
    vacante = caller.post("/vacantes", json={"empresa": "Tecnoquímicas", "cargo": "Operario",
                                             "cupos": 1, "fecha": D(100)}).get_json()
    person = caller.post("/participantes", json=person_payload()).get_json()["id"]
    for n in range(case.others_placed):
        other = caller.post("/participantes", json=person_payload(numero_documento=f"4440{n}1")).get_json()["id"]
        assert caller.post(f"/vacantes/{vacante['id']}/remisiones",
                           json={"participante_ids": [other], "fecha": D(30)}).status_code == 201
        assert caller.post(f"/vacantes/{vacante['id']}/colocaciones",
                           json={"participante_id": other, "fecha": D(29)}).status_code == 201
    for tipo, days_ago, fields in case.before:
        fields = {k: (vacante["id"] if v == "V" else v) for k, v in fields.items()}
        made = caller.post(f"/participantes/{person}/actuaciones",
                           json={"tipo": tipo, "fecha": D(days_ago), **fields})
        assert made.status_code == 201, made.get_json()
    if case.sin_consentimiento:
        with doors.app.app_context():
            db.session.get(Participante, person).consentimiento_datos = False
            db.session.commit()
    if case.fallecido:
        with doors.app.app_context():
            db.session.get(Participante, person).fallecido = True
            db.session.commit()
    if case.vacante:
        current = caller.get(f"/vacantes/{vacante['id']}").get_json()
        assert caller.patch(f"/vacantes/{vacante['id']}",
                            json={"version": current["version"], **case.vacante}).status_code == 200
    return person, vacante


@pytest.mark.parametrize("case", CASES, ids=[f"{c.tipo}-{c.code}" for c in CASES])
def test_every_rule_gives_the_same_verdict_through_every_door(app, doors, case):
    person, vacante = _setup(doors, case)
    write = {k: (vacante["id"] if v == "V" else v) for k, v in case.write.items()}
    with app.app_context():
        before = _count()
    verdicts = {door: doors.send(door, person, case.tipo, write) for door in case.doors}
    reference = verdicts["api"]
    assert (reference.status, reference.code) == (422, case.code), reference
    for door, verdict in verdicts.items():
        assert verdict.status == 422, (door, verdict)
        if verdict.code is not None:
            assert verdict.code == case.code, (door, verdict)
            assert verdict.message == reference.message, (door, verdict)
        else:  # a page: the same Spanish message on screen
            assert reference.message in verdict.message, (door, reference.message)
    with app.app_context():
        assert _count() == before


def test_rules_cover_every_code_the_registry_raises():
    """Every rule code raised in a rules module is walked through the doors above."""
    raised = set()
    for module in (dps, empleabilidad, emprendimiento, microfinanciamiento, orientacion):
        raised |= set(re.findall(r'(?:Incumple\(|require_earlier\(\s*Tipo\.\w+,\s*)"([a-z_]+)"',
                                 inspect.getsource(module)))
    tested = {c.code for c in CASES} | {"vacante_no_encontrada"}  # below, by API and CLI
    assert {"sin_plan_negocio", "sin_visita_diagnostico", "sin_aprobacion",
            "sin_consentimiento", "fallecido"} <= raised  # read right
    assert raised <= tested, raised - tested


def test_a_vacancy_of_another_centre_is_refused_alike(doors, api, world):
    other = api(world["asesor_b"]).post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 3,
                                                           "fecha": D(5)}).get_json()
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    verdicts = [doors.send(door, person, "remision_seleccion", {"vacante_id": other["id"]})
                for door in ("api", "cli")]
    assert {(v.status, v.code, v.message) for v in verdicts} == {
        (422, "vacante_no_encontrada", "La vacante no existe en el centro de la persona.")}


def test_a_future_fecha_is_refused_by_colombias_day_at_every_door(app, doors):
    """21:30 in Bogotá is already tomorrow in UTC and in the host's Tokyo: tomorrow is refused,
    today (Bogotá's) is not."""
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    api = doors.caller.post(f"/participantes/{person}/actuaciones",
                            json={"tipo": "caracterizacion", "fecha": tomorrow})
    assert api.status_code == 422 and "fecha" in api.get_json()["error"]["fields"]
    page = doors._page(f"/participantes/{person}/actuaciones/nueva?tipo=caracterizacion",
                       {"fecha": tomorrow})
    assert page.status == 422 and "La fecha no puede ser posterior a hoy." in page.message
    cli = app.test_cli_runner().invoke(args=[
        "actuacion-registrar", "--usuario", doors.world["asesor_a"].username, "--participante", str(person),
        json.dumps({"tipo": "caracterizacion", "fecha": tomorrow})])
    assert cli.exit_code != 0 and "fecha: La fecha no puede ser posterior a hoy." in cli.output
    assert doors.caller.post(f"/participantes/{person}/actuaciones",
                             json={"tipo": "caracterizacion", "fecha": TODAY.isoformat()}).status_code == 201


def test_a_closed_period_refuses_writes_and_annulments_at_every_door(app, doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    made = doors.caller.post(f"/participantes/{person}/actuaciones",
                             json={"tipo": "caracterizacion", "fecha": "2026-02-10"}).get_json()

    def february_closed(centro_id, fecha):
        if fecha.month == 2:
            raise Incumple("periodo_cerrado", "Febrero de 2026 está cerrado para este centro.")

    reglas.PERIODO.append(february_closed)
    try:
        writes = [doors.send(door, person, "caracterizacion", {}) for door in ("api", "cli")]
        assert all(v.status == 201 for v in writes)  # March is open
        body = {"tipo": "acta_compromiso", "fecha": "2026-02-11"}
        api = doors.caller.post(f"/participantes/{person}/actuaciones", json=body)
        assert api.get_json()["error"]["code"] == "periodo_cerrado"
        cli = app.test_cli_runner().invoke(args=[
            "actuacion-registrar", "--usuario", doors.world["asesor_a"].username,
            "--participante", str(person), json.dumps(body)])
        assert cli.exit_code != 0 and "[periodo_cerrado]" in cli.output
        page_write = doors._page(f"/participantes/{person}/actuaciones/nueva?tipo=acta_compromiso",
                                 {"fecha": "2026-02-11"})
        assert page_write.status == 422 and "Febrero de 2026 está cerrado" in page_write.message
        annul = doors.caller.post(f"/actuaciones/{made['id']}/anular", json={"motivo": "Error de digitación"})
        assert annul.status_code == 422 and annul.get_json()["error"]["code"] == "periodo_cerrado"
        page = doors._page(f"/participantes/actuaciones/{made['id']}/anular", {"motivo": "Error de digitación"})
        assert page.status == 422 and "Febrero de 2026 está cerrado" in page.message
        cli_annul = app.test_cli_runner().invoke(args=[
            "actuacion-anular", "--usuario", doors.world["asesor_a"].username,
            "--actuacion", str(made["id"]), "--motivo", "Error de digitación"])
        assert cli_annul.exit_code != 0 and "[periodo_cerrado]" in cli_annul.output
    finally:
        reglas.PERIODO.remove(february_closed)
    assert doors.caller.post(f"/actuaciones/{made['id']}/anular",
                             json={"motivo": "Error de digitación"}).status_code == 200


# One case per door the Doors class offers: its facts are written, then the month is closed for
# real and the same write, dated in that month, is sent through each of the case's doors.
CLOSE_CASES = [c for c in CASES if (c.tipo, c.code) in {
    ("ingreso_ruta", "ruta_actual"), ("plan_ajustado", "sin_plan_negocio"), ("comite", "excede_plan"),
    ("desembolso", "excede_aprobado"), ("financiacion", "sin_plan_negocio"),
    ("remision_seleccion", "remision_repetida"), ("colocacion", "sin_cupos"),
    ("caracterizacion", "sin_consentimiento")}]


def test_close_cases_walk_every_door():
    assert {door for c in CLOSE_CASES for door in c.doors} == {
        door for c in CASES for door in c.doors}


@pytest.mark.parametrize("case", CLOSE_CASES, ids=[f"{c.tipo}-{c.code}" for c in CLOSE_CASES])
def test_the_real_month_close_refuses_writes_and_annulments_at_every_door(app, api, doors, world, case):
    """The director closes February 2026 (POST /cierres): every door refuses a write dated in it,
    and the annulment of a February record, with periodo_cerrado; nothing is written."""
    person, vacante = _setup(doors, case)
    write = {k: (vacante["id"] if v == "V" else v) for k, v in case.write.items()}
    # A DPS remission: the one record even a person without consent may have.
    feb = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "remision_dps", "fecha": "2026-02-10", "programa": "Red Unidos"}).get_json()
    closed = api(world["director_a"]).post("/cierres", json={"centro_id": world["centro_a"].id,
                                                             "mes": "2026-02"})
    assert closed.status_code == 201, closed.get_json()
    with app.app_context():
        before = _count()
    verdicts = {door: doors.send(door, person, case.tipo, write, fecha="2026-02-15") for door in case.doors}
    message = verdicts["api"].message
    assert verdicts["api"].code == "periodo_cerrado" and "febrero de 2026" in message
    for door, verdict in verdicts.items():
        assert verdict.status == 422, (door, verdict)
        if verdict.code is not None:
            assert (verdict.code, verdict.message) == ("periodo_cerrado", message), (door, verdict)
        else:
            assert message in verdict.message, door
    annulments = [
        doors.caller.post(f"/actuaciones/{feb['id']}/anular", json={"motivo": "Error de digitación"}),
        doors.browser.post(f"/participantes/actuaciones/{feb['id']}/anular", data={
            "csrf_token": csrf_token(doors.browser, "/participantes/"), "motivo": "Error de digitación"}),
    ]
    assert annulments[0].status_code == 422 and annulments[0].get_json()["error"]["code"] == "periodo_cerrado"
    assert annulments[1].status_code == 422 and message in unescape(annulments[1].get_data(as_text=True))
    cli = app.test_cli_runner().invoke(args=[
        "actuacion-anular", "--usuario", world["asesor_a"].username, "--actuacion", str(feb["id"]),
        "--motivo", "Error de digitación"])
    assert cli.exit_code != 0 and "[periodo_cerrado]" in cli.output
    with app.app_context():
        assert _count() == before
        assert db.session.get(Actuacion, feb["id"]).anulada is False
    # The same write dated in March (open) reaches the case's own rule again.
    assert doors.send("api", person, case.tipo, write).code == case.code


def test_annulling_stays_allowed_when_later_records_rest_on_it(doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    made = {}
    for tipo, days_ago, fields in (PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO):
        made[tipo] = doors.caller.post(f"/participantes/{person}/actuaciones",
                                       json={"tipo": tipo, "fecha": D(days_ago), **fields}).get_json()
    response = doors.caller.post(f"/actuaciones/{made['plan_ajustado']['id']}/anular",
                                 json={"motivo": "Se digitó en la persona equivocada"})
    assert response.status_code == 200


def test_the_generic_desembolso_without_items_stays_valid_within_the_approved_value(doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    for tipo, days_ago, fields in (PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO):
        doors.caller.post(f"/participantes/{person}/actuaciones", json={"tipo": tipo, "fecha": D(days_ago), **fields})
    ok = doors.send("api", person, "desembolso", {"valor": 1_000_000, "proveedor": "Almacén"})
    assert ok.status == 201
    assert doors.send("api", person, "desembolso", {"valor": 600_001, "proveedor": "Almacén"}).code == "excede_aprobado"
    assert doors.send("cli", person, "desembolso", {"valor": 600_000, "proveedor": "Almacén"}).status == 201


def test_rules_read_the_whole_itinerary_whichever_centre_recorded_it(app, doors, world):
    """A person who moved keeps the first centre's records for the rules."""
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    for tipo, days_ago, fields in (PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO):
        doors.caller.post(f"/participantes/{person}/actuaciones", json={"tipo": tipo, "fecha": D(days_ago), **fields})
    with app.app_context():
        db.session.get(Participante, person).centro_id = world["centro_b"].id
        db.session.commit()
    other = app.test_client()
    headers = api_token(other, world["asesor_b"])
    body = {"tipo": "desembolso", "fecha": D(1), "valor": 2_000_000, "proveedor": "Almacén"}
    refused = other.post(f"/api/v1/participantes/{person}/actuaciones", json=body, headers=headers)
    assert refused.get_json()["error"]["code"] == "excede_aprobado"
    body["valor"] = 1_600_000
    assert other.post(f"/api/v1/participantes/{person}/actuaciones", json=body,
                      headers=headers).status_code == 201


TYPED_MUNICIPIOS = ["Ocaña", "cucuta", "Vereda Sin Mapa", "Pueblo Que No Existe", "Pamplona", "Vereda Sin Mapa"]


def test_randomised_writes_and_annulments_keep_the_summary_equal_to_a_recomputation(app, doors):
    """Writes and annulments through the API, the page and the CLI, in a random order: the
    summary tables kept by the gate equal a rebuild from the actuaciones; so does the summary by
    municipio, through edits of people's municipality and an administrator's mapping of a spelling."""
    rng = random.Random(20260331)
    people = [doors.caller.post("/participantes", json=person_payload(
        numero_documento=f"3210{n:03d}", remitido_dps=n % 2 == 0, municipio=TYPED_MUNICIPIOS[n],
        tipo_poblacion=rng.choice(
            ["red_unidos", "sisben", None]))).get_json()["id"] for n in range(6)]
    vacante = doors.caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 3,
                                                   "fecha": D(120)}).get_json()["id"]
    options = [("enrutamiento", {"destino": "emprendimiento"}), ("enrutamiento", {"destino": "empleabilidad"}),
               ("referenciacion", {"destino": "dps", "programa": "X"}), ("ingreso_ruta", {"ruta": "emprende"}),
               ("ingreso_ruta", {"ruta": "fortalece"}), ("desistimiento", {"motivo": "Viaja"}),
               ("hoja_de_vida", {"plataforma": "spe", "codigo": "1"}), ("capacitacion_fis", {"curso": "FIS"}),
               ("remision_seleccion", {"vacante_id": vacante}), ("colocacion", {"vacante_id": vacante}),
               ("perfil_proyecto", {"nombre_negocio": "T", "sector": "C"}),
               ("plan_negocio", {"nombre_negocio": "T", "valor_solicitado": 1_000}),
               ("financiacion", {"modalidad": "directo", "valor": 1_000}), ("plan_implementado", {}),
               ("visita_acompanamiento", {"clase": "seguimiento"}), ("empleo_generado", {"autoempleos": 1, "directos": 2})]
    made = []
    for step in range(90):
        if step == 60:  # an administrator maps a spelling: its people move to the municipality
            with app.app_context():
                from cemprende.admin import services as admin_services
                mapped = admin_services.map_municipio(doors.world["admin"], {
                    "clave": "vereda sin mapa", "municipio": "Pamplona (Norte de Santander)"})
                db.session.commit()
        person = rng.choice(people)
        roll = rng.random()
        if made and roll < 0.2:  # an annulment, through the API, the page or the CLI
            target = made.pop(rng.randrange(len(made)))
            door = rng.choice(["api", "pagina", "cli"])
            if door == "api":
                doors.caller.post(f"/actuaciones/{target}/anular", json={"motivo": "Error de digitación"})
            elif door == "pagina":
                doors._page(f"/participantes/actuaciones/{target}/anular", {"motivo": "Error de digitación"})
            else:
                app.test_cli_runner().invoke(args=["actuacion-anular", "--usuario", doors.world["asesor_a"].username,
                                                   "--actuacion", str(target), "--motivo", "Error de digitación"])
            continue
        if roll < 0.3:  # the person's categories move them between rows 1.x to 6.x
            current = doors.caller.get(f"/participantes/{person}").get_json()
            change = rng.choice([{"remitido_dps": not current["remitido_dps"], "programa_dps": "RIE 2013"},
                                 {"tipo_poblacion": rng.choice(["red_unidos", "sisben", None])},
                                 {"sexo": rng.choice(["F", "M", None])}, {"etnia": rng.choice(["indigena", None])},
                                 {"discapacidad": rng.choice([True, False, None])},
                                 {"municipio": rng.choice(["Ocaña", "cucuta", "Pueblo Que No Existe", None])}])
            if change.get("municipio", "") is None:
                change = {"municipio": "Vereda Sin Mapa"}
            assert doors.caller.patch(f"/participantes/{person}", json={
                "version": current["version"], **change}).status_code == 200
            continue
        tipo, fields = rng.choice(options)
        door = rng.choice(["api", "api", "pagina", "cli"])
        before = doors.caller.get(f"/participantes/{person}").get_json()["itinerario"]
        verdict = doors.send(door, person, tipo, fields)
        if verdict.status in (201, 302, 303):
            after = doors.caller.get(f"/participantes/{person}").get_json()["itinerario"]
            made += [a["id"] for a in after if a["id"] not in {b["id"] for b in before}]
    with app.app_context():
        stored, stored_months = resumen.stored(), resumen.stored_months()
        expected = resumen.contributions()
        assert stored == {k: v for k, v in expected.items() if v}
        assert stored_months == resumen.by_month({k: v for k, v in expected.items() if v})
        # The distinct-person rows read from the summary's (person, month) pairs equal the live
        # COUNT(DISTINCT) for periods from the first of each month the walk wrote in.
        personas = [f for f in FILAS if isinstance(f.calculo, Personas)]
        hasta = TODAY
        for months_back in range(0, 8):
            desde = (hasta.replace(day=1) - timedelta(days=31 * months_back)).replace(day=1)
            summary, live = defaultdict(dict), defaultdict(dict)
            queries.persons_from_summary(personas, desde, hasta, None, summary)
            queries.distinct_persons(personas, desde, hasta, None, live)
            assert ({(c, k): v for c, values in summary.items() for k, v in values.items() if v}
                    == {(c, k): v for c, values in live.items() for k, v in values.items() if v}), desde
        # The summary by municipio equals its recomputation, and a breakdown by municipio read
        # from it equals the one counted from the row's units, for every row it keeps.
        assert resumen.stored_by_municipio() == resumen.contributions_by_municipio()
        # Per day too (ResumenMunicipioDiario: the loose days of a cut mid-month), and its days
        # folded to months are the monthly table.
        per_day = resumen.stored_by_municipio_per_day()
        assert per_day == resumen.contributions_by_municipio_per_day()
        assert resumen.places_by_month(per_day) == resumen.stored_by_municipio()
        served = 0
        for fila in resumen.BY_MUNICIPIO:
            for months_back in range(0, 8):
                desde = (hasta.replace(day=1) - timedelta(days=31 * months_back)).replace(day=1)
                month_end = (desde.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                for end in (month_end, hasta):  # hasta (today) may cut a month: its loose days live
                    consulta = drilldown.Consulta(fila.tablero, fila, None, desde, end, "")
                    summary = desgloses._municipio_from_summary(consulta)
                    assert summary is not None, (fila.codigo, desde, end)
                    served += 1
                    live = desgloses._groups(consulta, desgloses.DIMENSIONES["municipio"])
                    assert set(summary) == {(m, s, int(n)) for m, s, n in live if n}, (fila.codigo, desde, end)
        assert served == len(resumen.BY_MUNICIPIO) * 16
        places = {(m, s) for (_, _, _, m, s), v in resumen.stored_by_municipio().items() if v}
        assert len(places) >= 3 and ("", "") in places, places
        assert {(m, s) for (_, _, _, m, s), v in per_day.items() if v} == places
        assert mapped  # the administrator's mapping moved someone who had figures
        assert len(made) > 20  # the walk did write
        assert db.session.scalar(select(func.count()).select_from(Actuacion).where(Actuacion.anulada)) > 5


def test_ages_are_counted_on_colombias_day(doors):
    """Born on 1 April 2012: 14 years old on 1 April in UTC and in Tokyo, still 13 in Bogotá."""
    born_tomorrow = TODAY.replace(year=TODAY.year - 14) + timedelta(days=1)
    refused = doors.caller.post("/participantes", json=person_payload(
        fecha_nacimiento=born_tomorrow.isoformat(), acudiente_nombre="Rosa Pérez",
        acudiente_documento="1098765400"))
    assert refused.status_code == 422
    assert "14 años" in refused.get_json()["error"]["fields"]["fecha_nacimiento"]
    accepted = doors.caller.post("/participantes", json=person_payload(
        fecha_nacimiento=(born_tomorrow - timedelta(days=1)).isoformat(),
        acudiente_nombre="Rosa Pérez", acudiente_documento="1098765400"))
    assert accepted.status_code == 201, accepted.get_json()


def test_the_nits_form_is_the_same_field_error_at_every_door(app, doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    for tipo, days_ago, fields in (PLAN_NEGOCIO, DIAGNOSTICO, AJUSTADO, APROBADO):
        doors.caller.post(f"/participantes/{person}/actuaciones", json={"tipo": tipo, "fecha": D(days_ago), **fields})
    item = [dict(ITEMS[0], cantidad=1)]
    bad = "12-34"
    api = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "desembolso", "fecha": D(1), "valor": 600_000, "proveedor": "A", "nit": bad, "items": item})
    entrega = doors.caller.post(f"/participantes/{person}/entregas", json={
        "fecha": D(1), "proveedor": "A", "nit": bad, "items": item})
    expected = api.get_json()["error"]["fields"]["nit"]
    assert api.status_code == entrega.status_code == 422 and "900123456-7" in expected
    assert entrega.get_json()["error"]["fields"]["nit"] == expected
    cli = app.test_cli_runner().invoke(args=[
        "actuacion-registrar", "--usuario", doors.world["asesor_a"].username, "--participante", str(person),
        json.dumps({"tipo": "desembolso", "fecha": D(1), "valor": 600_000, "proveedor": "A", "nit": bad,
                    "items": item})])
    assert cli.exit_code != 0 and f"nit: {expected}" in cli.output
    page = doors._page(f"/microfinanciamiento/personas/{person}",
                       {"fecha": D(1), "proveedor": "A", "nit": bad, **doors._item_rows(item)})
    assert page.status == 422 and expected in page.message
    good = doors.caller.post(f"/participantes/{person}/entregas", json={
        "fecha": D(1), "proveedor": "A", "nit": "900.123.456-7", "items": item})
    assert good.status_code == 201, good.get_json()


def _record(caller, person, *steps):
    for tipo, days_ago, fields in steps:
        response = caller.post(f"/participantes/{person}/actuaciones",
                               json={"tipo": tipo, "fecha": D(days_ago), **fields})
        assert response.status_code == 201, (tipo, response.get_json())


def test_earlier_means_on_or_before_the_fecha(doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    _record(doors.caller, person, ("plan_negocio", 5, PLAN_NEGOCIO[2]), ("visita_acompanamiento", 5, {"clase": "diagnostico"}))
    day_before = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "plan_ajustado", "fecha": D(6), "valor": 1_600_000, "items": ITEMS})
    assert day_before.get_json()["error"]["code"] == "sin_plan_negocio"
    same_day = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "plan_ajustado", "fecha": D(5), "valor": 1_600_000, "items": ITEMS})
    assert same_day.status_code == 201, same_day.get_json()


def test_a_back_dated_decision_belongs_to_its_own_plan_not_a_later_one(doors):
    """A later adjusted plan opens a new decision; its comité does not close the earlier one."""
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    _record(doors.caller, person, ("plan_negocio", 100, PLAN_NEGOCIO[2]),
            ("visita_acompanamiento", 95, {"clase": "diagnostico"}),
            ("plan_ajustado", 90, {"valor": 1_600_000, "items": ITEMS}),
            ("plan_ajustado", 60, {"valor": 1_000_000}),
            ("comite", 55, {"decision": "rechazado", "valor": 1_000_000, "acta": "A"}))
    assert doors.send("api", person, "comite", {"decision": "aprobado", "valor": 1_000_000,
                                                "acta": "B"}).code == "plan_ya_decidido"
    back_dated = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "comite", "fecha": D(80), "decision": "aprobado", "valor": 1_600_000, "acta": "C"})
    assert back_dated.status_code == 201, back_dated.get_json()


def test_deliveries_are_measured_against_the_approval_in_force_on_their_fecha(doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    _record(doors.caller, person, ("plan_negocio", 100, PLAN_NEGOCIO[2]),
            ("visita_acompanamiento", 95, {"clase": "diagnostico"}),
            ("plan_ajustado", 90, {"valor": 1_600_000}),
            ("comite", 85, {"decision": "aprobado", "valor": 1_600_000, "acta": "A"}),
            ("desembolso", 84, {"valor": 1_000_000, "proveedor": "P"}),
            ("plan_ajustado", 60, {"valor": 1_000_000}),
            ("comite", 55, {"decision": "aprobado", "valor": 1_000_000, "acta": "B"}),
            ("desembolso", 50, {"valor": 1_000_000, "proveedor": "P"}))
    # Under the first approval 600.000 were still to deliver; the second one's delivery is its own.
    late = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "desembolso", "fecha": D(70), "valor": 500_000, "proveedor": "P"})
    assert late.status_code == 201, late.get_json()
    over = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "desembolso", "fecha": D(70), "valor": 200_000, "proveedor": "P"})
    assert over.get_json()["error"]["code"] == "excede_aprobado"


def test_two_colocaciones_racing_for_the_last_cupo_get_one_seat(app, doors, world):
    caller = doors.caller
    vacante = caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 1, "fecha": D(30)}).get_json()["id"]
    people = [caller.post("/participantes", json=person_payload(numero_documento=f"5551{n}")).get_json()["id"]
              for n in range(2)]
    assert caller.post(f"/vacantes/{vacante}/remisiones", json={"participante_ids": people,
                                                                "fecha": D(10)}).status_code == 201
    answers = post_at_once(app, [(world["asesor_a"], f"/participantes/{p}/actuaciones",
                                     {"tipo": "colocacion", "fecha": D(1), "vacante_id": vacante})
                                    for p in people])
    assert sorted(answers) == [(201, None), (422, "sin_cupos")], answers
    assert caller.get(f"/vacantes/{vacante}").get_json()["cupos_libres"] == 0


def test_the_same_remision_sent_twice_at_once_is_recorded_once(app, doors, world):
    caller = doors.caller
    vacante = caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 3, "fecha": D(30)}).get_json()["id"]
    person = caller.post("/participantes", json=person_payload()).get_json()["id"]
    body = {"tipo": "remision_seleccion", "fecha": D(1), "vacante_id": vacante}
    answers = post_at_once(app, [(world["asesor_a"], f"/participantes/{person}/actuaciones", body)] * 2)
    assert sorted(answers) == [(201, None), (422, "remision_repetida")], answers
    with app.app_context():
        assert resumen.stored() == {k: v for k, v in resumen.contributions().items() if v}


def test_a_bad_item_is_named_alike_by_the_generic_door_and_the_deliveries_endpoint(doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    _record(doors.caller, person, ("plan_negocio", 90, PLAN_NEGOCIO[2]),
            ("visita_acompanamiento", 80, {"clase": "diagnostico"}), ("plan_ajustado", 70, AJUSTADO[2]),
            ("comite", 60, APROBADO[2]))
    bad = [{"descripcion": "Nevera", "cantidad": 0, "precio_unitario": "$ 600.000"}]
    generic = doors.caller.post(f"/participantes/{person}/actuaciones", json={
        "tipo": "desembolso", "fecha": D(1), "valor": 600_000, "proveedor": "A", "items": bad})
    entrega = doors.caller.post(f"/participantes/{person}/entregas", json={
        "fecha": D(1), "proveedor": "A", "items": bad})
    assert generic.status_code == entrega.status_code == 422
    assert "items[1].cantidad" in generic.get_json()["error"]["fields"]
    assert "items[1].cantidad" in entrega.get_json()["error"]["fields"]
    # Money as people type it is fine at both doors.
    good = [dict(bad[0], cantidad=1)]
    assert doors.caller.post(f"/participantes/{person}/entregas", json={
        "fecha": D(1), "proveedor": "A", "items": good}).status_code == 201


def test_the_cli_door_refuses_bad_input_with_a_clear_message_and_writes_nothing(app, doors):
    person = doors.caller.post("/participantes", json=person_payload()).get_json()["id"]
    runner = app.test_cli_runner()
    user = doors.world["asesor_a"].username

    def record(*args):
        return runner.invoke(args=["actuacion-registrar", *args])

    cases = [
        (record("--usuario", user, "--participante", str(person), "{no es json"), "objeto JSON"),
        (record("--usuario", user, "--participante", str(person), "[1, 2]"), "Se esperaba un objeto JSON"),
        (record("--usuario", "nadie", "--participante", str(person), '{"tipo": "caracterizacion"}'),
         "No hay una cuenta activa «nadie»"),
        (record("--usuario", doors.world["asesor_b"].username, "--participante", str(person),
                json.dumps({"tipo": "caracterizacion", "fecha": D(1)})), "[no_encontrado]"),  # another centre
        (record("--usuario", user, "--participante", str(person), '{"tipo": "fiesta", "fecha": "ayer"}'),
         "[validacion]"),
        (runner.invoke(args=["actuacion-anular", "--usuario", user, "--actuacion", "999999",
                             "--motivo", "Error de digitación"]), "[no_encontrado]"),
    ]
    for result, expected in cases:
        assert result.exit_code != 0 and expected in result.output, result.output
    with app.app_context():
        assert _count() == 0
