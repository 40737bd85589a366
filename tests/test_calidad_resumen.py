"""The data-quality score's people cells kept in ResumenPersonas (calidad/resumen.py): after every
kind of write that moves them (registrations with and without characterisation, documents
uploaded, rejected, moved by a merge and removed through the ORM or by a statement, a transfer,
a characterisation edited, an annulment) the kept table equals a recomputation from scratch and
the grouped SQL the score used to run; the score's page shows the kept figures."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update

from conftest import person_payload
from documents import files, image_bytes

from cemprende.calidad import queries, resumen, services
from cemprende.extensions import db
from cemprende.models import Participante, ResumenPersonas, Verificador

EVER = (date(2000, 1, 1), date(2099, 12, 31))


def grouped_sql() -> dict:
    """The people cells as calidad/queries.py's grouped SQL computes them (the score's former
    path), in the kept table's terms (no advisor: 0)."""
    cells = services._cells((queries.evidence(None, *EVER, ("registros",)),
                             queries.characterisation(None, *EVER)))
    found = {}
    for (centro, asesor, mes), c in cells.items():
        assert c.requeridos == c.personas  # one registration per person
        found[(centro, asesor or 0, mes)] = (c.personas, c.sin_caracterizacion, c.con_documento)
    return found


def assert_kept(app) -> dict:
    with app.app_context():
        kept = resumen.stored()
        assert kept == resumen.contributions() == grouped_sql()
        assert resumen.wrong() == set()
        return kept


def _register(caller, **fields) -> dict:
    response = caller.post("/participantes", json=person_payload(**fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _upload(caller, person: dict, colour) -> int:
    """A CC for this person, from their page (the TI and the CC of one number are two people)."""
    response = caller.post("/verificadores", content_type="multipart/form-data", data={
        **files(("cedula.png", image_bytes(colour=colour))),
        "participante_id": str(person["id"]), "prefijo": "CC"})
    assert response.status_code == 200, response.get_json()
    (item,) = response.get_json()["items"]
    assert item["verificador_id"], item
    return item["verificador_id"]


def test_kept_people_cells_equal_a_recomputation_after_every_kind_of_write(app, api, world):
    from cemprende.duplicados import services as duplicados
    a, b = api(world["asesor_a"]), api(world["asesor_b"])
    ana = _register(a, numero_documento="81000001")
    incomplete = _register(a, numero_documento="81000002", sexo=None, tipo_poblacion=None)
    ti = _register(a, tipo_documento="TI", numero_documento="1001002003", nombres="Juan",
                   apellidos="Ríos", fecha_nacimiento="2008-01-10")
    cc = _register(a, tipo_documento="CC", numero_documento="1001002003", nombres="Juan David",
                   apellidos="Ríos Mora", fecha_nacimiento="2008-01-10")
    moving = _register(b, numero_documento="1098765432", tipo_poblacion=None)
    kept = assert_kept(app)
    (mes,) = {key[2] for key in kept}  # the month of the registrations (the tests' clock)
    centro_a, centro_b = world["centro_a"].id, world["centro_b"].id
    assert kept[(centro_a, world["asesor_a"].id, mes)] == (4, 1, 0)
    assert kept[(centro_b, world["asesor_b"].id, mes)] == (1, 1, 0)

    # Documents: uploaded, one rejected, one of a person registered elsewhere.
    ana_doc = _upload(a, ana, (200, 30, 30))
    incomplete_doc = _upload(a, incomplete, (10, 200, 10))
    _upload(a, ti, (10, 10, 200))
    _upload(a, cc, (90, 90, 90))
    _upload(b, moving, (120, 30, 60))
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (4, 1, 4)
    supervisor = api(world["supervisor"])
    assert supervisor.post(f"/verificadores/{incomplete_doc}/revision", json={
        "estado": "rechazado", "observacion": "Ilegible"}).status_code == 200
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (4, 1, 3)

    # The characterisation completed, then a field blanked by a statement.
    version = a.get(f"/participantes/{incomplete['id']}").get_json()["version"]
    assert a.patch(f"/participantes/{incomplete['id']}", json={
        "version": version, "sexo": "F", "tipo_poblacion": "red_unidos"}).status_code == 200
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (4, 0, 3)
    with app.app_context():
        db.session.execute(update(Participante).where(Participante.id == ana["id"])
                           .values(tipo_poblacion=None))
        db.session.commit()
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (4, 1, 3)

    # A transfer moves the person (and their document) to the receiving centre's cell, keeping
    # who registered them.
    asked = a.post("/traslados", json={"tipo_documento": "CC", "numero_documento": "1098765432",
                                       "motivo": "Ahora vive en Cartagena"})
    assert asked.status_code == 201, asked.get_json()
    assert api(world["director_b"]).post(f"/traslados/{asked.get_json()['id']}/respuesta", json={
        "aceptar": True, "motivo": "Vive allá"}).status_code == 200
    kept = assert_kept(app)
    assert kept[(centro_a, world["asesor_b"].id, mes)] == (1, 1, 1)
    assert (centro_b, world["asesor_b"].id, mes) not in kept

    # A merge: the absorbed person leaves, their document moves to the survivor.
    with app.app_context():
        duplicados.run_detection()
    pairs = supervisor.get("/duplicados").get_json()["items"]
    candidato = next(p["id"] for p in pairs
                     if {p["participante_a"]["id"], p["participante_b"]["id"]} == {ti["id"], cc["id"]})
    director = api(world["director_a"])
    detail = director.get(f"/duplicados/{candidato}").get_json()
    merged = director.post(f"/duplicados/{candidato}/fusion",
                           json={"superviviente_id": cc["id"], "version": detail["version"]})
    assert merged.status_code == 201, merged.get_json()
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (3, 1, 2)

    # An annulment moves no person cell; documents removed through the ORM and by a statement.
    made = a.post(f"/participantes/{ana['id']}/actuaciones",
                  json={"tipo": "caracterizacion", "fecha": f"{mes}-01"})
    assert made.status_code == 201, made.get_json()
    assert a.post(f"/actuaciones/{made.get_json()['id']}/anular",
                  json={"motivo": "Error de digitación"}).status_code == 200
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (3, 1, 2)
    with app.app_context():
        db.session.delete(db.session.get(Verificador, ana_doc))
        db.session.commit()
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (3, 1, 1)
    with app.app_context():
        db.session.execute(delete(Verificador).where(Verificador.participante_id == cc["id"]))
        db.session.commit()
    assert assert_kept(app)[(centro_a, world["asesor_a"].id, mes)] == (3, 1, 0)

    # The score's page reads the kept cells: the same figures as the grouped SQL.
    body = api(world["director_a"]).get(f"/calidad?mes={mes}").get_json()
    rows = {row["asesor_id"]: row for row in body["filas"]}
    assert {k: rows[world["asesor_a"].id][k] for k in ("personas", "sin_caracterizacion")} == {
        "personas": 3, "sin_caracterizacion": 1}
    assert rows[world["asesor_b"].id]["personas"] == 1


def test_rebuild_recomputes_a_table_that_drifted(app, api, world):
    a = api(world["asesor_a"])
    _register(a, numero_documento="81000001")
    _register(a, numero_documento="81000002", sexo=None)
    with app.app_context():
        expected = resumen.stored()
        db.session.execute(update(ResumenPersonas).values(personas=ResumenPersonas.personas + 5))
        db.session.commit()
        assert resumen.wrong()
        resumen.rebuild()
        db.session.commit()
        assert resumen.stored() == expected and resumen.wrong() == set()
        assert db.session.scalar(select(ResumenPersonas.personas)) == 2
