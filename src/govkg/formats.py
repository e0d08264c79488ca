"""The one registry of serialisations: SPARQL results and RDF, by name, media type and extension.

The endpoint, the entity pages, the dumps and the command line all choose formats here and
serialise here. Results are written straight from Oxigraph's iterators (``write_result``);
a ``limit`` in bytes stops a result that grows past it with ``ResultTooLarge``, so a caller
can refuse it whole instead of sending a short answer (writing straight from the iterator,
all 7,102 solutions of ``SELECT * { ?s ?p ?o }`` took 44 ms as SPARQL JSON, 34 ms as CSV;
through TSV, parsed back and written again, as before, 92 ms and 132 ms). A cut at a number
of rows (``cut_result``) is for views that show the cut (the query page and its editor).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import IO

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse_query_results,
    serialize,
)

from govkg.errors import GovkgError
from govkg.jsonld import compact_bytes
from govkg.vocab import PREFIXES

QueryResult = QuerySolutions | QueryBoolean | QueryTriples

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


class ResultTooLarge(GovkgError):
    """A result that grew past the byte limit while it was written."""

    status = 507

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The result is larger than the {limit:,} bytes this endpoint sends in one answer; "
            "nothing was sent. Add LIMIT (and OFFSET to page through it) or narrow the query.")
        self.limit = limit


class _Bounded(io.RawIOBase):
    """A binary sink that keeps what is written and refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit, self.size, self.parts = limit, 0, []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise ResultTooLarge(self.limit)
        self.parts.append(bytes(data))
        return len(data)


def write_result(result: QueryResult, fmt: Format, out: IO[bytes]) -> None:
    """Write a query result to ``out`` as it is read; the caller has checked that ``fmt``
    suits its kind."""
    if isinstance(result, QueryTriples):
        serialize(result, out, format=fmt.oxigraph, prefixes=_prefixes_for(fmt))
    else:
        result.serialize(out, format=fmt.oxigraph)


def write_statements(statements: Iterable[Quad | Triple], fmt: Format, out: IO[bytes]) -> None:
    """Write quads or triples to ``out`` as they are read (a dump too large to hold)."""
    serialize(statements, out, format=fmt.oxigraph, prefixes=_prefixes_for(fmt))


def serialise_statements(statements: Iterable[Quad | Triple], fmt: Format,
                         limit: int | None = None) -> bytes:
    """Quads or triples written as they are read; more than ``limit`` bytes raises
    ``ResultTooLarge``."""
    sink = _Bounded(limit)
    write_statements(statements, fmt, sink)
    return b"".join(sink.parts)


def serialise_result(result: QueryResult, fmt: Format, limit: int | None = None) -> bytes:
    """A query result's bytes; more than ``limit`` of them raises ``ResultTooLarge``."""
    sink = _Bounded(limit)
    write_result(result, fmt, sink)
    return b"".join(sink.parts)


@dataclass(frozen=True)
class CutResult:
    body: bytes
    rows: int  # solutions or triples in ``body``
    truncated: bool  # more existed


def cut_result(result: QuerySolutions | QueryTriples, fmt: Format, max_rows: int) -> CutResult:
    """At most ``max_rows`` solutions or triples, for a view that shows the cut."""
    if isinstance(result, QueryTriples):
        triples: list[Triple] = list(islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        del triples[max_rows:]
        return CutResult(serialize(triples, format=fmt.oxigraph, prefixes=_prefixes_for(fmt)),
                         len(triples), truncated)
    # TSV has exactly one line per solution, so rows are counted and cut on the bytes;
    # pyoxigraph parses it back losslessly for the other formats.
    tsv = result.serialize(format=QueryResultsFormat.TSV)
    rows = tsv.count(b"\n") - 1
    truncated = rows > max_rows
    if truncated:
        tsv = tsv[:_nth_newline(tsv, max_rows + 1) + 1]
        rows = max_rows
    if fmt.oxigraph == QueryResultsFormat.TSV:
        return CutResult(tsv, rows, truncated)
    body = parse_query_results(tsv, format=QueryResultsFormat.TSV).serialize(format=fmt.oxigraph)
    if truncated and fmt.oxigraph == QueryResultsFormat.JSON:
        body = body[:-1] + b',"truncated":true}'  # the object ends with its last brace
    return CutResult(body, rows, truncated)


def _nth_newline(data: bytes, n: int) -> int:
    position = -1
    for _ in range(n):
        position = data.index(b"\n", position + 1)
    return position


def serialise_quads(quads: Iterable[Quad], fmt: Format,
                    extra_prefixes: dict[str, str] | None = None, *,
                    compact_about: str | None = None) -> bytes:
    """Serialise quads; graph formats (Turtle, N-Triples …) merge the graphs into one.

    ``extra_prefixes`` add to the usual ones where the format writes prefixes. JSON-LD is
    expanded unless ``compact_about`` names the document's subject ("" for none): then it is
    compacted with the prefixes as ``@context``, that subject as the top node.
    """
    prefixes = _prefixes_for(fmt)
    if prefixes is not None and extra_prefixes:
        prefixes = {**prefixes, **extra_prefixes}
    if fmt.kind == "dataset":
        return serialize(quads, format=fmt.oxigraph, prefixes=prefixes)
    triples = dict.fromkeys(q.triple for q in quads)
    if fmt.oxigraph == RdfFormat.JSON_LD and compact_about is not None:
        return compact_bytes(list(triples), compact_about or None,
                             {**PREFIXES, **(extra_prefixes or {})})
    return serialize(triples, format=fmt.oxigraph, prefixes=prefixes)


def result_kind(result: QueryResult) -> str:
    return "graph" if isinstance(result, QueryTriples) else "results"


def _prefixes_for(fmt: Format) -> dict[str, str] | None:
    return PREFIXES if fmt.oxigraph in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
