"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, local data only.

Queries come by GET ``?query=``, POST form ``query=`` or POST ``application/sparql-query``;
``default-graph-uri`` and ``named-graph-uri`` choose among the store's own graphs (an
unknown IRI is an empty graph, nothing is fetched). Updates and SERVICE are refused.
Without a query, the endpoint answers with its Service Description, or the query page.

User queries never run in the web process: a query worker (``govkg.web.serve.query_pool``)
evaluates and serialises them under the time limit. Machine clients get complete results,
streamed as the worker writes them (``govkg.web.streamed``) when they are longer than a
part, or, past ``max_result_bytes``, a 507 that says so (or, once the first part went out,
a body that ends incomplete): never a short answer that looks whole.
The query page and its editor (a same-origin ``fetch``, told by ``Sec-Fetch-Site``) get
results cut at ``max_rows`` and show the cut (``X-Govkg-Truncated: true`` and, in SPARQL
JSON, ``"truncated": true``). Relative IRIs in a query resolve against the endpoint's URL;
a query body must be UTF-8. ``?graph=`` and ``?default`` without a query are the Graph
Store Protocol's reads (``govkg.web.views.graph_store``). Answers are reused until the next
build (``govkg.web.serve.result_cache``); a GET answer's weak ETag is derived from the same
key, so a conditional GET is answered 304 before anything is looked up or run. The query
page showing a GET query's result is kept too (``govkg.web.page_cache``).
A GET whose query string and Accept (and host and fetch metadata: ``SHAPE_PARTS``) passed
every check before in this process skips the checks and the negotiation, whose outcome they
alone decide (``KNOWN``): a hit then costs one lookup (a cached ASK's whole request, in
process, from about 187 to 115 µs of CPU). Such a hit, and its 304, are marked
``replayable``: the server worker then sends the same bytes again to the very same request
from its event loop (``govkg.web.serve.replay``), without a thread or the app.
"""

import time
from dataclasses import dataclass
from itertools import islice

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    g,
    render_template,
    request,
)
from flask.blueprints import BlueprintSetupState
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    NotAcceptable,
    ServiceUnavailable,
    TooManyRequests,
    UnsupportedMediaType,
)

from govkg.errors import QueryError
from govkg.formats import Format, formats_of
from govkg.sparql_grammar import load_parser, refused_services
from govkg.sparql_text import is_update, query_form, sets_dataset
from govkg.vocab import BASE
from govkg.web import page_cache
from govkg.web.display import Labeller
from govkg.web.documents import CACHE_CONTROL, rdf_response
from govkg.web.errors import as_http
from govkg.web.examples import EXAMPLES
from govkg.web.iris import public_url
from govkg.web.negotiation import pick, wants_html
from govkg.web.readings import (
    REPORT_GRAPHS,
    Unmarked,
    resting_on_readings,
    row_lines,
    why_unmarkable,
)
from govkg.web.security import request_id
from govkg.web.serve.query_pool import (
    PoolBusy,
    QueryTimedOut,
    ServerStopping,
    StreamCut,
    TooManyHeavyQueries,
    WorkerDied,
)
from govkg.web.serve.query_worker import PAGE, AnswerStatus, QueryAnswer, QueryJob
from govkg.web.serve.replay import REPLAYABLE, Replayable
from govkg.web.serve.result_cache import (
    APP_EXTENSION,
    LARGEST_SHARE,
    CacheKey,
    ResultCache,
    cache_key,
    cacheable,
    open_cache,
)
from govkg.web.site import current_site
from govkg.web.streamed import StreamedBody
from govkg.web.views import graph_store
from govkg.web.views.describe import DESCRIPTION_PREFIXES, service_description
from govkg.web.views.metrics import (
    REJECTIONS,
    count_cache,
    count_timeout,
    refuse,
    replay_counter,
)

bp = Blueprint("sparql", __name__)

FORMATS_BY_KIND = {"results": formats_of("results"), "graph": formats_of("graph", "dataset")}
DESCRIPTION_FORMATS = formats_of("graph")
FORMAT_PARAMS = ("format", "output")
READ_ONLY = ("This SPARQL endpoint is read-only: SPARQL Update is refused and nothing was "
             "changed. Send queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only.")
MAX_HTML_ROWS = 1000
# The query page reads and shows at most this much of a result (whole rows) and this much
# of one value; the rest is in the downloads. A 16.6 MB GROUP_CONCAT value cost 44-99 s of
# web-process time per page.
MAX_HTML_BYTES = 1 << 20
MAX_HTML_VALUE_CHARS = 2000
# The download links under a result on the query page: (name shown, format= value).
RESULT_DOWNLOADS = (("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml"))
GRAPH_DOWNLOADS = (("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld"),
                   ("RDF/XML", "rdfxml"))
POOL = "govkg.query_pool"  # the app extension holding this process's QueryPool
CACHE = APP_EXTENSION  # the app extension holding the server's ResultCache (or None)
TRUNCATED_HEADER = "X-Govkg-Truncated"
RETRY_AFTER_SECONDS = 5
# a streamed answer cut before a HEAD's headers went out: its status (else 503)
CUT_STATUS = {"too-large": 507, "client-limit": 429, "failed": 400, "upstream": 502}
CHOICES_KEPT = 256
SHAPES_KEPT = 4096
_chosen_formats: dict[tuple, Format | None] = {}
# the app extension mapping the shape (``SHAPE_PARTS``) of a GET that passed every check to
# its format and answer key
KNOWN = "govkg.known_requests"
SHAPE_PARTS = ("QUERY_STRING", "HTTP_ACCEPT", "HTTP_HOST", "HTTP_X_FORWARDED_HOST",
               "HTTP_X_FORWARDED_PROTO", "HTTP_SEC_FETCH_SITE", "HTTP_SEC_FETCH_MODE")
# environ keys shared with the lane in front (``govkg.web.views.sparql_lane``): what this view
# decided for a plain machine GET, and the outcome of a query the lane already ran
DECIDED = "govkg.sparql.decided"
EVALUATED = "govkg.sparql.evaluated"


@dataclass(frozen=True)
class Evaluated:
    """A query the lane ran before handing its request over: the job, and its answer or
    the exception the pool raised, after ``seconds``."""

    job: QueryJob
    outcome: QueryAnswer | Exception
    seconds: float

    def answer(self) -> QueryAnswer:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    update: str | None
    default_graphs: list[str] | None  # None: the union of all graphs
    named_graphs: list[str] | None  # None: every named graph


def _body_text() -> str:
    """The body of a direct POST: UTF-8 (SPARQL 1.1 Protocol §2.1.3), or 415."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"Send the query as UTF-8 ({request.mimetype}; charset="
                                   f"{charset[:40]} is not read here).")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The request body is not valid UTF-8: {error}.") from error


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"Send exactly one {name} parameter, not {len(values)}.")
    return values[0] if values else None


