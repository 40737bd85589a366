"""End to end in headless Chromium (Debian's, driven by Playwright): the advisor's first minutes."""
import re
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cemprende.itinerario.dia import today_bogota
from conftest import PASSWORD

pytestmark = pytest.mark.real_clock

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
    page.wait_for_url("**/mi-trabajo")
    assert "No hay nada pendiente" in page.content()
    page.click("nav >> text=Personas")
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


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Polls a JavaScript expression from the test. Playwright's wait_for_function polls inside
    the page through eval(), which the app's Content-Security-Policy (no 'unsafe-eval') refuses
    whenever the first check is false; page.evaluate is not bound by it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.05)


def _login(page, base, staff):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_verificadores_bulk_upload_review_and_replacement(browser, live_server, api, world, tmp_path):
    from conftest import person_payload
    from documents import image_bytes, pdf_bytes, zip_bytes

    ARTIFACTS.mkdir(exist_ok=True)
    person = api(world["asesor_a"]).post("/participantes", json=person_payload()).get_json()
    doc = person["numero_documento"]
    bundle = tmp_path / "lote.zip"
    bundle.write_bytes(zip_bytes({f"CC_{doc}.jpg": image_bytes("JPEG", size=(900, 600)),
                                  f"AC_{doc}.pdf": pdf_bytes("Acta de compromiso"),
                                  "sin-convencion.pdf": pdf_bytes("x")}))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, world["asesor_a"])
    page.goto(f"{live_server}/verificadores/subir")
    page.set_input_files("input[name=archivo]", str(bundle))
    page.click("main button[type=submit]")
    page.wait_for_url("**/verificadores/cargas/*")  # reached through the progress-reporting upload
    report = page.inner_text("main")
    assert "2 vinculados" in report and "sin-convencion.pdf" in report
    page.screenshot(path=str(ARTIFACTS / "verificadores-carga-1280.png"), full_page=True)

    page.goto(f"{live_server}/participantes/{person['id']}")
    documents = page.inner_text("#documentos ~ ul.documentos")
    assert "Cédula de ciudadanía" in documents and "Acta de compromiso" in documents
    page.locator(".miniatura img").scroll_into_view_if_needed()  # it loads lazily
    wait_until(page, "document.querySelector('.miniatura img').naturalWidth > 0")
    page.close()

    reviewer = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(reviewer, live_server, world["supervisor"])
    reviewer.goto(f"{live_server}/verificadores/?prefijo=AC")
    reviewer.click("text=Revisar")
    reviewer.wait_for_selector("iframe")
    assert "prefijo=AC" in reviewer.url  # the queue's filter travels with the document
    reviewer.click("form.tarjeta button:has-text('Rechazar')")
    assert "motivo del rechazo" in reviewer.inner_text("main")
    # The keyboard: R goes to the observation, Ctrl+Enter rejects.
    reviewer.locator("body").press("r")
    reviewer.keyboard.type("Falta la firma de la persona")
    assert reviewer.input_value("textarea[name=observacion]") == "Falta la firma de la persona"
    reviewer.screenshot(path=str(ARTIFACTS / "verificadores-revision-1280.png"), full_page=True)
    reviewer.keyboard.press("Control+Enter")
    reviewer.wait_for_selector("text=rechazado")
    assert "No quedan documentos pendientes con este filtro" in reviewer.inner_text("main")
    reviewer.close()

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    _login(phone, live_server, world["asesor_a"])
    phone.goto(f"{live_server}/participantes/{person['id']}")
    assert "Rechazado: Falta la firma de la persona" in phone.inner_text("main")
    replacement = tmp_path / "acta-firmada.pdf"
    replacement.write_bytes(pdf_bytes("Acta de compromiso firmada"))
    phone.select_option("select[name=prefijo]", "AC")
    phone.set_input_files("form[enctype] input[name=archivo]", str(replacement))
    phone.click("text=Subir >> nth=-1")
    phone.wait_for_selector("text=Documentos guardados: 1.")
    assert f"AC_{doc}_2.pdf" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(ARTIFACTS / "perfil-documentos-360.png"), full_page=True)
    phone.close()


def _walk_in(page, live_server, documento: str) -> int:
    """From the intake page to a registered, characterised and routed person, counting the page
    loads (navigations of the main frame)."""
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(f"{live_server}/orientacion/")  # 1: the intake page
    page.fill("input[name=numero_documento]", documento)
    page.click("form.ingreso button[type=submit]")  # 2: the one registration page
    page.wait_for_url("**/orientacion/ingreso?**")
    assert page.input_value("input[name=numero_documento]") == documento.replace(".", "")
    page.fill("input[name=nombres]", "Yolanda")
    page.fill("input[name=apellidos]", "Martínez Caro")
    page.fill("input[name=fecha_nacimiento]", "1985-02-11")
    page.fill("input[name=municipio]", "Cartagena")
    page.select_option("select[name=tipo_poblacion]", "red_unidos")
    page.select_option("select[name=situacion]", "busca_empleo")
    page.check("input[value=empleo]")
    page.check("input[value=formacion]")
    page.fill("textarea[name=observaciones]", "Madre cabeza de hogar; experiencia en ventas.")
    page.select_option("select[name=destino]", "empleabilidad")
    page.check("input[name=consentimiento_datos]")
    page.click("main form.formulario button[type=submit]")  # 3: the orientation page, with the acta
    page.wait_for_url("**/orientacion/personas/*")
    page.wait_for_load_state("load")
    return len(loads)


