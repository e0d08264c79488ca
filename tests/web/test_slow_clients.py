"""Slow, idle and oversized requests on a real server: read by the event loop, never a
thread each, and refused whole (413, 414, 431) with the security headers and a request id.

Each test opens its connections on loopback only and closes them at its end.
"""

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.server

SLOW_CONNECTIONS = 200
PROMPT_SECONDS = 1.0  # the goal: another client's page while the slow ones wait
TRIES = 3  # the median of three: a shared test machine stalls a single request at times


@contextmanager
def connections(server, count: int, opening: bytes = b"") -> Iterator[list[socket.socket]]:
    port = int(server.url.rsplit(":", 1)[1])
    opened = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            if opening:
                sock.sendall(opening)
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def timed_get(server, path: str) -> tuple[int, float]:
    """The status of ``path`` and the median time of ``TRIES`` requests for it."""
    times, statuses = [], set()
    for _ in range(TRIES):
        started = time.monotonic()
        statuses.add(server.get(path, timeout=30).status_code)
        times.append(time.monotonic() - started)
    return max(statuses), sorted(times)[TRIES // 2]


def exchange(server, data: bytes) -> bytes:
    """Send ``data`` on a new connection and read the answer until the server closes."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("opening", [
    b"",  # connected, nothing sent
    b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n",  # a head still coming, a line at a time
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100\r\n\r\nASK",  # a body still coming
], ids=["idle", "slow-head", "slow-body"])
@pytest.mark.alone  # another client's page within a second
def test_slow_connections_do_not_delay_another_clients_page(strict_server, opening):
    with connections(strict_server, SLOW_CONNECTIONS, opening):
        for path in ("/robots.txt", "/", "/sparql?query=ASK%7B%7D"):
            status, seconds = timed_get(strict_server, path)
            assert status == 200
            assert seconds < PROMPT_SECONDS, f"{path} took {seconds:.2f} s"


def test_a_request_sent_slowly_is_still_answered(strict_server):
    port = int(strict_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for piece in (b"GET /robots.txt HTTP/1.1\r\n", b"Host: x\r\n", b"Connection: close\r\n",
                      b"\r\n"):
            sock.sendall(piece)
            time.sleep(0.05)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")


def chunks(total: int, size: int = 1 << 16) -> Iterator[bytes]:
    yield b"ASK {} #"
    for _ in range(total // size):
        yield b"x" * size


def test_a_chunked_body_over_the_cap_is_refused_not_cut(strict_server):
    response = requests.post(strict_server.url + "/sparql", data=chunks(3 << 19), timeout=30,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "larger than" in response.text


def test_a_chunked_body_under_the_cap_is_run(strict_server):
    response = requests.post(strict_server.url + "/sparql", data=chunks(1 << 19), timeout=30,
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_expect_100_continue_gets_one_interim_answer(strict_server):
    body = b"ASK {}"
    port = int(strict_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     b"Content-Type: application/sparql-query\r\nExpect: 100-continue\r\n"
                     b"Accept: application/sparql-results+json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"100 Continue" not in answer


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 70000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),  # gunicorn's own parser
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
], ids=["414", "431", "400", "413", "bad-chunk"])
def test_refusals_carry_the_security_headers_and_a_request_id(strict_server, request_bytes,
                                                               status):
    answer = exchange(strict_server, request_bytes)
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith(f"http/1.1 {status}")
    assert "x-request-id: " in head
    assert "x-content-type-options: nosniff" in head
    assert "content-security-policy:" in head


def test_the_server_keeps_no_control_socket(strict_server):
    # gunicorn's control socket is a listening Unix socket of the master: it has none
    listening = {line.split()[6] for line in Path("/proc/net/unix").read_text().splitlines()[1:]
                 if line.split()[3] == "00010000"}  # the flag of a listening socket
    master = strict_server.process.pid
    held = {os.readlink(fd) for fd in Path(f"/proc/{master}/fd").iterdir()}
    assert not {f"socket:[{inode}]" for inode in listening} & held
