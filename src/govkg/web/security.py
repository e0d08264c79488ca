"""Headers for every response, a request id, the CSP nonce, and the request-size caps.

Every response gets ``X-Request-Id`` (also in error bodies and the access log),
``X-Content-Type-Options: nosniff``, a ``Referrer-Policy``, CORS for any origin and
``Server-Timing`` (the request's time and, for SPARQL, the query's round trip and its
worker's own part). HTML gets a ``Content-Security-Policy`` whose script nonce is new for
every response; templates read it as ``csp_nonce()``. The headers that never change are
added by a WSGI middleware (``FixedHeaders``), outside Flask's header handling.

The ``allowed_hosts`` setting becomes Flask's ``TRUSTED_HOSTS`` (400 for any other Host),
and ``trusted_proxies`` lets those proxies name the client (``govkg.web.forwarded``).
"""

import os
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import RequestURITooLarge

from govkg.web import forwarded
from govkg.web.serve.request_reader import MAX_BODY_BYTES  # a larger body is answered 413

bp = Blueprint("security", __name__)

MAX_URL_BYTES = 8190  # gunicorn's longest request line; a longer URL is answered 414
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
FIXED_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Link, Location, Content-Location, Content-Length, "
                                      "Retry-After, X-Request-Id, X-Govkg-Truncated, "
                                      "X-Govkg-Max-Rows, Server-Timing"),
]


class FixedHeaders:
    """WSGI middleware: ``FIXED_HEADERS`` on every response the app makes."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list, exc_info: Any = None) -> Callable:
            headers.extend(FIXED_HEADERS)
            return start_response(status, headers, exc_info)
        return self.app(environ, start)


@bp.record_once
def set_up(state: BlueprintSetupState) -> None:
    config = state.app.config
    if config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no cap
        config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    settings = config.get("GOVKG") or {}
    hosts = (settings.get("allowed_hosts") or "").split()
    if hosts:  # Flask answers 400 for a Host header (or forwarded host) not in the list
        config["TRUSTED_HOSTS"] = hosts
    state.app.wsgi_app = FixedHeaders(state.app.wsgi_app)
    forwarded.apply(state.app, settings.get("trusted_proxies"))


def request_id() -> str:
    """This request's id, made on first use."""
    if "request_id" not in g:
        g.request_id = os.urandom(8).hex()
    return g.request_id


def request_seconds() -> float:
    """Seconds since this request began (since ``check_request``, the first hook)."""
    now = time.perf_counter()
    return now - g.get("started", now)


def csp_nonce() -> str:
    """The script nonce of this response, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


@bp.app_context_processor
def template_helpers() -> dict:
    return {"csp_nonce": csp_nonce, "request_id": request_id}


@bp.before_app_request
def check_request() -> None:
    g.started = time.perf_counter()
    request_id()
    url = request.environ.get("RAW_URI") or request.full_path
    if len(url) > MAX_URL_BYTES:
        raise RequestURITooLarge(f"The URL is longer than {MAX_URL_BYTES} bytes: send a long "
                                 "query by POST instead.")


def server_timing(app_seconds: float, query_seconds: float | None = None,
                  engine_seconds: float | None = None) -> str:
    """``Server-Timing``: the request's time and, for a SPARQL query, its round trip and the
    part of it its worker spent evaluating."""
    timings = f"app;dur={app_seconds * 1000:.1f}"
    if query_seconds is not None:
        timings += f", query;dur={query_seconds * 1000:.1f}"
    if engine_seconds is not None:
        timings += f", engine;dur={engine_seconds * 1000:.2f}"
    return timings


@bp.after_app_request
def add_security_headers(response: Response) -> Response:
    context = g._get_current_object()  # read several times: once through the proxy
    timings = server_timing(request_seconds(), context.get("query_seconds"),
                            context.get("engine_seconds"))
    headers = [("X-Request-Id", request_id()), ("Server-Timing", timings)]
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        headers += [("Content-Security-Policy", CSP.format(nonce=csp_nonce())),
                    ("X-Frame-Options", "DENY")]
    response.headers.extend(headers)  # none is set before: the views leave them alone
    return response
