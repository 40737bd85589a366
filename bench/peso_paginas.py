"""Page weight: bytes over the wire and requests per page, first and repeat visit, per role.

    .venv/bin/python bench/peso_paginas.py [--personas 150] [--modo navegador|cliente]

Loads demo data into a throwaway SQLite database, serves the application on a free local port
(a real threaded HTTP server) and, as each demo role, opens its main pages in headless Chromium
(Debian's `chromium`, Playwright): a first visit with the browser's cache emptied, then a repeat
visit of the same page with the cache as the first one left it (the static files are versioned and
immutable, so only the page itself travels). Bytes are what Chromium's network layer received:
headers plus the compressed body (CDP `Network.loadingFinished.encodedDataLength`); requests served
from the cache are not counted. `--modo cliente` computes the same from Flask's test client
(compressed body plus a rough header size) when no browser is at hand. Target: a repeat visit
below 30 KB.
"""
from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from cemprende import create_app, demo  # noqa: E402
from cemprende.admin.services import import_centros  # noqa: E402
from cemprende.config import TestConfig  # noqa: E402
from cemprende.extensions import db  # noqa: E402
from cemprende.itinerario.dia import today_bogota  # noqa: E402
from cemprende.models import Participante, Staff  # noqa: E402

TARGET_KB = 30
COMMON = ["/participantes/", "/participantes/{persona}", "/orientacion/", "/referenciacion/",
          "/empleabilidad/", "/emprendimiento/", "/microfinanciamiento/", "/verificadores/",
          "/tableros/"]
PAGES = {
    "asesor.cartagena": ["/mi-trabajo", *COMMON],
    "director.cartagena": ["/mi-trabajo", *COMMON, "/microfinanciamiento/alertas",
                           "/itinerario/revision", "/tableros/metas", "/admin/staff"],
    "supervisor.pnud": ["/itinerario/revision", *COMMON, "/microfinanciamiento/alertas",
                        "/verificadores/cobertura"],
    "admin": ["/admin/centros", "/admin/staff", *COMMON, "/tableros/metas"],
}


def prepare(folder: str, personas: int):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/peso.sqlite3"
        UPLOAD_ROOT = f"{folder}/documentos"
        TESTING = False

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        import_centros()
        print(demo.load(personas, seed=2015, hasta=today_bogota()), flush=True)
        db.session.commit()
        persona = {}
        for username in PAGES:
            staff = db.session.scalar(select(Staff).where(Staff.username == username))
            query = select(Participante.id).order_by(Participante.id)
            if staff.centro_id:
                query = query.where(Participante.centro_id == staff.centro_id)
            persona[username] = db.session.scalar(query)
    return app, persona


def serve(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class Meter:
    """Counts what Chromium fetched over the network (not from its cache) since the last reset."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.reset()
        cdp.on("Network.requestWillBeSent", lambda e: self.sent.add(e["requestId"]))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda e: self.bytes.setdefault(e["requestId"], 0))
        cdp.send("Network.enable")

    def reset(self):
        self.sent, self.cached, self.bytes = set(), set(), {}

    def _finished(self, event):
        self.bytes[event["requestId"]] = event["encodedDataLength"]

    def result(self, page) -> tuple[int, int]:
        for _ in range(80):  # CDP events may trail the load event by a few milliseconds
            fetched = [r for r in self.sent if r not in self.cached]
            if all(r in self.bytes for r in fetched):
                break
            page.wait_for_timeout(25)
        return sum(self.bytes.get(r, 0) for r in fetched), len(fetched)


def measure_browser(base: str, persona: dict) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for username, pages in PAGES.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", demo.DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            meter = Meter(context.new_cdp_session(page))
            for path in pages:
                url = base + path.format(persona=persona[username])
                meter.cdp.send("Network.clearBrowserCache")
                meter.reset()
                status = page.goto(url, wait_until="load").status
                first = meter.result(page)
                meter.reset()
                page.goto(url, wait_until="load")
                repeat = meter.result(page)
                rows.append((username, path, status, *first, *repeat))
            context.close()
        browser.close()
    return rows


def measure_client(app, persona: dict) -> list[tuple]:
    """Without a browser: compressed sizes from the test client, plus each answer's headers."""
    rows = []
    gzip = {"Accept-Encoding": "gzip, deflate, br"}

    def wire(response) -> int:
        head = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17
        return head + len(response.get_data())

    for username, pages in PAGES.items():
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD,
                                    "csrf_token": token})
        for path in pages:
            response = client.get(path.format(persona=persona[username]), headers=gzip)
            page_bytes = wire(response)
            statics = re.findall(r'(?:href|src)="(/static/[^"]+)"', response.get_data(as_text=True)) \
                if "Content-Encoding" not in response.headers else []
            if not statics:  # the body is compressed: read the links from an uncompressed copy
                plain = client.get(path.format(persona=persona[username])).get_data(as_text=True)
                statics = re.findall(r'(?:href|src)="(/static/[^"]+)"', plain)
            static_bytes = sum(wire(client.get(url, headers=gzip)) for url in statics)
            rows.append((username, path, response.status_code, page_bytes + static_bytes,
                         1 + len(statics), page_bytes, 1))
    return rows


def report(rows: list[tuple]) -> None:
    print(f"\n{'rol':<20} {'página':<32} {'estado':>6} {'1.ª KB':>8} {'pet.':>5} {'rep. KB':>8} {'pet.':>5}")
    for username, path, status, first_b, first_n, rep_b, rep_n in rows:
        print(f"{username:<20} {path:<32} {status:>6} {first_b / 1024:>8.1f} {first_n:>5} "
              f"{rep_b / 1024:>8.1f} {rep_n:>5}")
    worst = max(rows, key=lambda r: r[5])
    print(f"\nMayor visita repetida: {worst[5] / 1024:.1f} KB ({worst[0]} {worst[1]}); "
          f"objetivo < {TARGET_KB} KB: {'cumple' if worst[5] < TARGET_KB * 1024 else 'NO cumple'}.")
    print(f"Mayor primera visita: {max(r[3] for r in rows) / 1024:.1f} KB; "
          f"peticiones por página (1.ª / repetida): {max(r[4] for r in rows)} / {max(r[6] for r in rows)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=int, default=150)
    parser.add_argument("--modo", choices=["navegador", "cliente"],
                        default="navegador" if shutil.which("chromium") else "cliente")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        logging.getLogger("cemprende").setLevel(logging.WARNING)
        app, persona = prepare(folder, args.personas)
        if args.modo == "cliente":
            report(measure_client(app, persona))
            return
        server, base = serve(app)
        try:
            report(measure_browser(base, persona))
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
