"""The OpenAPI description of API v1 (cemprende/api/openapi.py): it names exactly the registered
/api/v1 routes, is served to anyone, and a property-based run of schemathesis against it finds
no 5xx and no answer outside its schema, as an admin and as an asesor."""
from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cemprende.api import openapi
from cemprende.extensions import db, limiter
from cemprende.models import Staff
from conftest import api_token, person_payload

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Examples per operation, role and mode: 107 operations x 2 roles x 2 modes x 5 ≈ 2,100 requests
# per engine. CEMPRENDE_FUZZ_EXAMPLES=50 CEMPRENDE_FUZZ_RANDOM=1 for a longer, fresh hunt.
EXAMPLES = int(os.environ.get("CEMPRENDE_FUZZ_EXAMPLES", "5"))
DERANDOMIZE = not os.environ.get("CEMPRENDE_FUZZ_RANDOM")  # CI: the same cases every run
OPERATIONS = [(method, "/api/v1" + openapi.openapi_path(rule)[0])
              for method, rule, *_ in openapi.OPERATIONS]
SCHEMA = schemathesis.openapi.from_dict(openapi.spec())


def registered_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = "/api/v1" + openapi.openapi_path(rule.rule.removeprefix("/api/v1"))[0]
            found |= {(m.lower(), path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_description_names_every_registered_route_and_no_other(app):
    described = set(OPERATIONS)
    registered = registered_operations(app)
    assert len(described) == len(OPERATIONS), "an operation described twice"
    assert registered - described == set(), "routes missing from cemprende/api/openapi.py"
    assert described - registered == set(), "described operations that no route serves"
    spec_paths = {(m, p) for p, item in openapi.spec()["paths"].items() for m in item}
    assert spec_paths == registered


def test_the_description_is_openapi_3_1_served_without_token_and_not_cached(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["openapi"] == "3.1.0"
    assert body == openapi.spec()
    # Every operation but the public ones asks for the bearer token, as the API does.
    assert body["security"] == [{"bearer": []}]
    public = {(m, p) for p, item in body["paths"].items() for m, op in item.items()
              if op.get("security") == []}
    assert public == {("post", "/api/v1/tokens"), ("get", "/api/v1/salud"),
                      ("get", "/api/v1/openapi.json")}
    assert client.get("/api/v1/centros").status_code == 401


@pytest.fixture
def seeded(build, api):
    """Records with the first ids, so generated small ids sometimes find something."""
    centro = build.centro("Cartagena")
    admin, asesor = build.staff("admin"), build.staff("asesor", centro)
    caller = api(asesor)
    person = caller.post("/participantes", json=person_payload(centro_id=centro.id))
    assert person.status_code == 201
    caller.post(f"/participantes/{person.get_json()['id']}/actuaciones",
                json={"tipo": "caracterizacion", "fecha": "2026-03-02", "observaciones": "Ok"})
    caller.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 2, "fecha": "2026-03-01"})
    return {"admin": admin, "asesor": asesor}


def fresh_headers(app, client, staff) -> dict:
    """A new token for `staff`, as it was: generated requests may have revoked the last token,
    deactivated or edited the account, or used up the token endpoint's limits."""
    with app.app_context():
        stored = db.session.get(Staff, staff.id)
        stored.activo, stored.rol, stored.centro_id = True, staff.rol, staff.centro_id
        stored.password_hash = staff.password_hash
        db.session.commit()
    limiter.reset()
    # Uncompressed answers (Flask-Compress would brotli them for schemathesis' default header).
    return {**api_token(client, staff), "Accept-Encoding": "identity"}


def fuzz(app, headers, operation) -> int:
    """Generated requests to one operation, positive and negative; answers how many were sent.
    Raises at the first failing check (after Hypothesis' own reporting)."""
    sent = 0
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            nonlocal sent
            sent += 1
            response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (no parameters, no body): only positive cases exist.
            assert mode is GenerationMode.NEGATIVE
    return sent


@pytest.mark.parametrize("rol", ["admin", "asesor"])
def test_generated_requests_get_no_5xx_and_answers_match_the_schema(app, client, seeded, rol):
    """Every described operation, in the order of the description, sharing one database (what
    one operation creates, a later one may find)."""
    failures, sent, started = [], 0, time.monotonic()
    for method, path in OPERATIONS:
        headers = fresh_headers(app, client, seeded[rol])
        try:
            sent += fuzz(app, headers, SCHEMA[path][method.upper()])
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup is Base
            failures.append(f"{method.upper()} {path}: {error}")  # every operation gets its run
    seconds = time.monotonic() - started
    if os.environ.get("CEMPRENDE_FUZZ_REPORT"):  # figures for the report: cases and seconds
        with open(os.environ["CEMPRENDE_FUZZ_REPORT"], "a", encoding="utf-8") as report:
            report.write(f"{rol}: {sent} casos, {len(OPERATIONS)} operaciones, {seconds:.1f} s\n")
    assert not failures, f"{len(failures)} operaciones fallan:\n\n" + "\n\n".join(failures)


# ---- what the generated requests found ---------------------------------------------------------

def test_a_multipart_part_without_a_name_is_refused_not_a_500(client, world, api):
    """schemathesis: a form part with no name (werkzeug parses its name as None) crashed the
    control-character guard before any view ran, even without a token."""
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalor\r\n--XX--\r\n"
    for headers in ({}, api(world["asesor_a"]).headers):
        response = client.post("/api/v1/verificadores", data=body, headers=headers,
                               content_type="multipart/form-data; boundary=XX")
        assert response.status_code in (401, 422), response.get_json()
        assert response.get_json()["error"]["code"] in ("no_autenticado", "validacion")


@pytest.mark.parametrize("path", ["/centros/2147483648", "/centros/9223372036854775807",
                                  "/vacantes/9223372036854775807", "/cierres/2147483648",
                                  "/staff/2147483648"])
def test_an_id_past_an_integer_column_is_404_not_a_500(world, api, path):
    """schemathesis on PostgreSQL: ids up to BIGINT pass the path converter, but several id
    columns are INTEGER; the database's out-of-range error was a 500."""
    caller = api(world["admin"])
    response = caller.patch(path, json={"version": 1}) if path.startswith("/staff") else \
        caller.get(path)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "no_encontrado"


def test_a_body_id_past_an_integer_column_is_refused_not_a_500(world, api):
    caller = api(world["admin"])
    response = caller.post("/participantes", json=person_payload(centro_id=2 ** 31 + 5))
    assert response.status_code in (404, 422), response.get_json()
    response = caller.get("/verificadores/cobertura?centro_id=2147483648")
    assert response.status_code in (200, 404, 422), response.get_json()
