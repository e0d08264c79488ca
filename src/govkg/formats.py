"""The one registry of serialisations: SPARQL results and RDF, by name, media type and extension.

The endpoint, the entity pages, the dumps and the command line all choose formats here.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    serialize,
)

from govkg.vocab import PREFIXES

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    name: str  # what users type: ``--format turtle``, ``?format=turtle``
    media_type: str
    extension: str
    kind: str  # "results" (SELECT/ASK), "graph" (triples) or "dataset" (quads)
    oxigraph: QueryResultsFormat | RdfFormat | None
    aliases: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other media types clients ask for it by
    w3c: str = ""  # its IRI in http://www.w3.org/ns/formats/ (service descriptions, DCAT)

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also)


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", "results", QueryResultsFormat.JSON,
           also=("application/json",), w3c=W3C_FORMATS + "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "srx", "results", QueryResultsFormat.XML,
           also=("application/xml", "text/xml"), w3c=W3C_FORMATS + "SPARQL_Results_XML"),
    Format("csv", "text/csv", "csv", "results", QueryResultsFormat.CSV,
           w3c=W3C_FORMATS + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", QueryResultsFormat.TSV,
           w3c=W3C_FORMATS + "SPARQL_Results_TSV"),
    Format("turtle", "text/turtle", "ttl", "graph", RdfFormat.TURTLE, ("ttl", "n3"),
           also=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
           w3c=W3C_FORMATS + "Turtle"),
    Format("ntriples", "application/n-triples", "nt", "graph", RdfFormat.N_TRIPLES, ("nt",),
           also=("text/plain",), w3c=W3C_FORMATS + "N-Triples"),
    Format("rdfxml", "application/rdf+xml", "rdf", "graph", RdfFormat.RDF_XML,
           ("rdf", "xml-rdf", "rdf+xml", "owl", "xml"), also=("application/xml", "text/xml"),
           w3c=W3C_FORMATS + "RDF_XML"),
    Format("jsonld", "application/ld+json", "jsonld", "graph", RdfFormat.JSON_LD,
           ("json-ld", "json"), also=("application/x-json+ld", "application/json"),
           w3c=W3C_FORMATS + "JSON-LD"),
    Format("trig", "application/trig", "trig", "dataset", RdfFormat.TRIG,
           w3c=W3C_FORMATS + "TriG"),
    Format("nquads", "application/n-quads", "nq", "dataset", RdfFormat.N_QUADS, ("nq",),
           w3c=W3C_FORMATS + "N-Quads"),
)


def find_format(name: str) -> Format | None:
    """The format called ``name`` (or one of its aliases or its extension)."""
    name = name.lower()
    for fmt in FORMATS:
        if name in (fmt.name, fmt.extension, *fmt.aliases):
            return fmt
    return None


def find_format_among(formats: Iterable[Format], name: str) -> Format | None:
    """The format in ``formats`` called ``name``: a name, alias, extension or media type."""
    name = name.strip().lower()
    for fmt in formats:
        if name in (fmt.name, fmt.extension, *fmt.aliases, *fmt.media_types):
            return fmt
    return None


def formats_of(*kinds: str) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.kind in kinds)


def serialise_result(result: QuerySolutions | QueryBoolean | QueryTriples, fmt: Format) -> bytes:
    """Serialise a query result; the caller has checked that ``fmt`` suits its kind."""
    if isinstance(result, QueryTriples):
        return serialize(list(result), format=fmt.oxigraph, prefixes=_prefixes_for(fmt))
    return result.serialize(format=fmt.oxigraph)


def serialise_quads(quads: Iterable[Quad], fmt: Format,
                    extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Serialise quads; graph formats (Turtle, N-Triples …) merge the graphs into one.

    ``extra_prefixes`` add to the usual ones where the format writes prefixes.
    """
    prefixes = _prefixes_for(fmt)
    if prefixes is not None and extra_prefixes:
        prefixes = {**prefixes, **extra_prefixes}
    if fmt.kind == "dataset":
        return serialize(quads, format=fmt.oxigraph, prefixes=prefixes)
    triples = dict.fromkeys(q.triple for q in quads)
    return serialize(triples, format=fmt.oxigraph, prefixes=prefixes)


def result_kind(result: QuerySolutions | QueryBoolean | QueryTriples) -> str:
    return "graph" if isinstance(result, QueryTriples) else "results"


def _prefixes_for(fmt: Format) -> dict[str, str] | None:
    return PREFIXES if fmt.oxigraph in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