@pytest.mark.parametrize("javascript", [True, False], ids=["con-js", "sin-js"])
def test_walk_in_in_three_page_loads_at_360px(browser, live_server, world, javascript):
    """A walk-in registered, characterised, routed, with the acta de compromiso to print: three
    page loads at 360 px, with JavaScript and without it."""
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=javascript)
    page = context.new_page()
    _login(page, live_server, world["asesor_a"])
    documento = "1.122.334.455" if javascript else "1.122.334.466"
    assert _walk_in(page, live_server, documento) == 3
    assert "Se registró y caracterizó a Yolanda Martínez Caro" in page.content()
    assert "Enrutada a Empleabilidad" in page.inner_text("#enrutamiento")
    assert "Hecha el" in page.inner_text("#caracterizacion")
    acta = page.request.get(live_server + page.get_attribute("a:has-text('Imprimir el acta')", "href"))
    assert acta.ok and acta.headers["content-type"] == "application/pdf"
    assert acta.body().startswith(b"%PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / f"ingreso-360-{'js' if javascript else 'sin-js'}.png"),
                    full_page=True)
    context.close()


def test_walk_in_intake_to_routed_with_the_acta(browser, live_server, world):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, world["asesor_a"])
    _walk_in(page, live_server, "1.122.334.455")
    page.click("text=Marcar como firmada")
    page.wait_for_selector("text=Acta de compromiso registrada como firmada")
    assert "Enrutada a Empleabilidad" in page.inner_text("#enrutamiento")
    page.screenshot(path=str(ARTIFACTS / "orientacion-persona-1280.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.click("text=Perfil e itinerario")
    timeline = page.inner_text("ol.linea-tiempo")
    for label in ("Caracterización", "Acta de compromiso", "Enrutamiento"):
        assert label in timeline
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/orientacion/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "orientacion-inicio-360.png"), full_page=True)
    page.close()


def test_a_vacancy_from_creation_to_colocacion(browser, live_server, api, world):
    from conftest import Centre

    ARTIFACTS.mkdir(exist_ok=True)
    centre = Centre(api(world["asesor_a"]))
    seekers = []
    for name in ("Karen", "Luisa"):
        pid = centre.person(nombres=name)
        centre.act(pid, "enrutamiento", "2026-01-10", destino="empleabilidad")
        seekers.append(pid)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, world["asesor_a"])
    assert "Por colocar" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "mi-trabajo-1280.png"), full_page=True)
    page.click("nav >> text=Empleabilidad")
    route = page.inner_text("main")
    assert "En la ruta de empleabilidad 2" in route and "Karen" in route and "Luisa" in route
    assert "No hay vacantes abiertas con cupos libres." in route
    page.screenshot(path=str(ARTIFACTS / "empleabilidad-1280.png"), full_page=True)
    page.click("main >> text=Registrar vacante")
    page.fill("input[name=empresa]", "Supermercados Olímpica")
    page.fill("input[name=cargo]", "Auxiliar de bodega")
    page.select_option("select[name=nivel]", "elemental")
    page.fill("input[name=cupos]", "1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Vacante registrada")
    assert "1 libres" in page.inner_text("main")
    page.get_by_label(re.compile("^Karen")).check()
    page.click("text=Remitir a las seleccionadas")
    page.wait_for_selector("text=1 personas remitidas a la selección.")
    vacancy = page.url
    page.click("nav >> text=Empleabilidad")
    waiting = page.inner_text("main")
    assert "Remisiones en espera 1" in waiting and "Karen Pérez Rojas → Auxiliar de bodega" in waiting
    page.click("text=Karen Pérez Rojas → Auxiliar de bodega")
    assert page.url == vacancy
    page.click("text=Registrar colocación")
    page.wait_for_selector("text=Colocación registrada.")
    main = page.inner_text("main")
    assert "Colocada el" in main and "0 libres" in main
    page.screenshot(path=str(ARTIFACTS / "vacante-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/mi-trabajo")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "mi-trabajo-360.png"), full_page=True)
    page.close()


