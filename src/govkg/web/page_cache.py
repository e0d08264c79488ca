"""Documents kept for reuse: entity pages, their RDF documents and every other negotiated
document (``govkg.web.documents``: the ontology, the shapes, VoID, the catalogue …), and the
query page showing a GET query's result (``/sparql?query=…`` in a browser, as the example
queries are opened: its answer is kept anyway, its rendering took 4-22 ms more), in the
server's result cache (``govkg.web.serve.result_cache``: one SQLite file shared by the web
processes, one byte bound with the query answers, emptied by a new build).

A document's bytes depend on the build, the URL asked for (path and query string: the
language switch on a page links back to it), the public base URL, the representation (the
format and, for JSON-LD, its profile) and, for HTML, the page's language (cookie, else
``Accept-Language``) and the day (an entity page's citation says when it was read). Those
are the key. The headers are not kept: the same code makes them on a hit as on a miss, so a
kept document goes out with exactly the headers of a fresh one. Its ETag is weak and
derived from the key, so a conditional GET is answered 304 before anything is built or
looked up.

No per-response value is ever reused from a kept page. The pages embed no CSRF token, no
request id and no CSP nonce (their scripts are files under ``'self'``; the JSON-LD and the
editor's settings are data blocks, which CSP does not govern), and each response keeps its
own nonce in its ``Content-Security-Policy``: a nonce that allows nothing in the body is
harmless, whereas one frozen into a kept body and repeated would let an injected script
that learnt it run. A body that does contain this response's nonce or request id is sent
but not kept. Hashes instead of nonces would change nothing here, as no inline script runs.
"""

import time
from datetime import UTC, datetime

from flask import Response, after_this_request, current_app, g, request
from prometheus_client import Counter

from govkg.web.i18n import current_language
from govkg.web.iris import public_url
from govkg.web.serve.query_worker import AnswerStatus, QueryAnswer
from govkg.web.serve.result_cache import (
    APP_EXTENSION,
    DOCUMENT,
    CacheKey,
    ResultCache,
    document_key,
)
from govkg.web.site import current_site

LOOKUPS = Counter(
    "govkg_page_cache_lookups",
    "Documents (pages and RDF documents) asked of the cache, by outcome: hit, miss, stored "
    "(a miss's body kept), not-modified (a conditional GET answered 304 without a lookup).",
    ["outcome"])
_SERIES = {outcome: LOOKUPS.labels(outcome)
           for outcome in ("hit", "miss", "stored", "not-modified")}


def the_cache() -> ResultCache | None:
    return current_app.extensions.get(APP_EXTENSION)


def key_of(representation: str, html: bool, profile: str = "") -> CacheKey | None:
    """The key of the document this request asks for, in ``representation`` (a format's
    name, or ``html``); None when the server keeps nothing."""
    if the_cache() is None:
        return None
    parts = [request.path, request.query_string.decode("latin-1"), public_url(""),
             request.script_root, representation, profile]
    if html:
        parts += [current_language(), datetime.now(UTC).date().isoformat()]
    return document_key(current_site().build, parts)


def not_modified(key: CacheKey) -> bool:
    """Whether the client holds this document already (its ETag, in ``If-None-Match``)."""
    if "HTTP_IF_NONE_MATCH" not in request.environ \
            or not request.if_none_match.contains_weak(key.tag):
        return False
    _SERIES["not-modified"].inc()
    return True


def kept_answer(key: CacheKey) -> QueryAnswer | None:
    """The kept document (its rows and cut, for a query page), or None (a miss)."""
    cache = the_cache()
    if cache is None:
        return None
    started = time.perf_counter()
    found = cache.get(key)
    if found is None or found.kind != DOCUMENT:
        _SERIES["miss"].inc()
        return None
    _SERIES["hit"].inc()
    g.query_seconds = time.perf_counter() - started
    return found


def kept(key: CacheKey) -> Response | None:
    """The kept document as a response without headers of its own, or None (a miss)."""
    found = kept_answer(key)
    return None if found is None else Response(found.body, content_type=found.media_type)


def keep(key: CacheKey, response: Response, rows: int = 0, truncated: bool = False) -> bool:
    """Keep ``response``'s body (not yet compressed) once it has gone out, unless it holds a
    value of this response alone; whether it will be kept."""
    cache = the_cache()
    body = response.get_data()
    own = [value for value in (g.get("csp_nonce"), g.get("request_id")) if value]
    if cache is None or any(value.encode() in body for value in own):
        return False
    answer = QueryAnswer(AnswerStatus.OK, DOCUMENT, body, response.headers["Content-Type"],
                         rows, truncated)

    def store() -> None:
        if cache.put(key, answer):
            _SERIES["stored"].inc()

    @after_this_request
    def store_on_close(sent: Response) -> Response:
        sent.call_on_close(store)
        return sent

    return True
