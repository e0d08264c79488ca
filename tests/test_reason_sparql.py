"""The SPARQL reasoner gives what owlrl gives, restricted to the rules it implements.

The comparable part of owlrl's output is computed by running owlrl (``govkg.reason.infer``,
as the build does) on the asserted graphs *without the axioms of the kinds the SPARQL
reasoner leaves out* (``owl:sameAs``, ``owl:oneOf``, ``owl:equivalentClass``, functional,
symmetric … properties, chains longer than two), so that owlrl cannot derive through them
either. One more kind of triple is set aside: ``p rdfs:domain owl:Thing`` and ``p rdfs:range
owl:Thing``, which owlrl derives from the implicit axiom ``c rdfs:subClassOf owl:Thing``
(rule scm-cls) and which ``is_knowledge`` does not filter; they say nothing.
"""

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, RdfFormat
from rdflib import OWL, RDF, RDFS, Graph
from rdflib.collection import Collection

from govkg.build import read_graphs
from govkg.reason import infer
from govkg.reason_sparql import INFERRED, TYPE_RULES, WORK, derive, materialise, schema_solutions
from govkg.resources import find_sources
from govkg.settings import root_path
from govkg.store import built_graphs_file, load_nquads
from govkg.vocab import REASONED_GRAPHS

SUPPORTED_OWL = {OWL.inverseOf, OWL.propertyChainAxiom}
UNSUPPORTED_TYPES = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                     OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty,
                     OWL.ReflexiveProperty, OWL.AllDifferent, OWL.AllDisjointClasses,
                     OWL.AllDisjointProperties, OWL.Restriction}

Triple = tuple[str, str, str]


def supported(graph: Graph, triple: tuple) -> bool:
    """Whether an asserted triple is data or an axiom of a kind the SPARQL reasoner uses."""
    _s, p, o = triple
    if p == RDF.type and o in UNSUPPORTED_TYPES:
        return False
    if p == OWL.propertyChainAxiom:
        return len(Collection(graph, o)) == 2
    return not (str(p).startswith(str(OWL)) and p not in SUPPORTED_OWL)


def as_strings(triples) -> set[Triple]:
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in triples}


def rdflib_to_strings(graph: Graph) -> set[Triple]:
    """Through an Oxigraph store, so both sides spell terms as the store does.

    Oxigraph stores numbers by value: ``"1"^^xsd:positiveInteger`` comes back as
    ``"1"^^xsd:integer`` and ``"80.0"^^xsd:decimal`` as ``"80"^^xsd:decimal``.
    """
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=RdfFormat.N_TRIPLES)
    return as_strings(q.triple for q in store)


@pytest.fixture(scope="module")
def owlrl_subset(settings: dict) -> set[Triple]:
    graphs = read_graphs(find_sources(root_path(settings)))
    asserted = Graph()
    for name in REASONED_GRAPHS:
        for triple in graphs[name]:
            asserted.add(triple)
    restricted = Graph()
    for triple in asserted:
        if supported(asserted, triple):
            restricted.add(triple)
    inferred = infer(restricted)
    for triple in list(inferred):
        _s, p, o = triple
        if triple in asserted or (p in (RDFS.domain, RDFS.range) and o == OWL.Thing):
            inferred.remove(triple)
    return rdflib_to_strings(inferred)


@pytest.fixture(scope="module")
def sparql_store(settings: dict) -> pyoxigraph.Store:
    store = load_nquads(built_graphs_file(settings))
    materialise(store)
    return store


def inferred_of(store: pyoxigraph.Store) -> set[Triple]:
    quads = store.quads_for_pattern(None, None, None, NamedNode(INFERRED))
    return as_strings(q.triple for q in quads)


def test_same_triples_as_owlrl_on_the_embedded_data(sparql_store: pyoxigraph.Store,
                                                    owlrl_subset: set[Triple]) -> None:
    ours = inferred_of(sparql_store)
    assert len(ours) > 1000
    missing, extra = sorted(owlrl_subset - ours), sorted(ours - owlrl_subset)
    assert not missing and not extra, f"missing {missing[:10]}, extra {extra[:10]}"


def test_the_build_differs_only_by_owl_thing_domains(store: pyoxigraph.Store,
                                                     sparql_store: pyoxigraph.Store) -> None:
    """Against the full owlrl output of the build: no triple more, only the noise less."""
    built, ours = inferred_of(store), inferred_of(sparql_store)
    assert ours <= built
    thing = f"<{OWL.Thing}>"
    assert all(o == thing and p in (f"<{RDFS.domain}>", f"<{RDFS.range}>")
               for _, p, o in built - ours), sorted(built - ours)[:10]


def test_work_graphs_are_removed_and_a_rerun_changes_nothing(
        sparql_store: pyoxigraph.Store) -> None:
    names = {g.value for g in sparql_store.named_graphs()}
    assert not [n for n in names if n.startswith(WORK)]
    before = inferred_of(sparql_store)
    materialise(sparql_store)
    assert inferred_of(sparql_store) == before


