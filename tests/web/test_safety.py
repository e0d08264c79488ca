"""Whatever a request carries is shown escaped, odd input never makes a 5xx, and after all
of it (and every other abuse test on the strict server) the server still answers.

Pages are checked as text over real HTTP and, for script injection, in Chromium: no
injected script may run (a dialog would open).
"""

import socket

import pytest
import requests
from processes import query_workers

PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>',
            "</textarea><svg onload=alert(1)>", "javascript:alert(1)", "{{ 7*7 }}"]
ENTITY_PATHS = ["/id/platform/{}", "/id/{}/x", "/classes/{}", "/graph/{}", "/dumps/{}",
                "/provinces/{}", "/{}"]
ODD_ACCEPT = ["", "*/*;q=abc", "text/html;level=1;q=0.5,*/*;q=0.1", "application/*",
              "image/webp", "text/*;q=0", ",,,;;;", "x" * 3000, "application/sparql-results+json;"
              " charset=utf-16", "text/turtle; q=1.0e5"]
pytestmark = pytest.mark.server


def unescaped(text: str, payload: str) -> bool:
    return payload in text and any(c in payload for c in "<>\"'")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_query_text_is_escaped_on_the_query_page(strict_server, payload):
    for query in (f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 # {payload}",
                  f"SELECT * WHERE {{ {payload} }}",  # a syntax error that quotes it back
                  f'SELECT ("{payload}" AS ?x) WHERE {{}}'):  # a result value
        response = strict_server.get("/sparql", params={"query": query},
                                     headers={"Accept": "text/html"})
        assert response.status_code in (200, 400)
        assert not unescaped(response.text, payload), query


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("template", ENTITY_PATHS)
def test_paths_are_escaped_where_shown(strict_server, payload, template):
    response = strict_server.get(template.format(requests.utils.quote(payload, safe="")),
                                 headers={"Accept": "text/html"})
    assert response.status_code < 500
    assert not unescaped(response.text, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_terms_and_parameters_are_escaped(strict_server, payload):
    paths = ["/classes/", "/entities/", "/search", "/sparql"]
    for path in paths:
        for name in ("q", "iri", "format", "lang"):
            response = strict_server.get(path, params={name: payload},
                                         headers={"Accept": "text/html"})
            assert response.status_code < 500, (path, name)
            assert not unescaped(response.text, payload), (path, name)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_accept_language_is_never_shown_raw(strict_server, payload):
    for path in ("/", "/id/platform/beijingtong.html", "/sparql", "/nope"):
        response = strict_server.get(path, headers={"Accept": "text/html",
                                                    "Accept-Language": payload})
        assert response.status_code < 500
        assert not unescaped(response.text, payload)


@pytest.mark.parametrize("accept", ODD_ACCEPT)
@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql", "/", "/metrics",
                                  "/id/platform/beijingtong", "/dumps/"])
def test_odd_accept_values_never_make_a_5xx(strict_server, path, accept):
    response = requests.get(strict_server.url + path, headers={"Accept": accept}, timeout=30)
    assert response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("body", "content_type"), [
    (b"SELECT * WHERE { ?s ?p \xff\xfe }", "application/sparql-query"),
    (b"query=SELECT%20%FF", "application/x-www-form-urlencoded"),
    (b"query=\xff\xfe", "application/x-www-form-urlencoded"),
    (b"SELECT * WHERE { ?s ?p ?o }", "application/sparql-query; charset=klingon"),
    (b"\x00\x01\x02", "application/sparql-query"),
    ("ASK {}".encode("utf-16"), "application/sparql-query; charset=utf-8"),
])
def test_non_utf8_and_broken_bodies_get_4xx(strict_server, body, content_type):
    response = requests.post(strict_server.url + "/sparql", data=body, timeout=30,
                             headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500, response.text[:300]
    assert "Traceback" not in response.text


def test_a_broken_multipart_body_is_no_query(strict_server):
    response = requests.post(strict_server.url + "/sparql", data=b"--x\r\nbroken", timeout=30,
                             headers={"Content-Type": "multipart/form-data; boundary=x",
                                      "Accept": "text/turtle"})
    assert response.status_code == 200  # no query in it: the service description
    assert "sparql-service-description" in response.text


def test_raw_bytes_in_the_request_line_and_headers_never_make_a_5xx(strict_server):
    host, port = strict_server.url.removeprefix("http://").split(":")
    for raw in (b"GET /sparql?query=ASK%7B%7D\xff HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /id/\xc3\x28 HTTP/1.1\r\nHost: x\r\nAccept: text/\xff\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nAccept-Language: \xff\xfe<script>\r\n\r\n"):
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(raw)
            status = sock.recv(4096).split(b"\r\n", 1)[0]
        assert status.startswith(b"HTTP/1.1 "), status
        assert status[9:10] != b"5", status


@pytest.mark.slow
def test_no_injected_script_runs_in_a_browser(strict_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for payload in PAYLOADS:
        quoted = requests.utils.quote(payload, safe="")
        for url in (f"/sparql?query={quoted}",
                    "/sparql?query=" + requests.utils.quote(
                        f'SELECT ("{payload}" AS ?x) (IRI("{payload}") AS ?i) {{}}'),
                    f"/search?q={quoted}", f"/timeline?province={quoted}",
                    "/id/platform/" + quoted):
            page.goto(strict_server.url + url)
            page.wait_for_load_state("networkidle")
    page.goto(strict_server.url + "/sparql")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(f"SELECT ('{PAYLOADS[0]}' AS ?x) {{}} # {PAYLOADS[1]}")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#results table.results")
    assert PAYLOADS[0] in page.locator("#results table.results").inner_text()
    status = page.locator("#site-search-status")
    status.evaluate("node => { node.textContent = 'not drawn yet'; }")
    with page.expect_response(lambda r: "/search/suggest" in r.url):
        page.locator("header input[type=search]").fill(PAYLOADS[1])
    page.wait_for_function("() => document.getElementById('site-search-status')"
                           ".textContent !== 'not drawn yet'")  # the suggestions are drawn
    assert dialogs == []
    with page.expect_event("dialog"):  # the control: a dialog that does open is seen
        page.evaluate("() => { setTimeout(() => alert('control')); }")
    assert dialogs == ["control"]


def test_the_server_still_answers_after_all_of_it(strict_server):
    """Runs last in this file: every worker is alive and queries are answered."""
    assert strict_server.process.poll() is None
    response = strict_server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.json()["boolean"] is True
    assert strict_server.get("/").status_code == 200
    assert len(query_workers(strict_server.process.pid)) >= 7  # one may still be restarting
