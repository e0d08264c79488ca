"""Every error as a short message the client can read (text, JSON or HTML), never a traceback.

Also the headers every response gets: ``Vary: Accept``, and an ETag (with 304 on
``If-None-Match``) on successful GETs; and the CORS preflight answer (``OPTIONS``). Requests
whose path, query string or form body are not UTF-8 are refused here, before any view sees
them. ``as_http`` turns a status below the web layer carries into the HTTP error.
"""

import re
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    default_exceptions,
)
from werkzeug.http import HTTP_STATUS_CODES

from govkg.errors import GovkgError
from govkg.web.negotiation import HTML, add_vary, error_type
from govkg.web.security import request_id

bp = Blueprint("errors", __name__)

# the request headers that can make a response conditional (a 304, 412 or 206)
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE",
                       "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")
# A preflight allows what browser SPARQL clients send (YASGUI: X-Requested-With; Comunica,
# clients with a login: Authorization, Cache-Control) and any other header asked for:
# responses never carry credentials (Allow-Origin is *), so allowing a header gives nothing
# away.
CORS_ALLOWED_HEADERS = ("Accept", "Accept-Language", "Authorization", "Cache-Control",
                        "Content-Type", "If-Modified-Since", "If-None-Match", "Pragma", "Range",
                        "X-Requested-With")
CORS_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token


class NotFoundHere(NotFound):
    """A 404 that offers similar pages (``suggestions`` are (link, text) pairs)."""

    def __init__(self, description: str, suggestions: list[tuple[str, str]]) -> None:
        super().__init__(description)
        self.suggestions = suggestions


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F]")  # a percent-escape of a byte above 0x7f


def _urlencoded_is_utf8(raw: bytes) -> bool:
    if raw.isascii() and not _HIGH_ESCAPE.search(raw):
        return True  # it decodes to ASCII
    # decoded whole: '&' and '=' cannot end a broken UTF-8 sequence nor begin a valid one,
    # so the whole is valid exactly when every name and value is
    return _is_utf8(unquote_to_bytes(raw.replace(b"+", b" ")))


@bp.before_app_request
def refuse_non_utf8() -> None:
    environ = request.environ
    path = environ.get("PATH_INFO", "")
    if not path.isascii() and not _is_utf8(path.encode("latin-1", "replace")):
        raise BadRequest("The request path is not valid UTF-8.")
    if not _urlencoded_is_utf8(environ.get("QUERY_STRING", "").encode("latin-1", "replace")):
        raise BadRequest("The query string is not valid UTF-8 once percent-decoded.")
    if request.mimetype == "application/x-www-form-urlencoded" and not _urlencoded_is_utf8(
            request.get_data(cache=True)):
        raise BadRequest("The form body is not valid UTF-8 once percent-decoded.")


@bp.after_app_request
def add_common_headers(response: Response) -> Response:
    if request.method == "OPTIONS":
        response.headers.update(CORS_PREFLIGHT)
        response.headers["Access-Control-Allow-Headers"] = ", ".join(preflight_headers())
        add_vary(response, "Access-Control-Request-Headers")
    add_vary(response, "Accept")
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and not response.direct_passthrough and not response.is_streamed
            and "ETag" not in response.headers):
        response.add_etag()
        if any(header in request.environ for header in CONDITIONAL_HEADERS):
            response.make_conditional(request)  # 304, 412 or 206; costly, so only if asked
    return response



def preflight_headers() -> list[str]:
    """The usual request headers, and those the preflight asks for (when they are names)."""
    asked = request.headers.get("Access-Control-Request-Headers", "")
    names = {name.lower(): name for name in CORS_ALLOWED_HEADERS}
    for name in asked.split(","):
        name = name.strip()
        if _HEADER_NAME.match(name) and name.lower() not in names:
            names[name.lower()] = name
    return list(names.values())


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    if isinstance(error, MethodNotAllowed) and error.description == MethodNotAllowed.description:
        error.description = (  # every write is refused: say so, and what is allowed
            f"{request.method} is not allowed here: govkg is read-only (SPARQL Update and the "
            "Graph Store Protocol's writes are refused; nothing was changed). Allowed: "
            + ", ".join(error.valid_methods or ()) + ".")
    return error_response(error)


def as_http(status: int, message: str) -> HTTPException:
    """The HTTP error for a status, werkzeug's own class where it has one (507 it has not)."""
    known = default_exceptions.get(status)
    if known is not None:
        return known(message)
    error = HTTPException(message)
    error.code = status if status in HTTP_STATUS_CODES else 500
    return error


@bp.app_errorhandler(GovkgError)
def govkg_error(error: GovkgError) -> Response:
    """An error from below the web layer, answered with the status it carries."""
    return error_response(as_http(error.status, str(error)))


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception) -> Response:
    current_app.logger.exception("request %s failed: %s %s", request_id(), request.method,
                                 request.full_path)
    wrapped = InternalServerError(
        f"Something went wrong on our side (request id {request_id()}). It has been logged.")
    return error_response(wrapped)


def error_response(error: HTTPException) -> Response:
    """The error in the form the client reads best: HTML, JSON or plain text.

    Every form carries the request id, which the server's log names too.
    """
    code = error.code or 500
    message = error.description or error.name
    best = error_type()
    if best == HTML and code != 500:
        body = render_template("error.html", code=code, name=error.name, message=message,
                               title=f"{code} {error.name}",
                               suggestions=getattr(error, "suggestions", []))
        response = Response(body, code, mimetype="text/html")
    elif best == HTML:  # a plain page: whatever broke may break the templates too
        body = (f"<!doctype html><title>{code}</title><h1>{code} {escape(error.name)}</h1>"
                f"<p>{escape(message)}</p><p>Request id: {request_id()}</p>")
        response = Response(body, code, mimetype="text/html")
    elif best == "application/json":
        response = jsonify(status=code, error=error.name, message=message,
                           request_id=request_id())
        response.status_code = code
    else:
        response = Response(f"{code} {error.name}: {message}\nRequest id: {request_id()}\n",
                            code, mimetype="text/plain")
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response
