"""The result cache: hits, misses, its byte bound, builds, keys that keep answers apart,
ETags that answer conditional GETs without evaluation, sharing across processes and the
hit rate in /metrics.

The cache itself is tested directly on a file of its own; the endpoint through the app
in-process, with its query pool wrapped so that each evaluation is counted; sharing across
web processes on a real ``govkg serve`` with two workers.
"""

import multiprocessing
import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from govkg.web.serve.query_worker import AnswerStatus, QueryAnswer, QueryJob
from govkg.web.serve.result_cache import (
    ENTRY_OVERHEAD_BYTES,
    EVICT_DOWN_TO,
    ResultCache,
    cache_key,
    cacheable,
    normalised,
)
from govkg.web.views.sparql import CACHE, POOL

JSON = "application/sparql-results+json"


def answer(body: bytes, media_type: str = JSON) -> QueryAnswer:
    return QueryAnswer(AnswerStatus.OK, "results", body, media_type, 1)


def key(query: str, build: str = "b1", **parts):
    fields = {"default_graphs": None, "named_graphs": None, "union_default_graph": True,
              "format_name": "json", "max_rows": 100, **parts}
    return cache_key(build, QueryJob(query, **fields))


# --- the cache on its own ------------------------------------------------------------------

def test_miss_then_hit(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c.sqlite", "b1", 1 << 20)
    k = key("ASK {}")
    assert cache.get(k) is None
    assert cache.put(k, QueryAnswer(AnswerStatus.OK, "boolean", b"true", "text/plain", 1, True))
    kept = cache.get(k)
    assert (kept.status, kept.kind, kept.body, kept.media_type, kept.rows, kept.truncated) == \
        ("ok", "boolean", b"true", "text/plain", 1, True)
    assert not cache.put(k, answer(b"other"))  # the first answer stays
    assert cache.get(k).body == b"true"


def test_failed_answers_are_not_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c.sqlite", "b1", 1 << 20)
    assert not cache.put(key("SELEC"), QueryAnswer(AnswerStatus.SYNTAX, message="SPARQL syntax error"))
    assert cache.get(key("SELEC")) is None


def test_bytes_stay_within_the_bound_oldest_go_first(tmp_path: Path) -> None:
    bound = 64 * 1024
    cache = ResultCache(tmp_path / "c.sqlite", "b1", bound)
    body = b"x" * 1000
    keys = [key(f"SELECT * WHERE {{ ?s ?p {n} }}") for n in range(300)]
    for k in keys:
        held = cache.put(k, answer(body))
        assert held == cache.held_bytes() <= bound
    entry = len(body) + len(JSON) + ENTRY_OVERHEAD_BYTES
    assert cache.held_bytes() == cache.entries() * entry
    assert cache.entries() >= int(bound * EVICT_DOWN_TO) // entry - 1  # no more go
    assert cache.get(keys[0]) is None and cache.get(keys[-1]) is not None
    assert (tmp_path / "c.sqlite").stat().st_size < 4 * bound  # freed pages are reused


def test_an_answer_over_an_eighth_of_the_bound_is_not_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c.sqlite", "b1", 8000)
    assert not cache.put(key("big"), answer(b"x" * 1000))
    assert cache.put(key("small"), answer(b"x" * 100))
    assert cache.held_bytes() == 100 + len(JSON) + ENTRY_OVERHEAD_BYTES


def test_a_new_build_invalidates(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    old = ResultCache(path, "b1", 1 << 20)
    old.put(key("ASK {}", build="b1"), answer(b"old"))
    new = ResultCache(path, "b2", 1 << 20)
    assert new.entries() == 0 and new.held_bytes() == 0  # the old build's answers are gone
    assert new.get(key("ASK {}", build="b2")) is None
    assert key("ASK {}", build="b1") != key("ASK {}", build="b2")


def test_keys_keep_formats_datasets_and_limits_apart() -> None:
    base = key("SELECT * { ?s ?p ?o }")
    others = [key("SELECT * { ?s ?p ?o }", format_name="csv"),
              key("SELECT * { ?s ?p ?o }", default_graphs=[]),
              key("SELECT * { ?s ?p ?o }", default_graphs=["https://w3id.org/govkg/graph/data"]),
              key("SELECT * { ?s ?p ?o }", named_graphs=["https://w3id.org/govkg/graph/data"]),
              key("SELECT * { ?s ?p ?o }", max_rows=10),
              key("SELECT * { ?s ?p ?o }", union_default_graph=False),
              key("SELECT * { ?s ?p ?x }")]
    assert len({base, *others}) == len(others) + 1
    assert len({k.etag for k in (base, *others)}) == len(others) + 1
    assert re.fullmatch(r'W/"r[0-9a-f]{24}"', base.etag)


def test_normalising_changes_nothing_that_matters() -> None:
    assert normalised("  SELECT *\n  WHERE {\t?s ?p ?o }\n") == "SELECT * WHERE { ?s ?p ?o }"
    # whitespace that may be part of a string, a comment or an escape is left as it is
    for text in ('SELECT * { ?s ?p "a  b" }', "SELECT * { ?s ?p 'a  b' }",
                 "SELECT * # a  b\n{ ?s ?p ?o }", "SELECT * { ?s ?p <a\\u0020  b> }"):
        assert normalised(text) == text
    assert key("SELECT * { ?s ?p ?o }") == key("SELECT *\n{ ?s  ?p ?o }\n")
    assert key('SELECT * { ?s ?p "a b" }') != key('SELECT * { ?s ?p "a  b" }')


@pytest.mark.parametrize("query", ["SELECT (RAND() AS ?r) {}", "SELECT (NOW() AS ?t) {}",
                                   "SELECT (UUID() AS ?u) {}", "SELECT (struuid() AS ?u) {}",
                                   "CONSTRUCT { [] a ?t } WHERE { BIND(BNODE() AS ?t) }",
                                   "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"])
def test_answers_that_change_from_run_to_run_are_not_cacheable(query: str) -> None:
    assert not cacheable(query)


def test_words_in_strings_do_not_count() -> None:
    assert cacheable('SELECT ?s { ?s rdfs:label "NOW" }')


def _put_in_child(path: str) -> None:
    ResultCache(Path(path), "b1", 1 << 20).put(key("from the child"), answer(b"child"))


def test_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = ResultCache(path, "b1", 1 << 20)
    child = multiprocessing.get_context("spawn").Process(target=_put_in_child, args=(str(path),))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert cache.get(key("from the child")).body == b"child"


def _open_at(path: str, start: float) -> None:
    time.sleep(max(0.0, start - time.time()))
    ResultCache(Path(path), "b1", 1 << 20)


def test_processes_opening_a_new_cache_at_once_all_open_it(tmp_path: Path) -> None:
    """Two server workers start together and both find no cache file yet."""
    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        start = time.time() + 0.3
        children = [context.Process(target=_open_at, args=(str(tmp_path / f"{attempt}.sqlite"),
                                                           start)) for _ in range(4)]
        for child in children:
            child.start()
        for child in children:
            child.join(60)
        assert [child.exitcode for child in children] == [0] * 4, attempt


# --- the endpoint, in-process ---------------------------------------------------------------

class CountingPool:
    """The app's query pool, counting the jobs it evaluates."""

    def __init__(self, pool) -> None:
        self.pool, self.jobs = pool, []

    def run(self, job, client, timeout):
        self.jobs.append(job)
        return self.pool.run(job, client, timeout)


@pytest.fixture
def counted(app, monkeypatch) -> CountingPool:
    pool = CountingPool(app.extensions[POOL])
    monkeypatch.setitem(app.extensions, POOL, pool)
    return pool


def fresh_query() -> str:
    """A query no other test has asked (its answer is not in the cache yet)."""
    return f'SELECT ?s ?tag WHERE {{ ?s a gk:Province BIND("{uuid.uuid4()}" AS ?tag) }}'


def sparql(client, query: str, accept: str = JSON, **params):
    """GET the query, then close the response as a WSGI server does once it has sent it
    (the endpoint stores a new answer then: the client never waits for the write)."""
    url = "/sparql?query=" + quote(query) + "".join(
        f"&{name}={quote(value)}" for name, values in params.items() for value in values)
    response = client.get(url, headers={"Accept": accept})
    response.get_data()
    response.close()
    return response


def test_a_repeated_query_is_evaluated_once(client, counted) -> None:
    query = fresh_query()
    first, second = sparql(client, query), sparql(client, query)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and b'"tag"' in first.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert len(counted.jobs) == 1


def test_accept_types_get_answers_of_their_own(client, counted) -> None:
    query = fresh_query()
    json_answer, csv_answer = sparql(client, query), sparql(client, query, "text/csv")
    again = sparql(client, query, "text/csv")
    assert json_answer.mimetype == JSON and json_answer.data.startswith(b"{")
    assert csv_answer.mimetype == again.mimetype == "text/csv"
    assert csv_answer.data == again.data and csv_answer.data.startswith(b"s,tag")
    assert json_answer.headers["ETag"] != csv_answer.headers["ETag"]
    assert len(counted.jobs) == 2
    assert "Accept" in json_answer.headers["Vary"]


def test_dataset_parameters_get_answers_of_their_own(client, counted) -> None:
    query = fresh_query()
    union = sparql(client, query)
    ontology = sparql(client, query, **{"default-graph-uri":
                                        ["https://w3id.org/govkg/graph/ontology"]})
    assert len(counted.jobs) == 2
    assert b"guangdong" in union.data and b"guangdong" not in ontology.data
    assert union.headers["ETag"] != ontology.headers["ETag"]


def test_a_conditional_get_costs_no_evaluation_nor_lookup(app, client, counted,
                                                          monkeypatch) -> None:
    query = fresh_query()
    etag = sparql(client, query).headers["ETag"]
    looked_up = []
    cache = app.extensions[CACHE]
    monkeypatch.setattr(cache, "get", lambda k: looked_up.append(k))
    response = client.get("/sparql?query=" + quote(query),
                          headers={"Accept": JSON, "If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert "Content-Security-Policy" not in response.headers  # not a page
    assert response.headers["ETag"] == etag
    assert len(counted.jobs) == 1 and looked_up == []
    # another format is another representation: not matched by this ETag
    assert sparql(client, query, "text/csv").status_code == 200


def test_unrepeatable_queries_run_every_time(client, counted) -> None:
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    first, second = sparql(client, query), sparql(client, query)
    assert first.data != second.data
    assert len(counted.jobs) == 2
    assert not first.headers["ETag"].startswith('W/"r')  # the body's hash, not a key


def test_posted_queries_share_the_cache_but_carry_no_key_etag(client, counted) -> None:
    query = fresh_query()
    sparql(client, query)
    posted = client.post("/sparql", data=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": JSON})
    assert posted.status_code == 200 and "ETag" not in posted.headers
    assert len(counted.jobs) == 1


def test_metrics_show_hits_misses_and_bytes(client) -> None:
    def figure(text: str, name: str) -> float:
        match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    lookups = 'govkg_result_cache_lookups_total{outcome="%s"}'
    before = client.get("/metrics").data.decode()
    query = fresh_query()
    for _ in range(3):
        sparql(client, query)
    after = client.get("/metrics").data.decode()
    assert figure(after, lookups % "miss") - figure(before, lookups % "miss") == 1
    assert figure(after, lookups % "hit") - figure(before, lookups % "hit") == 2
    assert figure(after, "govkg_result_cache_bytes") > 0


# --- a real server: one cache for every web process ------------------------------------------

@pytest.mark.server
def test_the_web_processes_of_a_server_share_the_cache(live_server) -> None:
    def total(outcome: str) -> float:
        text = requests.get(live_server.url + "/metrics", timeout=30).text
        pattern = rf'^govkg_result_cache_lookups_total{{outcome="{outcome}"}} (\S+)$'
        return sum(float(m) for m in re.findall(pattern, text, re.MULTILINE))

    query = fresh_query()
    url = live_server.url + "/sparql?query=" + quote(query)
    before = {outcome: total(outcome) for outcome in ("miss", "hit", "stored")}
    first = requests.get(url, headers={"Accept": JSON}, timeout=60).content
    deadline = time.monotonic() + 30
    while total("stored") == before["stored"]:  # stored once the response has gone out
        assert time.monotonic() < deadline, "the answer was never stored"
        time.sleep(0.05)
    bodies = {requests.get(url, headers={"Accept": JSON}, timeout=60).content
              for _ in range(7)}  # a new connection each time: both workers answer some
    assert bodies == {first}
    assert total("miss") - before["miss"] == 1
    assert total("hit") - before["hit"] == 7


def test_a_known_request_whose_answer_is_gone_is_evaluated_again(app, client, counted,
                                                                 monkeypatch) -> None:
    query = fresh_query()
    first = sparql(client, query)
    cache = app.extensions[CACHE]
    kept = cache.get
    monkeypatch.setattr(cache, "get", lambda k: None)  # as if evicted
    again = sparql(client, query)
    monkeypatch.setattr(cache, "get", kept)
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(counted.jobs) == 2


def test_a_truncated_answer_says_so_when_it_comes_from_the_cache(tmp_path, cache_dir) -> None:
    from govkg.web.app import create_app

    strict = create_app({"cache_dir": str(cache_dir), "max_rows": 2,
                         "runtime_dir": str(tmp_path)}).test_client()
    query = fresh_query()
    editor = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}  # only it gets a cut
    first = strict.get("/sparql?query=" + quote(query), headers={"Accept": JSON, **editor})
    first.get_data()
    first.close()  # stored once sent
    second = strict.get("/sparql?query=" + quote(query), headers={"Accept": JSON, **editor})
    for response in (first, second):
        assert response.headers["X-Govkg-Truncated"] == "true"
        assert response.headers["X-Govkg-Max-Rows"] == "2"
    assert first.data == second.data and b'"truncated":true' in first.data
    assert (tmp_path / "result-cache.sqlite").exists()  # the server's runtime directory


def test_a_new_answer_is_stored_once_the_response_has_gone_out(app, client) -> None:
    cache = app.extensions[CACHE]
    before = cache.entries()
    response = client.get("/sparql?query=" + quote(fresh_query()), headers={"Accept": JSON})
    assert response.status_code == 200 and b'"tag"' in response.get_data()
    assert cache.entries() == before
    response.close()  # what the WSGI server does once the body is sent
    assert cache.entries() == before + 1


def test_the_query_page_reuses_answers(client, counted) -> None:
    query = fresh_query()
    pages = [sparql(client, query, "text/html") for _ in range(2)]
    assert all(p.status_code == 200 and p.mimetype == "text/html" for p in pages)
    assert b"guangdong" in pages[0].data.lower() or "广东" in pages[0].get_data(as_text=True)
    # the query, and the same over the report's own graphs that marks readings-in: once each
    assert [job.default_graphs is None for job in counted.jobs] == [True, False]
    assert not pages[0].headers["ETag"].startswith('W/"r')  # a page is more than the answer


def test_serve_takes_the_bound_as_an_option() -> None:
    from click.testing import CliRunner

    from govkg.cli import main

    shown = CliRunner().invoke(main, ["serve", "--help"])
    assert shown.exit_code == 0 and "--result-cache-mb" in shown.output
    refused = CliRunner().invoke(main, ["serve", "--result-cache-mb", "-1"])
    assert refused.exit_code == 2 and "--result-cache-mb" in refused.output


def test_a_zero_bound_turns_the_cache_off(tmp_path) -> None:
    from govkg.web.serve.result_cache import open_cache

    assert open_cache({"result_cache_mb": 0, "runtime_dir": str(tmp_path)}, "b1") is None
    assert open_cache({"result_cache_mb": 8, "endpoint": "http://127.0.0.1:1/sparql",
                       "runtime_dir": str(tmp_path)}, "b1") is None
    assert open_cache({"result_cache_mb": 8, "runtime_dir": str(tmp_path)}, "b1").max_bytes \
        == 8 << 20
