"""The access log's fields, made for govkg's one line format only.

gunicorn fills its access log from a dictionary of every request header, response header and
environ variable of the request, built anew for each request: about a tenth of a web worker's
CPU time on small SPARQL answers. ``AccessLogger`` makes only the fields that
``server.ACCESS_LOG_FORMAT`` uses; gunicorn still writes the line (a missing field shows as
``-``, and quotes in values are escaped, as before).
"""

from typing import Any

from gunicorn.glogging import Logger

RESPONSE_HEADERS = ("x-request-id", "server-timing")  # the response headers the format shows


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} "
                 f"{environ['SERVER_PROTOCOL']}",
            "s": status,
            "b": str(sent) if sent is not None else "-",
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
        }
        for name, value in resp.headers:
            key = name.lower()
            if key in RESPONSE_HEADERS:
                atoms[f"{{{key}}}o"] = value
        return atoms