def test_long_paths_reach_a_fixpoint() -> None:
    """A partOf chain of 12 links: transitivity, the inverse and the province chain."""
    gk = "https://w3id.org/govkg/ontology#"
    lines = [f"<{gk}partOf> a <{OWL.TransitiveProperty}> ; <{OWL.inverseOf}> <{gk}hasPart> .",
             f"<{gk}hasPart> a <{OWL.TransitiveProperty}> .",
             f"<{gk}province> <{OWL.propertyChainAxiom}> ( <{gk}partOf> <{gk}province> ) .",
             f"<{gk}province> <{RDFS.range}> <{gk}Province> .",
             f"<{gk}Province> <{RDFS.subClassOf}> <{gk}Region> ."]
    ex = "https://w3id.org/govkg/id/x/"
    lines += [f"<{ex}n{i}> <{gk}partOf> <{ex}n{i + 1}> ." for i in range(12)]
    lines.append(f"<{ex}n12> <{gk}province> <{ex}p> .")
    store = pyoxigraph.Store()
    store.load("\n".join(lines), format=RdfFormat.TURTLE,
               to_graph=NamedNode("https://w3id.org/govkg/graph/data"))
    result = materialise(store)
    got = inferred_of(store)
    part_of = {t for t in got if t[1] == f"<{gk}partOf>"}
    has_part = {t for t in got if t[1] == f"<{gk}hasPart>"}
    province = {t for t in got if t[1] == f"<{gk}province>"}
    assert len(part_of) == 13 * 12 // 2 - 12  # all pairs i < j, minus the asserted links
    assert len(has_part) == 13 * 12 // 2
    assert len(province) == 12  # n0 … n11
    assert (f"<{ex}p>", str(RDF.type).join("<>"), f"<{gk}Region>") in got
    assert result.rounds >= 3


def test_a_tiny_batch_size_gives_the_same_result(settings: dict,
                                                sparql_store: pyoxigraph.Store) -> None:
    """Every quad in its own transaction: the same triples.

    Not always in the same rounds: a query sees what was written before it started, and
    with smaller batches more of the round's earlier triples are written by then.
    """
    store = load_nquads(built_graphs_file(settings))
    result = materialise(store, batch_size=1)
    assert inferred_of(store) == inferred_of(sparql_store)
    assert sum(result.per_round) == sum(materialise(sparql_store).per_round)


def test_blank_node_schema_terms_and_literal_subjects() -> None:
    """A domain that is a class expression (a blank node) types the subject with it (through
    the general query: a blank node cannot be a constant); the inverse of a triple with a
    literal object is not a triple, so nothing is written."""
    gk = "https://w3id.org/govkg/ontology#"
    ex = "https://w3id.org/govkg/id/x/"
    data = NamedNode("https://w3id.org/govkg/graph/data")
    store = pyoxigraph.Store()
    store.load(f"""
        <{gk}runs> <{RDFS.domain}> [ <{OWL.unionOf}> ( <{gk}Agency> <{gk}Company> ) ;
                                     <{RDFS.subClassOf}> <{gk}Agent> ] .
        <{gk}name> <{OWL.inverseOf}> <{gk}nameOf> .
        <{ex}a> <{gk}runs> <{ex}app> ; <{gk}name> "A" .
        """, format=RdfFormat.TURTLE, to_graph=data)
    domain = next(r for r in TYPE_RULES if r.name == "prp-dom")
    solutions = schema_solutions(store, domain, [data])
    typed = {(str(s), type(o).__name__) for s, _, o in derive(store, domain, solutions,
                                                                [data], None)}
    assert typed == {(f"<{ex}a>", "BlankNode")}
    materialise(store, batch_size=1)
    got = inferred_of(store)
    assert (f"<{ex}a>", str(RDF.type).join("<>"), f"<{gk}Agent>") in got
    assert not [t for t in got if t[1] == f"<{gk}nameOf>"]


def test_types_that_feed_property_rules_are_reasoned_with_them() -> None:
    """With ``rdf:type`` under a property, the type rules' triples go through the property
    rules again (a round with its own work graph), until nothing is new."""
    gk = "https://w3id.org/govkg/ontology#"
    ex = "https://w3id.org/govkg/id/x/"
    store = pyoxigraph.Store()
    store.load(f"""
        <{RDF.type}> <{RDFS.subPropertyOf}> <{gk}classifiedAs> .
        <{gk}runs> <{RDFS.domain}> <{gk}Operator> .
        <{gk}Operator> <{RDFS.subClassOf}> <{gk}Agent> .
        <{ex}a> <{gk}runs> <{ex}app> .
        """, format=RdfFormat.TURTLE, to_graph=NamedNode("https://w3id.org/govkg/graph/data"))
    result = materialise(store, batch_size=1)
    got = inferred_of(store)
    classified = {t[2] for t in got if t[:2] == (f"<{ex}a>", f"<{gk}classifiedAs>")}
    assert classified == {f"<{gk}Operator>", f"<{gk}Agent>"}
    assert result.per_round[-1] == 0
    assert not [g for g in store.named_graphs() if g.value.startswith(WORK)]
