"""An external SPARQL 1.1 endpoint (Virtuoso, Fuseki, QLever, Oxigraph server …) as govkg's
store: the part of ``pyoxigraph.Store``'s API that govkg uses, over the SPARQL Protocol.

``query`` returns real pyoxigraph results (``QuerySolutions``, ``QueryBoolean``,
``QueryTriples``) and ``quads_for_pattern`` real ``Quad``\\ s, so the rest of govkg does
not know which store it talks to. Every query is first parsed by pyoxigraph (on an empty
store: nothing is evaluated), so a syntax error reads the same in both modes and only
SPARQL 1.1 reaches the endpoint (no Virtuoso ``define`` pragmas, no ``bif:`` functions).

The dataset is always sent explicitly (``default-graph-uri`` / ``named-graph-uri``) and
limited to govkg's graphs: Virtuoso's default graph is the union of *every* graph,
its own system graphs (``virtrdf#``, ``ldp#`` …) included.

Errors: a query the endpoint refuses is a ``RemoteQueryError`` (a ``QueryError``: 400 on
``/sparql``); an endpoint that is down or fails is ``EndpointUnavailable`` (502), one that
does not answer in time ``EndpointTimeout`` (504). Both are also ``GovkgError``\\ s, so the
command line prints them as one line.
"""

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import pyoxigraph
from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Variable,
)

from govkg.errors import QueryError, UpstreamError, UpstreamTimeout
from govkg.query_text import (
    Term,
    declared_dataset,
    local_blank_label,
    term_text,
    with_prefixes,
    with_values,
    without_dataset,
)
from govkg.sparql_text import keywords
from govkg.vocab import XSD_NS

QueryResult = QuerySolutions | QueryBoolean | QueryTriples

TIMEOUT_SECONDS = 60
EMPTY_GRAPH = "urn:x-govkg:empty"  # names no graph: makes a dataset part empty
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
CACHE_SECONDS = 60  # how long a pattern's quads are reused: a page asks for them many times
MAX_CACHED_PATTERNS = 20_000
MAX_CACHED_QUADS = 5_000  # results with more quads than this are not kept
MAX_PREFILL_QUADS = 200_000  # a whole-store read up to this size fills the subject cache
MAX_MESSAGE = 600  # characters of an endpoint's error message passed on
# Virtuoso's DESCRIBE also gives the triples pointing at the resource; Oxigraph's (and so
# govkg's) gives its Concise Bounded Description, which Virtuoso gives when asked so.
VIRTUOSO_CBD = 'define sql:describe-mode "CBD" '
# Virtuoso answers 500 to queries it cannot compile or run, naming an SQL state: these
# classes are the query's fault (syntax, access, data, cardinality), not the server's.
_VIRTUOSO_STATE = re.compile(r"Virtuoso (\w{5}) Error")
VIRTUOSO_QUERY_ERRORS = ("37", "42", "22", "21")
VIRTUOSO_TIMEOUTS = ("S1T00", "S1TAT")
XSD_BOOLEAN = XSD_NS + "boolean"
VIRTUOSO_BOOLEANS = {"1": "true", "0": "false"}  # Virtuoso stores true as "1"^^xsd:boolean


class EndpointUnavailable(UpstreamError):
    """The endpoint cannot be reached, or fails on a query (502)."""


class EndpointTimeout(UpstreamTimeout):
    """The endpoint did not answer in time (504)."""


class RemoteQueryError(QueryError):
    """A query the endpoint refused (a 4xx, or Virtuoso's 500 naming a query error)."""


