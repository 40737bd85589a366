"""Shows a closed month's tablero before and after a later back-dated write (issue 15's closing
note): loads the demo data (300 people) into a throwaway SQLite database, closes last month for
Cartagena as its director, tries to record and to annul something dated in that month as its
asesor, and prints the month's global tablero rows before the close (live), right after it
(frozen) and after the attempts.

    .venv/bin/python bench/cierre_demo.py
"""
from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.admin.services import import_centros  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.itinerario.dia import today_bogota  # noqa: E402
from cemprende.models import Actuacion, Centro  # noqa: E402


def main() -> None:
    folder = tempfile.mkdtemp(prefix="cierre-demo-")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/demo.sqlite3"
        UPLOAD_ROOT = f"{folder}/uploads"

    app = create_app(Config)
    today = today_bogota()
    last_day = today.replace(day=1) - timedelta(days=1)
    month = f"{last_day:%Y-%m}"
    with app.app_context():
        upgrade()
        import_centros(None)
        db.session.commit()
        demo.load(300, 2015, today)
        db.session.commit()
        centro = db.session.scalar(select(Centro).where(Centro.ciudad == "Cartagena"))
        in_month = db.session.scalar(select(Actuacion).where(
            Actuacion.centro_id == centro.id, Actuacion.anulada.is_(False),
            Actuacion.fecha >= last_day.replace(day=1), Actuacion.fecha <= last_day).limit(1))
        person_id, actuacion_id = in_month.participante_id, in_month.id
        centro_id = centro.id
    client = app.test_client()
    director = demo_headers(client, "director.cartagena")
    asesor = demo_headers(client, "asesor.cartagena")
    window = f"centro_id={centro_id}&desde={last_day:%Y-%m}-01&hasta={last_day.isoformat()}"

    def tablero() -> dict:
        body = client.get(f"/api/v1/tableros/global?{window}", headers=director).get_json()
        return body

    before = tablero()
    closed = client.post("/api/v1/cierres", headers=director,
                         json={"centro_id": centro_id, "mes": month})
    print(f"POST /api/v1/cierres {month}: {closed.status_code} estado={closed.get_json().get('estado')}")
    frozen = tablero()
    write = client.post(f"/api/v1/participantes/{person_id}/actuaciones", headers=asesor, json={
        "tipo": "caracterizacion", "fecha": (last_day - timedelta(days=3)).isoformat()})
    annul = client.post(f"/api/v1/actuaciones/{actuacion_id}/anular", headers=asesor,
                        json={"motivo": "Prueba de cierre"})
    for name, answer in (("write dated in the month", write), ("annulment", annul)):
        error = answer.get_json()["error"]
        print(f"{name}: {answer.status_code} {error['code']}: {error['message']}")
    after = tablero()
    print(f"\nTablero global, Cartagena, {window.split('&', 1)[1]}")
    print(f"{'fila':<6} {'antes':>7} {'cerrado':>8} {'después':>8}")
    for b, f, a in zip(before["filas"], frozen["filas"], after["filas"]):
        if b["resultado"] or f["resultado"] or a["resultado"]:
            print(f"{b['codigo']:<6} {b['resultado']:>7} {f['resultado']:>8} {a['resultado']:>8}")
    print(f"\ncerrado: before={before.get('cerrado')} frozen={frozen.get('cerrado')} "
          f"after={after.get('cerrado')}; identical after the attempts: "
          f"{[r['resultado'] for r in frozen['filas']] == [r['resultado'] for r in after['filas']]}")


def demo_headers(client, username: str) -> dict:
    token = client.post("/api/v1/tokens", json={"username": username,
                                                "password": demo.DEMO_PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


if __name__ == "__main__":
    main()
