"""SHACL validation of the data as served (with the ontology, so shapes see the class hierarchy).

What is checked is what a user downloads: the asserted graphs and the shapes as the store
holds them, not as the source files write them. The two differ: Oxigraph stores the
derived integer types (``xsd:positiveInteger`` …) as ``xsd:integer`` and writes decimals
canonically (``80.0`` comes back ``80``), so a check of the sources could pass while the
served dump fails.

pySHACL works on an in-memory rdflib graph. Measured (``bench/validation.py``) on the
shared 2-core machine (load average 12): the embedded data (4,100 asserted statements)
takes 1.5 s; with 100,000 synthetic statements added (``bench/synth.py``; 103,760 in all)
219 s and 461 MB. A store of more than ``MAX_VALIDATED_QUADS`` asserted statements (a
bulk-loaded store of millions) is therefore not checked; the report says so and why,
instead of holding up the server's start for hours or running out of memory.
"""

from dataclasses import dataclass

from pyoxigraph import NamedNode
from rdflib import Graph
from rdflib.namespace import SH

from govkg.formats import find_format, serialise_statements
from govkg.query import StoreLike
from govkg.vocab import ASSERTED_GRAPHS, graph_iri

N_TRIPLES = find_format("ntriples")

MAX_VALIDATED_QUADS = 100_000


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str  # the shape's sh:message in English (or untagged)
    severity: str
    shape: str
    message_zh: str = ""  # its sh:message in Chinese, where the shape gives one


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    graph: Graph  # the SHACL validation report itself
    unchecked: str = ""  # why nothing was checked, when nothing was
    too_big_at: int = 0  # the bound the store's size passed, when that is why


def validate_graphs(graphs: dict[str, Graph]) -> ValidationReport:
    """Validate the asserted graphs against the shapes graph."""
    data = Graph()
    for name in ASSERTED_GRAPHS:
        for triple in graphs[name]:
            data.add(triple)
    import pyshacl  # here, not at the top: it takes half a second to import

    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=graphs["shapes"], inference="none", advanced=True, allow_warnings=True
    )
    return ValidationReport(bool(conforms), _violations(report), report)


def validate_store(store: StoreLike) -> ValidationReport:
    """Validate the asserted graphs the store serves against the shapes it serves."""
    too_many = asserted_size_exceeds(store, MAX_VALIDATED_QUADS)
    if too_many:
        return ValidationReport(False, (), Graph(), unchecked=(
            f"the store holds more than {MAX_VALIDATED_QUADS:,} asserted statements, "
            "more than SHACL validation in memory can check in reasonable time"),
            too_big_at=MAX_VALIDATED_QUADS)
    return validate_graphs({name: served_graph(store, name)
                            for name in (*ASSERTED_GRAPHS, "shapes")})


def served_graph(store: StoreLike, name: str) -> Graph:
    """The named graph ``name`` as the store holds it, as an rdflib graph."""
    quads = store.quads_for_pattern(None, None, None, NamedNode(graph_iri(name)))
    text = serialise_statements((q.triple for q in quads), N_TRIPLES)
    graph = Graph()
    if text:
        graph.parse(data=text, format="nt")
    return graph


def asserted_size_exceeds(store: StoreLike, limit: int) -> bool:
    """Whether the asserted graphs hold more than ``limit`` quads (stops counting there).
    Asked in SPARQL, so that an external endpoint answers it too."""
    graphs = " ".join(f"<{graph_iri(name)}>" for name in ASSERTED_GRAPHS)
    past = (f"SELECT ?s WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} "
            f"OFFSET {limit} LIMIT 1")
    return any(True for _ in store.query(past))


def _violations(report: Graph) -> tuple[Violation, ...]:
    found = []
    for result in report.subjects(SH.resultSeverity, None):
        def one(predicate, result=result) -> str:
            value = report.value(result, predicate)
            return "" if value is None else str(value)

        messages = _messages_by_language(report, result)
        found.append(Violation(
            focus=one(SH.focusNode),
            path=one(SH.resultPath),
            message=messages.get("en", ""),
            severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            shape=one(SH.sourceShape),
            message_zh=messages.get("zh", ""),
        ))
    return tuple(sorted(found, key=lambda v: (v.focus, v.path, v.message)))


def _messages_by_language(report: Graph, result) -> dict[str, str]:
    """A result's messages (pySHACL copies each of the shape's ``sh:message`` values) by
    language: ``zh`` and ``en``, an untagged message counting as English."""
    found: dict[str, list[str]] = {}
    for message in report.objects(result, SH.resultMessage):
        lang = (getattr(message, "language", None) or "en").lower().split("-")[0]
        found.setdefault(lang, []).append(str(message))
    return {lang: min(texts) for lang, texts in found.items()}