def _graph_iris(name: str) -> list[str]:
    iris = request.values.getlist(name)
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError as error:
            raise BadRequest(f"{name}: {iri!r} is not a valid IRI.") from error
    return iris


def read_request() -> ProtocolRequest:
    """The protocol operation this request carries, whichever of the three ways it came."""
    query = _one(request.values.getlist("query"), "query")
    update = _one(request.values.getlist("update"), "update")
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-query":
            query = _body_text()
        elif mimetype == "application/sparql-update":
            update = _body_text()
        elif mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise UnsupportedMediaType(
                "POST a query as application/sparql-query or as a form "
                "(application/x-www-form-urlencoded with query=).")
    default, named = _graph_iris("default-graph-uri"), _graph_iris("named-graph-uri")
    if not default and not named:
        return ProtocolRequest(query, update, None, None)
    return ProtocolRequest(query, update, default, named)


@bp.record_once
def open_result_cache(state: BlueprintSetupState) -> None:
    site = state.app.extensions["govkg"]
    state.app.extensions[CACHE] = open_cache(site.settings, site.build)
    state.app.extensions[KNOWN] = {}


@bp.record_once
def build_query_parser(state: BlueprintSetupState) -> None:
    """Make the grammar's parser with the app (once per process), not on the first query:
    its tables read from the cache directory, where the first process to boot keeps them."""
    load_parser(state.app.extensions["govkg"].cache_dir)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    if graph_store.names_a_graph():
        return graph_store.graph_store()
    shape = request_shape()
    known: dict[tuple[str, ...], tuple[Format, CacheKey]] = current_app.extensions[KNOWN]
    if shape in known:
        response = known_answer(*known[shape])
        if response is not None:
            return response
    protocol = read_request()
    if protocol.update is not None:
        raise refuse(Forbidden(READ_ONLY), "update")
    if protocol.query is None:
        return description_or_form()
    if is_update(protocol.query):
        raise refuse(Forbidden(READ_ONLY), "update")
    try:  # decided on the query's parse by the SPARQL grammar: unreadable is refused
        refused = refused_services(protocol.query, allowed_services(current_site().settings))
    except QueryError as error:
        return syntax_error(protocol.query, str(error))
    if refused:
        raise refuse(BadRequest(
            "SERVICE (federated query) is not allowed here: this endpoint never fetches data "
            f"from other servers unless its operator allows them ({', '.join(refused)} is "
            "not allowed)."), "service")
    form = query_form(protocol.query)
    # the format is chosen before the query runs (its bytes are made in the worker); a
    # query without a recognisable form is run first, so that its syntax error comes first
    try:
        fmt = choose_format(form) if form else None
    except NotAcceptable:
        # a syntax error outranks the format: worth one bounded run in a worker to know
        answer = run_user_query(protocol, None)
        if answer.status is AnswerStatus.SYNTAX:
            return syntax_error(protocol.query, answer.message)
        if answer.status is AnswerStatus.UPSTREAM:
            abort(answer.code, answer.message)
        raise
    key = answer_key(protocol, fmt)
    etag = key.etag if key and fmt is not None and shape else None
    if etag:
        if len(known) >= SHAPES_KEPT:
            known.clear()
        known[shape] = (fmt, key)
        unchanged = not_modified(key, fmt)
        if unchanged:
            return unchanged
    page = page_cache.key_of("query-page", True) if (
        fmt is None and form and key and request.method in ("GET", "HEAD")) else None
    kept = page_cache.kept_answer(page) if page else None
    if kept is not None:
        return query_page_response(kept.body, kept)
    answer = run_user_query(protocol, fmt, key)
    if form is None and answer.status is AnswerStatus.OK:
        fmt = choose_format("CONSTRUCT" if answer.kind == "graph" else "SELECT")
        answer = run_user_query(protocol, fmt) if fmt else answer
    if answer.status is AnswerStatus.SYNTAX:
        return syntax_error(protocol.query, answer.message)
    if answer.status is AnswerStatus.FAILED:
        raise refuse(BadRequest(answer.message), "evaluation")
    if answer.status is AnswerStatus.UPSTREAM:
        abort(answer.code, answer.message)
    if answer.status is AnswerStatus.TOO_LARGE:
        raise refuse(as_http(answer.code, answer.message), "too-large")
    if fmt is None:
        shown = html_result(answer, protocol)
        response = query_page_response(query_page(protocol.query, **shown), answer)
        # a page whose comparison failed (timed out, busy) is not kept: the next may mark
        if page and shown.get("unmarked") is not Unmarked.FAILED:
            page_cache.keep(page, response, answer.rows, answer.truncated)
        return response
    if takes_the_lane(protocol):
        request.environ[DECIDED] = (form, fmt, public_url("/sparql"))
    return answer_response(answer, etag)


