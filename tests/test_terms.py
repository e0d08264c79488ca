"""The index of a store's terms by kind (``govkg.terms``), on a small store made here: kinds
by what the store says, labels with a fallback, ranking and bounds."""

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from govkg.terms import load_terms, prefixed_name

GRAPH = "https://w3id.org/govkg/graph/"
DATA = """
@prefix gk: <https://w3id.org/govkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix platform: <https://w3id.org/govkg/id/platform/> .
gk:App a owl:Class ; rdfs:label "app"@en, "应用"@zh .
gk:operatedBy a owl:ObjectProperty ; rdfs:label "operated by"@en .
gk:Used rdfs:subClassOf gk:App .
platform:one a gk:App, gk:Used ; rdfs:label "一号"@zh ; skos:altLabel "Number One"@en ;
  gk:operatedBy platform:two ; gk:undeclared "x" .
platform:two a gk:Thing ; rdfs:label "Two"@en, "二号"@zh .
"""


@pytest.fixture(scope="module")
def index():
    store = Store()
    store.load(DATA.encode(), RdfFormat.TURTLE, to_graph=NamedNode(GRAPH + "data"))
    store.load(b"<https://w3id.org/govkg/id/shape/s> a <http://www.w3.org/ns/shacl#NodeShape> .",
               RdfFormat.TURTLE, to_graph=NamedNode(GRAPH + "shapes"))
    return load_terms(store)


def kinds(index) -> dict[str, set[str]]:
    return {kind: {t.name for t in terms} for kind, terms in index.by_kind.items()}


def test_each_term_is_one_kind_by_what_the_store_says(index) -> None:
    found = kinds(index)
    assert {"gk:App", "gk:Used", "gk:Thing", "owl:Class", "owl:ObjectProperty"} \
        <= found["class"]  # declared, or used as a type
    assert {"gk:operatedBy", "gk:undeclared", "rdfs:label", "rdf:type"} <= found["property"]
    assert found["entity"] == {"platform:one", "platform:two"}  # no shape: graph/shapes
    assert "sh:NodeShape" in found["class"]


def test_types_are_the_asserted_own_ones_or_the_kind_declared(index) -> None:
    terms = index.by_iri
    assert terms["https://w3id.org/govkg/id/platform/two"].type.endswith("#Thing")
    assert terms["https://w3id.org/govkg/ontology#operatedBy"].type.endswith("#ObjectProperty")
    assert terms["https://w3id.org/govkg/ontology#undeclared"].type.endswith("#Property")
    assert terms["https://w3id.org/govkg/ontology#Used"].type.endswith("rdf-schema#Class")


def test_a_label_missing_in_one_language_falls_back_to_the_other(index) -> None:
    one = index.by_iri["https://w3id.org/govkg/id/platform/one"]
    assert one.label("zh") == ("一号", "zh")
    assert one.label("en") == ("一号", "zh")
    assert index.by_iri["https://w3id.org/govkg/ontology#Thing"].label("en") is None


def test_matches_by_name_then_label_then_other_name(index) -> None:
    assert [t.name for t in index.find("entity", "platform:t", 10).terms] == ["platform:two"]
    assert [t.name for t in index.find("entity", "二", 10).terms] == ["platform:two"]
    assert [t.name for t in index.find("entity", "number", 10).terms] == ["platform:one"]
    assert [t.name for t in index.find("class", "应", 10).terms] == ["gk:App"]
    assert [t.name for t in index.find("property", "operated", 10).terms] == ["gk:operatedBy"]
    assert index.find("class", "nothing", 10).terms == []


def test_at_most_limit_terms_and_the_count_of_all(index) -> None:
    found = index.find("class", "", 2)
    assert len(found.terms) == 2 and found.total == len(index.by_kind["class"]) > 2
    assert found.terms[0].name.startswith("gk:")  # govkg's own first


def test_prefixed_names_only_for_valid_local_names() -> None:
    assert prefixed_name("https://w3id.org/govkg/ontology#App") == "gk:App"
    assert prefixed_name("https://w3id.org/govkg/id/platform/a%20b") is None
    assert prefixed_name("http://example.org/x") is None
