"""Requests that differ only in their query, answered from the server worker's event loop:
the distinct-query path.

A plain machine ``GET /sparql?query=…`` that the lane answered
(``govkg.web.views.sparql_lane``) still took a thread to reach it, gunicorn's parser and
environ, and the hand-overs between the loop, the thread and the query worker: measured
with ``wrk -t2 -c8`` on distinct queries (all cache misses), two server workers, 0.65 ms of
the web process's CPU a miss, 0.25 ms of it before the lane. Every other byte of such a
request (its method and path, every header, the connection's peer and listener) is the same
from one query to the next of a client, and everything the app decides besides the query
(the negotiated format, trusted proxies, the host, the base IRI, the fixed headers) is
decided by those bytes. So when the lane answers a request it marks it (``QUERY_HEAD`` in the
environ: a ``HeadMark``), and the answer's headers that its outer layers added are kept
here under the request's *head*: its bytes with the query's value cut out, and its peer and
listener. A later request with the same head is handed by the loop to the mark with its
query's raw value: the mark checks the query as the lane does (or declines, and the request
takes its thread as before), looks it up in the result cache, and else the loop gives it to
a query worker that is free now (``QueryPool.start``) and answers when the worker's socket
turns readable. Measured the same way, side by side: 0.46-0.48 ms of the web process's CPU
a miss, and 2,500-2,588 misses/s against 2,171-2,186 before.

Only a complete, whole, OK answer is sent from the loop; any other outcome (an error, a
refusal, a streamed answer), and a query still running after its quick step
(``query_pool.LOOSE_AFTER_SECONDS``), goes to a thread with the request and the run or its
outcome, and the lane's whole way answers it as it always does. Each server worker keeps at
most ``MAX_HEADS`` heads, forgotten all at once past that; a new worker starts empty.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from govkg.web.serve.query_pool import QueryPool
from govkg.web.serve.query_worker import QueryAnswer
from govkg.web.serve.replay import (
    LOGGED,
    Kept,
    Replayable,
    first_headers,
    kept_answer,
    request_key,
)

QUERY_HEAD = "govkg.query_head"  # set by the app in the environ: a ``HeadMark``
MAX_HEADS = 1024
_QUERY = b"?query="
_PROTOCOL = b" HTTP/1.1"


class HeadQuery(Protocol):
    """One query the mark took: what the loop does with it."""

    started: float  # ``time.perf_counter()`` when the request was read
    pool: QueryPool
    job: Any
    client: str
    timeout: float

    def kept(self) -> QueryAnswer | None:
        """Its answer from the result cache (not counted yet), or None."""

    def headers(self, answer: QueryAnswer, engine_seconds: float | None, via: str
                ) -> list[tuple[str, str]] | None:
        """The app's headers for ``answer`` (None: not one the loop may send), with
        ``via`` last in ``Server-Timing``."""

    def sent(self, answer: QueryAnswer, hit: bool) -> None:
        """Counted (and a miss stored) once its answer went out."""

    def replayed(self) -> Callable[[float], None]:
        """What a hit sent again (``govkg.web.serve.replay``) counts."""

    def handed(self, outcome: QueryAnswer | Exception, seconds: float) -> dict[str, Any]:
        """What the environ gets when the request goes to a thread with ``outcome``."""


class HeadMark(Protocol):
    """The app's word that a request with the same head may be answered from the loop."""

    own_headers: frozenset[str]  # the lowercase names ``HeadQuery.headers`` gives

    def begin(self, target: str, value: str) -> HeadQuery | None:
        """The query of a request for ``target`` whose raw (still percent-encoded) value is
        ``value``, checked; None when it must take its thread."""


@dataclass(frozen=True)
class Head:
    mark: HeadMark
    fixed: bytes  # the headers the app's outer layers added, each line ending in CRLF
    logged: dict[str, str]  # what the access log reads of the request (its target changes)


def head_key(client: Any, server: Any, data: bytes) -> tuple[bytes, str, str] | None:
    """A lone bodiless HTTP/1.1 GET whose target's query string is one ``query=``
    parameter: its head (the key it is kept under), its target and its query's raw value."""
    key = request_key(client, data)
    if key is None:
        return None
    line_end = data.find(b"\r\n")
    start = data.find(_QUERY, 4, line_end)
    if start < 0 or data.find(b" ", 4) != line_end - len(_PROTOCOL):
        return None
    value = data[start + len(_QUERY):line_end - len(_PROTOCOL)]
    if b"&" in value or b";" in value:
        return None
    head = b"".join((str(server).encode(), b"\0", key[:len(key) - len(data)],
                     data[:start], data[line_end - len(_PROTOCOL):]))
    return head, data[4:line_end - len(_PROTOCOL)].decode("latin-1"), value.decode("latin-1")


class HeadBook:
    """The heads one server worker knows."""

    def __init__(self, max_heads: int = MAX_HEADS) -> None:
        self.max_heads = max_heads
        self._heads: dict[bytes, Head] = {}

    def get(self, key: bytes) -> Head | None:
        return self._heads.get(key)

    def keep(self, key: bytes, head: Head) -> None:
        if len(self._heads) >= self.max_heads:
            self._heads.clear()
        self._heads[key] = head

    def __len__(self) -> int:
        return len(self._heads)


def head_of(mark: HeadMark, headers: Iterable[tuple[str, str]], environ: dict,
            renewed: Iterable[str]) -> Head:
    """The head of the request the app marked: the headers it answered with that are
    neither the mark's own nor ``renewed`` for each answer."""
    left_out = mark.own_headers | set(renewed)
    fixed = "".join(f"{name}: {value}\r\n" for name, value in headers
                    if name.lower() not in left_out)
    logged = {name: environ.get(name, "-") for name in LOGGED}
    return Head(mark, fixed.encode("latin-1"), logged)


def answer_bytes(head: Head, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """A 200 answer from the loop: gunicorn's first headers, the app's, the head's fixed."""
    own = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return b"".join((b"HTTP/1.1 200 OK\r\n", first_headers(), own.encode("latin-1"),
                     head.fixed, b"\r\n", body))


def kept_for_replay(head: Head, headers: list[tuple[str, str]], body: bytes, target: str,
                    count: Callable[[float], None]) -> Kept | None:
    """A hit sent from the loop, as the replay book keeps it (as it keeps the lane's)."""
    kept = kept_answer("200 OK", headers, body, {**head.logged, "RAW_URI": target},
                       Replayable(count))
    return None if kept is None else replace(kept, head=kept.head + head.fixed)


class Sent:
    """What the access log reads of a response sent from the loop."""

    def __init__(self, sent: int, headers: list[tuple[str, str]]) -> None:
        self.status = 200
        self.sent = sent
        self.headers = headers
