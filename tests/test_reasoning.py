"""OWL RL reasoning: the named inferences the README promises, the filter, and the cache."""

import pytest
from pyoxigraph import NamedNode, Quad

from govkg import build
from govkg.resources import find_sources
from govkg.vocab import GRAPH, PREFIXES

INFERRED = NamedNode(GRAPH + "inferred")
ASSERTED = [NamedNode(GRAPH + name)
            for name in ("ontology", "data", "editorial", "external", "report", "evidence")]


def term(curie: str) -> NamedNode:
    prefix, local = curie.split(":", 1)
    return NamedNode(PREFIXES[prefix] + local)


# (subject, predicate, object, why) — each is inferred, and none is asserted.
NAMED_INFERENCES = [
    ("platform:beijingtong", "gk:province", "region:beijing",
     "an app's province from its operator (gk:operatedBy ∘ gk:province)"),
    ("policy:beijing-yiwangtongban-implementation-plan", "gk:province", "region:beijing",
     "a policy's province from its issuer (gk:issuedBy ∘ gk:province)"),
    ("gorg:beijing-government", "gk:operates", "platform:beijingtong",
     "inverse links for pages (gk:operates is the inverse of gk:operatedBy)"),
    ("gorg:beijing-government", "gk:issued", "policy:beijing-yiwangtongban-implementation-plan",
     "gk:issued is the inverse of gk:issuedBy"),
    ("platform:beijingtong", "gk:hasEvent", "event:beijingtong-launch",
     "a platform knows its events (inverse of gk:eventSubject)"),
    ("platform:zhejiang-population-database", "gk:partOf", "platform:zhejiang-public-data-platform",
     "gk:partOf is transitive"),
    ("platform:shanghai-population-database", "gk:partOf", "model:shanghai-support-system",
     "gk:partOf is transitive"),
    ("platform:beijingtong", "rdf:type", "gk:DigitalPlatform",
     "class hierarchy: a gk:MobileApp is a gk:DigitalPlatform"),
    ("platform:beijingtong", "rdf:type", "schema:MobileApplication",
     "alignment: gk:MobileApp ⊑ schema:MobileApplication"),
    ("platform:beijingtong", "schema:provider", "gorg:beijing-government",
     "alignment: gk:operatedBy ⊑ schema:provider"),
    ("platform:beijingtong", "prov:wasDerivedFrom", "sentence:p7s1",
     "provenance in PROV-O: gk:statedIn ⊑ prov:wasDerivedFrom"),
]


@pytest.mark.parametrize(("s", "p", "o", "why"), NAMED_INFERENCES, ids=[i[3] for i in NAMED_INFERENCES])
def test_named_inference(store, s: str, p: str, o: str, why: str) -> None:
    triple = (term(s), term(p), term(o))
    assert Quad(*triple, INFERRED) in store, why
    for graph in ASSERTED:
        assert Quad(*triple, graph) not in store, f"asserted, so not an inference: {why}"


def count(store, query: str) -> int:
    return int(next(iter(store.query(query, prefixes=PREFIXES)))["n"].value)


def test_inferred_graph_holds_only_knowledge(store) -> None:
    noise = count(store, f"""
        SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED.value}> {{
          {{ ?s a owl:Thing }} UNION {{ ?s a rdfs:Resource }} UNION {{ ?s owl:sameAs ?s }}
          UNION {{ ?s rdfs:subClassOf ?s }} UNION {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }}
          UNION {{ ?s ?p ?o FILTER(!STRSTARTS(STR(?s), "https://w3id.org/govkg/")) }}
        }} }}""")
    assert noise == 0


def test_inferred_and_asserted_do_not_overlap(store) -> None:
    overlap = count(store, f"""
        SELECT (COUNT(*) AS ?n) WHERE {{
          GRAPH <{INFERRED.value}> {{ ?s ?p ?o }}
          GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED.value}>)
        }}""")
    assert overlap == 0


def test_every_platform_has_a_province_after_reasoning(store) -> None:
    """Nearly every platform gets its province, asserted or inferred; list the exceptions."""
    without = [row["p"].value for row in store.query("""
        SELECT ?p WHERE { ?p a gk:DigitalPlatform FILTER NOT EXISTS { ?p gk:province ?r } }""",
        prefixes=PREFIXES, use_default_graph_as_union=True)]
    assert without == []


def test_reasoning_is_cached_by_input_hash(settings, monkeypatch) -> None:
    sources = find_sources()
    first = build.cached_build(sources, settings["cache_dir"])

    def fail(_sources):
        raise AssertionError("the build ran again for unchanged inputs")

    monkeypatch.setattr(build, "build_graphs", fail)
    assert build.cached_build(sources, settings["cache_dir"]) == first


def test_changed_input_means_a_new_build(settings, source_copy) -> None:
    copy = find_sources(source_copy)
    before = build.input_hash(copy)
    common = source_copy / "data" / "common.ttl"
    common.write_text(common.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert build.input_hash(copy) != before
