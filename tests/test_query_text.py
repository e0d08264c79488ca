"""Query text for a remote endpoint: terms written by pyoxigraph, never pasted strings."""

import pyoxigraph
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from govkg.query_text import (
    declared_dataset,
    local_blank_label,
    remote_blank_label,
    term_text,
    with_prefixes,
    with_values,
    without_dataset,
)
from govkg.vocab import PREFIXES

G = "https://w3id.org/govkg/graph/"


def parses(text: str) -> bool:
    pyoxigraph.Store().query(text)
    return True


def test_values_open_the_where_clause_and_escape_literals():
    nasty = Literal('x" } ; DROP ALL ; SELECT * { "', language="zh")
    text = with_values("SELECT ?entity ?o WHERE { ?entity ?p ?o FILTER(?o != 1) }",
                       {Variable("entity"): NamedNode("https://w3id.org/govkg/id/x"),
                        Variable("o"): nasty})
    assert text.startswith("SELECT ?entity ?o WHERE { VALUES (?entity ?o) { (<https://w3id.org"
                           "/govkg/id/x> \"x\\\" } ; DROP ALL ; SELECT * { \\\"\"@zh) } ")
    assert parses(text)


def test_values_without_where_keyword_and_with_subquery_braces():
    text = with_values("SELECT ?id { { SELECT ?s WHERE { ?s ?p ?o } } FILTER(STRSTARTS(?id, ''))}",
                       {Variable("id"): Literal("a")})
    assert text.startswith('SELECT ?id { VALUES (?id) { ("a") } ')
    assert parses(text)


def test_prefixes_on_the_first_line_only_when_used():
    text = with_prefixes("SELECT * WHERE {\n  ?s a gk:Province }", PREFIXES)
    first, second = text.split("\n")
    assert first.startswith("PREFIX gk: <https://w3id.org/govkg/ontology#> ")
    assert "rdfs:" not in text and second == "  ?s a gk:Province }"
    assert parses(text)


def test_from_clauses_leave_the_text_escapes_resolved():
    text = (f"PREFIX g: <{G}> SELECT * \\u0046ROM g:data FROM NAMED <{G}shapes> "
            '{ ?s ?p "FROM <x>" }')
    assert declared_dataset(text, None) == ([G + "data"], [G + "shapes"])
    assert without_dataset(text) == f'PREFIX g: <{G}> SELECT *   {{ ?s ?p "FROM <x>" }}'
    assert declared_dataset("SELECT * { ?s ?p ?o }", None) is None


@pytest.mark.parametrize("label", ["nodeID://b10010", "b0", "ß ünïcode/§"])
def test_blank_node_labels_round_trip(label):
    local = BlankNode(local_blank_label(label))
    assert remote_blank_label(local) == label


def test_only_virtuoso_blank_nodes_can_be_named():
    assert term_text(BlankNode(local_blank_label("nodeID://b10010"))) == "<nodeID://b10010>"
    assert term_text(BlankNode(local_blank_label("b0"))) is None
    assert term_text(BlankNode("made-here")) is None
    assert term_text(NamedNode("urn:x")) == "<urn:x>"


def test_values_in_construct_and_with_exists_in_the_projection():
    binding = {Variable("e"): NamedNode("urn:e")}
    construct = with_values("CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o }", binding)
    assert construct == "CONSTRUCT { ?e ?p ?o } WHERE { VALUES (?e) { (<urn:e>) }  ?e ?p ?o }"
    select = with_values("SELECT ?e (EXISTS { ?e ?p 1 } AS ?x) { ?e ?p ?o }", binding)
    assert select.endswith("AS ?x) { VALUES (?e) { (<urn:e>) }  ?e ?p ?o }")
    assert parses(construct) and parses(select)