def takes_the_lane(protocol: ProtocolRequest) -> bool:
    """Whether this request's format and endpoint URL hold for every plain machine GET in
    its context (``sparql_lane``): one ``query`` parameter, the default dataset, no editor."""
    return request.method == "GET" and protocol.default_graphs is None \
        and list(request.args) == ["query"] and not from_the_editor()


def query_page_response(page: str | bytes, answer: QueryAnswer) -> Response:
    """The query page showing ``answer``, saying when the answer was cut."""
    response = Response(page, mimetype="text/html")
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers["X-Govkg-Max-Rows"] = str(answer.rows)
    return response


def answer_response(answer: QueryAnswer, etag: str | None) -> Response:
    body: bytes | StreamedBody = answer.body
    if answer.streamed:
        body = StreamedBody(answer, kept_bytes(), count_cut, request_id())
        if request.method == "HEAD":  # no body to stream: its length, read whole
            try:
                body = body.read_whole()
            except StreamCut as cut:
                raise as_http(CUT_STATUS.get(cut.reason, 503), str(cut)) from None
    response = Response(body, mimetype=answer.media_type)
    if etag:
        response.headers["ETag"] = etag
    if request.method in ("GET", "HEAD"):  # the data change only with the build
        response.headers["Cache-Control"] = CACHE_CONTROL
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers["X-Govkg-Max-Rows"] = str(answer.rows)
    return response