class RemoteStore:
    """A SPARQL endpoint holding govkg's named graphs ``graphs``, read-only."""

    def __init__(self, url: str, graphs: Sequence[str], timeout: float = TIMEOUT_SECONDS
                 ) -> None:
        self.url = url
        self.graphs = list(graphs)
        self.timeout = timeout
        self._parser = pyoxigraph.Store()  # empty: parses queries, finds their form
        self._server: str | None = None  # the endpoint's Server header, once seen
        self._cache: OrderedDict[tuple, tuple[float, list[Quad]]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # --- the pyoxigraph.Store API govkg uses ------------------------------------------------

    def query(self, query: str, *, prefixes: dict[str, str] | None = None,
              use_default_graph_as_union: bool = False,
              default_graph: Sequence[NamedNode | DefaultGraph] | NamedNode | None = None,
              named_graphs: Sequence[NamedNode] | None = None,
              substitutions: dict[Variable, Term] | None = None,
              base_iri: str | None = None) -> QueryResult:
        """Evaluate ``query`` on the endpoint; the options mean what they mean for
        ``pyoxigraph.Store.query``. A syntax error raises ``SyntaxError`` as there."""
        form = self._parser.query(query, prefixes=prefixes, substitutions=substitutions,
                                  base_iri=base_iri)
        text = without_dataset(query)
        if substitutions:
            text = with_values(text, substitutions)
        text = with_prefixes(text, prefixes)
        if base_iri:  # the prologue may mix BASE and PREFIX; an own BASE later still wins
            text = f"BASE <{base_iri}>\n{text}"
        dataset = self._dataset(query, prefixes, use_default_graph_as_union, default_graph,
                                named_graphs)
        if isinstance(form, QueryTriples):
            if self._is_virtuoso() and is_describe(query):
                text = VIRTUOSO_CBD + text
            return _triples(self._post(text, dataset, N_TRIPLES))
        results = _solutions(self._post(text, dataset, RESULTS_JSON))
        if isinstance(form, QueryBoolean):
            return _boolean(results)
        return results

    def quads_for_pattern(self, subject: Term | None, predicate: NamedNode | None,
                          object: Term | None, graph_name: NamedNode | DefaultGraph | None = None
                          ) -> Iterator[Quad]:
        """The quads of govkg's graphs matching the pattern (``None`` matches anything).

        govkg keeps everything in named graphs: the default graph is empty here. Results
        are kept for ``CACHE_SECONDS`` (a page asks for the same labels many times); with a
        subject given, all of that subject's quads are fetched at once and filtered here.
        """
        if isinstance(graph_name, DefaultGraph):
            return iter(())
        if graph_name is not None and graph_name.value not in self.graphs:
            return iter(())
        if subject is None:
            pattern = (None, predicate, object, graph_name)
            quads = self._cached(pattern)
            if pattern == (None, None, None, None):
                self._keep_by_subject(quads)  # everything: what pages ask for next is in it
            return iter(quads)
        return iter([q for q in self._cached((subject, None, None, None))
                     if (predicate is None or q.predicate == predicate)
                     and (object is None or q.object == object)
                     and (graph_name is None or q.graph_name == graph_name)])

    def _cached(self, pattern: tuple) -> list[Quad]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(pattern)
            if cached is not None and now - cached[0] < CACHE_SECONDS:
                self._cache.move_to_end(pattern)
                return cached[1]
        quads = self._fetch_quads(*pattern)
        if len(quads) <= MAX_CACHED_QUADS:
            self._keep({pattern: quads}, now)
        return quads

    def _keep(self, results: dict[tuple, list[Quad]], now: float) -> None:
        with self._lock:
            for pattern, quads in results.items():
                self._cache[pattern] = (now, quads)
                self._cache.move_to_end(pattern)
            while len(self._cache) > MAX_CACHED_PATTERNS:
                self._cache.popitem(last=False)

    def _keep_by_subject(self, quads: list[Quad]) -> None:
        if len(quads) > MAX_PREFILL_QUADS:
            return
        by_subject: dict[tuple, list[Quad]] = {}
        for quad in quads:
            by_subject.setdefault((quad.subject, None, None, None), []).append(quad)
        self._keep(dict(list(by_subject.items())[:MAX_CACHED_PATTERNS]), time.monotonic())

    def _fetch_quads(self, subject: Term | None, predicate: NamedNode | None,
                     object: Term | None, graph_name: NamedNode | None) -> list[Quad]:
        parts = []
        for name, term in (("s", subject), ("p", predicate), ("o", object), ("g", graph_name)):
            written = "?" + name if term is None else term_text(term)
            if written is None:  # a blank node the endpoint cannot be asked about
                return []
            parts.append(written)
        variables = " ".join(p for p in parts if p.startswith("?"))
        text = (f"SELECT {variables or '*'} WHERE {{ GRAPH {parts[3]} "
                f"{{ {parts[0]} {parts[1]} {parts[2]} }} }}")
        rows = _solutions(self._post(text, [("default-graph-uri", EMPTY_GRAPH)]
                                     + [("named-graph-uri", g) for g in self.graphs],
                                     RESULTS_JSON))
        bound = (subject, predicate, object, graph_name)
        return [Quad(*(row[n] if t is None else t for n, t in zip("spog", bound, strict=True)))
                for row in rows]

    def fingerprint(self) -> str:
        """The number of quads in each of govkg's graphs: changes when the data is reloaded."""
        result = self.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                            use_default_graph_as_union=True)
        if not isinstance(result, QuerySolutions):
            raise EndpointUnavailable(f"The SPARQL endpoint {self.url} answered a SELECT "
                                      "with no solutions.")
        return " ".join(sorted(f"{row['g'].value}={row['n'].value}" for row in result))

    # --- the dataset ----------------------------------------------------------------------

    def _dataset(self, query: str, prefixes: dict[str, str] | None, union: bool,
                 default_graph: Any, named_graphs: Sequence[NamedNode] | None
                 ) -> list[tuple[str, str]]:
        """``default-graph-uri`` and ``named-graph-uri`` parameters: always some, always
        within govkg's graphs, so the endpoint's own graphs never show."""
        named = None if named_graphs is None else [g.value for g in named_graphs]
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list | tuple) else [default_graph]
            default = [g.value for g in graphs if isinstance(g, NamedNode)]
        elif union:
            default = self.graphs
        elif named is None and (declared := declared_dataset(query, prefixes)) is not None:
            default, named = declared  # the query's own FROM / FROM NAMED
        else:
            default = []  # the store's default graph: govkg keeps nothing there
        if named is None:
            named = self.graphs
        default = [g for g in default if g in self.graphs] or [EMPTY_GRAPH]
        named = [g for g in named if g in self.graphs] or [EMPTY_GRAPH]
        return ([("default-graph-uri", g) for g in default]
                + [("named-graph-uri", g) for g in named])

    def _is_virtuoso(self) -> bool:
        if self._server is None:
            self._post("ASK {}", [], RESULTS_JSON)
        return "virtuoso" in (self._server or "").lower()

    # --- HTTP -----------------------------------------------------------------------------

    def _post(self, text: str, dataset: list[tuple[str, str]], accept: str) -> bytes:
        body = urllib.parse.urlencode([("query", text), *dataset]).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                self._server = response.headers.get("Server", "")
                _check_complete(response.headers)
                return response.read()
        except urllib.error.HTTPError as error:
            raise self._refusal(error) from None
        except TimeoutError:
            raise EndpointTimeout(f"The SPARQL endpoint {self.url} did not answer within "
                                  f"{self.timeout:g} s.") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise EndpointTimeout(f"The SPARQL endpoint {self.url} did not answer within "
                                      f"{self.timeout:g} s.") from None
            raise EndpointUnavailable(f"The SPARQL endpoint {self.url} cannot be reached: "
                                      f"{error.reason}.") from None
        except (ConnectionError, OSError) as error:
            raise EndpointUnavailable(f"The SPARQL endpoint {self.url} failed: {error}.") \
                from None

    def _refusal(self, error: urllib.error.HTTPError) -> Exception:
        message = _message(error.read())
        state = _VIRTUOSO_STATE.match(message)
        if error.code in (408, 504) or "timed out" in message.lower() or (
                state and state.group(1) in VIRTUOSO_TIMEOUTS):
            return EndpointTimeout(f"The SPARQL endpoint {self.url} timed out: {message}")
        if (400 <= error.code < 500 and error.code not in (401, 403, 404, 429)) or (
                state and state.group(1)[:2] in VIRTUOSO_QUERY_ERRORS):
            return RemoteQueryError(f"The SPARQL endpoint refused the query: {message}")
        return EndpointUnavailable(f"The SPARQL endpoint {self.url} answered {error.code}: "
                                   f"{message}")


