"""The protocol cases real clients meet first, in-process: the W3C SPARQL 1.1 Protocol cases,
the Graph Store Protocol's reads, JSON-LD profiles, quad documents' default graph,
compression, caching, CORS preflights and the health probes."""

import gzip
import json

import brotli
import pytest
from pyld import jsonld
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse, serialize
from rdflib import Graph
from rdflib.compare import isomorphic

from govkg.vocab import graph_iri
from govkg.web.app import create_app

ENTITY = "/id/platform/beijingtong"
EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
SELECT = "SELECT ?label WHERE { platform:beijingtong rdfs:label ?label }"


def triples_of(body: bytes, fmt: RdfFormat) -> Graph:
    graph = Graph()
    graph.parse(data=body, format={RdfFormat.TURTLE: "turtle", RdfFormat.N_TRIPLES: "nt",
                                   RdfFormat.N_QUADS: "nquads"}[fmt])
    return graph


# --- the W3C SPARQL 1.1 Protocol cases --------------------------------------------------------

def test_relative_iris_resolve_against_the_endpoint(client):
    """W3C protocol test query_post_relative_iris (a CONSTRUCT with relative IRIs)."""
    response = client.post("/sparql", data="CONSTRUCT { <s> <p> 1 } WHERE {}",
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/n-triples"},
                           base_url="http://example.org:8000")
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == (
        '<http://example.org:8000/s> <http://example.org:8000/p> '
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')


def test_a_query_of_its_own_base_keeps_it(client):
    response = client.get("/sparql", query_string={
        "query": "BASE <http://other.example/> CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"})
    assert response.get_data(as_text=True).startswith("<http://other.example/s>")


def test_a_query_body_in_another_charset_is_refused(client):
    """W3C protocol test query_wrong_charset: UTF-16 is not UTF-8, and says so with a 4xx."""
    response = client.post("/sparql", data="ASK {}".encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert response.status_code == 415
    assert "UTF-8" in response.get_data(as_text=True)


def test_a_utf8_charset_parameter_is_fine(client):
    response = client.post("/sparql", data="ASK {}", headers={
        "Content-Type": "application/sparql-query; charset=utf-8",
        "Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json["boolean"] is True


# --- the Graph Store Protocol, read side ------------------------------------------------------

@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples"])
def test_a_named_graph_by_the_graph_store_protocol(client, store, accept):
    iri = graph_iri("shapes")
    response = client.get("/sparql", query_string={"graph": iri}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    fmt = RdfFormat.TURTLE if accept == "text/turtle" else RdfFormat.N_TRIPLES
    in_store = serialize([q.triple for q in store.quads_for_pattern(None, None, None,
                                                                    NamedNode(iri))],
                         format=RdfFormat.N_TRIPLES)
    assert isomorphic(triples_of(response.data, fmt), triples_of(in_store, RdfFormat.N_TRIPLES))
    assert response.headers["Cache-Control"].startswith("public, max-age=")


def test_the_default_graph_is_the_union(client):
    response = client.get("/sparql?default", headers={"Accept": "application/n-triples"})
    count = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"})
    expected = int(count.json["results"]["bindings"][0]["n"]["value"])
    assert len(list(parse(response.data, format=RdfFormat.N_TRIPLES))) == expected


def test_head_sends_the_headers_alone(client):
    get = client.get("/sparql", query_string={"graph": graph_iri("ontology")})
    head = client.head("/sparql", query_string={"graph": graph_iri("ontology")})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["ETag"] == get.headers["ETag"]


def test_an_unknown_graph_is_404_naming_the_graphs(client):
    response = client.get("/sparql", query_string={"graph": "http://example.org/none"},
                          headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert graph_iri("data") in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_graph_store_writes_are_405_with_allow(client, method):
    response = client.open("/sparql", method=method, query_string={"graph": graph_iri("data")},
                           data="<a:b> <a:c> <a:d> .", headers={"Content-Type": "text/turtle"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "PUT" not in response.headers["Allow"]
    assert "read-only" in response.get_data(as_text=True)


def test_options_lists_no_write_method(client):
    allowed = client.options("/sparql").headers["Allow"].split(", ")
    assert "GET" in allowed and not {"PUT", "DELETE", "PATCH"} & set(allowed)


def test_a_post_of_data_is_403_with_allow(client):
    response = client.post("/sparql", query_string={"graph": graph_iri("data")},
                           data="<a:b> <a:c> <a:d> .", headers={"Content-Type": "text/turtle"})
    assert response.status_code == 403
    assert "GET" in response.headers["Allow"]


def test_a_graph_past_the_byte_limit_is_507(settings):
    client = create_app({**settings, "max_result_bytes": 10_000}).test_client()
    response = client.get("/sparql?default", headers={"Accept": "text/turtle"})
    assert response.status_code == 507 and "10,000 bytes" in response.get_data(as_text=True)


def test_graph_store_without_a_format_it_has_is_406(client):
    response = client.get("/sparql?default", headers={"Accept": "text/html"})
    assert response.status_code == 406


def test_the_service_description_declares_the_graph_store(client):
    response = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert ("<http://purl.org/dc/terms/conformsTo> "
            "<https://www.w3.org/TR/sparql11-http-rdf-update/>") in response.get_data(as_text=True)


# --- JSON-LD and quad documents ---------------------------------------------------------------

def test_json_ld_is_compacted_with_the_entity_on_top(client):
    response = client.get(f"{ENTITY}.jsonld")
    assert response.headers["Content-Type"] == \
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
    document = json.loads(response.data)
    assert document["@id"] == "platform:beijingtong"
    assert document["@context"]["platform"] == "https://w3id.org/govkg/id/platform/"
    assert "gk:MobileApp" in document["@type"]
    assert "@reverse" in document


@pytest.mark.parametrize("path", [f"{ENTITY}.jsonld", "/ontology.jsonld", "/void.jsonld",
                                  "/id/region/guangdong.jsonld"])
def test_compacted_json_ld_says_what_turtle_says(client, path):
    """A JSON-LD processor (pyld) reads the same triples from the compacted document as rdflib
    reads from the Turtle one."""
    document = json.loads(client.get(path).data)
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    turtle = client.get(path.replace(".jsonld", ".ttl")).data
    assert isomorphic(triples_of(nquads.encode(), RdfFormat.N_QUADS),
                      triples_of(turtle, RdfFormat.TURTLE))


def test_the_expanded_profile_is_honoured(client):
    response = client.get(ENTITY, headers={"Accept": EXPANDED})
    assert response.status_code == 303 and response.location.endswith(".jsonld")
    document = client.get(f"{ENTITY}.jsonld", headers={"Accept": EXPANDED})
    assert document.headers["Content-Type"].endswith('json-ld#expanded"')
    body = json.loads(document.data)
    assert isinstance(body, list) and all("@context" not in node for node in body)


@pytest.mark.parametrize(("ext", "fmt"), [("nq", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG)])
def test_a_quad_document_default_graph_holds_the_description(client, ext, fmt):
    """What Comunica saw empty: the default graph of the .nq document."""
    quads = list(parse(client.get(f"{ENTITY}.{ext}").data, format=fmt))
    default = {q.triple for q in quads if isinstance(q.graph_name, DefaultGraph)}
    named = {q.triple for q in quads if not isinstance(q.graph_name, DefaultGraph)}
    assert default == named and len(default) > 20
    turtle = client.get(f"{ENTITY}.ttl").data
    assert isomorphic(triples_of(serialize(default, format=RdfFormat.N_TRIPLES),
                                 RdfFormat.N_TRIPLES), triples_of(turtle, RdfFormat.TURTLE))


# --- compression, caching, CORS, health -------------------------------------------------------

@pytest.mark.parametrize(("path", "headers"), [
    (f"{ENTITY}.ttl", {}),
    ("/sparql", {"Accept": "application/sparql-results+json"}),
    ("/static/query-editor.js", {}),
    ("/ontology", {"Accept": "text/html"}),
])
@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_text_is_compressed_by_accept_encoding(client, path, headers, coding):
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"} if path == "/sparql" else {}
    plain = client.get(path, query_string=params, headers=headers)
    packed = client.get(path, query_string=params, headers={**headers, "Accept-Encoding": coding})
    plain_body, packed_body = plain.data, packed.data
    plain.close(), packed.close()  # static files are streamed from an open file
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == coding
    assert "Accept-Encoding" in packed.headers["Vary"]
    unpack = gzip.decompress if coding == "gzip" else brotli.decompress
    body = unpack(packed_body)
    assert len(packed_body) < len(body) / 2
    if path != "/ontology":  # a page has a new CSP nonce each time
        assert body == plain_body


def test_a_compressed_etag_revalidates(client):
    first = client.get(f"{ENTITY}.ttl", headers={"Accept-Encoding": "gzip"})
    again = client.get(f"{ENTITY}.ttl", headers={"Accept-Encoding": "gzip",
                                                 "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_dumps_keep_their_bytes_and_ranges(client):
    response = client.get("/dumps/govkg.ttl", headers={"Accept-Encoding": "gzip",
                                                       "Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.data) == 100
    assert "Content-Encoding" not in response.headers
    response.close()


@pytest.mark.parametrize(("path", "params", "headers"), [
    (f"{ENTITY}.ttl", {}, {}),
    ("/ontology", {}, {"Accept": "text/turtle"}),
    ("/.well-known/void", {}, {"Accept": "text/turtle"}),
    ("/catalog.ttl", {}, {}),
    ("/sparql", {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("/sparql", {}, {"Accept": "text/turtle"}),  # the Service Description
    (ENTITY, {}, {"Accept": "text/turtle"}),  # the 303
])
def test_build_bound_documents_may_be_cached(client, path, params, headers):
    response = client.get(path, query_string=params, headers=headers)
    assert response.status_code in (200, 303)
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.status_code == 303 or response.headers["ETag"]


def test_posted_queries_and_pages_are_not_marked_cacheable(client):
    posted = client.post("/sparql", data={"query": SELECT},
                         headers={"Accept": "application/sparql-results+json"})
    page = client.get(f"{ENTITY}.html")
    assert "Cache-Control" not in posted.headers and "Cache-Control" not in page.headers


@pytest.mark.parametrize("asked", [
    "x-requested-with", "content-type, x-requested-with", "authorization, content-type",
    "accept, content-type, cache-control",  # Comunica's fetch in a browser
])
def test_preflights_allow_what_browser_clients_send(client, asked):
    response = client.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": asked})
    assert response.status_code == 200
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"]
               .split(",")}
    assert {h.strip() for h in asked.split(",")} <= allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/health", "/$/ping"])
def test_health_probes_are_cheap_and_uncounted(client, path):
    before = client.get("/metrics").get_data(as_text=True)
    response = client.get(path)
    assert response.status_code == 200 and response.data.strip()
    assert response.headers["Cache-Control"] == "no-store"
    after = client.get("/metrics").get_data(as_text=True)
    assert path not in after

    def unrouted(text: str) -> list[str]:
        return [line for line in text.splitlines() if "(no route)" in line]
    assert unrouted(before) == unrouted(after)
    assert client.head(path).data == b""
    assert client.post(path).status_code == 405
