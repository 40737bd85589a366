"""What travels over the wire: versioned static files cached for a year, no session cookie where
none is needed, compressed answers.

- `url_for('static', filename=...)` adds `?v=<first 12 hex digits of the file's SHA-256>`, computed
  once when the application starts. An answer for the current version is cached by the browser for
  a year (`immutable`: not even revalidated); any other URL of the file (no `v`, an old `v`) keeps
  Flask's revalidation. A changed file gets a new URL at the next start, so no stale copy is used.
- Static answers never carry the session: no Set-Cookie and no `Vary: Cookie` (the session
  interface below skips them), and no user is loaded for them (`security.py`).
- Flask-Compress (brotli or gzip, as the browser accepts) for pages, JSON, CSS, JS and CSV; the
  types and limits are in `config.Config` (COMPRESS_*). The small static text files are read into
  memory here so they are compressed too; streamed downloads and PDF/XLSX/ZIP/images are not.
"""
from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface

from .extensions import compress

IMMUTABLE = "public, max-age=31536000, immutable"
VERSION_ARG = "v"
STATIC_TEXT = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}


def file_versions(folder: str | None) -> dict[str, str]:
    """Each file under `folder` (named as url_for names it, with `/`) -> a digest of its bytes."""
    versions: dict[str, str] = {}
    if not folder or not os.path.isdir(folder):
        return versions
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()[:12]
            versions[os.path.relpath(path, folder).replace(os.sep, "/")] = digest
    return versions


def load_static_versions(app: Flask) -> None:
    app.extensions["static_versions"] = file_versions(app.static_folder)


def static_version(filename: str | None) -> str | None:
    if current_app.debug:  # `flask run --debug`: an edited stylesheet shows at once
        return file_versions(current_app.static_folder).get(filename or "")
    return current_app.extensions.get("static_versions", {}).get(filename or "")


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and VERSION_ARG not in values:
        version = static_version(values.get("filename"))
        if version:
            values[VERSION_ARG] = version


def _static_answer(response):
    if request.endpoint != "static":
        return response
    filename = (request.view_args or {}).get("filename")
    version = static_version(filename)
    if version and request.args.get(VERSION_ARG) == version and response.status_code in (200, 304):
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers.pop("Expires", None)
    if response.status_code == 200 and response.mimetype in STATIC_TEXT:
        response.direct_passthrough = False
        response.make_sequence()  # a few KB read into memory, so the compressor takes it
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, never saved on a static answer: Flask-Login's after-request
    hook reads the session on every request, which would add `Vary: Cookie` to it."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def register(app: Flask) -> None:
    """After the other extensions: this after-request hook must run before the compressor's."""
    load_static_versions(app)
    app.session_interface = SessionInterface()
    app.url_defaults(_version_static_urls)
    compress.init_app(app)
    app.after_request(_static_answer)  # registered last, so it runs first