def is_describe(query: str) -> bool:
    words = [w for w in keywords(query) if w not in ("BASE", "PREFIX")]
    return bool(words) and words[0] == "DESCRIBE"


def _message(body: bytes) -> str:
    """The endpoint's error message, on one line (Virtuoso echoes the query after it)."""
    text = body.decode("utf-8", "replace").split("\n\nSPARQL query:")[0]
    text = " ".join(text.split())
    return text[:MAX_MESSAGE] + ("…" if len(text) > MAX_MESSAGE else "")


def _check_complete(headers: Any) -> None:
    """Virtuoso answers 200 with *part* of the results when a query runs out of time
    ("anytime queries", saying so in ``X-SQL-State``) or reaches ``ResultSetMaxRows``
    (``X-SPARQL-MaxRows``): an error here, never a silently short page or dump."""
    state = headers.get("X-SQL-State")
    if state:
        message = headers.get("X-SQL-Message", "")
        raise EndpointTimeout(f"The SPARQL endpoint returned incomplete results ({state}: "
                              f"{message}).")
    max_rows = headers.get("X-SPARQL-MaxRows")
    if max_rows:
        raise EndpointUnavailable(f"The SPARQL endpoint cut the results at {max_rows} rows "
                                  "(Virtuoso's ResultSetMaxRows): raise that limit above the "
                                  "largest graph.")


