"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, local data only.

Queries come by GET ``?query=``, POST form ``query=`` or POST ``application/sparql-query``;
``default-graph-uri`` and ``named-graph-uri`` choose among the store's own graphs (an
unknown IRI is an empty graph, nothing is fetched). Updates and SERVICE are refused.
Without a query, the endpoint answers with its Service Description, or the query page.
"""

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request
from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples
from werkzeug.exceptions import BadRequest, Forbidden, UnsupportedMediaType

from govkg.errors import QueryError
from govkg.formats import formats_of, result_kind, serialise_result
from govkg.query import QueryResult, run_query
from govkg.vocab import BASE
from govkg.web.describe import DESCRIPTION_PREFIXES, service_description
from govkg.web.display import Labeller
from govkg.web.documents import rdf_response
from govkg.web.examples import EXAMPLES
from govkg.web.negotiation import pick
from govkg.web.query_guard import is_update, sets_dataset, uses_service
from govkg.web.site import current_site

bp = Blueprint("sparql", __name__)

FORMATS_BY_KIND = {"results": formats_of("results"), "graph": formats_of("graph", "dataset")}
DESCRIPTION_FORMATS = formats_of("graph")
FORMAT_PARAMS = ("format", "output")
READ_ONLY = ("This SPARQL endpoint is read-only: SPARQL Update is refused and nothing was "
             "changed. Send queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only.")
MAX_HTML_ROWS = 1000
# The download links under a result on the query page: (name shown, format= value).
RESULT_DOWNLOADS = (("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml"))
GRAPH_DOWNLOADS = (("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld"),
                   ("RDF/XML", "rdfxml"))


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    update: str | None
    default_graphs: list[str] | None  # None: the union of all graphs
    named_graphs: list[str] | None  # None: every named graph


def _body_text() -> str:
    try:
        return request.get_data(cache=True).decode(request.mimetype_params.get("charset", "utf-8"))
    except (UnicodeDecodeError, LookupError) as error:
        raise BadRequest(f"The request body is not valid text in its charset: {error}.") from error


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


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response | str:
    protocol = read_request()
    if protocol.update is not None:
        raise Forbidden(READ_ONLY)
    if protocol.query is None:
        return description_or_form()
    if is_update(protocol.query):
        raise Forbidden(READ_ONLY)
    if uses_service(protocol.query):
        raise BadRequest("SERVICE (federated query) is not allowed here: this endpoint never "
                         "fetches data from other servers.")
    try:
        result = run_query(current_site().store, protocol.query,
                           default_graphs=protocol.default_graphs,
                           named_graphs=protocol.named_graphs,
                           union_default_graph=not sets_dataset(protocol.query))
    except QueryError as error:
        return syntax_error(protocol.query, str(error))
    fmt = pick(FORMATS_BY_KIND[result_kind(result)], html=True, html_first=False,
               params=FORMAT_PARAMS)
    if fmt is None:
        return query_page(protocol.query, **html_result(result))
    return Response(serialise_result(result, fmt), mimetype=fmt.media_type)


def syntax_error(query: str, message: str) -> Response:
    """400 with the parser's message and position: the query page for a browser."""
    text = message
    if request.accept_mimetypes.best_match(["text/plain", "application/json", "text/html"]) \
            == "text/html":
        return Response(query_page(query, error=text), 400, mimetype="text/html")
    raise BadRequest(text)


def description_or_form() -> Response | str:
    fmt = pick(DESCRIPTION_FORMATS, html=True, html_first=False)
    if fmt is None:
        return query_page(EXAMPLES[0].text)
    return rdf_response(service_description(), fmt, DESCRIPTION_PREFIXES)


def query_page(query: str, **context) -> str:
    """The query page: the editor holding ``query``, the examples, and any result or error."""
    return render_template("sparql.html", title="SPARQL", query=query, examples=EXAMPLES,
                           base_iri=BASE, **context)


def html_result(result: QueryResult) -> dict:
    """What the query page shows: a table of solutions or triples, or a yes/no."""
    labeller = Labeller(current_site().store)
    if isinstance(result, QueryBoolean):
        return {"boolean": bool(result), "downloads": RESULT_DOWNLOADS[2:]}
    if isinstance(result, QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[labeller.show(row[n]) for n in names] for row in result]
    else:
        assert isinstance(result, QueryTriples)
        names = ["subject", "predicate", "object"]
        rows = [[labeller.show(t.subject), labeller.show(t.predicate), labeller.show(t.object)]
                for t in result]
    downloads = RESULT_DOWNLOADS if isinstance(result, QuerySolutions) else GRAPH_DOWNLOADS
    return {"names": names, "rows": rows[:MAX_HTML_ROWS], "total": len(rows),
            "downloads": downloads}
