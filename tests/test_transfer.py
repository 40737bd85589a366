"""What travels over the wire: versioned static files, the session cookie, compression."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from pathlib import Path

from flask import url_for

from conftest import login
from cemprende import transfer

STATIC = Path(__file__).resolve().parent.parent / "static"


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_pages_link_static_files_by_content_version(client):
    urls = static_urls(client.get("/login").get_data(as_text=True))
    assert urls, "the page links its stylesheet and script"
    for url in urls:
        path, _, query = url.partition("?v=")
        digest = hashlib.sha256((STATIC / path.removeprefix("/static/")).read_bytes()).hexdigest()
        assert query == digest[:12], url


def test_a_versioned_static_answer_is_cached_for_a_year_without_cookie_or_vary(client, world):
    login(client, world["asesor_a"])
    url = static_urls(client.get("/participantes/").get_data(as_text=True))[0]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert cookies(response) == []
    assert "cookie" not in response.headers.get("Vary", "").lower()
    # Without its version (or with an old one) the file is still served, but revalidated.
    plain = client.get(url.partition("?")[0])
    assert plain.status_code == 200 and "immutable" not in plain.headers["Cache-Control"]
    old = client.get(url.partition("?")[0] + "?v=000000000000")
    assert "immutable" not in old.headers["Cache-Control"] and cookies(old) == []


def test_the_versioned_url_changes_when_the_file_changes(app, tmp_path):
    (tmp_path / "app.css").write_text("body { color: black; }")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.svg").write_text("<svg/>")
    before = transfer.file_versions(str(tmp_path))
    assert set(before) == {"app.css", "img/logo.svg"}
    (tmp_path / "app.css").write_text("body { color: navy; }")
    after = transfer.file_versions(str(tmp_path))
    assert after["app.css"] != before["app.css"] and after["img/logo.svg"] == before["img/logo.svg"]
    # The application reads the versions once at start; a restart over a changed file gives the
    # page a new URL for it.
    saved_folder, saved_versions = app.static_folder, app.extensions["static_versions"]
    try:
        app.static_folder = str(tmp_path)
        transfer.load_static_versions(app)
        with app.test_request_context():
            assert url_for("static", filename="app.css") == f"/static/app.css?v={after['app.css']}"
        (tmp_path / "app.css").write_text("body { color: red; }")
        transfer.load_static_versions(app)
        with app.test_request_context():
            assert url_for("static", filename="app.css") != f"/static/app.css?v={after['app.css']}"
    finally:
        app.static_folder = saved_folder
        app.extensions["static_versions"] = saved_versions


def test_an_anonymous_visit_sets_only_the_login_cookie(client):
    # The login page needs its CSRF token in the session: one cookie, the session, nothing else.
    first = client.get("/login")
    assert [c.split("=")[0] for c in cookies(first)] == ["session"]
    # Looking at it again rewrites nothing; static files and the API never set a cookie.
    assert cookies(client.get("/login")) == []
    for url in static_urls(first.get_data(as_text=True)):
        assert cookies(client.get(url)) == []
    anonymous = client.get("/api/v1/participantes")
    assert anonymous.status_code == 401 and cookies(anonymous) == []


def test_a_signed_in_page_does_not_rewrite_the_cookie_on_every_request(client, world):
    login(client, world["asesor_a"])
    client.get("/participantes/")  # the first page after login may settle the session
    for _ in range(3):
        response = client.get("/participantes/")
        assert response.status_code == 200 and cookies(response) == []
    # Once a minute has gone by, the idle clock is written again (so the timeout still works).
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 90
    refreshed = client.get("/participantes/")
    assert [c.split("=")[0] for c in cookies(refreshed)] == ["session"]
    with client.session_transaction() as session:
        assert time.time() - session["last_seen"] < 5
    # ...and thirty idle minutes still end the session.
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    assert "/login" in client.get("/participantes/").location


def test_pages_json_and_csv_are_compressed_when_the_browser_accepts_it(client, centre, world):
    people = centre(world["asesor_a"])
    for _ in range(8):
        people.person()  # each lacks its CC: rows for the coverage CSV, items for the JSON list
    login(client, world["director_a"])
    page = client.get("/participantes/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in page.headers["Vary"].lower()
    assert "<html" in gzip.decompress(page.data).decode()
    brotli = client.get("/participantes/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert brotli.headers["Content-Encoding"] == "br"
    plain = client.get("/participantes/")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data
    css = client.get(static_urls(plain.get_data(as_text=True))[0], headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert int(css.headers["Content-Length"]) == len(css.data) < (STATIC / "app.css").stat().st_size
    assert gzip.decompress(css.data) == (STATIC / "app.css").read_bytes()
    listing = client.get("/api/v1/participantes", headers={**people.caller.headers, "Accept-Encoding": "gzip"})
    assert listing.status_code == 200 and listing.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(listing.data))["items"]) == 8
    csv = client.get("/verificadores/cobertura.csv?desde=2026-03-31&hasta=2026-03-31",
                     headers={"Accept-Encoding": "gzip"})
    assert csv.status_code == 200
    assert csv.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(csv.data).decode("utf-8").startswith("\ufeff")


def test_a_pdf_is_not_compressed(client, world):
    login(client, world["director_a"])
    response = client.get("/tableros/global.pdf?hasta=2026-03-31", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Content-Encoding" not in response.headers and response.data[:4] == b"%PDF"
    book = client.get("/tableros/global.xlsx?hasta=2026-03-31", headers={"Accept-Encoding": "gzip, br"})
    assert book.status_code == 200 and "Content-Encoding" not in book.headers
