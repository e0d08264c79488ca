"""Answers sent again from the server worker's loop (``govkg.web.serve.replay``): the book and
the keeping middleware alone, then a real ``govkg serve`` driven over one kept-alive
connection, as a client repeating a query does."""

import http.client
import re
import socket
import uuid
from contextlib import closing
from urllib.parse import quote, urlsplit

import pytest
from live import LiveServer

from govkg.web.serve.keeping import KeepingApp
from govkg.web.serve.replay import (
    REPLAYABLE,
    Kept,
    Replayable,
    ReplayBook,
    answer_bytes,
    request_key,
)

JSON = "application/sparql-results+json"
RENEWED = {"date", "x-request-id", "server-timing"}
REQUEST = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"


def kept(body: bytes = b"{}", count=lambda seconds: None) -> Kept:
    head = f"200 OK\r\nContent-Length: {len(body)}\r\n".encode()
    return Kept(200, head, body, {"REMOTE_ADDR": "127.0.0.1"}, count)


def test_only_a_lone_bodiless_http11_get_has_a_key() -> None:
    assert request_key(("127.0.0.1", 5), REQUEST) == b"127.0.0.1\0" + REQUEST
    assert request_key(("10.0.0.1", 5), REQUEST) != request_key(("127.0.0.1", 5), REQUEST)
    assert request_key(("127.0.0.1", 5), REQUEST.replace(b"GET", b"POST", 1)) is None
    assert request_key(("127.0.0.1", 5), REQUEST.replace(b"HTTP/1.1", b"HTTP/1.0", 1)) is None
    assert request_key(("127.0.0.1", 5), REQUEST + REQUEST) is None  # pipelined
    assert request_key(("127.0.0.1", 5), REQUEST + b"body") is None


def test_the_book_stays_within_its_bound_oldest_first() -> None:
    book = ReplayBook(max_bytes=3 * kept(b"x" * 1000).size(b"k0"))
    for number in range(5):
        book.keep(f"k{number}".encode(), kept(b"x" * 1000))
    assert len(book) == 3
    assert book.get(b"k0") is None and book.get(b"k1") is None
    assert book.get(b"k4") is not None
    book.keep(b"huge", kept(b"x" * 10_000))
    assert book.get(b"huge") is None


def test_a_sent_again_answer_has_new_date_id_and_timing() -> None:
    data = answer_bytes(kept(b"{}"), "abc123", "app;dur=0.01, replay")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body == b"{}"
    assert b"\r\nX-Request-Id: abc123\r\n" in head
    assert b"\r\nServer-Timing: app;dur=0.01, replay\r\n" in head
    assert b"\r\nConnection: keep-alive\r\n" in head and b"\r\nDate: " in head


def _app(mark: bool, status: str = "200 OK", length: bool = True):
    def app(environ, start_response):
        body = b"answer"
        if mark:
            environ[REPLAYABLE] = Replayable(lambda seconds: None)
        headers = [("Content-Type", "text/plain"), ("X-Request-Id", "old")]
        if length:
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]
    return app


def _environ() -> dict:
    return {"REQUEST_METHOD": "GET", "RAW_URI": "/x", "SERVER_PROTOCOL": "HTTP/1.1",
            "PATH_INFO": "/x", "REMOTE_ADDR": "127.0.0.1"}


@pytest.mark.parametrize(("mark", "status", "length", "keeps"), [
    (True, "200 OK", True, True),
    (False, "200 OK", True, False),  # the app did not say it may be sent again
    (True, "500 INTERNAL SERVER ERROR", True, False),
    (True, "200 OK", False, False),  # no Content-Length: streamed, never kept
])
def test_only_marked_whole_answers_are_kept(mark, status, length, keeps) -> None:
    book = ReplayBook()
    keeping = KeepingApp(_app(mark, status, length), book)
    keeping.serving(b"key")
    body = b"".join(keeping(_environ(), lambda status, headers, exc_info=None: None))
    assert body == b"answer"
    assert (book.get(b"key") is not None) == keeps
    if keeps:
        assert b"X-Request-Id" not in book.get(b"key").head  # renewed on each sending
    keeping.serving(None)  # a request without a key is never kept
    keeping(_environ(), lambda status, headers, exc_info=None: None)
    assert len(book) == (1 if keeps else 0)


# a real server


