"""``/health`` and Fuseki's ``/$/ping``: a liveness answer for load balancers, outside Flask.

A WSGI middleware answers them before the app sees the request, so a probe every second
costs no request hooks, is not counted in ``/metrics`` and is not written to the access log
(``govkg.web.serve.access_log`` skips ``HEALTH_PATHS``). ``/health`` says ``ok``; ``/$/ping``
answers the time, as Fuseki does. Both are ``no-store``: a cached "ok" would hide an outage.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

HEALTH_PATHS = ("/health", "/$/ping")
HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
           ("Access-Control-Allow-Origin", "*"), ("X-Content-Type-Options", "nosniff")]


class Health:
    """WSGI middleware: answers ``HEALTH_PATHS``, passes everything else to ``app``."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in HEALTH_PATHS:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed",
                           f"{path} answers GET and HEAD only.\n", [("Allow", "GET, HEAD")],
                           method)
        text = "ok\n" if path == "/health" else datetime.now(UTC).isoformat() + "\n"
        return _answer(start_response, "200 OK", text, [], method)


def _answer(start_response: Callable, status: str, text: str, extra: list[tuple[str, str]],
            method: str) -> list[bytes]:
    body = text.encode("utf-8")
    headers: list[Any] = [*HEADERS, *extra, ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [] if method == "HEAD" else [body]
