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


@dataclass(frozen=True)
class Format:
    name: str  # what users type: ``--format turtle``, ``?format=turtle``
    media_type: str
    extension: str
    kind: str  # "results" (SELECT/ASK), "graph" (triples) or "dataset" (quads)
    oxigraph: QueryResultsFormat | RdfFormat | None
    aliases: tuple[str, ...] = ()


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", "results", QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", "srx", "results", QueryResultsFormat.XML),
    Format("csv", "text/csv", "csv", "results", QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", "results", QueryResultsFormat.TSV),
    Format("turtle", "text/turtle", "ttl", "graph", RdfFormat.TURTLE, ("ttl",)),
    Format("ntriples", "application/n-triples", "nt", "graph", RdfFormat.N_TRIPLES, ("nt",)),
    Format("rdfxml", "application/rdf+xml", "rdf", "graph", RdfFormat.RDF_XML, ("rdf", "xml-rdf")),
    Format("jsonld", "application/ld+json", "jsonld", "graph", RdfFormat.JSON_LD, ("json-ld",)),
    Format("trig", "application/trig", "trig", "dataset", RdfFormat.TRIG),
    Format("nquads", "application/n-quads", "nq", "dataset", RdfFormat.N_QUADS, ("nq",)),
)


def find_format(name: str) -> Format | None:
    """The format called ``name`` (or one of its aliases or its extension)."""
    name = name.lower()
    for fmt in FORMATS:
        if name in (fmt.name, fmt.extension, *fmt.aliases):
            return fmt
    return None


def formats_of(*kinds: str) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.kind in kinds)


def by_media_type(media_type: str, *kinds: str) -> Format | None:
    for fmt in formats_of(*kinds) if kinds else FORMATS:
        if fmt.media_type == media_type:
            return fmt
    return None


def serialise_result(result: QuerySolutions | QueryBoolean | QueryTriples, fmt: Format) -> bytes:
    """Serialise a query result; the caller has checked that ``fmt`` suits its kind."""
    if isinstance(result, QueryTriples):
        return serialize(list(result), format=fmt.oxigraph, prefixes=_prefixes_for(fmt))
    return result.serialize(format=fmt.oxigraph)


def serialise_quads(quads: Iterable[Quad], fmt: Format) -> bytes:
    """Serialise quads; graph formats (Turtle, N-Triples …) merge the graphs into one."""
    if fmt.kind == "dataset":
        return serialize(quads, format=fmt.oxigraph, prefixes=_prefixes_for(fmt))
    triples = dict.fromkeys(q.triple for q in quads)
    return serialize(triples, format=fmt.oxigraph, prefixes=_prefixes_for(fmt))


def result_kind(result: QuerySolutions | QueryBoolean | QueryTriples) -> str:
    return "graph" if isinstance(result, QueryTriples) else "results"


def _prefixes_for(fmt: Format) -> dict[str, str] | None:
    return PREFIXES if fmt.oxigraph in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
