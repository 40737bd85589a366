"""Every page at 360 px, as each role (issue 16, item 2): a crawler in headless Chromium follows
the same-origin GET links from the role's landing page, breadth first, and on every page asserts
no horizontal scroll of the body, no table wider than the screen, no console error, no link the
role may not follow (403/404/5xx) and no serious or critical axe-core violation (axe.min.js comes
bundled with the pinned axe-playwright-python package: nothing is fetched at test time).

The database holds the demo data (cemprende/demo.py) so lists and tables are not empty."""
from __future__ import annotations

import functools
import io
import re
import time
from collections import deque
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from cemprende import demo, jobs
from cemprende.cierres import services as cierres
from cemprende.convenios import services as convenios
from cemprende.duplicados import services as duplicados
from cemprende.extensions import db, limiter
from cemprende.importaciones import services as importaciones
from cemprende.informes import services as informes
from cemprende.itinerario.dia import today_bogota
from cemprende.models import Centro, Participante, Staff
from cemprende.muestras import services as muestras
from cemprende.pqrs import services as pqrs
from cemprende.scoping import ALL_CENTRES_OPTION
from cemprende.traslados import services as traslados
from conftest import empty_database_and_store
from test_browser import ARTIFACTS, browser, live_server  # noqa: F401  (the browser fixtures)

pytestmark = pytest.mark.real_clock

WIDTH, HEIGHT = 360, 740
ACCOUNTS = {"admin": "admin", "supervisor": "supervisor.pnud", "director": "director.cartagena",
            "asesor": "asesor.cartagena"}
# per role: a guard against a crawl that never ends; reaching it fails the test (pages would be
# left out silently otherwise)
MAX_PAGES = 150
# axe-core runs once per page pattern in the module (the first role to open it; admin goes
# first and sees the most): it is the slow part, and a pattern is one template. The layout,
# console and link checks run on every page for every role.
AXE_CHECKED: set[str] = set()
DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf|zip|png|jpe?g)$|/archivo$|/descargar|/miniatura", re.I)
# GET links that leave the session.
SKIP = re.compile(r"/logout|/salir", re.I)
SERIOUS = {"serious", "critical"}
SCREENSHOTS = {"/tableros": "tablero", "/participantes": "personas", "/mi-trabajo": "mi-trabajo",
               "/inicio/red": "red", "/inicio/centro": "centro"}

LABELS_OF_STACKED_CELLS = """() => [...document.querySelectorAll('table')]
    .filter(t => t.rows.length && getComputedStyle(t.rows[t.rows.length - 1]).display !== 'table-row')
    .flatMap(t => [...t.querySelectorAll('tbody td, tbody th, tfoot td, tfoot th')]
      .filter(c => c.getBoundingClientRect().width > 0 && !c.dataset.label)
      .filter(c => {  // a cell of links or buttons only (an action column) says what it does
        const text = c.cloneNode(true);
        text.querySelectorAll('a, button, form').forEach(x => x.remove());
        return text.textContent.trim(); })
      .map(c => t.className + ': ' + c.textContent.trim().slice(0, 30)))"""
WIDE_ELEMENTS = """w => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
WIDE_TABLES = """w => [...document.querySelectorAll('table')]
    .map(t => [t.className, Math.round(t.getBoundingClientRect().width)]).filter(x => x[1] > w)"""
TABLERO_ROWS = """rows => rows.map(r => [r.dataset.codigo, (r.querySelector('td.resultado a') || {}).href || ''])"""
OTHER_FIGURES = """els => els.map(e => [e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40),
    (e.querySelector('td:nth-of-type(2) a, a.cifra-barra') || {}).href || ''])"""


def pattern(path: str) -> str:
    """/participantes/12 and /participantes/40 are one page; so are rows 1.1 and M3.n of a tablero."""
    return re.sub(r"[^/]*\d[^/]*", "{n}", path.rstrip("/") or "/")


@pytest.fixture(scope="module")
def demo_data(app, upload_root):
    """One demo database for the four roles' crawls (they only follow GET links)."""
    empty_database_and_store(app, upload_root)
    with app.app_context():
        demo.load(36, 2015, today_bogota())
        db.session.commit()
        seed_other_modules(today_bogota())
        db.session.commit()
    jobs.wait_for_threads()  # the import's preview job
    with app.app_context():
        duplicados.run_detection()  # commits the queue itself


# One record of each module the 36-person demo leaves empty, made through the services as the
# pages and the API make them, so the crawl opens their detail pages too.

def _staff() -> dict[str, Staff]:
    return {s.username: s for s in db.session.scalars(select(Staff))}


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _seed_pqrs(staff, today):
    pqrs.create(staff["asesor.cartagena"], {
        "tipo": "queja", "canal": "presencial", "fecha_radicacion": today.isoformat(),
        "asunto": "Entrega incompleta", "texto": "Me entregaron la mitad de lo aprobado.",
        "nombre_peticionario": "Vecina del barrio"}, today=today)


