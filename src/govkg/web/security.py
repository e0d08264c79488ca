"""Headers for every response, a request id, the CSP nonce, and the request-size caps.

Every response gets ``X-Request-Id`` (also in error bodies and the access log),
``X-Content-Type-Options: nosniff``, a ``Referrer-Policy`` and ``Server-Timing`` (the
request's time and, for SPARQL, the query's round trip and its worker's own part). HTML
gets a ``Content-Security-Policy`` whose script nonce is new for every response; templates
read it as ``csp_nonce()``.
"""

import os
import secrets
import time

from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import RequestURITooLarge

bp = Blueprint("security", __name__)

MAX_BODY_BYTES = 1 << 20  # a larger body is answered 413
MAX_URL_BYTES = 8190  # gunicorn's longest request line; a longer URL is answered 414
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@bp.record_once
def set_limits(state: BlueprintSetupState) -> None:
    if state.app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no cap
        state.app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES


def request_id() -> str:
    """This request's id, made on first use."""
    if "request_id" not in g:
        g.request_id = os.urandom(8).hex()
    return g.request_id


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


@bp.after_app_request
def add_security_headers(response: Response) -> Response:
    response.headers["X-Request-Id"] = request_id()
    response.headers.update(COMMON_HEADERS)
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
        response.headers["X-Frame-Options"] = "DENY"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    timings = [f"app;dur={elapsed * 1000:.1f}"]
    if "query_seconds" in g:
        timings.append(f"query;dur={g.query_seconds * 1000:.1f}")
    if "engine_seconds" in g:  # the part of the query's time its worker spent evaluating
        timings.append(f"engine;dur={g.engine_seconds * 1000:.2f}")
    response.headers["Server-Timing"] = ", ".join(timings)
    return response
