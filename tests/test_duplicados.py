"""Possible duplicates: found by name and birth date, by a TI that became a CC, by documents one
digit apart; "no son la misma persona" is remembered; the merge keeps every record of both,
renames the verifier files, leaves earlier audit entries alone, keeps the tableros exact, and is
refused in a closed month or when the joined itinerary breaks a rule."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cemprende import jobs
from cemprende.duplicados import queries, services
from cemprende.extensions import db
from cemprende.models import (
    Actuacion, Auditoria, CandidatoDuplicado, ContactoIntento, FusionParticipantes, Participante,
    Verificador,
)
from cemprende.tableros import resumen
from conftest import csrf_token, login, person_payload, post_at_once
from documents import files, pdf_bytes


def _register(caller, **fields) -> int:
    response = caller.post("/participantes", json=person_payload(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _act(caller, person, tipo, fecha, **fields) -> int:
    response = caller.post(f"/participantes/{person}/actuaciones",
                           json={"tipo": tipo, "fecha": fecha, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _detect(app) -> None:
    with app.app_context():
        services.run_detection()


def _pairs(app) -> dict[tuple[int, int], tuple[str, str, int]]:
    with app.app_context():
        return {(c.participante_a_id, c.participante_b_id): (c.razon, c.estado, c.id)
                for c in db.session.scalars(select(CandidatoDuplicado))}


@pytest.fixture
def twins(api, world):
    """Ana twice in centre A (documents one digit apart) and once more with the same name and
    birth date but another document; a TI that became a CC; a stranger."""
    a = api(world["asesor_a"])
    ids = {
        "ana": _register(a, numero_documento="1098765432"),
        "ana_typo": _register(a, numero_documento="1098765482", fecha_nacimiento="1991-05-17"),
        "ana_twin": _register(a, numero_documento="52000111"),
        "ti": _register(a, tipo_documento="TI", numero_documento="1001002003", nombres="Juan",
                        apellidos="Ríos", fecha_nacimiento="2008-01-10"),
        "cc": _register(a, tipo_documento="CC", numero_documento="1001002003", nombres="Juan David",
                        apellidos="Ríos Mora", fecha_nacimiento="2008-01-10"),
        "other": _register(a, numero_documento="77111222", nombres="Pedro", apellidos="Gil"),
    }
    return ids


def test_one_digit_apart_means_one_digit_changed_added_or_left_out():
    assert queries.one_digit_apart("1098765432", "1098765482")
    assert queries.one_digit_apart("1098765432", "109876543")
    assert queries.one_digit_apart("109876543", "1098765432")
    assert queries.one_digit_apart("1098765432", "10987654312")
    assert not queries.one_digit_apart("1098765432", "1098765432")
    assert not queries.one_digit_apart("1098765432", "1098765499")
    assert not queries.one_digit_apart("1098765432", "0198765432")  # a swap is two digits


def test_detection_finds_each_kind_once_and_nothing_else(app, twins):
    _detect(app)
    found = {pair: razon for pair, (razon, estado, _) in _pairs(app).items()}
    ana, typo, twin = twins["ana"], twins["ana_typo"], twins["ana_twin"]
    assert found == {
        (ana, typo): "un_digito",
        (ana, twin): "nombre_fecha",
        (twins["ti"], twins["cc"]): "ti_a_cc",
    }
    with app.app_context():
        run = services.last_detection()
        assert (run.estado, run.candidatos, run.nuevos) == ("terminada", 3, 3)


def test_a_discarded_pair_is_never_offered_again_and_a_pair_no_longer_alike_leaves(
        app, api, world, twins):
    _detect(app)
    pairs = _pairs(app)
    _, _, twin_pair = pairs[(twins["ana"], twins["ana_twin"])]
    supervisor = api(world["supervisor"])
    answer = supervisor.post(f"/duplicados/{twin_pair}/descarte",
                             json={"motivo": "Son gemelas: la madre lo confirmó"})
    assert answer.status_code == 200 and answer.get_json()["estado"] == "descartado"
    # The typo is corrected: the pair no longer looks alike.
    a = api(world["asesor_a"])
    person = a.get(f"/participantes/{twins['ana_typo']}").get_json()
    fixed = a.patch(f"/participantes/{twins['ana_typo']}",
                    json={"version": person["version"], "nombres": "Anabel"})
    assert fixed.status_code == 200, fixed.get_json()
    _detect(app)
    after = _pairs(app)
    assert after[(twins["ana"], twins["ana_twin"])][:2] == ("nombre_fecha", "descartado")
    assert (twins["ana"], twins["ana_typo"]) not in after
    listed = supervisor.get("/duplicados").get_json()
    assert [item["razon"] for item in listed["items"]] == ["ti_a_cc"]
    assert supervisor.get("/duplicados?estado=descartado").get_json()["total"] == 1
    again = supervisor.post(f"/duplicados/{twin_pair}/descarte", json={})
    assert again.status_code == 409


def test_merge_keeps_every_record_renames_files_and_leaves_earlier_audit_alone(
        app, api, world, twins):
    a = api(world["asesor_a"])
    ti, cc = twins["ti"], twins["cc"]
    _act(a, ti, "caracterizacion", "2026-02-10")
    _act(a, ti, "enrutamiento", "2026-02-11", destino="emprendimiento")
    _act(a, cc, "ingreso_ruta", "2026-03-02", ruta="emprende")
    assert a.post(f"/participantes/{ti}/contactos", json={
        "fecha": "2026-02-09", "medio": "telefono", "resultado": "localizado"}).status_code == 201
    _detect(app)
    candidato = _pairs(app)[(ti, cc)][2]
    with app.app_context():
        audit_of_absorbed = db.session.scalar(select(func.count()).select_from(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == ti))
    assert audit_of_absorbed >= 1
    director = api(world["director_a"])
    detail = director.get(f"/duplicados/{candidato}").get_json()
    assert {detail["participante_a"]["actuaciones"], detail["participante_b"]["actuaciones"]} == {2, 1}
    merged = director.post(f"/duplicados/{candidato}/fusion",
                           json={"superviviente_id": cc, "version": detail["version"]})
    assert merged.status_code == 201, merged.get_json()
    fusion = merged.get_json()
    assert fusion["absorbido_id"] == ti and fusion["superviviente_id"] == cc
    assert fusion["absorbido_documento"] == "TI 1001002003"
    with app.app_context():
        assert db.session.get(Participante, ti) is None
        tipos = db.session.scalars(select(Actuacion.tipo).where(Actuacion.participante_id == cc)
                                   .order_by(Actuacion.fecha)).all()
        assert tipos == ["caracterizacion", "enrutamiento", "ingreso_ruta"]
        assert db.session.scalar(select(func.count()).select_from(ContactoIntento).where(
            ContactoIntento.participante_id == cc)) == 1
        # Earlier entries untouched; the merge adds its own.
        assert db.session.scalar(select(func.count()).select_from(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == ti)) == audit_of_absorbed
        entry = db.session.scalar(select(Auditoria).where(Auditoria.accion == "fusionar"))
        assert entry.entidad_id == cc and entry.despues["absorbido_id"] == ti
        assert entry.antes["tipo_documento"] == "TI" and entry.antes["numero_documento"] == "[reservado]"
        assert db.session.get(FusionParticipantes, fusion["id"]).absorbido["tipo_documento"] == "TI"
        # The tableros follow: the stored summary equals a recomputation.
        assert resumen.stored() == resumen.contributions()
    assert director.get(f"/participantes/{cc}").get_json()["itinerario"][0]["tipo"] == "caracterizacion"
    assert director.get(f"/participantes/{ti}").status_code == 404
    decided = director.get(f"/duplicados/{candidato}").get_json()
    assert decided["estado"] == "fusionado" and decided["participante_a"] == {"id": ti, "fusionada": True}
    assert director.post(f"/duplicados/{candidato}/fusion",
                         json={"superviviente_id": cc}).status_code == 409


def test_merge_moves_verifier_documents_under_the_surviving_document(app, api, world, twins):
    a = api(world["asesor_a"])
    ana, typo = twins["ana"], twins["ana_typo"]
    cedula = pdf_bytes("cedula ana")
    for name, content in (("CC_1098765432.pdf", cedula), ("AC_1098765482.pdf", pdf_bytes("acta")),
                          ("CC_1098765482.pdf", cedula)):  # the same scan under both records
        answer = a.post("/verificadores", content_type="multipart/form-data",
                        data=files((name, content)))
        assert answer.get_json()["items"][0]["estado"] == "vinculado", answer.get_json()
    _detect(app)
    candidato = _pairs(app)[(ana, typo)][2]
    merged = api(world["director_a"]).post(f"/duplicados/{candidato}/fusion",
                                           json={"superviviente_id": ana})
    assert merged.status_code == 201, merged.get_json()
    with app.app_context():
        names = sorted(db.session.scalars(select(Verificador.nombre_archivo).where(
            Verificador.participante_id == ana)))
    assert names == ["AC_1098765432.pdf", "CC_1098765432.pdf"]
    assert merged.get_json()["movidos"]["verificadores_renombrados"] == 1
    assert len(merged.get_json()["movidos"]["verificadores_repetidos"]) == 1


def test_merge_refused_when_the_joined_itinerary_breaks_a_rule(app, api, world, twins):
    a = api(world["asesor_a"])
    ana, twin = twins["ana"], twins["ana_twin"]
    _act(a, ana, "ingreso_ruta", "2026-03-02", ruta="emprende")
    _act(a, twin, "ingreso_ruta", "2026-03-05", ruta="emprende")
    _detect(app)
    candidato = _pairs(app)[(ana, twin)][2]
    refused = api(world["director_a"]).post(f"/duplicados/{candidato}/fusion",
                                            json={"superviviente_id": ana})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "fusion_rechazada" and "05/03/2026" in error["message"]
    with app.app_context():
        assert db.session.get(Participante, twin) is not None
        assert db.session.scalar(select(func.count()).select_from(Actuacion).where(
            Actuacion.participante_id == ana)) == 1


def test_merge_refused_when_a_record_lies_in_a_closed_month(app, api, world, twins):
    a = api(world["asesor_a"])
    ana, twin = twins["ana"], twins["ana_twin"]
    _act(a, twin, "caracterizacion", "2026-02-10")
    director = api(world["director_a"])
    closed = director.post("/cierres", json={"centro_id": world["centro_a"].id, "mes": "2026-02"})
    assert closed.status_code == 201, closed.get_json()
    _detect(app)
    candidato = _pairs(app)[(ana, twin)][2]
    refused = director.post(f"/duplicados/{candidato}/fusion", json={"superviviente_id": ana})
    assert refused.status_code == 422
    assert "mes cerrado" in refused.get_json()["error"]["message"]
    assert refused.get_json()["error"]["code_regla"] == "periodo_cerrado"


def test_roles_and_centres(app, api, world, twins, build):
    _detect(app)
    candidato = _pairs(app)[(twins["ana"], twins["ana_twin"])][2]
    assert api(world["asesor_a"]).get("/duplicados").status_code == 403
    assert api(world["director_b"]).get(f"/duplicados/{candidato}").status_code == 404
    assert api(world["director_b"]).get("/duplicados").get_json()["total"] == 0
    supervisor = api(world["supervisor"])
    assert supervisor.get("/duplicados").get_json()["total"] == 3
    assert supervisor.post(f"/duplicados/{candidato}/fusion",
                           json={"superviviente_id": twins["ana"]}).status_code == 403
    bad = api(world["director_a"]).post(f"/duplicados/{candidato}/fusion",
                                        json={"superviviente_id": twins["other"]})
    assert bad.status_code == 422 and "superviviente_id" in bad.get_json()["error"]["fields"]


def test_a_pair_across_centres_is_the_admins_and_directors_are_told_to_transfer(
        app, api, world):
    ana = _register(api(world["asesor_a"]), numero_documento="1098765432")
    other = _register(api(world["asesor_b"]), numero_documento="1098765433")
    _detect(app)
    candidato = _pairs(app)[(ana, other)][2]
    assert api(world["director_a"]).get(f"/duplicados/{candidato}").status_code == 404
    merged = api(world["admin"]).post(f"/duplicados/{candidato}/fusion",
                                      json={"superviviente_id": other})
    assert merged.status_code == 201, merged.get_json()
    with app.app_context():
        assert db.session.get(Participante, ana) is None


def test_two_merges_at_once_one_wins(app, api, world, twins):
    _detect(app)
    candidato = _pairs(app)[(twins["ana"], twins["ana_typo"])][2]
    path = f"/duplicados/{candidato}/fusion"
    answers = post_at_once(app, [(world["director_a"], path, {"superviviente_id": twins["ana"]}),
                                 (world["admin"], path, {"superviviente_id": twins["ana_typo"]})])
    assert sorted(status for status, _ in answers) == [201, 409], answers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FusionParticipantes)) == 1


def test_pages_queue_pair_merge_with_confirmation(app, client, world, twins):
    _detect(app)
    candidato = _pairs(app)[(twins["ana"], twins["ana_twin"])][2]
    login(client, world["director_a"])
    listing = client.get("/duplicados/").get_data(as_text=True)
    assert "Mismo nombre y fecha de nacimiento" in listing and "52000111" in listing
    page = client.get(f"/duplicados/{candidato}").get_data(as_text=True)
    assert "¿Son la misma persona?" in page and "Fusionar" in page
    token = csrf_token(client, f"/duplicados/{candidato}")
    unconfirmed = client.post(f"/duplicados/{candidato}/fusion", data={
        "csrf_token": token, "superviviente_id": str(twins["ana"])})
    assert unconfirmed.status_code == 422
    with app.app_context():
        assert db.session.get(Participante, twins["ana_twin"]) is not None
    done = client.post(f"/duplicados/{candidato}/fusion", data={
        "csrf_token": token, "superviviente_id": str(twins["ana"]), "confirmar": "y"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/participantes/{twins['ana']}")
    no_csrf = client.post(f"/duplicados/{candidato}/descarte", data={"motivo": "x"})
    assert no_csrf.status_code == 400
    detection = client.post("/duplicados/deteccion", data={"csrf_token": token})
    assert detection.status_code == 303
    jobs.wait_for_threads()
    assert "Última búsqueda" in client.get("/duplicados/").get_data(as_text=True)


def test_grouped_keys_find_exactly_the_one_digit_pairs_of_every_pair_compared(app, world):
    """The detection groups keys (a document, and it with one character left out) instead of
    comparing every pair of people sharing a name: it finds exactly the pairs that comparison
    finds, whatever the lengths, the position of the digit and runs of equal digits (both
    engines)."""
    from datetime import UTC, date, datetime

    documents = ["1098765432", "1098765482", "109876543", "10987654321", "1098765433",
                 "2098765432", "109876532", "1098675432", "0198765432", "12345", "1234", "123456",
                 "12355", "1245", "52000111", "5200011", "520001111", "52000011", "5200111",
                 "52001111", "987", "9870", "98", "4987", "7", "77", "1", "100", "110", "1100",
                 "PA12345", "PA1234", "P12345"]
    now = datetime.now(UTC)
    with app.app_context():
        centro_id = world["centro_a"].id
        rows = []
        for name, tipo in (("ana perez", "CC"), ("juan rios", "TI"), ("ana perez", "PA")):
            for n, documento in enumerate(documents):
                rows.append(dict(
                    centro_id=centro_id, tipo_documento=tipo, numero_documento=documento,
                    nombres=name.split()[0], apellidos=name.split()[1], nombre_busqueda=name,
                    fecha_nacimiento=date(1980 + n, 1, 1), municipio="Cartagena",
                    remitido_dps=False, consentimiento_datos=True, consentimiento_en=now,
                    consentimiento_version="b", creado_en=now, actualizado_en=now, version=1))
        db.session.execute(Participante.__table__.insert(), rows)
        people = db.session.execute(select(
            Participante.id, Participante.nombre_busqueda, Participante.numero_documento)
            .order_by(Participante.id)).all()
        every_pair = {(a.id, b.id, "un_digito")
                      for i, a in enumerate(people) for b in people[i + 1:]
                      if a.nombre_busqueda == b.nombre_busqueda
                      and queries.one_digit_apart(a.numero_documento, b.numero_documento)}
        grouped = list(queries.one_digit_documents())
        assert len(grouped) == len(set(grouped))
        assert set(grouped) == every_pair
        assert len(every_pair) > 100  # not trivially empty
        db.session.rollback()
