"""Vacancy matching: a vacancy's requirements (education level, experience, municipality,
schedule) against the job seekers' employability profiles; the candidates come best fit first,
each with why (page and API); the profile is validated and audited."""
from __future__ import annotations

from sqlalchemy import select

from cemprende.extensions import db
from cemprende.models import Auditoria
from conftest import csrf_token, login, person_payload


def _job_seeker(caller, documento: str, nombres: str, municipio: str = "Cartagena") -> int:
    person = caller.post("/participantes", json=person_payload(
        numero_documento=documento, nombres=nombres, municipio=municipio)).get_json()["id"]
    for body in ({"tipo": "caracterizacion"}, {"tipo": "enrutamiento", "destino": "empleabilidad"}):
        assert caller.post(f"/participantes/{person}/actuaciones",
                           json={**body, "fecha": "2026-03-02"}).status_code == 201
    return person


def _profile(caller, person: int, **values):
    version = caller.get(f"/participantes/{person}").get_json()["version"]
    return caller.put(f"/participantes/{person}/perfil-laboral", json={"version": version, **values})


def test_candidates_come_best_fit_first_with_the_reasons(app, client, api, world):
    a = api(world["asesor_a"])
    vacante = a.post("/vacantes", json={
        "empresa": "Almacenes del Caribe", "cargo": "Auxiliar contable", "cupos": 2,
        "fecha": "2026-03-01", "nivel": "tecnico", "experiencia_meses": 6,
        "municipio": "Turbaco", "horario": "diurno"})
    assert vacante.status_code == 201, vacante.get_json()
    assert vacante.get_json()["municipio"] == "Turbaco" and vacante.get_json()["horario"] == "diurno"
    vacante_id = vacante.get_json()["id"]
    unknown = _job_seeker(a, "11100001", "Sin Perfil")
    partial = _job_seeker(a, "11100002", "Media Parte")
    full = _job_seeker(a, "11100003", "Todo Cumple", municipio="Turbaco")
    assert _profile(a, partial, nivel_educativo="elemental", experiencia_meses=24,
                    municipios_trabajo="turbaco, Arjona").status_code == 200
    answer = _profile(a, full, nivel_educativo="profesional", experiencia_meses=6,
                      municipios_trabajo=[], horarios=["diurno", "fines_de_semana"])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["horarios"] == ["diurno", "fines_de_semana"]

    ranked = a.get(f"/vacantes/{vacante_id}/candidatos").get_json()["items"]
    assert [c["participante_id"] for c in ranked] == [full, partial, unknown]
    by_name = {c["nombres"]: {k["nombre"]: k["cumple"] for k in c["criterios"]} for c in ranked}
    assert by_name["Todo Cumple"] == {"Nivel educativo": True, "Experiencia": True,
                                      "Municipio": True, "Horario": True}
    assert by_name["Media Parte"] == {"Nivel educativo": False, "Experiencia": True,
                                      "Municipio": True, "Horario": None}
    assert by_name["Sin Perfil"] == {"Nivel educativo": None, "Experiencia": None,
                                     "Municipio": False, "Horario": None}

    login(client, world["asesor_a"])
    page = client.get(f"/empleabilidad/vacantes/{vacante_id}").get_data(as_text=True)
    assert page.index("Todo Cumple") < page.index("Media Parte") < page.index("Sin Perfil")
    assert "4 de 4" in page and "✗ Nivel educativo: pide técnico; tiene elemental" in page
    assert "? Horario: diurno; sin información" in page


def test_the_profile_is_validated_versioned_and_audited(app, client, api, world):
    a = api(world["asesor_a"])
    person = _job_seeker(a, "11100004", "Luisa")
    bad = _profile(a, person, nivel_educativo="doctorado", experiencia_meses=-1,
                   municipios_trabajo=[f"M{i}" for i in range(11)], horarios=["siempre"])
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"nivel_educativo", "experiencia_meses",
                                                      "municipios_trabajo", "horarios"}
    stale = a.put(f"/participantes/{person}/perfil-laboral", json={"version": 99,
                                                                   "nivel_educativo": "tecnico"})
    assert stale.status_code == 409
    assert _profile(a, person, nivel_educativo="tecnico").status_code == 200
    assert api(world["asesor_b"]).put(f"/participantes/{person}/perfil-laboral",
                                      json={"version": 1}).status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(Auditoria).where(
            Auditoria.entidad == "participante", Auditoria.entidad_id == person,
            Auditoria.accion == "editar").order_by(Auditoria.id.desc()))
        assert entry.despues["nivel_educativo"] == "tecnico"
    bad_vacancy = a.post("/vacantes", json={"empresa": "E", "cargo": "C", "cupos": 1,
                                            "fecha": "2026-03-01", "horario": "siempre",
                                            "experiencia_meses": "muchos"})
    assert bad_vacancy.status_code == 422
    assert set(bad_vacancy.get_json()["error"]["fields"]) == {"horario", "experiencia_meses"}

    login(client, world["asesor_a"])
    path = f"/empleabilidad/personas/{person}"
    token = csrf_token(client, path)
    version = a.get(f"/participantes/{person}").get_json()["version"]
    saved = client.post(f"{path}/perfil-laboral", data={
        "csrf_token": token, "version": str(version), "nivel_educativo": "profesional",
        "experiencia_meses": "36", "municipios_trabajo": "Cartagena, Turbaco",
        "horarios": ["diurno", "turnos"]})
    assert saved.status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert "Profesional" in page and "36 meses" in page and "Cartagena, Turbaco" in page
    assert "Diurno, Por turnos" in page
