"""The SPARQL 1.1 Protocol at /sparql, driven by SPARQLWrapper and requests on a live server."""

import csv
import io
import json
import urllib.error

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

BEIJINGTONG = "https://w3id.org/govkg/id/platform/beijingtong"
GRAPH = "https://w3id.org/govkg/graph/"
SD = "http://www.w3.org/ns/sparql-service-description#"
SELECT = f'SELECT ?label WHERE {{ <{BEIJINGTONG}> rdfs:label ?label }} ORDER BY ?label'
ASK = f"ASK {{ <{BEIJINGTONG}> a gk:MobileApp }}"
CONSTRUCT = f"CONSTRUCT {{ <{BEIJINGTONG}> rdfs:label ?l }} WHERE {{ <{BEIJINGTONG}> rdfs:label ?l }}"
METHODS = {"GET": ("GET", None), "POST form": (POST, URLENCODED),
           "POST direct": (POST, POSTDIRECTLY)}


def wrapper(live_server, query: str, fmt: str, method: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    http_method, request_method = METHODS[method]
    sparql.setMethod(http_method)
    if request_method:
        sparql.setRequestMethod(request_method)
    return sparql


@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_in_every_format_and_method(live_server, fmt, method):
    result = wrapper(live_server, SELECT, fmt, method).query()
    converted = result.convert()
    if fmt == JSON:
        labels = {b["label"]["value"] for b in converted["results"]["bindings"]}
    elif fmt == XML:
        labels = {node.firstChild.nodeValue
                  for node in converted.getElementsByTagName("literal")}
    elif fmt == CSV:
        rows = list(csv.reader(io.StringIO(converted.decode("utf-8"))))
        labels = {cell for row in rows[1:] for cell in row}
    else:  # TSV writes RDF terms: "北京通"@zh
        lines = converted.decode("utf-8").splitlines()
        assert lines[0] == "?label"
        labels = {line.rpartition("@")[0].strip('"') for line in lines[1:]}
    assert "北京通" in labels
    assert "Beijing Tong" in labels


@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(live_server, fmt, method):
    converted = wrapper(live_server, ASK, fmt, method).query().convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"


@pytest.mark.server
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_construct_in_every_rdf_format(live_server, fmt, method):
    graph = wrapper(live_server, CONSTRUCT, fmt, method).query().convert()
    if fmt in (TURTLE, N3):  # SPARQLWrapper hands these back as bytes
        graph = Graph().parse(data=graph, format="turtle")
    assert isinstance(graph, Graph)
    assert (URIRef(BEIJINGTONG), None, Literal("北京通", lang="zh")) in graph


@pytest.mark.server
@pytest.mark.parametrize("fmt", [TURTLE, JSONLD])
def test_describe(live_server, fmt):
    graph = wrapper(live_server, "DESCRIBE platform:beijingtong", fmt, "GET").query().convert()
    if fmt == TURTLE:
        graph = Graph().parse(data=graph, format="turtle")
    assert (URIRef(BEIJINGTONG), RDF.type, None) in graph


@pytest.mark.server
@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("application/n-triples", "nt"), ("application/trig", "trig"),
    ("application/n-quads", "nquads"), ("application/rdf+xml", "xml"),
])
def test_construct_by_accept(live_server, accept, rdflib_format):
    response = live_server.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) >= 2


@pytest.mark.server
def test_accept_q_values_pick_the_best(live_server):
    accept = "application/sparql-results+xml;q=0.5, text/csv;q=0.9, */*;q=0.1"
    response = live_server.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/csv")


@pytest.mark.server
def test_format_parameter_wins_over_accept(live_server):
    response = live_server.get("/sparql", params={"query": SELECT, "format": "tsv"},
                               headers={"Accept": "application/sparql-results+json"})
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")


def count(live_server, query: str, **graphs) -> int:
    params = {"query": query, **graphs}
    response = live_server.get("/sparql", params=params,
                               headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.server
def test_default_graph_uri_selects_a_graph(live_server):
    everything = count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    ontology = count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                     **{"default-graph-uri": GRAPH + "ontology"})
    in_graph = count(live_server,
                     f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH}ontology> {{ ?s ?p ?o }} }}")
    assert 0 < ontology == in_graph < everything


@pytest.mark.server
def test_unknown_graph_is_empty(live_server):
    n = count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
              **{"default-graph-uri": "http://example.org/not-here"})
    assert n == 0


