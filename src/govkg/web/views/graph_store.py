"""The SPARQL 1.1 Graph Store HTTP Protocol, read side, at the endpoint's own URL.

``GET /sparql?graph=IRI`` sends that named graph, ``GET /sparql?default`` the default graph
(the union of the named graphs, as in queries), in the RDF format negotiated (Turtle first);
HEAD the same headers. An unknown graph is a 404 naming the known ones. Writes are refused:
PUT, DELETE and PATCH with 405 (the route has no such method; ``govkg.web.errors`` words
it), a POST of data with 403, each with ``Allow``. The endpoint
(``govkg.web.views.sparql``) hands a request here when it names a graph and carries no
query; the Service Description says the protocol is served.
"""

import itertools
from collections.abc import Iterable, Iterator

from flask import Response, request
from pyoxigraph import NamedNode, Triple
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from govkg.formats import formats_of, serialise_statements
from govkg.vocab import GRAPH_NAMES, graph_iri
from govkg.web.documents import CACHE_CONTROL
from govkg.web.negotiation import pick
from govkg.web.site import current_site

GRAPH_FORMATS = formats_of("graph")
READ_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]  # POST: queries, not data
READ_ONLY = ("This graph store is read-only: the Graph Store Protocol's writes (PUT, POST of "
             "data, DELETE, PATCH) are refused and nothing was changed.")


def names_a_graph() -> bool:
    """Whether this request is for the Graph Store Protocol: ``graph`` or ``default`` in the
    URL and no query or update."""
    args = request.args
    return ("graph" in args or "default" in args) and not (
        "query" in request.values or "update" in request.values
        or request.mimetype in ("application/sparql-query", "application/sparql-update"))


class ReadOnly(Forbidden):
    """403 for a POST of data, with the methods this URL does allow."""

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Allow", ", ".join(READ_METHODS))]


def graph_store() -> Response:
    """Answer a Graph Store Protocol request (``names_a_graph()`` is true)."""
    if request.method == "POST":
        raise ReadOnly(READ_ONLY)
    graph = _graph_named()
    fmt = pick(GRAPH_FORMATS, html=False)
    assert fmt is not None
    store = current_site().store
    if graph is None:  # the union: a statement in several graphs is sent once
        triples: Iterable[Triple] = dict.fromkeys(
            q.triple for q in store.quads_for_pattern(None, None, None, None))
    else:
        triples = _known((q.triple for q in store.quads_for_pattern(None, None, None, graph)),
                         graph)
    # written as the store yields them (Oxigraph's order is stable, so is the ETag), past the
    # byte limit refused whole, as query results are
    body = serialise_statements(triples, fmt, int(current_site().settings["max_result_bytes"]))
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _graph_named() -> NamedNode | None:
    """The graph the URL names: a named graph, or None for the default graph."""
    graphs = request.args.getlist("graph")
    if "default" in request.args:
        if graphs:
            raise BadRequest("Name either ?graph=IRI or ?default, not both.")
        return None
    if len(graphs) != 1:
        raise BadRequest(f"Send exactly one graph parameter, not {len(graphs)}.")
    try:
        return NamedNode(graphs[0])
    except ValueError as error:
        raise BadRequest(f"graph: {graphs[0]!r} is not a valid IRI.") from error


def _known(triples: Iterator[Triple], graph: NamedNode) -> Iterator[Triple]:
    """``triples``, or a 404 naming the graphs when there are none."""
    first = next(triples, None)
    if first is None:
        raise NotFound(f"There is no graph <{graph.value}> here. Graphs: "
                       + ", ".join(f"<{graph_iri(name)}>" for name in GRAPH_NAMES) + ".")
    return itertools.chain([first], triples)
