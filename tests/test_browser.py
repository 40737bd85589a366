"""End to end in headless Chromium (Debian's, driven by Playwright): the advisor's first minutes."""
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium no está instalado: apt-get install -y chromium (make test lo hace).")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_login_register_route_and_see_it_on_the_timeline(browser, live_server, world):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", world["asesor_a"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/participantes/")
    assert "Aún no hay personas registradas" in page.content()

    page.click("text=Registrar persona")
    page.select_option("select[name=tipo_documento]", "CC")
    page.fill("input[name=numero_documento]", "1.098.765.432")
    page.fill("input[name=nombres]", "Ana María")
    page.fill("input[name=apellidos]", "Pérez Rojas")
    page.select_option("select[name=sexo]", "F")
    page.fill("input[name=fecha_nacimiento]", "1990-05-17")
    page.fill("input[name=municipio]", "Cartagena")
    page.fill("input[name=telefono]", "3001234567")
    page.select_option("select[name=tipo_poblacion]", "red_unidos")
    # First without consent: nothing is stored and the page says why.
    page.click("main button[type=submit]")
    assert "Ley 1581" in page.content()
    page.check("input[name=consentimiento_datos]")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Se registró a Ana María Pérez Rojas")
    assert "CC 1098765432" in page.content()

    page.click("text=Registrar actuación")
    page.select_option("select[name=tipo]", "enrutamiento")  # the page follows the choice
    page.wait_for_selector("select[name=destino]")
    page.select_option("select[name=destino]", "emprendimiento")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Se registró: Enrutamiento")
    timeline = page.inner_text("ol.linea-tiempo")
    assert "Enrutamiento" in timeline and "Destino: Emprendimiento" in timeline
    page.screenshot(path=str(ARTIFACTS / "perfil-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/participantes/?q=perez")
    assert "Ana María Pérez Rojas" in page.inner_text("table")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "lista-360.png"), full_page=True)
    page.close()


def test_actuacion_type_can_be_chosen_without_javascript(browser, live_server, api, world):
    from conftest import person_payload
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", world["asesor_a"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}/participantes/{person['id']}/actuaciones/nueva")
    page.select_option("select[name=tipo]", "caracterizacion")
    page.click("text=Continuar")
    page.fill("textarea[name=observaciones]", "Llega por recomendación de una vecina.")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Se registró: Caracterización")
    context.close()