def kept_bytes() -> int:
    """How much of a streamed answer to keep while it is sent, for the result cache."""
    cache: ResultCache | None = current_app.extensions[CACHE]
    return cache.max_bytes // LARGEST_SHARE if cache else 0


def count_cut(cut: StreamCut) -> None:
    """A stream cut after its status went out counts as the refusal it would have been."""
    if cut.reason == "timeout":
        count_timeout()
    REJECTIONS.labels(cut.reason).inc()


def request_shape() -> tuple[str, ...] | None:
    """What alone decides a GET's checks, format and job (so its answer key): its query
    string and Accept; and, kept in the shape so that a job depending on them stays right,
    the host it was sent to and the browser's fetch metadata."""
    if request.method not in ("GET", "HEAD"):
        return None
    environ = request.environ
    return tuple(environ.get(name, "") for name in SHAPE_PARTS)


def known_answer(fmt: Format, key: CacheKey) -> Response | None:
    """The answer to a request shape seen before: 304, or the kept answer; None if it is not
    kept (the whole way then runs)."""
    unchanged = not_modified(key, fmt)
    if unchanged:
        return unchanged
    cache: ResultCache | None = current_app.extensions[CACHE]
    started = time.perf_counter()
    kept = cache.get(key) if cache else None
    if kept is None:
        return None
    count_cache("hit")
    g.query_seconds = time.perf_counter() - started
    replayable(200, "hit")
    return answer_response(kept, key.etag)


def replayable(status: int, outcome: str) -> None:
    """Let the server worker send this answer again as it is to the very same request
    (``govkg.web.serve.replay``): it depends only on the request's bytes and the build."""
    request.environ[REPLAYABLE] = Replayable(
        replay_counter("/sparql", request.method, status, outcome))


def not_modified(key: CacheKey, fmt: Format) -> Response | None:
    """304 when the client already holds this answer (its ETag, sent in If-None-Match), with
    the headers its 200 would carry (RFC 9110 §15.4.5)."""
    if "HTTP_IF_NONE_MATCH" not in request.environ \
            or not request.if_none_match.contains_weak(key.tag):
        return None
    count_cache("not-modified")
    replayable(304, "not-modified")
    return Response(status=304, headers={"ETag": key.etag, "Cache-Control": CACHE_CONTROL},
                    mimetype=fmt.media_type)


def choose_format(form: str) -> Format | None:
    """The representation for a query of this form; the choice is remembered per request
    shape (form, Accept, format parameters), as every client asks the same way each time."""
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    key = (kind, request.headers.get("Accept", ""),
           tuple(v for p in FORMAT_PARAMS for v in request.values.getlist(p)))
    if key not in _chosen_formats:
        chosen = pick(FORMATS_BY_KIND[kind], html=True, html_first=False, params=FORMAT_PARAMS)
        if len(_chosen_formats) >= CHOICES_KEPT:
            _chosen_formats.clear()
        _chosen_formats[key] = chosen
    return _chosen_formats[key]


