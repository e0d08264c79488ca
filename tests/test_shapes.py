"""The SHACL shapes pass the real data and catch broken data."""

from collections.abc import Callable

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from govkg.build import read_graphs
from govkg.resources import find_sources
from govkg.validate import validate_graphs
from govkg.vocab import GK, ID

GKNS = GK._NS
BEIJING = URIRef(ID + "region/beijing")


@pytest.fixture(scope="module")
def pristine() -> dict[str, Graph]:
    return read_graphs(find_sources())


def copy_graphs(graphs: dict[str, Graph]) -> dict[str, Graph]:
    copies = {}
    for name, graph in graphs.items():
        copy = Graph()
        for triple in graph:
            copy.add(triple)
        copies[name] = copy
    return copies


def first(graph: Graph, query: str) -> tuple:
    rows = list(graph.query(query, initNs={"gk": GKNS, "rdfs": RDFS, "xsd": XSD}))
    assert rows, f"no match in the data for {query}"
    return rows[0]


def test_the_data_conforms(pristine: dict[str, Graph]) -> None:
    report = validate_graphs(pristine)
    assert report.conforms, "\n".join(f"{v.focus} {v.path} {v.message}" for v in report.violations)


def drop_zh_label(data: Graph) -> URIRef:
    data.remove((BEIJING, RDFS.label, Literal("北京市", lang="zh")))
    return BEIJING


def negative_count(data: Graph) -> URIRef:
    figure, value = first(data, """SELECT ?f ?v WHERE { ?f a gk:Measurement ; gk:value ?v
                                    FILTER(datatype(?v) = xsd:integer) }""")
    data.set((figure, GKNS.value, Literal(-int(value))))
    return figure


def count_as_string(data: Graph) -> URIRef:
    figure, value = first(data, """SELECT ?f ?v WHERE { ?f a gk:Measurement ; gk:value ?v
                                    FILTER(datatype(?v) = xsd:integer) }""")
    data.set((figure, GKNS.value, Literal(str(value))))
    return figure


def date_as_plain_string(data: Graph) -> URIRef:
    event, date = first(data, "SELECT ?e ?d WHERE { ?e gk:eventDate ?d }")
    data.set((event, GKNS.eventDate, Literal(str(date))))
    return event


def figure_without_sentence(data: Graph) -> URIRef:
    (figure,) = first(data, "SELECT ?f WHERE { ?f a gk:Measurement }")
    data.remove((figure, GKNS.statedIn, None))
    return figure


def platform_operated_by_a_province(data: Graph) -> URIRef:
    (platform,) = first(data, "SELECT ?p WHERE { ?p gk:operatedBy ?o }")
    data.set((platform, GKNS.operatedBy, BEIJING))
    return platform


def policy_issued_by_a_province(data: Graph) -> URIRef:
    (policy,) = first(data, "SELECT ?p WHERE { ?p gk:issuedBy ?o }")
    data.set((policy, GKNS.issuedBy, BEIJING))
    return policy


def event_with_two_dates(data: Graph) -> URIRef:
    (event,) = first(data, "SELECT ?e WHERE { ?e gk:eventDate ?d }")
    data.add((event, GKNS.eventDate, Literal("1999", datatype=XSD.gYear)))
    return event


def event_without_subject(data: Graph) -> URIRef:
    (event,) = first(data, "SELECT ?e WHERE { ?e gk:eventSubject ?d }")
    data.remove((event, GKNS.eventSubject, None))
    return event


def figure_with_two_values(data: Graph) -> URIRef:
    figure, value = first(data, """SELECT ?f ?v WHERE { ?f a gk:Measurement ; gk:value ?v
                                    FILTER(datatype(?v) = xsd:integer) }""")
    data.add((figure, GKNS.value, Literal(int(value) + 1)))
    return figure


def untyped_measurement_unit(data: Graph) -> URIRef:
    (figure,) = first(data, "SELECT ?f WHERE { ?f a gk:Measurement }")
    data.remove((figure, GKNS.unit, None))
    return figure


def sentence_without_text(data: Graph) -> URIRef:
    (figure,) = first(data, "SELECT ?f WHERE { ?f a gk:Measurement }")
    orphan = URIRef(ID + "sentence/p999s1")
    data.add((orphan, RDF.type, GKNS.Sentence))
    data.set((figure, GKNS.statedIn, orphan))
    return orphan


BREAKAGES: list[Callable[[Graph], URIRef]] = [
    drop_zh_label, negative_count, count_as_string, date_as_plain_string, figure_without_sentence,
    platform_operated_by_a_province, policy_issued_by_a_province, event_with_two_dates, event_without_subject,
    figure_with_two_values, untyped_measurement_unit, sentence_without_text,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__)
def test_shapes_catch_broken_data(pristine: dict[str, Graph], breakage) -> None:
    graphs = copy_graphs(pristine)
    focus = breakage(graphs["data"])
    report = validate_graphs(graphs)
    assert not report.conforms
    assert str(focus) in {v.focus for v in report.violations}, report.violations
