"""The dumps: each parses, its triple count is the one VoID gives, its SHA-256 and size are
the ones DCAT gives, and conditional and range requests work."""

import base64
import gzip
import hashlib

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef

from govkg.distributions import DISTRIBUTIONS

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
FILES = [d.file for d in DISTRIBUTIONS]
RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "nquads": "nquads",
                 "ntriples": "nt"}


@pytest.fixture(scope="module")
def void(live_server) -> Graph:
    response = live_server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


@pytest.fixture(scope="module")
def catalog(live_server) -> Graph:
    response = live_server.get("/catalog", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="json-ld")


def count_triples(body: bytes, dist) -> int:
    if dist.gzipped:
        body = gzip.decompress(body)
    rdflib_format = RDFLIB_FORMAT[dist.format_name]
    if rdflib_format == "nquads":
        dataset = Dataset()
        dataset.parse(data=body, format="nquads")
        return sum(1 for _ in dataset.quads((None, None, None, None)))
    return len(Graph().parse(data=body, format=rdflib_format))


def void_count(void: Graph, live_server, file: str) -> int:
    """The triples VoID says the dump holds: those of the dataset it is a dump of."""
    url = URIRef(f"{live_server.url}/dumps/{file}")
    (dataset,) = set(void.subjects(VOID.dataDump, url))
    if file.endswith(".nq.gz"):  # quads: the named-graph subsets, added up
        subsets = [s for s in void.objects(dataset, VOID.subset)
                   if (s, SD.name, None) in void]
        return sum(int(void.value(s, VOID.triples)) for s in subsets)
    return int(void.value(dataset, VOID.triples))


@pytest.mark.server
def test_listing_shows_every_dump(live_server):
    page = live_server.get("/dumps/").text
    for file in FILES:
        assert f'href="/dumps/{file}"' in page


@pytest.mark.server
@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=FILES)
def test_dump_parses_and_matches_void_and_dcat(live_server, void, catalog, dist):
    response = live_server.get(f"/dumps/{dist.file}")
    assert response.status_code == 200
    body = response.content
    assert response.headers["Content-Type"].startswith(dist.media_type)
    assert count_triples(body, dist) == void_count(void, live_server, dist.file) > 0
    distribution = URIRef(f"https://w3id.org/govkg/dumps/{dist.file}")
    assert int(catalog.value(distribution, DCAT.byteSize)) == len(body)
    checksum = catalog.value(distribution, SPDX.checksum)
    assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
    assert (distribution, DCAT.downloadURL, URIRef(response.url)) in catalog


@pytest.mark.server
def test_void_basics(live_server, void):
    dataset = URIRef("https://w3id.org/govkg/void#govkg")
    assert (dataset, VOID.uriSpace, Literal("https://w3id.org/govkg/id/")) in void
    assert (dataset, VOID.sparqlEndpoint, URIRef(live_server.url + "/sparql")) in void
    assert int(void.value(dataset, VOID.entities)) > 100
    assert len(list(void.objects(dataset, VOID.classPartition))) > 10
    assert len(list(void.objects(dataset, VOID.propertyPartition))) > 10
    vocabularies = set(void.objects(dataset, VOID.vocabulary))
    assert URIRef("https://w3id.org/govkg/ontology#") in vocabularies


@pytest.mark.server
def test_void_triples_equal_the_endpoint_count(live_server, void):
    response = live_server.get("/sparql", params={
        "query": "SELECT (COUNT(*) AS ?n) { GRAPH <https://w3id.org/govkg/graph/data> "
                 "{ ?s ?p ?o } }"}, headers={"Accept": "application/sparql-results+json"})
    n = int(response.json()["results"]["bindings"][0]["n"]["value"])
    subset = URIRef("https://w3id.org/govkg/void#graph-data")
    assert int(void.value(subset, VOID.triples)) == n


@pytest.mark.server
def test_range_request(live_server):
    whole = live_server.get("/dumps/govkg.ttl").content
    part = live_server.get("/dumps/govkg.ttl", headers={"Range": "bytes=10-109"})
    assert part.status_code == 206
    assert part.content == whole[10:110]
    assert part.headers["Content-Range"] == f"bytes 10-109/{len(whole)}"


@pytest.mark.server
def test_conditional_requests(live_server):
    first = live_server.get("/dumps/govkg.nq.gz")
    assert first.headers["ETag"].strip('"') == hashlib.sha256(first.content).hexdigest()
    by_etag = live_server.get("/dumps/govkg.nq.gz", headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 304
    by_date = live_server.get("/dumps/govkg.nq.gz",
                              headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304


@pytest.mark.server
def test_unknown_dump_is_404(live_server):
    assert live_server.get("/dumps/secret.ttl").status_code == 404
    assert live_server.get("/dumps/..%2Fmanifest.json").status_code == 404


@pytest.mark.server
def test_the_served_dump_conforms_to_the_served_shapes(live_server):
    """What a user downloads passes what the user downloads: the asserted graphs (the ontology
    among them, for the class hierarchy) against the shapes, with pySHACL, as served."""
    import pyshacl

    data = Graph().parse(data=live_server.get("/dumps/govkg.ttl").content, format="turtle")
    shapes = Graph().parse(data=live_server.get("/dumps/shapes.ttl").content, format="turtle")
    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                               advanced=True)
    assert conforms, text
    validation = live_server.get("/validation.ttl")
    report = Graph().parse(data=validation.content, format="turtle")
    assert (None, SH.conforms, Literal(True)) in report


@pytest.mark.parametrize("file", FILES)
def test_each_dump_carries_its_digest(client, file):
    """``Digest: sha-256=…`` (RFC 3230: base64 of the hash) is the hash of the bytes sent."""
    response = client.get(f"/dumps/{file}")
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert response.headers["Digest"] == f"sha-256={expected}"
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