def run_user_query(protocol: ProtocolRequest, fmt: Format | None,
                   key: CacheKey | None = None) -> QueryAnswer:
    """The query's answer from the result cache under ``key`` or from a query worker, or the
    HTTP error that says why there is none."""
    settings = current_site().settings
    job = user_job(protocol, fmt)
    cache: ResultCache | None = current_app.extensions[CACHE]
    key = key if cache else None
    started = time.perf_counter()
    handed = handed_over(job)
    if handed:  # the lane looked it up, counted and ran it
        started -= handed.seconds
    elif key:
        kept = cache.get(key)
        count_cache("hit" if kept else "miss")
        if kept:
            g.query_seconds = time.perf_counter() - started
            return kept
    limit = float(settings["query_timeout"])
    try:
        answer = handed.answer() if handed else \
            current_app.extensions[POOL].run(job, request.remote_addr or "-", limit)
        g.engine_seconds = answer.seconds
        if answer.status == AnswerStatus.UNCONFINED:
            raise refuse(ServiceUnavailable(answer.message), "unconfined")
        if key and answer.status is AnswerStatus.OK:
            keep_after_response(cache, key, answer)
        return answer
    except QueryTimedOut:
        count_timeout()
        raise refuse(ServiceUnavailable(
            f"The query timed out: it ran longer than the {limit:g} s limit and was stopped. "
            "Narrow it down (LIMIT, more specific patterns) and try again.",
            retry_after=RETRY_AFTER_SECONDS), "timeout") from None
    except ServerStopping:
        raise refuse(ServiceUnavailable(
            "The server is restarting and stopped this query; send it again shortly.",
            retry_after=RETRY_AFTER_SECONDS), "stopping") from None
    except PoolBusy:
        raise refuse(ServiceUnavailable(
            "Every query worker is busy with long queries; try again shortly.",
            retry_after=RETRY_AFTER_SECONDS), "busy") from None
    except TooManyHeavyQueries:
        raise refuse(TooManyRequests(
            "You are already running as many long queries as this endpoint allows at once; "
            "wait for them to finish.", retry_after=RETRY_AFTER_SECONDS), "client-limit") \
            from None
    except WorkerDied:
        raise refuse(ServiceUnavailable(
            "The query stopped the process that ran it (it probably needed too much memory).",
            retry_after=RETRY_AFTER_SECONDS), "worker-died") from None
    finally:
        g.query_seconds = time.perf_counter() - started


def handed_over(job: QueryJob) -> Evaluated | None:
    """The lane's run of this very job, if it handed one over with the request."""
    handed = request.environ.pop(EVALUATED, None)
    if handed is None or handed.job == job:
        return handed
    if isinstance(handed.outcome, QueryAnswer) and handed.outcome.rest is not None:
        handed.outcome.rest.close()  # not this job's: its worker goes
    return None


def keep_after_response(cache: ResultCache, key: CacheKey, answer: QueryAnswer) -> None:
    """Store the answer once the response has gone out: the client never waits for the
    write (about 80 µs of CPU, more when another process holds the write lock). The same
    query arriving meanwhile is evaluated again; the first answer stored is the one kept."""
    def store() -> None:  # a streamed answer is whole once its stream ended and was kept
        if not answer.streamed:
            store_answer(cache, key, answer)

    @after_this_request
    def store_on_close(response: Response) -> Response:
        response.call_on_close(store)
        return response


def store_answer(cache: ResultCache, key: CacheKey, answer: QueryAnswer) -> None:
    if cache.put(key, answer) is not None:
        count_cache("stored")


def user_job(protocol: ProtocolRequest, fmt: Format | None) -> QueryJob:
    """What a query worker is given to answer this request (and what its answer is kept by)."""
    assert protocol.query is not None
    settings = current_site().settings
    cut = fmt is None or from_the_editor()
    return QueryJob(protocol.query, protocol.default_graphs, protocol.named_graphs,
                    not sets_dataset(protocol.query), fmt.name if fmt else PAGE,
                    int(settings["max_rows"]) if cut else None,
                    int(settings["max_result_bytes"]), public_url("/sparql"))


def answer_key(protocol: ProtocolRequest, fmt: Format | None) -> CacheKey | None:
    """The key of this query's answer in this format, if it is the same every time."""
    if not cacheable(protocol.query or ""):
        return None
    return cache_key(current_site().build, user_job(protocol, fmt))


def from_the_editor() -> bool:
    """Whether this is the query page's own editor asking: a browser's same-origin fetch.
    Other clients (and cross-site ones such as YASGUI elsewhere) get complete results."""
    headers = request.headers
    return (headers.get("Sec-Fetch-Site") == "same-origin"
            and headers.get("Sec-Fetch-Mode") in ("cors", "same-origin"))


def allowed_services(settings: dict) -> list[str]:
    value = settings.get("service_allow") or ()
    return value.split() if isinstance(value, str) else list(value)


def syntax_error(query: str, message: str) -> Response:
    """400 with the parser's message and position: the query page for a browser."""
    text = message
    if wants_html():
        return Response(query_page(query, error=text), 400, mimetype="text/html")
    raise BadRequest(text)