def _solutions(body: bytes) -> QuerySolutions | QueryBoolean:
    """SPARQL JSON results, blank nodes renamed to labels pyoxigraph accepts, booleans in
    their canonical form."""
    try:
        document = json.loads(body)
        for row in document.get("results", {}).get("bindings", []):
            for value in row.values():
                if value.get("type") == "bnode":
                    value["value"] = local_blank_label(value["value"])
                elif value.get("datatype") == XSD_BOOLEAN:
                    value["value"] = VIRTUOSO_BOOLEANS.get(value["value"], value["value"])
        return pyoxigraph.parse_query_results(json.dumps(document).encode(),
                                              format=QueryResultsFormat.JSON)
    except (ValueError, SyntaxError, AttributeError) as error:
        raise EndpointUnavailable(f"The SPARQL endpoint sent unreadable results: {error}") \
            from None


def _boolean(results: QuerySolutions | QueryBoolean) -> QueryBoolean:
    """An ASK answer. Virtuoso 7 answers ASK in JSON as one solution binding
    ``__ASK_RETVAL`` to 1 or 0 (and no solution for false) instead of ``"boolean"``."""
    if isinstance(results, QueryBoolean):
        return results
    answer = any(all(not isinstance(term, Literal) or term.value not in ("0", "false")
                     for term in row) for row in results)
    return pyoxigraph.parse_query_results(json.dumps({"head": {}, "boolean": answer}).encode(),
                                          format=QueryResultsFormat.JSON)


def _canonical(term: Term) -> Term:
    if isinstance(term, Literal) and term.datatype.value == XSD_BOOLEAN:
        return Literal(VIRTUOSO_BOOLEANS.get(term.value, term.value), datatype=term.datatype)
    return term


def _triples(body: bytes) -> QueryTriples:
    """N-Triples from a CONSTRUCT or DESCRIBE, as pyoxigraph's ``QueryTriples``."""
    graph = pyoxigraph.Store()
    try:
        graph.extend(Quad(t.subject, t.predicate, _canonical(t.object))
                     for t in pyoxigraph.parse(body, format=RdfFormat.N_TRIPLES))
    except SyntaxError as error:
        raise EndpointUnavailable(f"The SPARQL endpoint sent unreadable N-Triples: {error}") \
            from None
    result = graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, QueryTriples)
    return result
