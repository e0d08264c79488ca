"""The lane for plain machine GETs (``govkg.web.views.sparql_lane``): it answers only in a
context the whole way decided, exactly as the whole way answers, hands every other request
and outcome over, runs no query twice, and counts what the hooks count."""

import re
import uuid
from collections.abc import Callable
from urllib.parse import quote

import pytest
import requests
from live import LiveServer

from govkg.formats import find_format
from govkg.web.security import MAX_URL_BYTES
from govkg.web.views.sparql import POOL
from govkg.web.views.sparql_lane import LaneHead, SparqlLane

JSON = "application/sparql-results+json"
RENEWED = {"X-Request-Id", "Server-Timing", "Date"}
PROVINCES = "SELECT ?p WHERE {{ ?p a gk:Province }} VALUES ?n {{ {n} }}"


def lane_of(app) -> SparqlLane:
    layer = app.wsgi_app
    while not isinstance(layer, SparqlLane):
        layer = layer.app
    return layer


def counting(function: Callable, calls: list) -> Callable:
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return counted


def fresh(template: str = PROVINCES) -> str:
    """A query no test sent before: its answer is in no cache."""
    return template.format(n=uuid.uuid4().int % 10**18)


@pytest.fixture
def whole_way(app, monkeypatch) -> list:
    """The requests that reached Flask's own WSGI app (the whole way)."""
    calls: list = []
    lane = lane_of(app)
    monkeypatch.setattr(lane, "app", counting(lane.app, calls))
    return calls


@pytest.fixture
def runs(app, monkeypatch) -> list:
    """The jobs given to the query pool."""
    calls: list = []
    pool = app.extensions[POOL]
    monkeypatch.setattr(pool, "run", counting(pool.run, calls))
    return calls


def get(client, query: str, accept: str = JSON, **headers: str):
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": accept, **headers})
    response.get_data()  # read whole (a streamed answer too), then closed:
    response.close()  # the answer is stored when the response closes
    return response


def lane_timing(response) -> bool:
    return response.headers["Server-Timing"].endswith(", lane")


def test_a_plain_get_takes_the_lane_once_its_context_was_decided(app, client, whole_way, runs):
    lane_of(app).decided.clear()  # as in a new server process
    first = get(client, fresh(), "application/sparql-results+xml")
    assert first.status_code == 200 and not lane_timing(first)
    assert len(whole_way) == 1
    second = get(client, fresh(), "application/sparql-results+xml")
    assert second.status_code == 200 and lane_timing(second)
    assert len(whole_way) == 1 and len(runs) == 2
    again = get(client, fresh(), "application/sparql-results+xml;q=0.9")  # another context
    assert not lane_timing(again) and len(whole_way) == 2


@pytest.mark.parametrize(("template", "accept"), [
    (PROVINCES, JSON),
    (PROVINCES, "text/csv"),
    (PROVINCES, "text/tab-separated-values"),
    ("ASK {{ ?p a gk:Province }} VALUES ?n {{ {n} }}", "application/sparql-results+xml"),
    ("CONSTRUCT {{ ?p a gk:Province }} WHERE {{ ?p a gk:Province }} VALUES ?n {{ {n} }}",
     "text/turtle"),
    ("DESCRIBE <https://w3id.org/govkg/id/province/guangdong> VALUES ?n {{ {n} }}",
     "application/n-triples"),
    ("PREFIX s: <http://schema.org/> SELECT ?l {{ ?x rdfs:label ?l FILTER(CONTAINS(?l, "
     "'Service')) }} VALUES ?n {{ {n} }}", JSON),  # names the word: parsed, then the lane
])
def test_the_lane_answers_as_the_whole_way_does(app, client, template, accept):
    lane = lane_of(app)
    get(client, fresh(template), accept)  # the whole way decides this context
    query, other = fresh(template), fresh(template)
    laned = get(client, query, accept)  # a miss, in the lane
    lane.decided.clear()
    whole = get(client, other, accept)  # a miss, the whole way
    lane.decided.clear()
    again = get(client, query, accept)  # the lane's answer, kept: a hit, the whole way
    assert lane_timing(laned) and not lane_timing(whole) and not lane_timing(again)
    assert laned.status_code == whole.status_code == again.status_code == 200
    assert laned.data == again.data
    assert headers(laned) == headers(again)
    assert headers(laned, "ETag") == headers(whole, "ETag")
    assert laned.headers["ETag"] != whole.headers["ETag"]
    timing = r"app;dur=[\d.]+, query;dur=[\d.]+(, engine;dur=[\d.]+)?"
    assert re.fullmatch(timing + ", lane", laned.headers["Server-Timing"])
    assert re.fullmatch(timing, whole.headers["Server-Timing"])


def headers(response, *leaving: str) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in response.headers.items()
                  if name not in RENEWED | set(leaving))


@pytest.mark.parametrize(("query_string", "headers"), [
    ({"query": "{query}"}, {"Accept-Encoding": "gzip"}),
    ({"query": "{query}"}, {"Accept-Encoding": "identity, gzip;q=0.5"}),
    ({"query": "{query}"}, {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}),
    ({"query": "{query}"}, {"If-None-Match": 'W/"r000"'}),
    ({"query": "{query}", "format": "json"}, {}),
    ({"query": "{query}", "default-graph-uri": "https://w3id.org/govkg/graph/data"}, {}),
    ({"query": "{query}", "query ": "x"}, {}),
])
def test_other_requests_take_the_whole_way(app, client, whole_way, query_string, headers):
    get(client, fresh())  # the context is decided
    before = len(whole_way)
    response = client.get("/sparql", headers={"Accept": JSON, **headers}, query_string={
        name: value.format(query=fresh()) for name, value in query_string.items()})
    assert len(whole_way) == before + 1
    assert response.status_code in (200, 304, 400) and not lane_timing(response)


