"""Queries answered from the server worker's event loop (``govkg.web.serve.query_heads``):
the head cut from a request, the book and the keeping middleware alone, then a real
``govkg serve`` driven over kept-alive connections, as a client sending distinct queries
does."""

import http.client
import json
import re
import select
import selectors
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from live import STRICT_TIMEOUT, LiveServer

from govkg.web.serve.keeping import KeepingApp
from govkg.web.serve.lanes import Lanes
from govkg.web.serve.loop_queries import LoopQueries, LoopQuery
from govkg.web.serve.query_heads import QUERY_HEAD, Head, HeadBook, head_key
from govkg.web.serve.reading_worker import ReadingThreadWorker
from govkg.web.serve.replay import ReplayBook

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
RENEWED = {"date", "x-request-id", "server-timing"}
PEER, LISTENER = ("127.0.0.1", 5), ("127.0.0.1", 8000)


def request(value: bytes, headers: bytes = b"Host: x\r\nAccept: */*\r\n") -> bytes:
    return b"GET /sparql?query=" + value + b" HTTP/1.1\r\n" + headers + b"\r\n"


def test_requests_differing_only_in_their_query_share_a_head() -> None:
    one, target, value = head_key(PEER, LISTENER, request(b"ASK%7B%7D"))
    assert (target, value) == ("/sparql?query=ASK%7B%7D", "ASK%7B%7D")
    assert head_key(PEER, LISTENER, request(b"SELECT%20*%7B%7D"))[0] == one
    others = [head_key(("10.0.0.1", 5), LISTENER, request(b"ASK%7B%7D")),  # another peer
              head_key(PEER, ("127.0.0.1", 8001), request(b"ASK%7B%7D")),  # another listener
              head_key(PEER, LISTENER, request(b"ASK%7B%7D", b"Host: x\r\nAccept: a/b\r\n"))]
    assert all(other is not None and other[0] != one for other in others)


@pytest.mark.parametrize("data", [
    request(b"ASK%7B%7D&x=1"),  # two parameters
    request(b"ASK%7B%7D;x=1"),
    request(b"ASK%7B%7D").replace(b"?query=", b"?format=json&query="),
    request(b"ASK%7B%7D").replace(b"GET", b"POST", 1),
    request(b"ASK%7B%7D").replace(b"HTTP/1.1", b"HTTP/1.0", 1),
    request(b"ASK%7B%7D") * 2,  # pipelined
    b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
])
def test_only_a_lone_get_with_one_query_parameter_has_a_head(data: bytes) -> None:
    assert head_key(PEER, LISTENER, data) is None


def test_the_book_forgets_every_head_past_its_bound() -> None:
    book = HeadBook(max_heads=2)
    for key in (b"a", b"b", b"c"):
        book.keep(key, object())  # type: ignore[arg-type]
    assert len(book) == 1 and book.get(b"c") is not None and book.get(b"a") is None


class Mark:
    own_headers = frozenset(("content-type", "content-length", "server-timing"))

    def begin(self, target: str, value: str):  # pragma: no cover - the loop's, not called here
        return None


def _app(status: str, marked: bool):
    def app(environ, start_response):
        if marked:
            environ[QUERY_HEAD] = Mark()
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "6"),
                                ("Server-Timing", "app;dur=1"), ("X-Request-Id", "1"),
                                ("X-Content-Type-Options", "nosniff")])
        return [b"answer"]
    return app


def _environ() -> dict:
    return {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.1.1",
            "PATH_INFO": "/sparql", "RAW_URI": "/sparql?query=x"}


@pytest.mark.parametrize(("status", "marked", "keeps"), [
    ("200 OK", True, True),
    ("200 OK", False, False),  # the lane did not answer it
    ("400 BAD REQUEST", True, False),
])
def test_only_a_head_the_lane_answered_is_kept(status: str, marked: bool, keeps: bool) -> None:
    heads = HeadBook()
    keeping = KeepingApp(_app(status, marked), ReplayBook(), heads)
    keeping.serving(None, b"head", {"govkg.handed": 1})
    environ = _environ()
    assert b"".join(keeping(environ, lambda status, headers, exc_info=None: None)) == b"answer"
    assert environ["govkg.handed"] == 1  # what the loop handed over reaches the app
    head = heads.get(b"head")
    assert (head is not None) == keeps
    if keeps:  # the mark's own headers and the renewed ones are made for each answer
        assert head.fixed == b"X-Content-Type-Options: nosniff\r\n"
        assert head.logged["REMOTE_ADDR"] == "10.1.1.1"
    keeping(_environ(), lambda status, headers, exc_info=None: None)  # served without a head
    assert len(heads) == (1 if keeps else 0)


