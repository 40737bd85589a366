"""Verifier documents: the per-file report, content checks, zips, storage atomicity, review."""
from __future__ import annotations

import hashlib
import zipfile

import pytest
from sqlalchemy import select

from conftest import person_payload, stored_files
from documents import files, image_bytes, pdf_bytes, zip_bytes
from cemprende.extensions import db
from cemprende.models import Verificador

DOC_A, DOC_A2, DOC_B = "1098765432", "52345678", "77123456"


@pytest.fixture
def people(api, world):
    """Two people of centre A and one of centre B."""
    a = api(world["asesor_a"])
    b = api(world["asesor_b"])
    return {
        "a": a.post("/participantes", json=person_payload(numero_documento=DOC_A)).get_json()["id"],
        "a2": a.post("/participantes", json=person_payload(
            numero_documento=DOC_A2, nombres="Luis", apellidos="Gómez")).get_json()["id"],
        "b": b.post("/participantes", json=person_payload(
            numero_documento=DOC_B, nombres="Rosa", apellidos="Díaz")).get_json()["id"],
        "asesor_a": a, "asesor_b": b,
    }


def upload(caller, *pairs, **form):
    data = files(*pairs)
    data.update(form)
    return caller.post("/verificadores", data=data, content_type="multipart/form-data")


def states(response) -> dict[str, str]:
    assert response.status_code == 200, response.get_json()
    return {item["archivo"]: item["estado"] for item in response.get_json()["items"]}


def rows(app) -> list[Verificador]:
    with app.app_context():
        return list(db.session.scalars(select(Verificador).order_by(Verificador.id)))


def test_every_state_of_the_per_file_report(app, people, upload_root):
    first = pdf_bytes("cédula de Ana")
    response = upload(
        people["asesor_a"],
        (f"CC_{DOC_A}.pdf", first),
        (f"AC_{DOC_A2}.png", image_bytes()),
        ("foto de ana.pdf", pdf_bytes("sin convención")),
        (f"XX_{DOC_A}.pdf", pdf_bytes("prefijo que no existe")),
        (f"CC_{DOC_B}.pdf", pdf_bytes("persona de otro centro")),
        (f"PN_{DOC_A}.pdf", b"MZ\x90\x00 this is an executable, not a PDF" * 10),
        (f"HV_{DOC_A}.pdf", b"\x00" * (10 * 1024 * 1024 + 1)),
        (f"CC_{DOC_A}_2.pdf", first),
    )
    body = response.get_json()
    assert states(response) == {
        f"CC_{DOC_A}.pdf": "vinculado",
        f"AC_{DOC_A2}.png": "vinculado",
        "foto de ana.pdf": "nombre_invalido",
        f"XX_{DOC_A}.pdf": "nombre_invalido",
        f"CC_{DOC_B}.pdf": "participante_no_encontrado",
        f"PN_{DOC_A}.pdf": "tipo_no_permitido",
        f"HV_{DOC_A}.pdf": "demasiado_grande",
        f"CC_{DOC_A}_2.pdf": "duplicado",
    }
    assert body["total"] == 8 and body["vinculados"] == 2
    linked = {i["archivo"]: i for i in body["items"] if i["estado"] == "vinculado"}
    assert linked[f"CC_{DOC_A}.pdf"]["participante_id"] == people["a"]
    assert linked[f"AC_{DOC_A2}.png"]["participante_id"] == people["a2"]
    assert linked[f"AC_{DOC_A2}.png"]["prefijo"] == "AC"
    assert all(i["motivo"] for i in body["items"] if i["estado"] != "vinculado")
    stored = rows(app)
    assert {(v.participante_id, v.prefijo) for v in stored} == {(people["a"], "CC"), (people["a2"], "AC")}
    assert [v.id for v in stored] == sorted(i["verificador_id"] for i in linked.values())
    # Named by content hash under <centro>/<prefijo>/, never by the client's name.
    cc = next(v for v in stored if v.prefijo == "CC")
    path = upload_root / str(cc.centro_id) / "CC" / hashlib.sha256(first).hexdigest()
    assert path.read_bytes() == first
    assert len(stored_files(upload_root)) == 2  # no temporary file left behind


