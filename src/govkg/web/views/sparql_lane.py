"""The SPARQL protocol's plainest request, answered outside Flask: ``GET /sparql?query=…``
from a machine client, in a context the whole way has already decided.

Measured on the 2-core machine with ``wrk -t2 -c8`` and a script of distinct queries (all
cache misses), two server workers: govkg spent 1.29 ms of CPU on a miss, the floor app
(Flask + gunicorn + pyoxigraph in process) 0.42-0.44 ms. Of govkg's, the app's own layers
took about 0.6 ms (0.64 ms in process: Flask's request context and hooks, the view's
checks, the result cache); a bare WSGI function handing the same query to the same query
workers took 0.66 ms all told. This lane keeps every check and header of the whole way and
drops the rest.

**What takes the lane.** A GET whose query string is one ``query`` parameter (valid UTF-8,
within the URL limit), asking for no compression (no ``Accept-Encoding``, or ``identity`` as
Python's ``http.client`` sends), without conditional headers or fetch metadata,
whose query is not an update, calls no SERVICE the operator has not allowed (decided by the
grammar, as on the whole way) and has a query form. Its *context* (the
form's kind, Accept, Host, scheme and script root) must be one the whole way has answered
before: the view leaves its decisions in the environ (``DECIDED``: the format it negotiated
and the endpoint URL queries resolve against, both after the host was found trusted), and
the lane remembers them per context. So negotiation, host checks and base IRIs are decided
in one place; the lane only repeats them. Anything else goes the whole way, unchanged.

**What it does.** The same job the view would make, looked up in the result cache under the
same key (a hit is marked replayable, as the view marks it), else run by the query pool.
An answer that is complete, whole and OK is sent with the view's headers (``Content-Type``,
``ETag``, ``Cache-Control``, ``Vary``, ``X-Request-Id`` and ``Server-Timing``, which ends in
``lane``; the fixed security headers are added outside) and counted in ``/metrics`` as the
view's hooks count it; a miss's answer is stored once the response is closed. Any other
outcome (a refusal, a time-out, an error, a streamed answer) is handed to the whole way with
the request (``EVALUATED``): the view takes the outcome instead of running the query again,
and answers it as it always does.

**Its heads.** Each request the lane answers is marked (``QUERY_HEAD``: its ``LaneHead``,
the decisions above for its context and client), and the server worker keeps the mark
under the request's head, its bytes without the query's value
(``govkg.web.serve.query_heads``). A later query with the same head is handed to the mark
by the worker's event loop: ``LaneHead.begin`` checks it as the lane checks any, and its
``LaneQuery`` is what the loop looks up, runs, answers with and counts. Measured as above:
a miss's CPU went from 1.0 ms to 0.7 ms, the web process's from 0.68 to 0.48 ms.
"""

import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.utils import get_content_type
from werkzeug.wsgi import ClosingIterator

from govkg.errors import QueryError
from govkg.formats import Format
from govkg.sparql_grammar import refused_services
from govkg.sparql_text import is_update, query_form, sets_dataset
from govkg.web.documents import CACHE_CONTROL
from govkg.web.security import MAX_URL_BYTES, server_timing
from govkg.web.serve.query_heads import QUERY_HEAD
from govkg.web.serve.query_pool import QueryPool
from govkg.web.serve.query_worker import AnswerStatus, QueryAnswer, QueryJob
from govkg.web.serve.refusals import new_request_id
from govkg.web.serve.replay import REPLAYABLE, Replayable
from govkg.web.serve.result_cache import CacheKey, ResultCache, cache_key, cacheable
from govkg.web.views.metrics import count_cache, count_request, replay_counter
from govkg.web.views.sparql import (
    CACHE,
    DECIDED,
    EVALUATED,
    POOL,
    Evaluated,
    allowed_services,
    store_answer,
)

# request headers that change what the whole way answers, or how: such requests take it
_WHOLE_WAY_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
                      "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE",
                      "HTTP_RANGE", "HTTP_SEC_FETCH_SITE", "HTTP_SEC_FETCH_MODE")
