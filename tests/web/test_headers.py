"""Security headers, request ids, errors without tracebacks, the access log and /metrics."""

import logging
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from processes import connection_per_worker, web_workers

from govkg.web.app import create_app

CSP_PARTS = ["default-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
             "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
             "form-action 'self'", "frame-ancestors 'none'"]
PAGES = ["/", "/sparql", "/id/platform/beijingtong.html", "/ontology", "/dumps/", "/nope"]
OTHERS = [("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
          ("/id/platform/beijingtong.ttl", "text/turtle"), ("/robots.txt", "text/plain"),
          ("/.well-known/void", "text/turtle"), ("/metrics", "text/plain")]


@pytest.mark.server
@pytest.mark.parametrize("path", PAGES)
def test_html_carries_a_fresh_csp_nonce_and_the_security_headers(strict_server, path):
    first = strict_server.get(path, headers={"Accept": "text/html"})
    second = strict_server.get(path, headers={"Accept": "text/html"})
    policy = first.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in policy
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'", policy).group(1)
    assert nonce not in second.headers["Content-Security-Policy"]
    for response in (first, second):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


@pytest.mark.server
@pytest.mark.parametrize(("path", "accept"), OTHERS)
def test_other_responses_are_not_sniffed_and_carry_a_request_id(strict_server, path, accept):
    response = strict_server.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers
    assert "X-Request-Id" in response.headers
    assert "Content-Security-Policy" not in response.headers


def test_inline_scripts_need_the_nonce(client):
    """No page has an inline script without the response's nonce (JSON data blocks aside)."""
    for path in PAGES[:-1]:
        response = client.get(path, headers={"Accept": "text/html"})
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        for tag in re.findall(r"<script\b[^>]*>", response.get_data(as_text=True)):
            assert ('type="application/ld+json"' in tag or 'type="application/json"' in tag
                    or f'nonce="{nonce}"' in tag or "src=" in tag), (path, tag)


@pytest.fixture(scope="module")
def breaking_app(settings):
    app = create_app({**settings, "query_workers": 1})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    yield app
    app.extensions["govkg.query_pool"].close()


@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_a_500_has_no_traceback_and_names_its_logged_request_id(breaking_app, caplog, accept):
    with caplog.at_level(logging.ERROR):
        response = breaking_app.test_client().get("/boom", headers={"Accept": accept})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert request_id in body
    assert "Traceback" not in body and "secret internals" not in body
    assert any(request_id in record.getMessage() for record in caplog.records)


@pytest.mark.server
def test_error_bodies_carry_the_request_id(strict_server):
    for accept in ("text/html", "application/json", "text/plain"):
        response = strict_server.get("/id/platform/nothing-here", headers={"Accept": accept})
        assert response.status_code == 404
        assert response.headers["X-Request-Id"] in response.text


def access_log_line(server, request_id: str) -> str:
    """The access log's line for the request; gunicorn writes it just after the answer."""
    return server.line_with(request_id, seconds=10)


@pytest.mark.server
def test_the_access_log_names_the_request_id_and_the_query_time(strict_server):
    # a query no earlier test asked: an answer from the result cache has no engine time
    fresh = f'ASK {{ ?s ?p ?o FILTER(?o != "{uuid.uuid4()}") }}'
    response = strict_server.get("/sparql", params={"query": fresh},
                                 headers={"Accept": "application/sparql-results+json"})
    request_id = response.headers["X-Request-Id"]
    timing = r"app;dur=([\d.]+), query;dur=([\d.]+), engine;dur=([\d.]+)"
    app, query, engine = map(float, re.fullmatch(timing, response.headers["Server-Timing"]).groups())
    assert engine <= query + 0.1 and query <= app + 0.1  # each within the next (rounded)
    line = access_log_line(strict_server, request_id)
    assert '"GET /sparql?query=' in line and " 200 " in line
    assert re.search(r'timing="app;dur=[\d.]+, query;dur=[\d.]+, engine;dur=[\d.]+"', line)
    assert re.fullmatch(r'127\.0\.0\.1 "GET /sparql\?query=\S+ HTTP/1\.1" 200 \d+ \d+ms '
                        r'id=[0-9a-f]{16} timing="[^"]+"', line.strip())


@pytest.mark.server
def test_quotes_in_a_request_line_are_escaped_in_the_access_log(strict_server):
    host, port = strict_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b'GET /search?q=a"b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        reply = sock.recv(65536)
    request_id = re.search(rb"X-Request-Id: (\w+)", reply).group(1).decode()
    line = access_log_line(strict_server, request_id)
    assert '"GET /search?q=a\\"b\\" HTTP/1.1"' in line  # one field, whatever it holds


def requests_counted(metrics: str, method: str, route: str, status: int) -> float:
    """The request counter of one series in a /metrics text (0 when it has none yet)."""
    series = f'govkg_http_requests_total{{method="{method}",route="{route}",status="{status}"}} '
    line = next((line for line in metrics.splitlines() if line.startswith(series)), None)
    return float(line.removeprefix(series)) if line else 0.0


@pytest.mark.server
def test_metrics_add_up_across_server_workers(strict_server):
    """Twenty requests on a connection held by each of the two workers: /metrics, served by
    either, counts all forty (a worker reading only its own registry would count twenty)."""
    def count(text: str) -> float:
        return requests_counted(text, "GET", "/robots.txt", 200)

    address = urlsplit(strict_server.url)
    workers = web_workers(strict_server.process.pid)
    assert len(workers) == 2
    held = connection_per_worker(address.hostname, address.port, workers, "/sparql?query=ASK{}")
    try:
        before = count(strict_server.get("/metrics").text)
        for _ in range(20):  # in turns: neither connection idles into its keep-alive
            for connection in held.values():
                connection.request("GET", "/robots.txt")
                answer = connection.getresponse()
                assert answer.status == 200 and answer.read()
        counted = {}
        for pid, connection in held.items():  # each worker answers /metrics in turn
            connection.request("GET", "/metrics")
            answer = connection.getresponse()
            assert answer.getheader("Content-Type").startswith("text/plain")
            counted[pid] = answer.read().decode()
    finally:
        for connection in held.values():
            connection.close()
    assert {pid: count(text) - before for pid, text in counted.items()} == \
        {pid: 40 for pid in workers}
    text = counted[workers[0]]
    assert "# TYPE govkg_http_request_duration_seconds histogram" in text
    assert 'govkg_http_request_duration_seconds_bucket{le="0.005",route="/robots.txt"}' in text
    assert "govkg_query_timeouts_total" in text


def test_metrics_keep_one_series_for_unknown_methods(client):
    """A made-up method must not add a series to /metrics per name (unbounded memory)."""
    def count(text: str) -> float:
        return requests_counted(text, "other", "(no route)", 405)

    before = count(client.get("/metrics").text)
    for method in ("FROB", "ZAP"):
        assert client.open("/robots.txt", method=method).status_code == 405
    text = client.get("/metrics").text
    assert count(text) - before == 2
    assert "FROB" not in text and "ZAP" not in text


def test_a_query_result_revalidates_by_etag(client):
    query = {"query": "ASK { platform:beijingtong a gk:MobileApp }"}
    accept = {"Accept": "application/sparql-results+json"}
    first = client.get("/sparql", query_string=query, headers=accept)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/sparql", query_string=query,
                       headers={**accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/sparql", query_string=query,
                       headers={**accept, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_vary_names_each_header_once(client):
    page = client.get("/search?q=%E7%B2%A4", headers={"Accept": "text/html"})
    names = [name.strip() for name in page.headers["Vary"].split(",")]
    assert sorted(names) == ["Accept", "Accept-Encoding", "Accept-Language", "Cookie"]


def test_the_access_log_line_written_directly_is_the_one_logging_writes(tmp_path):
    import datetime

    from gunicorn.config import Config

    from govkg.web.serve.access_log import AccessLogger
    from govkg.web.server import ACCESS_LOG_FORMAT

    class Answer:
        status, sent = "200 OK", 27
        headers = (("X-Request-Id", "0123456789abcdef"), ("Server-Timing", 'app;dur="0.3"'))

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = AccessLogger(config)
    environ = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "RAW_URI": '/a?q="x"',
               "SERVER_PROTOCOL": "HTTP/1.1"}
    took = datetime.timedelta(microseconds=2500)
    assert logger._streams  # a file: written directly
    logger.access(Answer, None, environ, took)
    logger._streams = []  # the same by logging's record and handler
    logger.access(Answer, None, environ, took)
    direct, by_logging = (tmp_path / "access.log").read_text().splitlines()
    assert direct == by_logging == ('127.0.0.1 "GET /a?q=\\"x\\" HTTP/1.1" 200 27 2ms '
                                    'id=0123456789abcdef timing="app;dur=\\"0.3\\""')
