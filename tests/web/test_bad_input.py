"""Bad input never makes a 500 or shows a traceback: it gets a 4xx that says what was wrong."""

import pytest
import requests

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
ODD_ACCEPT = ["", "*", "garbage", "text/", ";q=1", "text/html;q=abc", "*/*;q=-1",
              "application/sparql-results+json;q=0", "image/png, video/*",
              "text/turtle;;;q=0.5,,,", "a" * 5000, "text/html\u00e9"]
BAD_PATHS = ["/id/", "/id/%FF%FE", "/id/a%00b", "/id/<script>", "/id/a b", "/id/x/../../etc",
             "/id/platform/beijingtong.exe", "/classes/nope:Thing", "/classes/gk", "/provinces/%FF",
             "/graph/nope", "/graph/data.exe", "/ontology.exe", "/dumps/%FF", "/no/such/page",
             "/classes/?iri=not%20an%20iri", "/classes/?iri=http://example.org/Nothing"]


def assert_clean_4xx(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    assert response.text.strip()


@pytest.mark.parametrize("accept", ODD_ACCEPT)
@pytest.mark.parametrize("path", ["/id/platform/beijingtong", "/sparql", "/ontology", "/"])
def test_odd_accept_headers(client, accept, path):
    response = client.get(path, query_string={"query": SELECT} if path == "/sparql" else None,
                          headers={"Accept": accept})
    assert response.status_code < 500
    assert "Traceback" not in response.text


def test_unmatchable_accept_is_406_listing_types(client):
    response = client.get("/id/platform/beijingtong", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


@pytest.mark.parametrize("params", [
    {"query": SELECT, "format": "nonsense"},
    {"query": SELECT, "format": "turtle"},
    {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "format": "csv"},
    {"format": "xlsx"},
    {"query": SELECT, "default-graph-uri": "not an iri"},
    {"query": SELECT, "named-graph-uri": "<bad>"},
    {"query": [SELECT, SELECT]},
    {"query": ""},
    {"query": "\u0000"},
    {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
])
def test_bad_sparql_requests(client, params):
    assert_clean_4xx(client.get("/sparql", query_string=params))


def test_unknown_entity_format(client):
    assert_clean_4xx(client.get("/id/platform/beijingtong.xlsx"))
    assert_clean_4xx(client.get("/ontology", query_string={"format": "pdf"}))


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_paths(client, path):
    assert_clean_4xx(client.get(path, headers={"Accept": "text/html"}))


def test_wrong_content_type_for_post(client):
    response = client.post("/sparql", data=b"<x/>", headers={"Content-Type": "application/xml"})
    assert response.status_code == 415
    assert_clean_4xx(response)


def test_post_body_not_utf8(client):
    response = client.post("/sparql", data=b"SELECT * { ?s ?p \xff\xfe }",
                           headers={"Content-Type": "application/sparql-query"})
    assert_clean_4xx(response)


def test_form_not_utf8(client):
    response = client.post("/sparql", data=b"query=SELECT%20%FF",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_clean_4xx(response)
    assert "UTF-8" in response.text


def test_method_not_allowed(client):
    assert_clean_4xx(client.delete("/sparql"))
    assert_clean_4xx(client.put("/id/platform/beijingtong"))


@pytest.mark.server
@pytest.mark.parametrize("path", ["/sparql?query=SELECT%20%FF", "/id/%FF%FE", "/%C3%28",
                                  "/sparql?query=%", "/id/platform/beijingtong?%FF=1"])
def test_non_utf8_bytes_on_the_wire(live_server, path):
    response = requests.get(live_server.url + path, timeout=30, headers={"Accept": "text/plain"})
    assert_clean_4xx(response)
    assert "UTF-8" in response.text or response.status_code in (400, 404)


@pytest.mark.server
def test_huge_header_is_refused_cleanly(live_server):
    response = requests.get(live_server.url + "/", timeout=30, headers={"Accept": "a" * 20000})
    assert response.status_code < 500