@pytest.mark.parametrize(("query", "status"), [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
    ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400),
    ("SELECT * { ?s ?p ", 400),
    ("SELEC ?s { ?s ?p ?o }", 400),
])
def test_refused_queries_are_refused_by_the_whole_way(client, whole_way, runs, query, status):
    get(client, fresh())
    before = len(whole_way)
    response = get(client, query)
    assert response.status_code == status
    assert len(whole_way) == before + 1 and len(runs) <= 2  # a formless text runs once


def test_an_outcome_the_lane_does_not_send_goes_the_whole_way_without_a_second_run(
        app, client, whole_way, runs):
    get(client, fresh())
    before = len(whole_way)
    big = ("SELECT ?s ?p ?o ?n WHERE {{ ?s ?p ?o }} VALUES ?n {{ {n} }}")  # streamed: > 64 KiB
    response = get(client, fresh(big))
    assert response.status_code == 200 and not lane_timing(response)
    assert response.data.rstrip().endswith(b"}")
    assert len(whole_way) == before + 1
    assert len(runs) == 2  # the context's first query and this one: each ran once


def test_a_time_out_in_the_lane_is_answered_by_the_whole_way(app, client, runs, monkeypatch):
    from govkg.web.serve.query_pool import QueryTimedOut

    get(client, fresh())
    pool = app.extensions[POOL]

    def timed_out(*args, **kwargs):
        raise QueryTimedOut
    monkeypatch.setattr(pool, "run", timed_out)
    response = get(client, fresh())
    assert response.status_code == 503 and "timed out" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def metric(client, name: str, **labels: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    for line in text.splitlines():
        found = re.fullmatch(rf"{name}{{(.*)}} (\S+)", line)
        if found and dict(re.findall(r'(\w+)="([^"]*)"', found.group(1))) == labels:
            return float(found.group(2))
    return 0.0


def test_the_lane_counts_what_the_hooks_count(client):
    get(client, fresh())
    requests_before = metric(client, "govkg_http_requests_total", route="/sparql",
                             method="GET", status="200")
    lookups = {outcome: metric(client, "govkg_result_cache_lookups_total", outcome=outcome)
               for outcome in ("hit", "miss", "stored")}
    query = fresh()
    assert lane_timing(get(client, query)) and lane_timing(get(client, query))  # miss, hit
    assert metric(client, "govkg_http_requests_total", route="/sparql", method="GET",
                  status="200") == requests_before + 2
    assert {outcome: metric(client, "govkg_result_cache_lookups_total", outcome=outcome)
            - lookups[outcome] for outcome in lookups} == {"hit": 1, "miss": 1, "stored": 1}


def test_a_served_lane_answer_is_logged_and_kept_alive(live_server: LiveServer):
    with requests.Session() as session:  # one kept-alive connection: one server worker
        # a client asking for gzip takes the whole way; http.client then sends "identity"
        del session.headers["Accept-Encoding"]
        # a client the server has not seen: its first or second answer is the lane's (the
        # next ones come from the server worker's loop, ``test_query_heads``)
        session.headers["User-Agent"] = f"client-{uuid.uuid4()}"
        answers = [session.get(live_server.url + "/sparql", params={"query": fresh()},
                               headers={"Accept": JSON}, timeout=60) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    laned = [a for a in answers if a.headers["Server-Timing"].endswith(", lane")]
    assert laned, [a.headers["Server-Timing"] for a in answers]
    assert laned[-1].json()["results"]["bindings"]
    assert laned[-1].headers["X-Content-Type-Options"] == "nosniff"
    request_id = laned[-1].headers["X-Request-Id"]
    assert live_server.line_with(request_id)


def test_a_head_takes_only_what_the_lane_would(app):
    """The loop hands a head's mark each query's raw value (``LaneHead.begin``)."""
    head = LaneHead(lane_of(app), "results", find_format("json"), "http://x/sparql", "c")

    def begin(query: str, target_padding: int = 0):
        value = quote(query, safe="")
        return head.begin("/sparql?query=" + value + "x" * target_padding, value)

    taken = begin("SELECT ?s WHERE { ?s a gk:Province } LIMIT 1")
    assert taken is not None and taken.job.format_name == "json"
    assert taken.job.base_iri == "http://x/sparql" and taken.client == "c"
    assert begin("SELECT ?s WHERE { ?s a gk:Province }", MAX_URL_BYTES) is None  # 414
    assert begin("INSERT DATA { <urn:a> <urn:b> <urn:c> }") is None
    assert begin("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }") is None
    assert begin("CONSTRUCT WHERE { ?s ?p ?o }") is None  # another kind, another format
    assert begin("SELECT (RAND() AS ?r) WHERE {}") is None  # not the same each time
    assert begin("SELEC ?s") is None  # no query form: the whole way says why
    assert head.begin("/sparql?query=%FF", "%FF") is None  # not UTF-8