def test_a_name_with_another_centres_document_stores_nothing(app, people, upload_root):
    response = upload(people["asesor_a"], (f"CC_{DOC_B}.pdf", pdf_bytes()))
    assert states(response) == {f"CC_{DOC_B}.pdf": "participante_no_encontrado"}
    assert rows(app) == []
    assert stored_files(upload_root) == []


@pytest.mark.parametrize("name,data,why", [
    (f"CC_{DOC_A}.pdf", image_bytes("PNG"), "PNG"),
    (f"CC_{DOC_A}.jpg", image_bytes("PNG"), "PNG"),
    (f"CC_{DOC_A}.png", pdf_bytes(), "PDF"),
    (f"CC_{DOC_A}.pdf", b"%PDF-1.4 but then nothing else", "incompleto"),
    (f"CC_{DOC_A}.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "dañada"),
    (f"CC_{DOC_A}.pdf", "texto plano que dice ser PDF".encode(), "no es PDF"),
])
def test_bytes_that_lie_about_their_extension_are_refused(app, people, name, data, why):
    response = upload(people["asesor_a"], (name, data))
    item = response.get_json()["items"][0]
    assert item["estado"] == "tipo_no_permitido"
    assert why in item["motivo"]
    assert rows(app) == []


def test_jpeg_and_png_and_pdf_with_suffixes_are_linked(app, people):
    response = upload(people["asesor_a"],
                      (f"AEB_{DOC_A}.jpg", image_bytes("JPEG")),
                      (f"AEB_{DOC_A}_2.JPEG", image_bytes("JPEG", colour=(0, 90, 0))),
                      (f"aeb_{DOC_A}_3.pdf", pdf_bytes("tercera entrega")))
    assert set(states(response).values()) == {"vinculado"}
    stored = rows(app)
    assert [(v.prefijo, v.secuencia, v.tipo_contenido) for v in stored] == [
        ("AEB", 1, "image/jpeg"), ("AEB", 2, "image/jpeg"), ("AEB", 3, "application/pdf")]


def test_duplicate_content_in_the_same_upload_and_across_uploads(app, people):
    same = pdf_bytes("plan de negocio")
    response = upload(people["asesor_a"], (f"PN_{DOC_A}.pdf", same), (f"PN_{DOC_A}_2.pdf", same))
    assert states(response) == {f"PN_{DOC_A}.pdf": "vinculado", f"PN_{DOC_A}_2.pdf": "duplicado"}
    again = upload(people["asesor_a"], (f"PN_{DOC_A}_3.pdf", same))
    assert states(again) == {f"PN_{DOC_A}_3.pdf": "duplicado"}
    # The same bytes for another person are that person's document: stored for them, one file.
    other = upload(people["asesor_a"], (f"PN_{DOC_A2}.pdf", same))
    assert states(other) == {f"PN_{DOC_A2}.pdf": "vinculado"}
    assert len(rows(app)) == 2


# ---- zips -----------------------------------------------------------------------------------

def test_a_zip_is_read_entry_by_entry(app, people, upload_root):
    archive = zip_bytes({
        f"carpeta/CC_{DOC_A}.pdf": pdf_bytes("cédula"),
        f"../CC_{DOC_A2}.pdf": pdf_bytes("escapa hacia arriba"),
        f"/etc/AC_{DOC_A}.pdf": pdf_bytes("ruta absoluta"),
        f"sub/../../AD_{DOC_A}.pdf": pdf_bytes("escapa en medio"),
        "interno.zip": zip_bytes({f"HV_{DOC_A}.pdf": pdf_bytes("anidado")}),
        f"HV_{DOC_A2}.zip": zip_bytes({"x.txt": b"x"}),
        "__MACOSX/._basura": b"metadatos de mac",
        "carpeta/": b"",
    })
    response = upload(people["asesor_a"], ("lote.zip", archive))
    found = states(response)
    assert found == {
        f"CC_{DOC_A}.pdf": "vinculado",
        f"../CC_{DOC_A2}.pdf": "nombre_invalido",
        f"/etc/AC_{DOC_A}.pdf": "nombre_invalido",
        f"sub/../../AD_{DOC_A}.pdf": "nombre_invalido",
        "interno.zip": "tipo_no_permitido",
        f"HV_{DOC_A2}.zip": "tipo_no_permitido",
    }
    assert [(v.participante_id, v.prefijo) for v in rows(app)] == [(people["a"], "CC")]
    # Nothing was written outside the store, and only the one linked file inside it.
    assert len(stored_files(upload_root)) == 1
    assert not (upload_root.parent / f"CC_{DOC_A2}.pdf").exists()


def test_a_zip_with_too_many_entries_is_refused_whole(app, people, upload_root):
    entries = {f"CC_{1000000 + n}.pdf": b"x" for n in range(2001)}
    response = upload(people["asesor_a"], ("muchos.zip", zip_bytes(entries, zipfile.ZIP_STORED)))
    assert response.status_code == 413
    assert "2001" in response.get_json()["error"]["message"]
    assert rows(app) == [] and stored_files(upload_root) == []


def test_a_zip_bomb_is_refused_before_anything_is_decompressed(app, people, upload_root,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "VERIFICADOR_ZIP_MAX_BYTES", 5 * 1024 * 1024)
    zeros = b"\x00" * (2 * 1024 * 1024)
    bomb = zip_bytes({f"CC_{DOC_A}_{n}.pdf": zeros for n in range(1, 4)})
    assert len(bomb) < 50_000  # 6 MiB of zeros in a few KiB
    response = upload(people["asesor_a"], (f"CC_{DOC_A}.pdf", pdf_bytes()), ("bomba.zip", bomb))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "zip_rechazado"
    assert rows(app) == [] and stored_files(upload_root) == []


def test_a_zip_entry_over_the_file_limit(app, people):
    big = zip_bytes({f"HV_{DOC_A}.pdf": b"\x00" * (10 * 1024 * 1024 + 1),
                     f"CC_{DOC_A}.pdf": pdf_bytes()})
    assert states(upload(people["asesor_a"], ("lote.zip", big))) == {
        f"HV_{DOC_A}.pdf": "demasiado_grande", f"CC_{DOC_A}.pdf": "vinculado"}


def test_a_damaged_zip_is_a_clear_error(app, people):
    response = upload(people["asesor_a"], ("lote.zip", b"PK\x03\x04" + b"\x00" * 100))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "zip_invalido"


# ---- atomicity ------------------------------------------------------------------------------

def test_a_crash_between_the_file_write_and_the_commit_leaves_nothing(app, people, upload_root,
                                                                       monkeypatch):
    from cemprende.verificadores import carga

    def crash(*args, **kwargs):
        raise RuntimeError("fallo simulado después de escribir el archivo")

    monkeypatch.setattr(carga.audit, "record", crash)
    response = upload(people["asesor_a"], (f"CC_{DOC_A}.pdf", pdf_bytes()))
    assert response.status_code == 500
    assert rows(app) == []
    assert stored_files(upload_root) == []


def test_a_failed_commit_leaves_neither_row_nor_file(app, people, upload_root):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def refuse(session):
        if session.info.get("verificadores_pendientes"):
            raise RuntimeError("la base de datos rechazó el commit")

    event.listen(Session, "before_commit", refuse)
    try:
        # The commit runs after the view; under test the error reaches the client as raised.
        with pytest.raises(RuntimeError, match="rechazó el commit"):
            upload(people["asesor_a"], (f"CC_{DOC_A}.pdf", pdf_bytes()))
    finally:
        event.remove(Session, "before_commit", refuse)
    assert rows(app) == []
    assert stored_files(upload_root) == []


def test_the_upload_api_refuses_what_is_not_a_multipart_upload(app, people):
    asesor = people["asesor_a"]
    as_json = asesor.post("/verificadores", json={"archivo": "CC_1.pdf"})
    assert as_json.status_code == 415 and as_json.get_json()["error"]["code"] == "tipo_no_soportado"
    nothing = asesor.post("/verificadores", data={}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "archivo" in nothing.get_json()["error"]["fields"]
    bad_person = upload(asesor, ("x.pdf", pdf_bytes()), participante_id="uno", prefijo="CC")
    assert bad_person.status_code == 400
    bad_kind = upload(asesor, ("x.pdf", pdf_bytes()), participante_id=str(people["a"]), prefijo="ZZ")
    assert bad_kind.status_code == 422 and "prefijo" in bad_kind.get_json()["error"]["fields"]
    assert rows(app) == []