def description_or_form() -> Response | str:
    fmt = pick(DESCRIPTION_FORMATS, html=True, html_first=False)
    if fmt is None:
        return query_page(EXAMPLES[0].text)
    response = rdf_response(service_description(), fmt, DESCRIPTION_PREFIXES)
    response.headers["Cache-Control"] = CACHE_CONTROL  # its counts change with the build only
    return response


def query_page(query: str, **context) -> str:
    """The query page: the editor holding ``query``, the examples, and any result or error."""
    return render_template("sparql.html", title="SPARQL", query=query, examples=EXAMPLES,
                           base_iri=BASE, report_graphs=REPORT_GRAPHS, **context)


def html_result(answer: QueryAnswer, protocol: ProtocolRequest) -> dict:
    """What the query page shows: a table of solutions or triples, or a yes/no, with the
    results that rest on a reading-in marked (``govkg.web.readings``)."""
    labeller = Labeller(current_site().store)
    if answer.kind == "boolean":
        found = answer.body == b"true"
        marked, unmarked = compare_with_report(protocol, answer, 1)
        return {"boolean": found, "boolean_marked": bool(marked and marked[0]),
                "unmarked": unmarked, "downloads": RESULT_DOWNLOADS[2:]}

    def show(term: object) -> object:
        if isinstance(term, Literal) and len(term.value) > MAX_HTML_VALUE_CHARS:
            term = Literal(term.value[:MAX_HTML_VALUE_CHARS] + " …")
        return labeller.show(term)

    names, terms = page_rows(answer)
    marked, unmarked = compare_with_report(protocol, answer, len(terms))
    rows = [[show(t) for t in row] for row in terms]
    return {"names": names, "rows": rows, "marked": marked or [False] * len(rows),
            "unmarked": unmarked if rows else None, "total": answer.rows,
            "truncated": answer.truncated,
            "downloads": RESULT_DOWNLOADS if answer.kind == "results" else GRAPH_DOWNLOADS}


def page_rows(answer: QueryAnswer) -> tuple[list[str], list[list[object]]]:
    """The column names and the terms of the rows the page shows (at most ``MAX_HTML_ROWS``,
    read from at most ``MAX_HTML_BYTES`` of the answer)."""
    body = answer.body
    if len(body) > MAX_HTML_BYTES:  # whole lines only: TSV and N-Triples have one row each
        body = body[:body.rfind(b"\n", 0, MAX_HTML_BYTES) + 1]
    if answer.kind == "results":
        solutions = parse_query_results(body, format=QueryResultsFormat.TSV)
        names = [v.value for v in solutions.variables]
        return names, [[row[n] for n in names] for row in islice(solutions, MAX_HTML_ROWS)]
    triples = islice(parse(body, format=RdfFormat.N_TRIPLES), MAX_HTML_ROWS)
    return (["subject", "predicate", "object"],
            [[t.subject, t.predicate, t.object] for t in triples])


def compare_with_report(protocol: ProtocolRequest, answer: QueryAnswer,
                        shown: int) -> tuple[list[bool] | None, Unmarked | None]:
    """Which of the first ``shown`` results rest on a reading-in: the same query run again
    over the report's own graphs, under the same limits. None and the reason when that
    comparison is not a fair one or has no answer."""
    assert protocol.query is not None
    unmarkable = Unmarked.TRUNCATED if answer.truncated \
        else why_unmarkable(protocol.query, protocol.default_graphs)
    if unmarkable or not shown:
        return None, unmarkable
    report_only = ProtocolRequest(protocol.query, None, list(REPORT_GRAPHS), list(REPORT_GRAPHS))
    spent = {name: g.pop(name) for name in ("query_seconds", "engine_seconds") if name in g}
    try:
        other = run_user_query(report_only, None, answer_key(report_only, None))
    except HTTPException:  # timed out, busy …: shown unmarked, and the page says so
        return None, Unmarked.FAILED
    finally:  # Server-Timing tells the time of both queries
        for name, before in spent.items():
            setattr(g, name, before + g.get(name, 0.0))
    if other.status is not AnswerStatus.OK or other.kind != answer.kind:
        return None, Unmarked.FAILED
    if other.truncated:
        return None, Unmarked.TRUNCATED
    shown_rows = row_lines(answer.body, answer.kind)[:shown]
    return resting_on_readings(shown_rows, row_lines(other.body, other.kind)), None