@pytest.mark.server
def test_named_graph_uri_limits_graph_clauses(live_server):
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    sparql.addNamedGraph(GRAPH + "shapes")
    sparql.setReturnFormat(JSON)
    bindings = sparql.query().convert()["results"]["bindings"]
    assert [b["g"]["value"] for b in bindings] == [GRAPH + "shapes"]


@pytest.mark.server
def test_from_named_graph_in_the_query(live_server):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}shapes> WHERE {{ ?s ?p ?o }}"
    shapes = count(live_server, query)
    assert shapes == count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                           **{"default-graph-uri": GRAPH + "shapes"})


@pytest.mark.server
def test_malformed_query_is_400_with_position(live_server):
    sparql = wrapper(live_server, "SELECT * WHERE { ?s ?p }", JSON, "GET")
    with pytest.raises(QueryBadFormed) as caught:
        sparql.query()
    assert "line 1, column" in str(caught.value)


@pytest.mark.server
@pytest.mark.parametrize(("accept", "kind"), [
    ("text/plain", "text/plain"), ("application/json", "application/json"),
    ("text/html", "text/html")])
def test_malformed_query_message_by_accept(live_server, accept, kind):
    response = live_server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"},
                               headers={"Accept": accept})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith(kind)
    assert "line 1, column" in response.text
    if kind == "application/json":
        assert "line 1, column" in response.json()["message"]


@pytest.mark.server
def test_updates_are_refused_and_change_nothing(live_server):
    before = count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    with pytest.raises(urllib.error.HTTPError) as caught:
        sparql.query()
    assert caught.value.code == 403
    assert b"read-only" in caught.value.read()
    direct = requests.post(live_server.url + "/sparql", data=b"CLEAR ALL",
                           headers={"Content-Type": "application/sparql-update"}, timeout=30)
    assert direct.status_code == 403
    as_query = live_server.get("/sparql", params={"query": "DROP ALL"})
    assert as_query.status_code == 403
    assert count(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == before


@pytest.mark.server
def test_service_is_refused(live_server):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = live_server.get("/sparql", params={"query": query}, headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert "SERVICE" in response.text


@pytest.mark.server
def test_cors(live_server):
    preflight = requests.options(live_server.url + "/sparql", timeout=30, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = requests.post(live_server.url + "/sparql", data={"query": ASK}, timeout=30,
                             headers={"Origin": "https://example.org",
                                      "Accept": "application/sparql-results+json"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["boolean"] is True


@pytest.mark.server
@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("*/*", "turtle")])
def test_service_description(live_server, accept, rdflib_format):
    response = live_server.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=rdflib_format)
    endpoint = URIRef(live_server.url + "/sparql")
    assert (endpoint, RDF.type, URIRef(SD + "Service")) in graph
    assert (endpoint, URIRef(SD + "endpoint"), endpoint) in graph
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in graph
    formats = set(graph.objects(endpoint, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    names = set(graph.objects(None, URIRef(SD + "name")))
    assert URIRef(GRAPH + "data") in names


@pytest.mark.server
def test_query_page_for_a_browser(live_server):
    response = live_server.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text and 'name="query"' in response.text


@pytest.mark.server
def test_not_acceptable(live_server):
    response = live_server.get("/sparql", params={"query": SELECT},
                               headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    assert "Accept" in response.headers["Vary"]


@pytest.mark.server
def test_rdf_format_for_select_is_406(live_server):
    response = live_server.get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert response.status_code == 406


def test_results_as_html_table(client):
    response = client.get("/sparql", query_string={"query": SELECT},
                          headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "北京通" in response.text and "<table" in response.text


def test_json_results_parse(client):
    response = client.post("/sparql", data=SELECT.encode(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    body = json.loads(response.data)
    assert body["head"]["vars"] == ["label"]
    # both rows, whole; their order is the store's (SPARQL leaves the order of literals with
    # different language tags open: Oxigraph puts Latin first, Virtuoso Han)
    assert sorted(body["results"]["bindings"], key=json.dumps) == sorted([
        {"label": {"type": "literal", "value": "Beijing Tong", "xml:lang": "en"}},
        {"label": {"type": "literal", "value": "北京通", "xml:lang": "zh"}}], key=json.dumps)


def test_robots_keep_off_the_endpoint_and_name_the_sitemap(client):
    """As docs/web.md shows it: every agent kept off /sparql, the sitemap named absolutely."""
    response = client.get("/robots.txt", base_url="http://kg.example:8000")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines == ["User-agent: *", "Disallow: /sparql",
                     "Sitemap: http://kg.example:8000/sitemap.xml"]
