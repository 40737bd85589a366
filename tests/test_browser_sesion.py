"""A long form survives a session timeout (headless Chromium): a warning before the idle timeout
extends the session; what was typed stays in the browser's own storage, is offered back, and is
cleared once the form is saved or on logout."""
import pytest

from conftest import PASSWORD
from test_browser import browser, live_server, wait_until  # noqa: F401  (the browser fixtures)

pytestmark = pytest.mark.real_clock


def _login(page, server, staff):
    page.goto(f"{server}/login")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/mi-trabajo")


def _drafts(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('borrador:') === 0; })")


def test_typed_data_is_offered_back_and_cleared_on_save_and_logout(browser, live_server, world):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    _login(page, live_server, world["asesor_a"])
    page.goto(f"{live_server}/participantes/nuevo")
    page.fill("input[name=numero_documento]", "1098765432")
    page.fill("input[name=nombres]", "Ana María")
    page.fill("input[name=apellidos]", "Pérez Rojas")
    page.check("input[name=consentimiento_datos]")
    assert _drafts(page) == ["borrador:/participantes/nuevo#0"]

    page.reload()  # as after a timeout and a new login: the page comes back empty...
    assert page.input_value("input[name=nombres]") == ""
    page.click("text=Recuperarlos")  # ...and offers what was typed
    assert page.input_value("input[name=nombres]") == "Ana María"
    assert page.is_checked("input[name=consentimiento_datos]")

    page.select_option("select[name=sexo]", "F")
    page.fill("input[name=fecha_nacimiento]", "1990-05-17")
    page.fill("input[name=municipio]", "Cartagena")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Se registró a Ana María Pérez Rojas")
    assert _drafts(page) == []  # saved: nothing kept
    page.goto(f"{live_server}/participantes/nuevo")
    assert page.locator("text=Recuperarlos").count() == 0

    page.fill("input[name=nombres]", "Luis")
    assert _drafts(page)
    page.click("header summary:has-text('Menú')")  # at 360 px the menu is folded
    page.click("header button:has-text('Salir')")
    page.wait_for_url("**/login")
    assert _drafts(page) == []  # logout clears what this browser kept
    page.close()


def test_a_warning_before_the_idle_timeout_extends_the_session(browser, live_server, world):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.clock.install()
    _login(page, live_server, world["asesor_a"])
    page.goto(f"{live_server}/participantes/nuevo")
    warning = page.locator(".aviso-sesion")
    assert warning.is_hidden()
    seconds = int(page.get_attribute("body", "data-sesion-segundos"))
    page.clock.fast_forward((seconds - 140) * 1000)
    assert warning.is_visible() and "Seguir trabajando" in warning.inner_text()
    with page.expect_response("**/sesion/extender") as answer:
        page.click("text=Seguir trabajando")
    assert answer.value.status == 200
    wait_until(page, "document.querySelector('.aviso-sesion').hidden")
    page.clock.fast_forward((seconds + 5) * 1000)
    assert "Su sesión se cerró por inactividad" in warning.inner_text()
    page.close()
