"""Answers sent again from the server worker's event loop, without a thread or the app, when
the very same request comes again: the repeated-query path.

A SPARQL answer the result cache already holds still cost a request's whole way: a thread
taking the connection, gunicorn's parser and environ, Flask's request context, its hooks and
a SQLite read (about 0.51 ms of server CPU per ``ASK``, measured with ``wrk -c8``, against
0.37 ms for a bare Flask app that evaluates the query each time). The store changes only
with the build, so an answer the app marks as replayable (a result-cache hit or its 304,
``REPLAYABLE`` in the environ) is kept here, as the bytes the app sent, under the exact bytes
of the request that got it and the address it came from. When those bytes arrive again, in
one piece and alone on their connection, the event loop writes the kept answer at once,
with a new ``Date``, ``X-Request-Id`` and ``Server-Timing`` (``replay`` in it); the access
log gets its line and ``/metrics`` its counts (the app's own counter, kept with the answer).

Only a GET without a body, over HTTP/1.1 on a connection kept alive, whose answer
has a ``Content-Length``, is kept; any byte that differs (another ``Accept``,
``Accept-Encoding``, ``If-None-Match``, cookie or host) is another request, which takes the
whole way. Each server worker keeps at most ``MAX_BYTES`` (answers of ``MAX_BODY_BYTES`` or
less), the oldest going first; a new worker starts empty.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gunicorn import util

REPLAYABLE = "govkg.replayable"  # set by the app in the environ: a ``Replayable``
MAX_BYTES = 8 << 20
MAX_BODY_BYTES = 64 << 10
ENTRY_OVERHEAD_BYTES = 256
# made new for each answer sent again; gunicorn's own (Server, Date, Connection) are too
RENEWED = {"x-request-id", "server-timing", "server", "date", "connection"}
# what the access log reads of a request: the client the app saw (after trusted proxies), the
# method, the target and the protocol
LOGGED = ("REMOTE_ADDR", "REQUEST_METHOD", "RAW_URI", "SERVER_PROTOCOL", "PATH_INFO")


@dataclass(frozen=True)
class Replayable:
    """The app's word that an answer may be sent again as it is, and how to count it when it
    is (``count(seconds)``: the request counters its hooks would have moved)."""

    count: Callable[[float], None]


@dataclass(frozen=True)
class Kept:
    status: int
    head: bytes  # the status line's rest and the headers that are not renewed
    body: bytes
    # what the access log reads of the request: the client the app saw (after trusted
    # proxies), the method, the target and the protocol
    environ: dict[str, str]
    count: Callable[[float], None]

    def size(self, key: bytes) -> int:
        return len(key) + len(self.head) + len(self.body) + ENTRY_OVERHEAD_BYTES


class ReplayBook:
    """The answers one server worker may send again, bounded in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[bytes, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Kept | None:
        return self._kept.get(key)

    def keep(self, key: bytes, kept: Kept) -> None:
        size = kept.size(key)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = kept
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._kept.popitem(last=False)
                self._bytes -= old.size(old_key)

    def __len__(self) -> int:
        return len(self._kept)


def request_key(client: Any, data: bytes) -> bytes | None:
    """The key a request's answer is kept under, or None when it may not be kept: only a
    bodiless GET over HTTP/1.1, alone in ``data``."""
    if not data.startswith(b"GET "):
        return None
    if data.find(b"\r\n\r\n") != len(data) - 4 \
            or not data[:data.find(b"\r\n")].endswith(b" HTTP/1.1"):
        return None
    address = client[0] if isinstance(client, tuple) and client else str(client)
    return f"{address}\0".encode() + data


def answer_bytes(kept: Kept, request_id: str, timing: str) -> bytes:
    """The kept answer as sent again: gunicorn's first headers and the renewed ones first."""
    line_end = kept.head.find(b"\r\n") + 2
    return b"".join((
        b"HTTP/1.1 ", kept.head[:line_end], first_headers(), b"X-Request-Id: ",
        request_id.encode(), b"\r\nServer-Timing: ", timing.encode(), b"\r\n",
        kept.head[line_end:], b"\r\n", kept.body))


def first_headers() -> bytes:
    """gunicorn's first headers, for an answer the loop sends on a connection kept alive."""
    return b"Server: gunicorn\r\nDate: " + util.http_date().encode() \
        + b"\r\nConnection: keep-alive\r\n"


def timing(seconds: float) -> str:
    """The ``Server-Timing`` of an answer sent again ``seconds`` after its request was read."""
    return f"app;dur={seconds * 1000:.2f}, replay"


def kept_alive(environ: dict) -> bool:
    return environ.get("SERVER_PROTOCOL") == "HTTP/1.1" \
        and "close" not in environ.get("HTTP_CONNECTION", "").lower()


def kept_answer(status: str, headers: list[tuple[str, str]], body: bytes, environ: dict,
                mark: Replayable) -> Kept | None:
    code = int(status.split(None, 1)[0])
    lengths = [v for k, v in headers if k.lower() == "content-length"]
    if code not in (200, 304) or len(body) > MAX_BODY_BYTES \
            or (code == 200 and lengths != [str(len(body))]):
        return None
    lines = [f"{status}\r\n"] + [f"{name}: {value}\r\n" for name, value in headers
                                 if name.lower() not in RENEWED]
    logged = {name: environ.get(name, "-") for name in LOGGED}
    return Kept(code, "".join(lines).encode("latin-1"), body, logged, mark.count)


class Sent:
    """What the access log reads of a response (``AccessLogger.atoms``), for a replay."""

    def __init__(self, kept: Kept, sent: int, request_id: str, timing: str) -> None:
        self.status = kept.status
        self.sent = sent
        self.headers = [("X-Request-Id", request_id), ("Server-Timing", timing)]