# what the whole way's decisions for a request depend on, besides its query
_CONTEXT_PARTS = ("HTTP_ACCEPT", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme",
                  "SCRIPT_NAME")
CONTEXTS_KEPT = 256
VARY = "Accept, Accept-Encoding"


class SparqlLane:
    """WSGI middleware in front of Flask's own: answers what it can (see the module's
    docstring), passes everything else to ``app``."""

    def __init__(self, flask_app: Flask, app: Callable) -> None:
        self.flask_app = flask_app
        self.app = app
        self.decided: dict[tuple, tuple[Format, str]] = {}  # context → format, base IRI

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        if EVALUATED in environ:  # run from the server worker's loop, handed over
            return self.app(environ, start_response)
        query = _lane_query(environ, self.settings)
        form = query_form(query) if query is not None else None
        kind = _kind(form) if form else None
        decided = self.decided.get(_context(environ, kind)) if kind else None
        if query is None or decided is None or self.cache is None or not cacheable(query):
            return self._whole_way(environ, start_response)
        head = LaneHead(self, kind, *decided, environ.get("REMOTE_ADDR") or "-")
        return self._answer(environ, start_response, head.query(query, started))

    @property
    def settings(self) -> dict[str, Any]:
        return self.flask_app.config["GOVKG"]

    @property
    def cache(self) -> ResultCache | None:
        return self.flask_app.extensions[CACHE]

    def _whole_way(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Flask's answer; what it decided for a plain machine GET is remembered."""
        answer = self.app(environ, start_response)
        decided = environ.get(DECIDED)
        if decided is not None:
            form, fmt, base_iri = decided
            if len(self.decided) >= CONTEXTS_KEPT:
                self.decided.clear()
            self.decided[_context(environ, _kind(form))] = (fmt, base_iri)
        return answer

    def _answer(self, environ: dict, start_response: Callable, query: "LaneQuery"
                ) -> Iterable[bytes]:
        kept = query.kept()
        if kept is not None:
            environ[REPLAYABLE] = Replayable(query.replayed())
            return self._send(environ, start_response, query, kept,
                              query.headers(kept, None), hit=True)
        looked_up = time.perf_counter()
        try:
            answer = query.pool.run(query.job, query.client, query.timeout)
        except Exception as error:  # the whole way answers each as it does
            environ.update(query.handed(error, time.perf_counter() - looked_up))
            return self.app(environ, start_response)
        headers = query.headers(answer, answer.seconds)
        if headers is None:
            environ.update(query.handed(answer, time.perf_counter() - looked_up))
            return self.app(environ, start_response)
        return ClosingIterator(self._send(environ, start_response, query, answer, headers),
                               partial(query.sent, answer, False))

    @staticmethod
    def _send(environ: dict, start_response: Callable, query: "LaneQuery",
              answer: QueryAnswer, headers: list[tuple[str, str]] | None, hit: bool = False
              ) -> list[bytes]:
        """``answer`` with the view's ``headers`` (the fixed ones are added outside); the
        request's head is marked for the server worker's loop."""
        start_response("200 OK", headers)
        environ[QUERY_HEAD] = query.mark
        if hit:
            query.sent(answer, True)
        return [answer.body]


class LaneHead:
    """The lane's decisions for one context and client: ``HeadMark`` for the server
    worker's loop (``govkg.web.serve.query_heads``), which hands it the raw value of each
    query sent with the same head."""

    own_headers = frozenset(("content-type", "content-length", "etag", "cache-control",
                             "vary", "x-request-id", "server-timing"))

    def __init__(self, lane: SparqlLane, kind: str, fmt: Format, base_iri: str,
                 client: str) -> None:
        self.lane, self.kind, self.fmt, self.base_iri = lane, kind, fmt, base_iri
        self.client = client

    def begin(self, target: str, value: str) -> "LaneQuery | None":
        started = time.perf_counter()
        if len(target) > MAX_URL_BYTES:  # as the lane reads ``RAW_URI``
            return None
        query = _query_in(f"query={value}", self.lane.settings)
        form = query_form(query) if query is not None else None
        if query is None or not form or _kind(form) != self.kind or not cacheable(query):
            return None
        return self.query(query, started)

    def query(self, query: str, started: float) -> "LaneQuery":
        settings = self.lane.settings
        job = QueryJob(query, None, None, not sets_dataset(query), self.fmt.name, None,
                       int(settings["max_result_bytes"]), self.base_iri)
        return LaneQuery(self, job, started)


class LaneQuery:
    """One query of a ``LaneHead``: ``HeadQuery`` for the loop, and the lane's own."""

    def __init__(self, mark: LaneHead, job: QueryJob, started: float) -> None:
        extensions = mark.lane.flask_app.extensions
        self.mark, self.job, self.started = mark, job, started
        self.client = mark.client
        self.pool: QueryPool = extensions[POOL]
        self.timeout = float(mark.lane.settings["query_timeout"])
        self.cache: ResultCache = mark.lane.cache  # type: ignore[assignment]
        self.key: CacheKey = cache_key(extensions["govkg"].build, job)
        self.looked_up = started

    def kept(self) -> QueryAnswer | None:
        kept = self.cache.get(self.key)
        self.looked_up = time.perf_counter()
        return kept

    def headers(self, answer: QueryAnswer, engine_seconds: float | None, via: str = "lane"
                ) -> list[tuple[str, str]] | None:
        """The view's headers for a complete, whole, OK answer; None for any other."""
        if answer.status is not AnswerStatus.OK or answer.streamed or answer.truncated:
            return None
        now = time.perf_counter()
        timing = server_timing(now - self.started, now - self.looked_up, engine_seconds)
        return [("Content-Type", get_content_type(answer.media_type, "utf-8")),
                ("Content-Length", str(len(answer.body))), ("ETag", self.key.etag),
                ("Cache-Control", CACHE_CONTROL), ("Vary", VARY),
                ("X-Request-Id", new_request_id()), ("Server-Timing", f"{timing}, {via}")]

    def sent(self, answer: QueryAnswer, hit: bool) -> None:
        count_cache("hit" if hit else "miss")
        count_request("/sparql", "GET", 200, time.perf_counter() - self.started)
        if not hit:
            store_answer(self.cache, self.key, answer)

    def replayed(self) -> Callable[[float], None]:
        return replay_counter("/sparql", "GET", 200, "hit")

    def handed(self, outcome: QueryAnswer | Exception, seconds: float) -> dict[str, Any]:
        """The environ's part for the whole way: the outcome of the run (looked up, and
        counted a miss)."""
        count_cache("miss")
        return {EVALUATED: Evaluated(self.job, outcome, seconds)}


def _lane_query(environ: dict, settings: dict[str, Any]) -> str | None:
    """The query of a request that may take the lane, else None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql" \
            or any(name in environ for name in _WHOLE_WAY_HEADERS) \
            or environ.get("HTTP_ACCEPT_ENCODING", "identity").strip().lower() != "identity":
        return None
    raw = environ.get("QUERY_STRING", "")
    if not raw.startswith("query=") or len(environ.get("RAW_URI") or raw) > MAX_URL_BYTES:
        return None
    return _query_in(raw, settings)


def _query_in(raw: str, settings: dict[str, Any]) -> str | None:
    """The query of a query string that is one ``query`` parameter, checked as the whole
    way checks it; else None."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict",
                          encoding="utf-8")  # not UTF-8: the whole way says so
    except (UnicodeDecodeError, ValueError):
        return None
    if len(pairs) != 1 or pairs[0][0] != "query":
        return None
    query = pairs[0][1]
    if is_update(query):
        return None
    try:  # a query naming the word is parsed (once: the parse is kept for the whole way)
        refused = refused_services(query, allowed_services(settings))
    except QueryError:
        return None
    return None if refused else query


def _kind(form: str) -> str:
    return "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"


def _context(environ: dict, kind: str) -> tuple:
    return (kind, *(environ.get(name) for name in _CONTEXT_PARTS))
