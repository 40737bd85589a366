"""Times a bulk upload: one zip of 2,000 small valid documents for a centre of 10,000 people.

    .venv/bin/python bench/verificadores.py [--archivos 2000] [--participantes 10000]
                                            [--engines sqlite,postgresql]

The zip goes through the real API request (multipart parsing, zip reading, content checks, name
matching, duplicate checks, audit entries, commit, files renamed into place), as a centre's system
would send it. Target: the whole zip in under 20 s.
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from databases import throwaway  # noqa: E402
from PIL import Image  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from cemprende import create_app  # noqa: E402
from cemprende.auth.passwords import hash_password  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.models import Centro, Participante, Staff  # noqa: E402
from cemprende.verificadores.prefijos import PREFIJOS  # noqa: E402

PASSWORD = "Clave-de-banco-2026"


def fill(people: int) -> list[str]:
    db.session.add(Centro(nombre="Cemprende Banco", ciudad="Cartagena", departamento="Bolívar",
                          modalidad="Cemprende", fecha_apertura=date(2014, 1, 1)))
    db.session.add(Staff(username="asesor.banco", nombre="Asesor", rol="asesor", centro_id=1,
                         password_hash=hash_password(PASSWORD), activo=True))
    db.session.commit()
    now = datetime.now(UTC)
    documents = [str(1_000_000_000 + n * 13) for n in range(people)]
    db.session.execute(Participante.__table__.insert(), [{
        "centro_id": 1, "tipo_documento": "CC", "numero_documento": doc, "nombres": "Ana",
        "apellidos": "Pérez", "nombre_busqueda": "ana perez", "fecha_nacimiento": date(1990, 1, 1),
        "municipio": "Cartagena", "remitido_dps": False, "consentimiento_datos": True,
        "consentimiento_en": now, "consentimiento_version": "b", "creado_en": now,
        "actualizado_en": now, "version": 1} for doc in documents])
    db.session.commit()
    return documents


def small_pdf(text: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


def small_png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (n % 256, (n // 256) % 256, 120)).save(out, "PNG")
    return out.getvalue()


def build_zip(documents: list[str], count: int) -> bytes:
    rng = random.Random(7)
    prefixes = list(PREFIJOS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, doc in enumerate(rng.sample(documents, count)):
            prefijo = prefixes[n % len(prefixes)]
            if n % 2:
                archive.writestr(f"lote/{prefijo}_{doc}.png", small_png(n))
            else:
                archive.writestr(f"lote/{prefijo}_{doc}.pdf", small_pdf(f"Verificador {n} {doc}"))
    return out.getvalue()


def run(engine: str, people: int, count: int) -> None:
    with throwaway(engine) as url, tempfile.TemporaryDirectory() as store:
        class Config(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            UPLOAD_ROOT = store

        app = create_app(Config)
        with app.app_context():
            db.create_all()
            documents = fill(people)
        payload = build_zip(documents, count)
        client = app.test_client()
        token = client.post("/api/v1/tokens", json={"username": "asesor.banco",
                                                     "password": PASSWORD}).get_json()["token"]
        started = time.perf_counter()
        response = client.post("/api/v1/verificadores", headers={"Authorization": f"Bearer {token}"},
                               data={"archivo": (io.BytesIO(payload), "lote.zip")},
                               content_type="multipart/form-data")
        elapsed = time.perf_counter() - started
        body = response.get_json()
        assert response.status_code == 200, body
        stored = sum(1 for p in Path(store).rglob("*") if p.is_file())
        print(f"  zip of {count} files ({len(payload) / 1024 / 1024:.1f} MiB), centre of "
              f"{people:,} people: {elapsed:.2f} s, {count / elapsed:.0f} files/s; "
              f"linked {body['vinculados']}, files in store {stored}", flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archivos", type=int, default=2000)
    parser.add_argument("--participantes", type=int, default=10_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        run(engine, args.participantes, args.archivos)


if __name__ == "__main__":
    main()