def _seed_informe(staff, today):
    director = staff["director.cartagena"]
    informes.generate(director, {"centro_id": director.centro_id, "tipo": "enrutamiento",
                                 "mes": f"{_last_month(today):%Y-%m}"}, today=today)


def _seed_cierre(staff, today):
    director = staff["director.cartagena"]
    cierres.close(director, {"centro_id": director.centro_id, "mes": f"{_last_month(today):%Y-%m}"},
                  today=today)


def _seed_convenio(staff, today):
    convenios.create(staff["admin"], {
        "clase": "convenio", "nombre": "Convenio DPS demostración", "financiador": "DPS",
        "recursos": 1_200_000_000, "desde": date(today.year, 1, 1).isoformat(),
        "hasta": date(today.year, 12, 31).isoformat(), "toda_la_red": False,
        "centros": [staff["asesor.cartagena"].centro_id], "metas": {"1.1": 40}})


def _seed_muestra(staff, today):
    muestras.draw(staff["supervisor.pnud"], {
        "centro_id": staff["asesor.cartagena"].centro_id, "mes": f"{_last_month(today):%Y-%m}",
        "tamano": 2, "semilla": 42}, today=today)


def _seed_traslado(staff, today):
    """Cartagena asks for a person of another centre."""
    asesor = staff["asesor.cartagena"]
    person = db.session.scalar(select(Participante).where(Participante.centro_id != asesor.centro_id)
                               .order_by(Participante.id).execution_options(**{ALL_CENTRES_OPTION: True}))
    traslados.request_transfer(asesor, {"participante_id": person.id,
                                        "motivo": "Ahora vive en Cartagena"})


def _seed_importacion(staff, today):
    """A two-row DPS remission list, previewed (not applied) by the job."""
    header = ["tipo_documento", "numero_documento", "nombres", "apellidos", "fecha_nacimiento", "sexo",
              "municipio", "telefono", "programa_dps", "fecha_remision", "ciudad_centro"]
    rows = [["CC", numero, "Luz Dary", "Pérez Gómez", "15/04/1985", "F", "Cartagena", "3001112233",
             "Red Unidos", f"{today:%d/%m/%Y}", "Cartagena"] for numero in ("1098700001", "1098700002")]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    importaciones.upload(staff["asesor.cartagena"], "remision.csv", io.BytesIO(text.encode()),
                         tipo="remision_dps", aplicar=False)


def _seed_duplicados(staff, today):
    """The demo's planted pairs (from 60 people only): one typo, one TI, one other number."""
    asesor = staff["asesor.cartagena"]
    builder = demo.DemoBuilder(2016, today)
    builder.plant_duplicates(asesor, db.session.get(Centro, asesor.centro_id))


def seed_other_modules(today: date) -> None:
    staff = _staff()
    # The month close goes last: from then on the gate refuses actuaciones dated in that month.
    for seed in (_seed_duplicados, _seed_pqrs, _seed_informe, _seed_convenio, _seed_muestra,
                 _seed_traslado, _seed_importacion, _seed_cierre):
        seed(staff, today)


@pytest.fixture(autouse=True)
def clean_state(demo_data):
    """Replaces conftest's per-test emptying: the crawls share the module's demo data."""
    limiter.reset()
    yield


@functools.cache
def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe
    return Axe().axe_script


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")


def _links(page, base: str) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(base) and not SKIP.search(url):
            found.append(url)
    return found


def _check_page(page, axe: bool) -> list[str]:
    """What is wrong with the page on screen at 360 px."""
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > WIDTH:
        wide = page.evaluate(WIDE_ELEMENTS, WIDTH)
        problems.append(f"scrollWidth {scroll} > {WIDTH} ({', '.join(wide)})")
    for name, width in page.evaluate(WIDE_TABLES, WIDTH):
        problems.append(f"table.{name} {width} px wide")
    for cell in page.evaluate(LABELS_OF_STACKED_CELLS)[:3]:
        problems.append(f"stacked cell without a label: {cell}")
    result = {}
    if axe:
        page.evaluate(_axe_script())  # the bundled axe-core (nothing fetched)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result.get("violations", []):
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
                            f"[{len(violation['nodes'])}: {'; '.join(targets)}]")
    return problems


def _drilldown_links(page) -> list[str]:
    """Every figure of the tablero page (each row's resultado, each centre's and the network's
    in the por-centro table, each bar of a chart) links to the list of its units."""
    problems = []
    rows = page.eval_on_selector_all("table.tablero-tabla tr[data-codigo]", TABLERO_ROWS)
    if len(rows) < 20:
        problems.append(f"only {len(rows)} tablero rows")
    for codigo, href in rows:
        if f"/filas/{codigo}/personas?" not in href:
            problems.append(f"row {codigo}: its resultado links to {href or 'nothing'}")
    figures = page.eval_on_selector_all(
        "table.por-centro tbody tr, table.por-centro tfoot tr, .grafico .barra-fila", OTHER_FIGURES)
    if not figures:
        problems.append("no chart on the tablero page")
    for text, href in figures:
        if not re.search(r"/filas/[^/]+/personas\?", href):
            problems.append(f"figure «{text}» links to {href or 'nothing'}")
    return problems