def unique_ask() -> str:
    return quote(f"ASK {{ <urn:uuid:{uuid.uuid4()}> ?p ?o }}", safe="")


def ask_path() -> str:
    return f"/sparql?query={unique_ask()}"


def connection(server: LiveServer) -> http.client.HTTPConnection:
    parts = urlsplit(server.url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def get(conn: http.client.HTTPConnection, path: str,
        headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn.request("GET", path, headers={"Accept": JSON, **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def replayed(response: http.client.HTTPResponse) -> bool:
    return (response.getheader("Server-Timing") or "").endswith(", replay")


def kept_headers(response: http.client.HTTPResponse) -> set[tuple[str, str]]:
    return {(k.lower(), v) for k, v in response.getheaders() if k.lower() not in RENEWED}


def counter(server: LiveServer, name: str, labels: str) -> float:
    text = server.get("/metrics").text
    found = re.search(rf"^{name}_total\{{{labels}\}} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


SPARQL_200 = 'method="GET",route="/sparql",status="200"'


@pytest.mark.server
def test_a_repeated_request_is_sent_again_as_it_was(live_server: LiveServer) -> None:
    requests_before = counter(live_server, "govkg_http_requests", SPARQL_200)
    hits_before = counter(live_server, "govkg_result_cache_lookups", 'outcome="hit"')
    path = ask_path()
    with closing(connection(live_server)) as conn:
        first, second, third, fourth = (get(conn, path) for _ in range(4))
    assert [r.status for r in (first, second, third, fourth)] == [200] * 4
    assert "engine;dur" in first.getheader("Server-Timing")  # evaluated
    assert not replayed(second)  # the result cache's hit, through the app
    assert replayed(third) and replayed(fourth)
    assert third.body == second.body == first.body == b'{"head":{},"boolean":false}'
    assert kept_headers(third) == kept_headers(second)
    ids = {r.getheader("X-Request-Id") for r in (first, second, third, fourth)}
    assert len(ids) == 4
    # logged and counted like any request
    log = live_server.output()
    line = next(line for line in log.splitlines() if f"id={third.getheader('X-Request-Id')}" in line)
    assert f'"GET {path} HTTP/1.1" 200 {len(third.body)} ' in line and "replay" in line
    assert counter(live_server, "govkg_http_requests", SPARQL_200) - requests_before == 4
    assert counter(live_server, "govkg_result_cache_lookups", 'outcome="hit"') - hits_before == 3


@pytest.mark.server
def test_a_request_differing_in_one_header_takes_the_whole_way(live_server: LiveServer) -> None:
    path = ask_path()
    with closing(connection(live_server)) as conn:
        for _ in range(3):
            get(conn, path)
        assert replayed(get(conn, path))
        other = get(conn, path, {"Accept": "application/sparql-results+xml"})
        assert not replayed(other) and other.body.startswith(b"<?xml")
        assert not replayed(get(conn, path, {"X-Anything": "1"}))
        assert not replayed(get(conn, path + "&x=1"))


@pytest.mark.server
def test_a_conditional_get_is_sent_again_as_its_304(live_server: LiveServer) -> None:
    path = ask_path()
    with closing(connection(live_server)) as conn:
        etag = get(conn, path).getheader("ETag")
        answers = [get(conn, path, {"If-None-Match": etag}) for _ in range(3)]
        assert [a.status for a in answers] == [304] * 3
        assert replayed(answers[2]) and answers[2].body == b""
        assert answers[2].getheader("ETag") == etag
        # the connection goes on after a replayed 304
        assert get(conn, "/robots.txt", {"Accept": "text/plain"}).status == 200


@pytest.mark.server
def test_pipelined_and_closing_requests_are_answered_in_full(live_server: LiveServer) -> None:
    path = ask_path()
    with closing(connection(live_server)) as conn:
        for _ in range(3):
            get(conn, path)
    parts = urlsplit(live_server.url)
    request = (f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: {JSON}\r\n\r\n"
               ).encode()
    last = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request + request + last)
        received = b""
        while chunk := sock.recv(65536):  # the server closes after the third
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert received.count(b'{"head":{},"boolean":false}') == 3
    assert received.rstrip().endswith(b'{"head":{},"boolean":false}')
    assert b"Connection: close" in received.rsplit(b"HTTP/1.1 ", 1)[1]
