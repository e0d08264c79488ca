"""Size caps and the row cap: 413 for a big body, 414 for a long URL; complete results for
machine clients (or 507 past the byte limit), a shown cut for the query page and its editor.

The live tests use the strict server (``--max-rows 50``); the worker's cut is also tested
in-process on the built store.
"""

import csv
import io
import json

import pytest
import requests
from live import STRICT_MAX_ROWS
from pyoxigraph import QueryResultsFormat, parse_query_results

from govkg.web.app import create_app
from govkg.web.serve.query_worker import PAGE, QueryJob, evaluate

ALL = "SELECT * WHERE { ?s ?p ?o }"
FEW = "SELECT ?label WHERE { platform:beijingtong rdfs:label ?label }"
TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


# what Chromium sends with the editor's fetch() to its own origin
EDITOR = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}


def sparql(server, query: str, accept: str, headers: dict | None = None,
           **params) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query, **params},
                        headers={"Accept": accept, **(headers or {})}, timeout=30)


def solution_count(server, where: str = "?s ?p ?o") -> int:
    response = sparql(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}",
                      "application/sparql-results+json")
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.server
def test_a_query_body_over_1_mb_gets_413(strict_server):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)
    for data, content_type in ((big.encode(), "application/sparql-query"),
                               ({"query": big}, None)):
        headers = {"Content-Type": content_type} if content_type else {}
        response = requests.post(strict_server.url + "/sparql", data=data, headers=headers,
                                 timeout=30)
        assert response.status_code == 413, response.text[:300]
        assert "Traceback" not in response.text


@pytest.mark.server
def test_a_query_just_under_the_cap_is_fine(strict_server):
    query = "ASK { ?s ?p ?o } #" + "x" * 500_000
    response = requests.post(strict_server.url + "/sparql", data=query.encode(), timeout=30,
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
    assert response.status_code == 200


@pytest.mark.server
def test_an_overlong_url_gets_414(strict_server):
    response = sparql(strict_server, ALL + " #" + "x" * 9000, "application/json")
    assert response.status_code == 414


@pytest.mark.server
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml",
                                    "text/tab-separated-values"])
def test_results_cut_at_max_rows_say_so_in_the_editor(strict_server, accept):
    response = sparql(strict_server, ALL, accept, EDITOR)
    assert response.status_code == 200
    assert response.headers["X-Govkg-Truncated"] == "true"
    assert response.headers["X-Govkg-Max-Rows"] == str(STRICT_MAX_ROWS)
    if accept.endswith("json"):
        body = response.json()
        assert body["truncated"] is True
        assert len(body["results"]["bindings"]) == STRICT_MAX_ROWS
    elif accept == "text/csv":
        assert len(list(csv.reader(io.StringIO(response.text)))) == STRICT_MAX_ROWS + 1
    elif accept.endswith("xml"):
        assert response.text.count("<result>") == STRICT_MAX_ROWS
    else:
        assert len(response.text.splitlines()) == STRICT_MAX_ROWS + 1


@pytest.mark.server
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv",
                                    "application/sparql-results+xml",
                                    "text/tab-separated-values"])
def test_machine_clients_get_complete_results(strict_server, accept):
    response = sparql(strict_server, ALL, accept)
    assert response.status_code == 200
    assert "X-Govkg-Truncated" not in response.headers
    expected = solution_count(strict_server)
    assert expected > STRICT_MAX_ROWS
    if accept.endswith("json"):
        assert len(response.json()["results"]["bindings"]) == expected
    elif accept == "text/csv":
        assert len(list(csv.reader(io.StringIO(response.text)))) == expected + 1
    elif accept.endswith("xml"):
        assert response.text.count("<result>") == expected
    else:
        assert response.text.count("\n") == expected + 1


@pytest.mark.server
def test_machine_clients_get_every_constructed_triple(strict_server):
    response = sparql(strict_server, TRIPLES, "application/n-triples")
    assert "X-Govkg-Truncated" not in response.headers
    distinct = solution_count(strict_server, "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(set(response.text.strip().splitlines())) == distinct


@pytest.mark.server
def test_constructed_triples_are_cut_in_the_editor(strict_server):
    response = sparql(strict_server, TRIPLES, "application/n-triples", EDITOR)
    assert response.headers["X-Govkg-Truncated"] == "true"
    assert len(response.text.strip().splitlines()) == STRICT_MAX_ROWS


@pytest.mark.server
def test_small_results_are_not_flagged(strict_server):
    response = sparql(strict_server, FEW, "application/sparql-results+json")
    assert "X-Govkg-Truncated" not in response.headers
    assert "truncated" not in response.json()


@pytest.mark.server
def test_the_query_page_shows_the_cut(strict_server):
    response = sparql(strict_server, ALL, "text/html")
    assert response.status_code == 200
    assert response.headers["X-Govkg-Truncated"] == "true"
    assert "cut off at 50 rows" in response.text


def job(query: str, format_name: str, max_rows: int | None = 3,
        max_bytes: int | None = None) -> QueryJob:
    return QueryJob(query, None, None, True, format_name, max_rows, max_bytes)


def test_a_result_over_the_byte_limit_is_refused_whole(store):
    whole = evaluate(store, job(ALL, "json", None))
    assert whole.status == "ok" and not whole.truncated
    over = evaluate(store, job(ALL, "json", None, len(whole.body) - 1))
    assert over.status == "too-large" and over.body == b"" and over.code == 507
    assert f"{len(whole.body) - 1:,} bytes" in over.message
    assert evaluate(store, job(ALL, "json", None, len(whole.body))).body == whole.body


def test_the_endpoint_answers_507_past_the_byte_limit(settings):
    app = create_app({**settings, "max_result_bytes": 10_000})
    response = app.test_client().get("/sparql", query_string={"query": ALL},
                                     headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 507
    assert "10,000 bytes" in response.get_data(as_text=True)
    small = app.test_client().get("/sparql", query_string={"query": FEW},
                                  headers={"Accept": "application/sparql-results+json"})
    assert small.status_code == 200


def test_the_worker_cuts_solutions_and_keeps_every_term(store):
    answer = evaluate(store, job(ALL, "json"))
    assert answer.status == "ok" and answer.truncated and answer.rows == 3
    body = json.loads(answer.body)
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 3
    full = evaluate(store, job(FEW, "json", 10))
    assert not full.truncated and full.rows == 2
    assert {b["label"]["xml:lang"] for b in json.loads(full.body)["results"]["bindings"]} \
        == {"zh", "en"}


def test_the_page_format_is_tsv_the_web_process_reads_back(store):
    answer = evaluate(store, job(FEW, PAGE, 10))
    labels = {row["label"].value for row in
              parse_query_results(answer.body, format=QueryResultsFormat.TSV)}
    assert labels == {"北京通", "Beijing Tong"}


def test_syntax_errors_and_evaluation_errors_are_answers(store):
    assert evaluate(store, job("SELECT * WHERE {", "json")).status == "syntax"
    failed = evaluate(store, job(TRIPLES, "json"))  # triples cannot be SPARQL JSON results
    assert failed.status == "failed" and failed.message
