"""Real clients, installed from PyPI, against a real ``govkg serve``: what a user of rdflib,
SPARQLWrapper, pyld or requests gets, with their defaults (no header set by hand)."""

import gzip
import time

import pytest
import requests
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

pytestmark = pytest.mark.server

ENTITY = "/id/platform/beijingtong"
# every statement twice: more rows than the query page's 10,000
TWICE = "WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?copy { 1 2 } }"
QUADS = f"SELECT * {TWICE}"


def quad_count(server) -> int:
    response = server.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {TWICE}"},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_rdflib_sparqlstore_gets_every_row(live_server):
    expected = quad_count(live_server)
    assert expected > 10_000
    graph = Graph(store=SPARQLStore(live_server.url + "/sparql"))
    assert sum(1 for _ in graph.query(QUADS)) == expected


def test_sparqlwrapper_gets_every_row(live_server):
    wrapper = SPARQLWrapper(live_server.url + "/sparql")
    wrapper.setQuery(QUADS)
    wrapper.setReturnFormat(JSON)
    bindings = wrapper.queryAndConvert()["results"]["bindings"]
    assert len(bindings) == quad_count(live_server)


def test_sparqlwrapper_construct_with_relative_iris(live_server):
    wrapper = SPARQLWrapper(live_server.url + "/sparql")
    wrapper.setQuery("CONSTRUCT { <s> <p> 1 } WHERE {}")
    wrapper.setMethod("POST")
    graph = wrapper.queryAndConvert()
    assert [str(s) for s in graph.subjects()] == [live_server.url + "/s"]


def test_rdflib_dereferences_an_entity(live_server):
    graph = Graph().parse(live_server.url + ENTITY)
    turtle = Graph().parse(data=live_server.get(ENTITY + ".ttl").text, format="turtle")
    assert len(graph) > 20 and isomorphic(graph, turtle)


def test_pyld_reads_the_compacted_document(live_server):
    """pyld's own document loader (requests, Accept: application/ld+json) follows the 303."""
    document = jsonld.get_document_loader()(live_server.url + ENTITY, {})["document"]
    assert document["@id"] == "platform:beijingtong"
    nquads = jsonld.to_rdf(live_server.url + ENTITY, {"format": "application/n-quads"})
    turtle = Graph().parse(data=live_server.get(ENTITY + ".ttl").text, format="turtle")
    assert isomorphic(Graph().parse(data=nquads, format="nquads"), turtle)


def test_requests_gets_compressed_text(live_server):
    """requests asks for gzip (and br with brotli installed) and decodes it itself."""
    response = live_server.get("/sparql", params={"query": QUADS},
                               headers={"Accept": "text/csv", "Accept-Encoding": "gzip"},
                               stream=True)
    raw = response.raw.read()
    assert response.headers["Content-Encoding"] == "gzip"
    text = gzip.decompress(raw).decode("utf-8")
    assert text.count("\r\n") == quad_count(live_server) + 1


def test_health_on_the_real_server(live_server):
    assert live_server.get("/health").text == "ok\n"
    assert requests.get(live_server.url + "/$/ping", timeout=10).status_code == 200
    assert "/health" not in live_server.get("/metrics").text
    live_server.get("/health?probe=last")
    live_server.get("/robots.txt?after=probe")  # a user request, logged after the probe
    deadline = time.monotonic() + 10
    while "after=probe" not in live_server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "after=probe" in live_server.output()
    assert "/health" not in live_server.output() and "/$/ping" not in live_server.output()
