"""The endpoint decides on SERVICE from the grammar's parse (in process, Flask's client):
the issue's attack and a query the grammar cannot read are refused with 400 before any
query worker is asked, the query page shows why, and a query asked again is not parsed
again."""

import pytest

from govkg.sparql_grammar import _cached_parse

ATTACK = ("PREFIX e: <http://e/> SELECT * { BIND(e:a\\# AS ?x) "
          "SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } }")
UNREADABLE = ("SELECT * { ?s ?p ?o FILTER(?o<5&&?o>3) "  # Oxigraph would run it, and call
              "SERVICE <http://127.0.0.1:9/x> { } }")
TEXT = {"Accept": "text/plain"}


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_the_escaped_hash_attack_is_refused(client, how):
    if how == "get":
        response = client.get("/sparql", query_string={"query": ATTACK}, headers=TEXT)
    elif how == "form":
        response = client.post("/sparql", data={"query": ATTACK}, headers=TEXT)
    else:
        response = client.post("/sparql", data=ATTACK, headers={
            **TEXT, "Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "SERVICE" in response.text and "http://127.0.0.1:9/x is not allowed" in response.text


def test_a_query_the_grammar_cannot_read_is_refused_with_the_place(client):
    response = client.post("/sparql", data={"query": UNREADABLE}, headers=TEXT)
    assert response.status_code == 400
    assert "SPARQL syntax error at line 1, column 30" in response.text
    assert "SPARQL 1.1 grammar" in response.text


def test_the_query_page_shows_the_refusal(client):
    response = client.post("/sparql", data={"query": UNREADABLE},
                           headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "SPARQL 1.1 grammar" in response.text


def test_a_query_asked_again_is_not_parsed_again(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # no service, asked twice"
    for _ in range(2):
        before = _cached_parse.cache_info()
        response = client.post("/sparql", data={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
    after = _cached_parse.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1