def test_from_a_business_plan_to_committee_approval_and_delivery(browser, live_server, api, world):
    from conftest import Centre

    ARTIFACTS.mkdir(exist_ok=True)
    centre = Centre(api(world["asesor_a"]))
    pid = centre.person(nombres="Marleny")
    centre.act(pid, "enrutamiento", "2026-01-05", destino="emprendimiento")
    centre.act(pid, "visita_acompanamiento", "2026-01-07", clase="diagnostico")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, world["asesor_a"])
    for tipo, value_field in (("plan_negocio", "valor_solicitado"), ("plan_ajustado", "valor")):
        page.goto(f"{live_server}/participantes/{pid}/actuaciones/nueva?tipo={tipo}")
        page.fill("input[name=fecha]", "2026-01-10")
        if tipo == "plan_negocio":
            page.fill("input[name=nombre_negocio]", "Panadería Marleny")
        page.fill(f"input[name={value_field}]", "1.800.000")
        page.fill("input[name=item_1_descripcion]", "Horno panadero")
        page.fill("input[name=item_1_cantidad]", "1")
        page.fill("input[name=item_1_precio_unitario]", "1.200.000")
        page.fill("input[name=item_2_descripcion]", "Amasadora")
        page.fill("input[name=item_2_cantidad]", "1")
        page.fill("input[name=item_2_precio_unitario]", "600.000")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=Se registró")

    page.goto(f"{live_server}/microfinanciamiento/comite/nueva")
    page.fill("input[name=lugar]", "Sede Cemprende Cartagena")
    page.fill("textarea[name=miembros]", "Laura Gómez — PNUD\nCarlos Ruiz — Alcaldía")
    page.select_option("select[aria-label='Decisión para Marleny Pérez Rojas']", "aprobado")
    page.screenshot(path=str(ARTIFACTS / "comite-sesion-1280.png"), full_page=True)
    page.click("text=Guardar la sesión y sus decisiones")
    page.wait_for_selector("text=Sesión del comité registrada: 1 decisiones.")
    acta = page.request.get(live_server + page.get_attribute("text=Acta de aprobación (PDF)", "href"))
    assert acta.ok and acta.body().startswith(b"%PDF")

    page.click("text=Marleny Pérez Rojas")
    page.wait_for_selector("text=Registrar entrega de bienes")
    page.fill("input[name=proveedor]", "Equipos Industriales del Caribe")
    page.fill("input[name=nit]", "900456789-1")
    page.fill("input[name=item_1_precio_unitario]", "1.200.000")
    page.fill("input[name=item_2_descripcion]", "")
    page.fill("input[name=item_2_cantidad]", "")
    page.click("button:has-text('Registrar entrega')")
    page.wait_for_load_state()
    assert "Entrega registrada." in page.inner_text("main"), page.inner_text("main")
    table = page.inner_text("table")
    assert "Horno panadero" in table and "Amasadora" in table
    assert "Acta de entrega (PDF)" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "plan-entregas-1280.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()


def test_a_director_closes_a_month_from_its_checklist_and_the_supervisor_returns_it(browser, live_server, api, world):
    """Real clock: last month has ended. The checklist informs, the close needs the confirmation,
    the tablero of the month wears the "Cerrado" stamp, the supervisor returns it with a reason."""
    last_month = today_bogota().replace(day=1) - timedelta(days=1)
    mes = last_month.strftime("%Y-%m")
    asesor = api(world["asesor_a"])
    person = asesor.post("/participantes", json={
        "tipo_documento": "CC", "numero_documento": "1098700001", "nombres": "Rosa", "apellidos": "Mena",
        "sexo": "F", "fecha_nacimiento": "1990-05-17", "municipio": "Cartagena", "telefono": "3001234567",
        "consentimiento_datos": True}).get_json()
    assert asesor.post(f"/participantes/{person['id']}/actuaciones", json={
        "tipo": "enrutamiento", "fecha": last_month.replace(day=10).isoformat(),
        "destino": "empleabilidad"}).status_code == 201
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server, world["director_a"])
    page.click("nav >> text=Cierres")
    assert "Aún no se ha cerrado ningún mes" in page.inner_text("main")
    page.click("text=Cerrar un mes")
    page.fill("input[name=mes]", mes)
    page.click("button:has-text('Ver pendientes')")
    page.wait_for_selector("text=Pendientes del mes")
    assert "sin la evidencia de orientación completa: 1" in page.inner_text("main")
    assert "Rosa Mena" in page.inner_text("main")
    page.click("main form.formulario button[type=submit]")  # without the confirmation
    page.wait_for_load_state()
    assert "Marque la confirmación" in page.inner_text("main")
    page.check("input[name=confirmar]")
    page.click("main form.formulario button[type=submit]")
    page.wait_for_selector("text=Queda pendiente de la aceptación del supervisor")
    assert "Cerrado (pendiente de aceptación)" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "cierre-1280.png"), full_page=True)
    page.click("text=El mes (")
    page.wait_for_selector(".sello-cerrado")
    assert page.locator(".sello-cerrado").count() == 2  # both tableros of the month
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server, world["supervisor"])
    page.goto(f"{live_server}/cierres/")
    page.click("main table a:text-is('Ver')")
    page.fill("textarea[name=devolucion-motivo]", "Faltan la cédula y el acta de compromiso de Rosa Mena.")
    page.click("button:has-text('Devolver al centro')")
    page.wait_for_selector("text=El cierre fue devuelto al centro.")
    main = page.inner_text("main")
    assert "Devuelto" in main and "Faltan la cédula" in main
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