def test_a_worker_is_taken_without_waiting_only_when_nobody_waits() -> None:
    lanes = Lanes(2)
    assert lanes.take_free("a") is None  # none free
    lanes.put("w1")
    lanes.put("w2")
    lanes.mark_heavy("heavy")
    assert lanes.take_free("heavy") == "w2"  # two free: one may go to a heavy client
    assert lanes.take_free("heavy") is None  # the last is kept from it
    taken: list = []
    waiter = threading.Thread(target=lambda: taken.append(lanes.take("b", 5)))
    lanes.take_free("a")
    waiter.start()
    while not any(lanes._waiting.values()):  # b waits for a worker
        pass
    lanes.put("w3")
    waiter.join(5)
    assert taken == ["w3"]


# a real server


def connection(server: LiveServer) -> http.client.HTTPConnection:
    """A connection whose requests carry a head of their own (a client the server has not
    seen), so that no other test's requests taught the server about it."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.client_name = str(uuid.uuid4())  # type: ignore[attr-defined]
    return conn


def get(conn: http.client.HTTPConnection, query: str, accept: str = JSON,
        extra: str = "", headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn.request("GET", f"/sparql?query={quote(query, safe='')}{extra}",
                 headers={"Accept": accept, "User-Agent": conn.client_name,  # type: ignore
                          **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def via(response: http.client.HTTPResponse) -> str:
    return (response.getheader("Server-Timing") or "").rsplit(", ", 1)[-1]


def way(response: http.client.HTTPResponse) -> str:
    """How the server answered: from the loop, the lane or the whole way."""
    return via(response) if via(response) in ("loop", "lane") else "whole"


def kept_headers(response: http.client.HTTPResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.getheaders() if k.lower() not in RENEWED}


PROVINCES = "SELECT ?s WHERE {{ ?s a gk:Province }} VALUES ?n {{ {n} }}"


def fresh(template: str = PROVINCES) -> str:
    return template.format(n=uuid.uuid4().int % 10**12)


def counter(server: LiveServer, name: str, labels: str) -> float:
    text = server.get("/metrics").text
    found = re.search(rf"^{name}_total\{{{labels}\}} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def loop_connection(server: LiveServer, accept: str = JSON,
                    template: str = "ASK {{ ?s ?p {n} }}") -> http.client.HTTPConnection:
    """A connection whose head the lane has answered, so that its next queries of the same
    form are answered from the loop (a new head takes the whole way, then the lane)."""
    conn = connection(server)
    for _ in range(3):
        if via(get(conn, fresh(template), accept)) == "loop":
            return conn
    raise AssertionError("no query was answered from the loop")


@pytest.mark.server
@pytest.mark.parametrize(("accept", "template"), [
    (JSON, PROVINCES),
    (JSON, "ASK {{ ?s ?p {n} }}"),
    ("text/csv", "SELECT ?s ?label WHERE {{ ?s rdfs:label ?label }} LIMIT 3 "
                 "VALUES ?n {{ {n} }}"),
    (TURTLE, "CONSTRUCT {{ ?s a gk:Province }} WHERE {{ ?s a gk:Province "
             "FILTER(?s != <urn:n:{n}>) }}"),
])
def test_the_loop_answers_as_the_lane_does(live_server: LiveServer, accept: str,
                                           template: str) -> None:
    with closing(connection(live_server)) as conn:
        # a new head goes the whole way (or the lane, in a context this worker has
        # decided); the lane's answer marks it
        ways = [way(get(conn, fresh(template), accept)) for _ in range(3)]
        assert ways in (["whole", "lane", "loop"], ["lane", "loop", "loop"])
        query = fresh(template)
        looped = get(conn, query, accept)  # a miss, from the loop
        again = get(conn, query, accept)  # a hit, from the loop
        replayed = get(conn, query, accept)  # the hit's bytes, sent again
    with closing(connection(live_server)) as other:  # another head: the app's hit
        laned = get(other, query, accept, headers={"X-Other": "1"})
    assert [looped.status, again.status, laned.status] == [200, 200, 200]
    assert (via(looped), via(again)) == ("loop", "loop")
    assert "engine;dur=" in looped.getheader("Server-Timing")
    assert "engine;dur=" not in again.getheader("Server-Timing")
    assert way(laned) != "loop"
    assert via(replayed) == "replay"
    assert looped.body == again.body == replayed.body == laned.body and looped.body
    assert kept_headers(looped) == kept_headers(again) == kept_headers(replayed) \
        == kept_headers(laned)
    assert kept_headers(looped)["x-content-type-options"] == "nosniff"
    assert kept_headers(looped)["content-length"] == str(len(looped.body))


@pytest.mark.server
@pytest.mark.parametrize(("query", "extra", "accept", "status"), [
    ("SELEC ?s", "", JSON, 400),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "", JSON, 403),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "", JSON, 400),
    ("CONSTRUCT WHERE { ?s a gk:Province }", "", JSON, 406),  # another kind: another context
    ("ASK { ?s ?p ?o }", "&format=xml", JSON, 200),  # another parameter
])
def test_what_the_loop_does_not_take_goes_the_whole_way(live_server: LiveServer, query: str,
                                                        extra: str, accept: str,
                                                        status: int) -> None:
    with closing(loop_connection(live_server)) as conn:
        response = get(conn, query, accept, extra)
        assert response.status == status and way(response) == "whole"
        assert via(get(conn, fresh("ASK {{ ?s ?p {n} }}"))) == "loop"  # the head still works


@pytest.mark.server
def test_the_loop_counts_and_logs_what_the_lane_does(live_server: LiveServer) -> None:
    sparql_200 = 'method="GET",route="/sparql",status="200"'
    before = {name: counter(live_server, *name) for name in (
        ("govkg_http_requests", sparql_200),
        *(("govkg_result_cache_lookups", f'outcome="{outcome}"')
          for outcome in ("hit", "miss", "stored")))}
    with closing(loop_connection(live_server)) as conn:
        before = {name: counter(live_server, *name) for name in before}
        query = fresh("ASK {{ ?s ?p {n} }}")
        miss, hit = get(conn, query), get(conn, query)
    assert (via(miss), via(hit)) == ("loop", "loop")
    assert [counter(live_server, *name) - value for name, value in before.items()] \
        == [2, 1, 1, 1]
    request_id = hit.getheader("X-Request-Id")
    line = live_server.line_with(f"id={request_id}")
    assert f'"GET /sparql?query={quote(query, safe="")} HTTP/1.1" 200 {len(hit.body)} ' in line
    assert line.rstrip().endswith(', loop"')


@pytest.mark.server
def test_a_streamed_answer_from_the_loop_is_whole(live_server: LiveServer) -> None:
    with closing(loop_connection(live_server, template="SELECT ?s ?p ?o WHERE {{ ?s ?p ?o "
                                                       "}} LIMIT 1 VALUES ?n {{ {n} }}")) as conn:
        query = fresh("SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} VALUES ?n {{ {n} }}")
        count = json.loads(get(conn, "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }").body)
        response = get(conn, query)
    assert response.status == 200 and len(response.body) > 1 << 16
    rows = json.loads(response.body)["results"]["bindings"]
    assert len(rows) == int(count["results"]["bindings"][0]["c"]["value"])


@pytest.mark.server
def test_distinct_queries_on_many_connections_get_their_own_answers(
        live_server: LiveServer) -> None:
    template = "SELECT ?n WHERE {{ VALUES ?n {{ {n} }} }}"
    wrong: list[str] = []
    ways: list[str] = []

    def client(offset: int) -> None:
        with closing(connection(live_server)) as conn:
            for n in range(offset, offset + 40):
                response = get(conn, template.format(n=n))
                ways.append(via(response))
                if response.status != 200 or f'"value":"{n}"' not in response.body.decode():
                    wrong.append(f"{n}: {response.status} {response.body[:100]!r}")

    # four: the clients are one address, which may have two queries waiting for a worker
    clients = [threading.Thread(target=client, args=(10**9 + 1000 * i,)) for i in range(4)]
    for each in clients:
        each.start()
    for each in clients:
        each.join(120)
    assert not wrong
    assert len(ways) == 160 and ways.count("loop") > 80, ways


@pytest.mark.server
def test_a_slow_query_from_the_loop_is_answered_by_a_thread(strict_server: LiveServer) -> None:
    slow = "SELECT (COUNT(*) AS ?c) WHERE {{ ?s ?p ?o . ?s ?q ?r FILTER(?p != <urn:{n}>) }}"
    endless = "SELECT (COUNT(*) AS ?c) WHERE {{ ?a ?b ?c . ?d ?e ?f FILTER(?b != <urn:{n}>) }}"
    with closing(loop_connection(strict_server, template=PROVINCES)) as conn:
        counted = get(conn, fresh(slow))
        assert counted.status == 200, counted.body
        assert int(json.loads(counted.body)["results"]["bindings"][0]["c"]["value"]) > 10**5
        assert way(counted) == "whole"  # past its quick step: the whole way's
        stopped = get(conn, fresh(endless))
        assert stopped.status == 503 and stopped.getheader("Retry-After")
        assert f"{STRICT_TIMEOUT:g} s limit" in stopped.body.decode()
        # its client is heavy now: its queries wait in the lanes, in a thread
        assert via(get(conn, fresh(PROVINCES))) == "lane"


# the loop's queries, with a pool whose workers are socket pairs


class FakeRun:
    def __init__(self, step_in: float) -> None:
        self.ours, self.worker_end = socket.socketpair()
        self.worker = SimpleNamespace(channel=self.ours)
        self.next_step = time.monotonic() + step_in

    def answered_within(self, seconds: float) -> bool:
        return bool(select.select([self.ours], [], [], seconds)[0])


class FakePool:
    def __init__(self, free: int, step_in: float = 60.0) -> None:
        self.free, self.step_in, self.runs = free, step_in, []

    def start(self, job, client, timeout):
        if not self.free:
            return None
        self.free -= 1
        self.runs.append(FakeRun(self.step_in))
        return self.runs[-1]

    def answer(self, run):
        self.free += 1
        return run.ours.recv(100).decode()

    def close(self) -> None:
        for run in self.runs:
            run.ours.close()
            run.worker_end.close()


@pytest.fixture
def pools() -> Iterator[list[FakePool]]:
    made: list[FakePool] = []
    yield made
    for pool in made:
        pool.close()


def item(pool: FakePool, name: str) -> LoopQuery:
    query = SimpleNamespace(pool=pool, job=name, client="c", timeout=30)
    return LoopQuery(name, b"", query, "/sparql?query=" + name, None)  # type: ignore[arg-type]


def loop(pool: FakePool) -> tuple[LoopQueries, list, list]:
    answered: list = []
    threads: list = []
    poller = selectors.DefaultSelector()
    queries = LoopQueries(poller, lambda i, outcome: answered.append((i.conn, outcome)),
                          lambda i: threads.append((i.conn, i.run is not None)))
    return queries, answered, threads


def turn(queries: LoopQueries) -> None:
    for key, _ in queries.poller.select(queries.wait_seconds(1.0)):
        key.data(key.fileobj)
    queries.hand_over_slow()


def test_the_loop_runs_a_query_per_free_worker_and_one_waiting_for_each(pools) -> None:
    pool = FakePool(free=2)
    pools.append(pool)
    queries, answered, threads = loop(pool)
    assert [queries.take(item(pool, name)) for name in "abcde"] == [True] * 4 + [False]
    assert len(queries.in_flight) == 2 and [i.conn for i in queries.waiting] == ["c", "d"]
    pool.runs[0].worker_end.send(b"A")
    turn(queries)  # a's worker is free again: c, the first waiting, takes it
    assert answered == [("a", "A")] and [i.conn for i in queries.waiting] == ["d"]
    assert sorted(i.conn for i in queries.in_flight.values()) == ["b", "c"]
    pool.free += 1  # a thread freed a worker meanwhile
    pool.runs[1].worker_end.send(b"B")
    turn(queries)
    assert answered[1] == ("b", "B") and not queries.waiting and len(queries.in_flight) == 2
    assert not threads


def test_a_waiting_query_without_a_query_in_flight_takes_a_thread(pools) -> None:
    pool = FakePool(free=1, step_in=0.05)
    pools.append(pool)
    queries, answered, threads = loop(pool)
    assert queries.take(item(pool, "a")) and queries.take(item(pool, "b"))
    assert queries.wait_seconds(1.0) <= 0.05
    turn(queries)  # a is past its quick step with no answer: a thread waits for it
    assert threads == [("a", True), ("b", False)] and not queries.in_flight and not answered


def test_a_query_the_loop_cannot_take_goes_to_a_thread_and_the_loop_goes_on() -> None:
    class Failing:
        own_headers = frozenset()

        def begin(self, target: str, value: str):
            raise RuntimeError("the result cache is gone")

    worker = object.__new__(ReadingThreadWorker)
    worker.heads = HeadBook()
    worker.cfg = SimpleNamespace(is_ssl=False)
    logged: list[str] = []
    worker.log = SimpleNamespace(exception=logged.append)
    data = request(b"ASK%7B%7D")
    worker.heads.keep(head_key(PEER, LISTENER, data)[0], Head(Failing(), b"", {}))
    conn = SimpleNamespace(client=PEER, server=LISTENER)
    assert worker._query_from_loop(conn, data) is False  # the thread's whole way answers
    assert logged == ["a query could not be taken by the event loop"]
