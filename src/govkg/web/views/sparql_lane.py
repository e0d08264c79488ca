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
        query = _lane_query(environ, allowed_services(self.settings))
        form = query_form(query) if query is not None else None
        decided = self.decided.get(_context(environ, form)) if form else None
        cache: ResultCache | None = self.flask_app.extensions[CACHE]
        if query is None or decided is None or cache is None or not cacheable(query):
            return self._whole_way(environ, start_response)
        fmt, base_iri = decided
        job = QueryJob(query, None, None, not sets_dataset(query), fmt.name, None,
                       int(self.settings["max_result_bytes"]), base_iri)
        return self._answer(environ, start_response, job, cache, started)

    @property
    def settings(self) -> dict[str, Any]:
        return self.flask_app.config["GOVKG"]

    def _whole_way(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Flask's answer; what it decided for a plain machine GET is remembered."""
        answer = self.app(environ, start_response)
        decided = environ.get(DECIDED)
        if decided is not None:
            form, fmt, base_iri = decided
            if len(self.decided) >= CONTEXTS_KEPT:
                self.decided.clear()
            self.decided[_context(environ, form)] = (fmt, base_iri)
        return answer

    def _answer(self, environ: dict, start_response: Callable, job: QueryJob,
                cache: ResultCache, started: float) -> Iterable[bytes]:
        extensions = self.flask_app.extensions
        key = cache_key(extensions["govkg"].build, job)
        looked_up = time.perf_counter()
        kept = cache.get(key)
        count_cache("hit" if kept else "miss")
        if kept is not None:
            environ[REPLAYABLE] = Replayable(replay_counter("/sparql", "GET", 200, "hit"))
            body = self._send(start_response, kept, key, started, looked_up, None)
            count_request("/sparql", "GET", 200, time.perf_counter() - started)
            return body
        pool: QueryPool = extensions[POOL]
        try:
            answer = pool.run(job, environ.get("REMOTE_ADDR") or "-",
                              float(self.settings["query_timeout"]))
        except Exception as error:  # the whole way answers each as it does
            environ[EVALUATED] = Evaluated(job, error, time.perf_counter() - looked_up)
            return self.app(environ, start_response)
        if answer.status is not AnswerStatus.OK or answer.streamed or answer.truncated:
            environ[EVALUATED] = Evaluated(job, answer, time.perf_counter() - looked_up)
            return self.app(environ, start_response)
        body = self._send(start_response, answer, key, started, looked_up, answer.seconds)
        count_request("/sparql", "GET", 200, time.perf_counter() - started)
        return ClosingIterator(body, partial(store_answer, cache, key, answer))

    @staticmethod
    def _send(start_response: Callable, answer: QueryAnswer, key: CacheKey, started: float,
              looked_up: float, engine_seconds: float | None) -> list[bytes]:
        """The view's headers for ``answer`` (the fixed ones are added outside)."""
        now = time.perf_counter()
        timing = server_timing(now - started, now - looked_up, engine_seconds) + ", lane"
        start_response("200 OK", [
            ("Content-Type", get_content_type(answer.media_type, "utf-8")),
            ("Content-Length", str(len(answer.body))), ("ETag", key.etag),
            ("Cache-Control", CACHE_CONTROL), ("Vary", VARY),
            ("X-Request-Id", new_request_id()), ("Server-Timing", timing)])
        return [answer.body]


def _lane_query(environ: dict, allowed: list[str]) -> str | None:
    """The query of a request that may take the lane, else None."""
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql" \
            or any(name in environ for name in _WHOLE_WAY_HEADERS) \
            or environ.get("HTTP_ACCEPT_ENCODING", "identity").strip().lower() != "identity":
        return None
    raw = environ.get("QUERY_STRING", "")
    if not raw.startswith("query=") or len(environ.get("RAW_URI") or raw) > MAX_URL_BYTES:
        return None
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
        refused = refused_services(query, allowed)
    except QueryError:
        return None
    return None if refused else query


def _context(environ: dict, form: str) -> tuple:
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    return (kind, *(environ.get(name) for name in _CONTEXT_PARTS))
