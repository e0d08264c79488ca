"""The SHACL shapes pass the real data, as written and as served, and catch broken data."""

from collections.abc import Callable

import pyoxigraph
import pytest
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad, Variable
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from govkg import validate
from govkg.build import read_graphs
from govkg.query import run_query
from govkg.resources import find_sources
from govkg.validate import validate_graphs, validate_store
from govkg.vocab import ASSERTED_GRAPHS, GK, ID, graph_iri

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
    rows = list(graph.query(query, initNs={"gk": GKNS, "rdfs": RDFS, "xsd": XSD, "skos": SKOS}))
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


def rank_zero(data: Graph) -> URIRef:
    (ranked,) = first(data, "SELECT ?r WHERE { ?r gk:rank ?v }")
    data.set((ranked, GKNS.rank, Literal(0)))
    return ranked


def scheme_without_concepts(data: Graph) -> URIRef:
    (scheme,) = first(data, "SELECT ?s WHERE { ?c skos:inScheme ?s }")
    data.remove((None, SKOS.inScheme, scheme))
    return scheme


def statement_without_subject(graphs: dict[str, Graph]) -> URIRef:
    evidence = graphs["evidence"]
    statement = next(evidence.subjects(RDF.type, RDF.Statement))
    evidence.remove((statement, RDF.subject, None))
    return statement


def concept_without_scheme(graphs: dict[str, Graph]) -> URIRef:
    for graph in graphs.values():
        for concept in list(graph.subjects(SKOS.topConceptOf, None)):
            graph.remove((concept, SKOS.topConceptOf, None))
            return concept
    raise AssertionError("no top concept in the data")


@pytest.mark.parametrize("breakage", [statement_without_subject, concept_without_scheme],
                         ids=lambda f: f.__name__)
def test_shapes_catch_broken_evidence_and_concepts(pristine: dict[str, Graph], breakage) -> None:
    graphs = copy_graphs(pristine)
    focus = breakage(graphs)
    report = validate_graphs(graphs)
    assert not report.conforms and str(focus) in {v.focus for v in report.violations}


BREAKAGES: list[Callable[[Graph], URIRef]] = [
    drop_zh_label, negative_count, count_as_string, date_as_plain_string, figure_without_sentence,
    platform_operated_by_a_province, policy_issued_by_a_province, event_with_two_dates, event_without_subject,
    figure_with_two_values, untyped_measurement_unit, sentence_without_text, rank_zero,
    scheme_without_concepts,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__)
def test_shapes_catch_broken_data(pristine: dict[str, Graph], breakage) -> None:
    graphs = copy_graphs(pristine)
    focus = breakage(graphs["data"])
    report = validate_graphs(graphs)
    assert not report.conforms
    assert str(focus) in {v.focus for v in report.violations}, report.violations


SH = "http://www.w3.org/ns/shacl#"


@pytest.mark.parametrize("predicate", ["name", "description", "message"])
def test_every_shape_speaks_both_languages(pristine: dict[str, Graph], predicate: str) -> None:
    """Each sh:name, sh:description and sh:message is given in English and in Chinese."""
    shapes = pristine["shapes"]
    by_node: dict = {}
    for node, value in shapes.subject_objects(URIRef(SH + predicate)):
        by_node.setdefault(node, set()).add(getattr(value, "language", None))
    assert by_node
    lacking = sorted(str(n) for n, langs in by_node.items() if langs != {"en", "zh"})
    assert not lacking, f"sh:{predicate} without both @en and @zh: {lacking[:5]}"


def test_a_violation_carries_its_message_in_both_languages(pristine: dict[str, Graph]) -> None:
    graphs = copy_graphs(pristine)
    drop_zh_label(graphs["data"])
    [found] = [v for v in validate_graphs(graphs).violations if v.focus == str(BEIJING)]
    assert found.message.startswith("Missing Chinese label")
    assert found.message_zh.startswith("缺少中文标签")


# --- The data as served ---------------------------------------------------------------------

def served_copy(store: pyoxigraph.Store) -> pyoxigraph.Store:
    copy = pyoxigraph.Store()
    copy.extend(store)
    return copy


def test_the_data_as_served_conforms(store: pyoxigraph.Store) -> None:
    report = validate_store(store)
    assert not report.unchecked
    assert report.conforms, "\n".join(f"{v.focus} {v.path} {v.message}" for v in report.violations)


def test_oxigraph_retypes_what_the_sources_type_as_positive_integers(
        store: pyoxigraph.Store) -> None:
    """Why the served data, not the sources, is what is checked: the store keeps
    ``"1"^^xsd:positiveInteger`` as ``"1"^^xsd:integer``, and the shapes accept both."""
    ranks = [q.object for q in store.quads_for_pattern(None, NamedNode(str(GKNS.rank)), None)]
    assert ranks and {r.datatype.value for r in ranks} == {str(XSD.integer)}


def test_validation_reads_the_store(store: pyoxigraph.Store) -> None:
    broken = served_copy(store)
    rank = next(iter(broken.quads_for_pattern(None, NamedNode(str(GKNS.rank)), None, None)))
    broken.remove(rank)
    broken.add(Quad(rank.subject, rank.predicate,
                    OxLiteral("0", datatype=NamedNode(str(XSD.integer))), rank.graph_name))
    report = validate_store(broken)
    assert not report.conforms
    assert {(v.focus, v.path) for v in report.violations} == {(rank.subject.value,
                                                               str(GKNS.rank))}


def test_a_store_too_big_to_check_says_so(store: pyoxigraph.Store,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "MAX_VALIDATED_QUADS", 100)
    report = validate_store(store)
    assert not report.conforms and not report.violations
    assert "more than 100 asserted statements" in report.unchecked


DATA_GRAPHS = " ".join(f"<{graph_iri(name)}>" for name in ASSERTED_GRAPHS if name != "ontology")
CLASSES_USED = (f"SELECT DISTINCT ?class WHERE {{ VALUES ?g {{ {DATA_GRAPHS} }} "
                "GRAPH ?g { ?thing a ?class } }")
SHAPED = """
ASK {
  { GRAPH <https://w3id.org/govkg/graph/shapes> { ?shape sh:targetClass ?class } } UNION
  { GRAPH <https://w3id.org/govkg/graph/ontology> { ?class rdfs:subClassOf+ ?superclass }
    GRAPH <https://w3id.org/govkg/graph/shapes> { ?shape sh:targetClass ?superclass } }
}"""


def test_every_class_the_data_uses_has_a_shape(store: pyoxigraph.Store) -> None:
    """A shape targets each class with instances in the data, or one of its superclasses (a
    shape's sh:targetClass reaches the instances of subclasses)."""
    used = [row["class"] for row in run_query(store, CLASSES_USED, union_default_graph=False)]
    assert len(used) > 40
    unshaped = [c.value for c in used if not bool(run_query(
        store, SHAPED, substitutions={Variable("class"): c}, union_default_graph=False))]
    assert unshaped == []


def test_a_store_too_big_to_check_is_reported_so(store: pyoxigraph.Store, tmp_path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached report of a store past the bound says why it was not checked."""
    from govkg.prebuilt import cached_validation

    monkeypatch.setattr(validate, "MAX_VALIDATED_QUADS", 100)
    report = cached_validation({"cache_dir": str(tmp_path)}, store, "build")
    assert not report.conforms and report.violations == ()
    assert "more than 100 asserted statements" in report.unchecked
    again = cached_validation({"cache_dir": str(tmp_path)}, store, "build")
    assert again == report