def crawl(browser, base: str, username: str) -> tuple[dict, list[str]]:
    """Breadth-first from the landing page; answers {pattern: url visited} and the problems."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))
    _login(page, base, username)
    visited: dict[str, str] = {}
    problems: list[str] = []
    tablero_checked = False
    queue = deque([(page.url, "(inicio)")])
    seen = {pattern(urlsplit(page.url).path)}
    while queue and len(visited) < MAX_PAGES:
        url, origin = queue.popleft()
        path = urlsplit(url).path
        if DOWNLOAD.search(path):  # a file: only whether the role may have it
            status = page.request.get(url, max_redirects=0).status
            if status >= 400:
                problems.append(f"{url} (enlazada desde {origin}): {status}")
            continue
        del console[:]
        response = page.goto(url)
        visited[pattern(path)] = url
        status = response.status if response else 0
        if status >= 400 or "/login" in page.url:
            problems.append(f"{url} (enlazada desde {origin}): {status} → {page.url}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        axe = pattern(path) not in AXE_CHECKED
        AXE_CHECKED.add(pattern(path))
        problems += [f"{url}: {p}" for p in _check_page(page, axe)]
        if pattern(path) == "/tableros":
            problems += [f"{url}: {p}" for p in _drilldown_links(page)]
            tablero_checked = True
        if pattern(path) in SCREENSHOTS:
            ARTIFACTS.mkdir(exist_ok=True)
            name = SCREENSHOTS[pattern(path)]
            page.screenshot(path=str(ARTIFACTS / f"movil-{username.split('.')[0]}-{name}.png"), full_page=True)
        problems += [f"{url}: consola: {text}" for text in console]
        for link in _links(page, base):
            key = pattern(urlsplit(link).path)
            if key not in seen:
                seen.add(key)
                queue.append((link, url))
    context.close()
    if queue:
        problems.append(f"{len(queue)} page patterns left uncrawled at MAX_PAGES={MAX_PAGES}: "
                        f"{', '.join(pattern(urlsplit(u).path) for u, _ in list(queue)[:5])}")
    if not tablero_checked:
        problems.append("the crawl never reached the tablero page")
    return visited, problems

# The detail pages of the records seed_other_modules makes, which each role reaches by links.
SEEDED = {"/pqrs/{n}", "/informes/{n}", "/cierres/{n}", "/convenios/{n}", "/muestras/{n}",
          "/muestras/items/{n}", "/duplicados/{n}", "/importaciones/{n}", "/traslados/{n}"}
SEEDED_BY_ROL = {
    "admin": SEEDED - {"/traslados/{n}"},  # no page links the admin to the transfers
    "supervisor": SEEDED - {"/importaciones/{n}", "/traslados/{n}"},  # neither is theirs
    "director": SEEDED,
    "asesor": {"/pqrs/{n}", "/importaciones/{n}", "/traslados/{n}"},
}


@pytest.mark.parametrize("rol", list(ACCOUNTS))
def test_every_page_at_360px(browser, live_server, rol):
    started = time.monotonic()
    visited, problems = crawl(browser, live_server, ACCOUNTS[rol])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"movil-{rol}.txt").write_text(
        f"{len(visited)} páginas en {time.monotonic() - started:.1f} s\n" + "\n".join(
            f"{key}  {url}" for key, url in visited.items()) + "\n\nProblemas:\n" + "\n".join(problems))
    assert len(visited) >= 10, visited  # the crawl reached the app, not only the landing page
    assert any(key.endswith("/personas") for key in visited)  # a figure's list was opened and checked
    assert SEEDED_BY_ROL[rol] <= set(visited), SEEDED_BY_ROL[rol] - set(visited)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["con-js", "sin-js"])
def test_the_header_folds_on_a_phone_and_shows_on_a_desktop(browser, live_server, javascript):
    """At 360 px the header is one line (brand and «Menú»), the menu opens on a tap; at 1280 px
    the menu shows without a tap. Both with JavaScript and without it."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=javascript)
    page = context.new_page()
    _login(page, live_server, ACCOUNTS["admin"])
    assert page.evaluate("document.querySelector('header').getBoundingClientRect().height") < 60
    assert not page.is_visible("header nav a:text-is('Personas')")
    page.click("header summary:has-text('Menú')")
    assert page.is_visible("header nav a:text-is('Personas')")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.click("header nav a:text-is('Auditoría')")
    page.wait_for_url("**/auditoria/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert page.is_visible("header nav a:text-is('Personas')")
    assert not page.is_visible("header summary")
    context.close()
