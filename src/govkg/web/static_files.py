"""Static files under content-hashed names, cached for a year as ``immutable``.

``url_for("static", filename="govkg.css")`` gives ``/static/govkg.3f2a9c1b0d.css``: the
name carries the first ten hex digits of the file's SHA-256, so a changed file gets a new
URL and a browser never needs to ask again (``Cache-Control: public, max-age=31536000,
immutable``). The plain name still answers, revalidated on every use (``no-cache``), for
links from outside. Hashes are read once per process: the files do not change while served.
"""

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound

YEAR = 365 * 24 * 3600
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")


@cache
def digest_of(folder: str, filename: str) -> str | None:
    path = Path(folder) / filename
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def hashed_name(folder: str, filename: str) -> str:
    """``govkg.css`` → ``govkg.3f2a9c1b0d.css`` (unchanged for a file that is not there)."""
    digest = digest_of(folder, filename)
    if digest is None:
        return filename
    stem, dot, ext = filename.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{filename}.{digest}"


def serve_static(filename: str) -> Response:
    folder = current_app.static_folder
    assert folder is not None
    match = HASHED.match(filename)
    if match:
        plain = match["stem"] + match["ext"]
        if digest_of(folder, plain) != match["digest"]:
            raise NotFound(f"{filename} is not the current version of {plain}.")
        response = send_from_directory(folder, plain, max_age=YEAR)
        response.cache_control.public = True
        response.cache_control.immutable = True
        return response
    response = send_from_directory(folder, filename)
    response.cache_control.no_cache = True
    return response


def init_static(app: Flask) -> None:
    """Hash the names ``url_for("static", …)`` builds and serve them long-lived."""
    folder = app.static_folder
    assert folder is not None
    app.view_functions["static"] = serve_static

    @app.url_defaults
    def hash_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = hashed_name(folder, values["filename"])
