"""Review by supervisors, who may read a document, evidence coverage, and the orphan check."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from conftest import csrf_token, login, person_payload, stored_files
from documents import files, image_bytes, pdf_bytes
from conftest import Centre
from cemprende.itinerario.dia import today_bogota
from cemprende.extensions import db
from cemprende.models import Auditoria, Verificador

MARCH = "desde=2015-03-01&hasta=2015-03-31"


def upload(caller, *pairs, **form):
    data = files(*pairs)
    data.update(form)
    response = caller.post("/verificadores", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    return {i["archivo"]: i for i in response.get_json()["items"]}


def document_of(caller, person_id) -> str:
    return caller.get(f"/participantes/{person_id}").get_json()["numero_documento"]


@pytest.fixture
def doc(api, world):
    """One PDF of a person of centre A, pending review."""
    asesor = api(world["asesor_a"])
    person = asesor.post("/participantes", json=person_payload()).get_json()
    items = upload(asesor, (f"AC_{person['numero_documento']}.pdf", pdf_bytes("acta firmada")))
    return {"id": items[f"AC_{person['numero_documento']}.pdf"]["verificador_id"],
            "participante_id": person["id"], "asesor": asesor}


# ---- review ---------------------------------------------------------------------------------

def test_a_rejection_needs_a_reason(app, api, world, doc):
    supervisor = api(world["supervisor"])
    refused = supervisor.post(f"/verificadores/{doc['id']}/revision", json={"estado": "rechazado"})
    assert refused.status_code == 422
    assert "motivo del rechazo" in refused.get_json()["error"]["fields"]["observacion"]
    blank = supervisor.post(f"/verificadores/{doc['id']}/revision",
                            json={"estado": "rechazado", "observacion": "   "})
    assert blank.status_code == 422
    assert doc["asesor"].get(f"/verificadores/{doc['id']}").get_json()["estado_revision"] == "pendiente"

    done = supervisor.post(f"/verificadores/{doc['id']}/revision",
                           json={"estado": "rechazado", "observacion": "Falta la firma del participante"})
    assert done.status_code == 200
    body = done.get_json()
    assert body["estado_revision"] == "rechazado"
    assert body["observacion"] == "Falta la firma del participante"
    assert body["revisado_por_id"] == world["supervisor"].id


def test_review_values_and_roles(app, api, world, doc):
    path = f"/verificadores/{doc['id']}/revision"
    assert api(world["supervisor"]).post(path, json={"estado": "quizas"}).status_code == 422
    assert api(world["director_a"]).post(path, json={"estado": "aprobado"}).status_code == 403
    assert doc["asesor"].post(path, json={"estado": "aprobado"}).status_code == 403
    assert api(world["asesor_b"]).post(path, json={"estado": "aprobado"}).status_code == 404
    approved = api(world["admin"]).post(path, json={"estado": "aprobado"})
    assert approved.status_code == 200 and approved.get_json()["observacion"] is None


def test_a_stale_review_is_a_conflict(app, api, world, doc):
    supervisor = api(world["supervisor"])
    path = f"/verificadores/{doc['id']}/revision"
    assert supervisor.post(path, json={"estado": "aprobado", "version": 1}).status_code == 200
    stale = supervisor.post(path, json={"estado": "rechazado", "observacion": "x", "version": 1})
    assert stale.status_code == 409


def test_upload_and_review_are_audited(app, api, world, doc):
    api(world["supervisor"]).post(f"/verificadores/{doc['id']}/revision",
                                  json={"estado": "rechazado", "observacion": "Ilegible"})
    with app.app_context():
        entries = db.session.scalars(select(Auditoria).where(
            Auditoria.entidad == "verificador", Auditoria.entidad_id == doc["id"])
            .order_by(Auditoria.id)).all()
        assert [(e.accion, e.username) for e in entries] == [
            ("subir", world["asesor_a"].username), ("editar", world["supervisor"].username)]
        assert entries[1].despues["estado_revision"] == "rechazado"
        assert entries[1].antes["estado_revision"] == "pendiente"


def test_the_queue_filters_by_centre_kind_and_state(app, api, world, doc):
    b = api(world["asesor_b"])
    other = b.post("/participantes", json=person_payload(numero_documento="88776655")).get_json()
    upload(b, ("HV_88776655.png", image_bytes()))
    supervisor = api(world["supervisor"])
    everything = supervisor.get("/verificadores?estado_revision=pendiente").get_json()
    assert everything["total"] == 2
    only_b = supervisor.get(f"/verificadores?centro_id={world['centro_b'].id}").get_json()
    assert [v["participante_id"] for v in only_b["items"]] == [other["id"]]
    assert supervisor.get("/verificadores?prefijo=AC").get_json()["total"] == 1
    assert supervisor.get("/verificadores?estado_revision=aprobado").get_json()["total"] == 0
    assert supervisor.get("/verificadores?estado_revision=otro").status_code == 422
    # A centre sees only its own, whatever it asks for.
    assert b.get("/verificadores").get_json()["total"] == 1
    assert b.get(f"/verificadores?participante_id={doc['participante_id']}").status_code == 404


# ---- who may read a document -----------------------------------------------------------------

def test_another_centres_document_is_a_404_everywhere(app, api, world, make_client, doc):
    b = api(world["asesor_b"])
    assert b.get(f"/verificadores/{doc['id']}").status_code == 404
    assert b.get(f"/verificadores/{doc['id']}/archivo").status_code == 404
    browser = make_client()
    login(browser, world["asesor_b"])
    for path in (f"/verificadores/{doc['id']}", f"/verificadores/{doc['id']}/archivo",
                 f"/verificadores/{doc['id']}/miniatura"):
        assert browser.get(path).status_code == 404, path
    # The same centre and the supervisor get the bytes.
    own = make_client()
    login(own, world["director_a"])
    response = own.get(f"/verificadores/{doc['id']}/archivo")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert api(world["supervisor"]).get(f"/verificadores/{doc['id']}/archivo").data == response.data


def test_images_get_a_thumbnail_and_pdfs_do_not(app, api, world, make_client, doc):
    person = document_of(doc["asesor"], doc["participante_id"])
    items = upload(doc["asesor"], (f"CC_{person}.jpg", image_bytes("JPEG", size=(1600, 1000))))
    image_id = items[f"CC_{person}.jpg"]["verificador_id"]
    browser = make_client()
    login(browser, world["asesor_a"])
    thumb = browser.get(f"/verificadores/{image_id}/miniatura")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    from io import BytesIO
    from PIL import Image
    with Image.open(BytesIO(thumb.data)) as image:
        assert max(image.size) <= 240
    assert browser.get(f"/verificadores/{doc['id']}/miniatura").status_code == 404


# ---- coverage ---------------------------------------------------------------------------------

@pytest.fixture
def scenario(api, world):
    a = Centre(api(world["asesor_a"]))
    q1, q2 = a.person(), a.person()
    a.act(q1, "acta_compromiso", "2015-03-02")
    a.act(q2, "acta_compromiso", "2015-03-03")
    # February's business plans and q2's diagnostic visit stay outside March's coverage.
    a.act(q1, "plan_negocio", "2015-02-10", nombre_negocio="Tienda", valor_solicitado=2_000_000)
    a.act(q2, "plan_negocio", "2015-02-10", nombre_negocio="Taller", valor_solicitado=1_500_000)
    a.act(q2, "visita_acompanamiento", "2015-02-15", clase="diagnostico")
    a.act(q1, "visita_acompanamiento", "2015-03-01", clase="diagnostico")
    a.act(q1, "plan_ajustado", "2015-03-02", valor=2_000_000)
    comite = a.act(q1, "comite", "2015-03-05", decision="aprobado", valor=2_000_000, acta="ACA-1")
    a.act(q1, "desembolso", "2015-03-10", valor=1_200_000, proveedor="Almacén")
    second = a.act(q1, "desembolso", "2015-03-20", valor=800_000, proveedor="Almacén")
    a.act(q1, "hoja_de_vida", "2015-02-03", plataforma="spe", codigo="123")
    a.act(q2, "plan_ajustado", "2015-02-20", valor=1_500_000)
    a.act(q2, "comite", "2015-03-03", decision="rechazado", valor=1_500_000, acta="ACA-1")
    a.annul(a.act(q2, "perfil_proyecto", "2015-03-05", nombre_negocio="Taller", sector="Servicios"))
    d1, d2 = document_of(a.caller, q1), document_of(a.caller, q2)
    items = upload(a.caller,
                   (f"AC_{d1}.pdf", pdf_bytes("acta q1")),
                   (f"AEB_{d1}.pdf", pdf_bytes("entrega 1")),
                   (f"ACA_{d1}.pdf", pdf_bytes("acta comité")),
                   (f"IVAE_{d1}.png", image_bytes()),
                   (f"HV_{d1}.pdf", pdf_bytes("hoja de vida")),
                   (f"PN_{d1}.pdf", pdf_bytes("plan de negocio")),
                   (f"AC_{d2}.pdf", pdf_bytes("acta q2 sin firma")))
    supervisor = api(world["supervisor"])
    for name, decision in ((f"AC_{d1}.pdf", {"estado": "aprobado"}),
                           (f"ACA_{d1}.pdf", {"estado": "rechazado", "observacion": "Sin firmas"}),
                           (f"AC_{d2}.pdf", {"estado": "rechazado", "observacion": "Sin firma"})):
        assert supervisor.post(f"/verificadores/{items[name]['verificador_id']}/revision",
                               json=decision).status_code == 200
    return {"q1": q1, "q2": q2, "d1": d1, "comite": comite, "second_desembolso": second,
            "asesor": a.caller, "items": items}


def test_coverage_counts_on_a_hand_built_scenario(app, api, world, scenario):
    body = scenario["asesor"].get(f"/verificadores/cobertura?{MARCH}").get_json()
    by_tipo = {f["tipo"]: (f["actuaciones"], f["con_documento"], f["aprobados"], f["faltantes"])
               for f in body["filas"]}
    assert by_tipo == {
        "acta_compromiso": (2, 1, 1, 1),        # q2's AC was rejected
        "visita_acompanamiento": (1, 1, 0, 0),  # pending review
        "comite": (1, 0, 0, 1),                 # q2's rejected comité needs no ACA; q1's ACA rejected
        "desembolso": (2, 1, 0, 1),             # one AEB covers the first desembolso only
    }
    missing = [(m["participante_id"], m["tipo"], m["prefijo"], m["orden"])
               for m in body["faltantes"]["items"]]
    assert missing == [(scenario["q2"], "acta_compromiso", "AC", 1),
                       (scenario["q1"], "comite", "ACA", 1),
                       (scenario["q1"], "desembolso", "AEB", 2)]
    # The registration is proven by a CC: both people registered today, none has one.
    today = today_bogota().isoformat()
    now = scenario["asesor"].get(f"/verificadores/cobertura?desde={today}&hasta={today}").get_json()
    assert [(f["tipo"], f["actuaciones"], f["con_documento"]) for f in now["filas"]] == [
        ("registro", 2, 0)]


def test_a_second_document_covers_the_second_actuacion(app, api, world, scenario):
    upload(scenario["asesor"], (f"AEB_{scenario['d1']}_2.pdf", pdf_bytes("entrega 2")))
    body = scenario["asesor"].get(f"/verificadores/cobertura?{MARCH}&prefijo=AEB").get_json()
    assert {f["tipo"]: f["con_documento"] for f in body["filas"]}["desembolso"] == 2
    assert body["faltantes"]["items"] == []


def test_coverage_scope_network_and_other_centre(app, api, world, scenario):
    supervisor = api(world["supervisor"])
    network = supervisor.get(f"/verificadores/cobertura?{MARCH}").get_json()
    centre = supervisor.get(f"/verificadores/cobertura?{MARCH}&centro_id={world['centro_a'].id}").get_json()
    assert network["filas"] == centre["filas"] and network["centro_id"] is None
    assert api(world["asesor_b"]).get(
        f"/verificadores/cobertura?{MARCH}&centro_id={world['centro_a'].id}").status_code == 404
    own_b = api(world["asesor_b"]).get(f"/verificadores/cobertura?{MARCH}").get_json()
    assert own_b["filas"] == [] and own_b["centro_id"] == world["centro_b"].id


def test_coverage_page_csv_and_timeline_marks(app, world, make_client, scenario):
    browser = make_client()
    login(browser, world["director_a"])
    page = browser.get(f"/verificadores/cobertura?{MARCH}").get_data(as_text=True)
    assert "Cobertura de evidencias" in page and "Acta de aprobación" in page
    assert f"ACA_{scenario['d1']}" in page and f"AEB_{scenario['d1']}_2" in page
    csv = browser.get(f"/verificadores/cobertura.csv?{MARCH}")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 4 and lines[0].startswith("centro_id;prefijo;documento")
    assert any("20/03/2015" in line and ";AEB;" in line for line in lines)
    profile = browser.get(f"/participantes/{scenario['q1']}").get_data(as_text=True)
    assert profile.count("Falta verificador") == 3  # ACA, the second AEB, and the CC
    assert "Falta verificador ACA" in profile and "Falta verificador AEB" in profile
    assert "Rechazado: Sin firmas" in profile


# ---- pages --------------------------------------------------------------------------------------

def test_bulk_page_redirects_to_its_report_and_csv(app, world, make_client, api):
    asesor = api(world["asesor_a"])
    asesor.post("/participantes", json=person_payload(numero_documento="1234567"))
    browser = make_client()
    login(browser, world["asesor_a"])
    token = csrf_token(browser, "/verificadores/subir")
    data = files(("CC_1234567.pdf", pdf_bytes()), ("mal nombre.pdf", pdf_bytes("x")))
    data["csrf_token"] = token
    response = browser.post("/verificadores/subir", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    report = browser.get(response.location).get_data(as_text=True)
    assert "1 vinculados" in report and "mal nombre.pdf" in report and "Nombre inválido" in report
    csv = browser.get(response.location + ".csv").get_data(as_text=True)
    assert "CC_1234567.pdf;Vinculado" in csv and "mal nombre.pdf;Nombre inválido" in csv
    empty = browser.post("/verificadores/subir", data={"csrf_token": token},
                         content_type="multipart/form-data")
    assert empty.status_code == 422 and "Adjunte al menos un archivo" in empty.get_data(as_text=True)


def test_admin_chooses_the_centre_for_a_bulk_upload(app, world, api):
    asesor = api(world["asesor_a"])
    asesor.post("/participantes", json=person_payload(numero_documento="1234567"))
    admin = api(world["admin"])
    refused = admin.post("/verificadores", data=files(("CC_1234567.pdf", pdf_bytes())),
                         content_type="multipart/form-data")
    assert refused.status_code == 422 and "centro_id" in refused.get_json()["error"]["fields"]
    wrong_centre = upload(admin, ("CC_1234567.pdf", pdf_bytes()), centro_id=str(world["centro_b"].id))
    assert wrong_centre["CC_1234567.pdf"]["estado"] == "participante_no_encontrado"
    right = upload(admin, ("CC_1234567.pdf", pdf_bytes()), centro_id=str(world["centro_a"].id))
    assert right["CC_1234567.pdf"]["estado"] == "vinculado"


def test_upload_from_a_persons_page_names_the_files(app, world, make_client, api, upload_root):
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    browser = make_client()
    login(browser, world["asesor_a"])
    token = csrf_token(browser, f"/participantes/{person['id']}")
    path = f"/verificadores/participantes/{person['id']}/subir"
    no_kind = files(("escaneo.pdf", pdf_bytes()))
    no_kind["csrf_token"] = token
    browser.post(path, data=no_kind, content_type="multipart/form-data")
    with app.app_context():
        assert db.session.scalar(select(Verificador.id)) is None
    data = files(("escaneo 1.pdf", pdf_bytes("uno")), ("foto.png", image_bytes()),
                 ("notas.txt", b"solo texto"))
    data.update(csrf_token=token, prefijo="AEB")
    response = browser.post(path, data=data, content_type="multipart/form-data",
                            follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Documentos guardados: 2." in page and "notas.txt: Tipo no permitido" in page
    doc = person["numero_documento"]
    assert f"AEB_{doc}.pdf" in page and f"AEB_{doc}_2.png" in page
    with app.app_context():
        names = db.session.scalars(select(Verificador.nombre_archivo).order_by(Verificador.id)).all()
    assert names == [f"AEB_{doc}.pdf", f"AEB_{doc}_2.png"]
    # Another centre's person: 404 and nothing stored.
    other = make_client()
    login(other, world["asesor_b"])
    data = files(("x.pdf", pdf_bytes("otro")))
    data.update(csrf_token=csrf_token(other, "/participantes/"), prefijo="CC")
    assert other.post(path, data=data, content_type="multipart/form-data").status_code == 404
    assert len(stored_files(upload_root)) == 2


def test_review_page_shows_the_document_beside_the_person(app, world, make_client, doc):
    browser = make_client()
    login(browser, world["supervisor"])
    queue = browser.get("/verificadores/").get_data(as_text=True)
    assert "Revisión de verificadores" in queue and "Revisar" in queue
    page = browser.get(f"/verificadores/{doc['id']}").get_data(as_text=True)
    assert "<iframe" in page and "Ana María Pérez Rojas" in page and ">Aprobar</button>" in page
    token = csrf_token(browser, f"/verificadores/{doc['id']}")
    refused = browser.post(f"/verificadores/{doc['id']}/revision",
                           data={"csrf_token": token, "estado": "rechazado", "observacion": ""})
    assert refused.status_code == 422 and "motivo del rechazo" in refused.get_data(as_text=True)
    done = browser.post(f"/verificadores/{doc['id']}/revision",
                        data={"csrf_token": token, "estado": "aprobado", "observacion": ""})
    assert done.status_code == 303
    asesor = make_client()
    login(asesor, world["asesor_a"])
    mine = asesor.get(f"/verificadores/{doc['id']}").get_data(as_text=True)
    assert "Aprobado" in mine and ">Aprobar</button>" not in mine


# ---- the orphan check -------------------------------------------------------------------------

def test_check_finds_and_fixes_orphans_both_ways(app, doc, upload_root):
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["verificadores-check"])
    assert clean.exit_code == 0, clean.output
    assert "Filas sin archivo: 0" in clean.output
    with app.app_context():
        kept = db.session.get(Verificador, doc["id"])
        key = kept.clave
    (upload_root / key).unlink()
    stray = upload_root / "1" / "CC" / ("ab" * 32)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"sin fila")
    found = runner.invoke(args=["verificadores-check"])
    assert found.exit_code == 1
    assert "Filas sin archivo: 1" in found.output and "Archivos sin fila: 1" in found.output
    fixed = runner.invoke(args=["verificadores-check", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert not stray.exists()
    with app.app_context():
        assert db.session.get(Verificador, doc["id"]) is None
    assert runner.invoke(args=["verificadores-check"]).exit_code == 0


@pytest.mark.real_clock  # file ages come from the filesystem, which keeps the real clock
def test_check_finishes_a_rename_cut_off_after_the_commit(app, doc, upload_root):
    from cemprende.verificadores.integrity import check

    with app.app_context():
        key = db.session.get(Verificador, doc["id"]).clave
    final = upload_root / key
    temp = upload_root / ".tmp" / f"{key.replace('/', '_')}.interrumpido.part"
    temp.parent.mkdir(exist_ok=True)
    final.rename(temp)  # as if the process died between the commit and the rename
    with app.app_context():
        report = check(fix=True, temp_age=0)
    assert report.completados == [key] and report.filas_sin_archivo == []
    assert final.read_bytes().startswith(b"%PDF") and not temp.exists()


def test_a_supervisor_lands_on_the_network_with_its_review_queue(app, world, make_client):
    browser = make_client()
    response = login(browser, world["supervisor"])
    assert response.status_code == 302 and response.location.endswith("/inicio/red")
    assert browser.get("/").location.endswith("/inicio/red")
    assert "/verificadores/?estado=pendiente" in browser.get("/inicio/red").get_data(as_text=True)
    asesor = make_client()
    assert login(asesor, world["asesor_a"]).location.endswith("/mi-trabajo")
