"""The access log, made and written for govkg's one line format only.

gunicorn fills its access log from a dictionary of every request header, response header and
environ variable of the request, built anew for each request: about a tenth of a web worker's
CPU time on small SPARQL answers. ``AccessLogger`` makes only the fields that
``server.ACCESS_LOG_FORMAT`` uses (a missing field shows as ``-``, and quotes in values are
escaped, as gunicorn does). When the log goes to a stream or file, as ``govkg serve`` sets it,
the line is written to it directly: a ``logging`` record and its handler chain took 12 µs of
the 14 µs a line cost. A streamed answer cut on purpose (``StreamCut``) is logged in one
line where it is cut: gunicorn's traceback for it is left out.
"""

import logging
import sys
from typing import Any

from gunicorn.glogging import Logger

from govkg.web.serve.health import HEALTH_PATHS
from govkg.web.serve.query_pool import StreamCut

RESPONSE_HEADERS = ("x-request-id", "server-timing")  # the response headers the format shows


class AccessLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        handlers = self.access_log.handlers
        # only plain streams and files are written directly; anything else goes by logging
        self._streams = handlers if handlers and all(
            type(h) in (logging.StreamHandler, logging.FileHandler) for h in handlers) else []

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if environ.get("PATH_INFO") in HEALTH_PATHS:  # load-balancer probes, not requests
            return
        if not self._streams or not self.access_log_enabled:
            super().access(resp, req, environ, request_time)
            return
        line = self.cfg.access_log_format % self.atoms_wrapper_class(
            self.atoms(resp, req, environ, request_time)) + "\n"
        for handler in self._streams:
            with handler.lock:  # the stream may be reopened (SIGUSR1): read it each time
                handler.stream.write(line)
                handler.stream.flush()

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if isinstance(sys.exc_info()[1], StreamCut):
            return  # already logged, in one line, by the web layer
        super().exception(msg, *args, **kwargs)

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
