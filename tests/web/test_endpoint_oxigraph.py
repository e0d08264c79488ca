"""govkg in front of Oxigraph server (the ``oxigraph`` command, from PyPI): a second SPARQL
1.1 store, with none of Virtuoso's quirks, for the generic path of ``govkg serve --endpoint``.

Oxigraph server cannot be asked about a blank node of an earlier result, so blank nodes are
not followed there (lists on the ontology and shapes pages show as anonymous nodes); every
page without blank nodes is the same as in embedded mode.
"""

import gzip
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from live import free_port, page_text

from govkg.store import built_graphs_file
from govkg.web.app import create_app
from govkg.web.views.sparql import POOL

IN_CI = os.environ.get("CI") == "true"
START_LIMIT_SECONDS = 30


def oxigraph_command() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def oxigraph_server(settings: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of ``oxigraph serve-read-only`` holding govkg's built graphs."""
    command = oxigraph_command()
    if command is None:
        if IN_CI:
            pytest.fail("the oxigraph command is missing: it comes with pip install '.[test]'")
        pytest.skip("the oxigraph command is missing (pip install oxigraph)")
    directory = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([command, "load", "--location", str(directory / "db"), "--file",
                    str(built_graphs_file(settings))], check=True, capture_output=True,
                   timeout=120)
    port = free_port()
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen([command, "serve-read-only", "--location", str(directory / "db"),
                                "--bind", f"127.0.0.1:{port}"], stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + START_LIMIT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph serve-read-only did not start: "
                            f"{(directory / 'server.log').read_text(errors='replace')}")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def oxigraph_client(settings: dict, oxigraph_server: str, tmp_path_factory):
    cache = tmp_path_factory.mktemp("oxigraph-cache")
    return create_app({**settings, "cache_dir": str(cache), "endpoint": oxigraph_server}
                      ).test_client()


@pytest.fixture(scope="module")
def embedded_client(settings: dict):
    return create_app(settings).test_client()


@pytest.mark.parametrize("path", [
    "/", "/provinces/", "/provinces/guangdong", "/classes/", "/classes/gk:Province",
    "/entities/", "/id/platform/beijingtong.html", "/id/platform/beijingtong.ttl",
    "/id/figure/zhejiang-data-records.nt", "/graph/data", "/graph/inferred.nt",
    "/.well-known/void", "/sitemap.xml", "/id/platform/nope",
    "/sparql?query=ASK%7B%20platform:beijingtong%20a%20gk:MobileApp%20%7D",
    "/sparql?query=SELECT%20?x%20%7B%20?x%20?p%20%7D",
    "/sparql?query=SELECT%20?l%20%7B%20platform:beijingtong%20rdfs:label%20?l%20%7D%20ORDER%20BY%20?l",
])
def test_same_page_as_embedded(oxigraph_client, embedded_client, path):
    headers = {"Accept": "text/html, application/sparql-results+json;q=0.9, */*;q=0.1"}
    expected, served = embedded_client.get(path, headers=headers), \
        oxigraph_client.get(path, headers=headers)
    assert served.status_code == expected.status_code
    assert without_dump_bytes(page_text(served)) == without_dump_bytes(page_text(expected))


def without_dump_bytes(text: str) -> str:
    """A page with the byte sizes of its dumps blanked: dumps written from another store hold
    the same statements (the triples column still compares) in other bytes."""
    return re.sub(r'<td class="number">[\d,]+</td>(<td class="number">[\d,]+</td></tr>)',
                  r"<td>bytes</td>\1", text)


def anchors_and_headings(html: str) -> list[str]:
    return sorted(re.findall(r'id="[^"]+"|<h[1-4][^>]*>.*?</h[1-4]>', html))


@pytest.mark.parametrize("path", ["/ontology", "/shapes"])
def test_pages_with_blank_nodes_show_every_term(oxigraph_client, embedded_client, path):
    """Blank nodes are not opened here, but every term (its anchor and heading) is shown."""
    served, expected = oxigraph_client.get(path), embedded_client.get(path)
    assert served.status_code == 200
    html = served.get_data(as_text=True)
    assert anchors_and_headings(html) == anchors_and_headings(expected.get_data(as_text=True))
    assert len(re.findall(r'<div class="term" id=', html)) > 20


def test_the_dump_holds_the_whole_store(oxigraph_client, store):
    response = oxigraph_client.get("/dumps/govkg.nq.gz")
    body = response.get_data()
    response.close()  # a dump is sent as a file
    assert response.status_code == 200
    quads = set(pyoxigraph.parse(gzip.decompress(body), format=pyoxigraph.RdfFormat.N_QUADS))
    expected = set(store)
    assert len(quads) == len(expected)
    named = {q for q in expected if not isinstance(q.subject, pyoxigraph.BlankNode)
             and not isinstance(q.object, pyoxigraph.BlankNode)}
    assert named <= quads  # blank nodes get new labels; every other quad is as stored


# --- A slow or incomplete endpoint: 504 ----------------------------------------------------

class Relay(http.server.ThreadingHTTPServer):
    """Passes requests on to Oxigraph server; ``mode`` makes it, instead, answer as Virtuoso
    does when a query runs out of time (200, part of the results, ``X-SQL-State``:
    "incomplete"), or never answer ("silent", until the test ends)."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), RelayHandler)
        self.upstream, self.mode, self.released = upstream, "pass", threading.Event()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/query"


class RelayHandler(http.server.BaseHTTPRequestHandler):
    server: Relay

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.mode == "silent":
            self.server.released.wait(120)
            return
        forwarded = urllib.request.Request(self.server.upstream, data=body, method="POST",
                                           headers={k: self.headers[k] for k in
                                                    ("Content-Type", "Accept") if self.headers[k]})
        try:
            with urllib.request.urlopen(forwarded, timeout=60) as answer:
                status, content, kind = answer.status, answer.read(), answer.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            status, content, kind = error.code, error.read(), error.headers["Content-Type"]
        self.send_response(status)
        self.send_header("Content-Type", kind or "text/plain")
        self.send_header("Content-Length", str(len(content)))
        if self.server.mode == "incomplete":
            self.send_header("X-SQL-State", "S1TAT")
            self.send_header("X-SQL-Message", "RC...: Returning incomplete results, query "
                                              "interrupted by result timeout.")
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def relay(oxigraph_server: str) -> Iterator[Relay]:
    server = Relay(oxigraph_server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def relayed_app(settings: dict, relay: Relay, tmp_path: Path):
    relay.mode = "pass"
    app = create_app({**settings, "cache_dir": str(tmp_path), "endpoint": relay.url,
                      "query_workers": 1})
    yield app
    relay.mode = "pass"
    app.extensions[POOL].close()


def test_incomplete_results_from_the_endpoint_are_504(relayed_app, relay):
    client = relayed_app.test_client()
    relay.mode = "incomplete"
    for path, accept in (("/id/platform/yueshengshi.html", "text/html"),
                         ("/sparql?query=SELECT%20*%20%7B%20?s%20?p%20?o%20%7D",
                          "application/sparql-results+json")):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 504, (path, response.status_code)
        assert "The SPARQL endpoint returned incomplete results (S1TAT" in \
            response.get_data(as_text=True)


def test_a_silent_endpoint_is_504(relayed_app, relay):
    client = relayed_app.test_client()
    relayed_app.extensions["govkg"].store.timeout = 0.5  # the pages' store; 60 s by default
    relay.mode = "silent"
    response = client.get("/id/platform/zhejiangzhengding.html", headers={"Accept": "text/plain"})
    assert response.status_code == 504
    assert f"The SPARQL endpoint {relay.url} did not answer within 0.5 s" in \
        response.get_data(as_text=True)


# --- The command line against an endpoint --------------------------------------------------

def run_govkg(*args: str, cache_dir: Path, endpoint: str | None = None
              ) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    env.pop("GOVKG_ENDPOINT", None)
    if endpoint:
        env["GOVKG_ENDPOINT"] = endpoint
    return subprocess.run([sys.executable, "-m", "govkg", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_stats_against_the_endpoint_are_the_embedded_stats(oxigraph_server, cache_dir):
    embedded = run_govkg("stats", cache_dir=cache_dir)
    remote = run_govkg("stats", cache_dir=cache_dir, endpoint=oxigraph_server)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == embedded.stdout and "Entities: " in remote.stdout


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dump_against_the_endpoint_holds_the_store(oxigraph_server, cache_dir, tmp_path,
                                                  store, fmt):
    out = tmp_path / f"govkg.{fmt}"
    done = run_govkg("dump", "--format", fmt, "--graph", "all", "-o", str(out),
                     cache_dir=cache_dir, endpoint=oxigraph_server)
    assert done.returncode == 0, done.stderr
    rdf_format = pyoxigraph.RdfFormat.N_QUADS if fmt == "nq" else pyoxigraph.RdfFormat.TRIG
    quads = set(pyoxigraph.parse(out.read_bytes(), format=rdf_format))
    assert len(quads) == len(store)
    assert {q for q in store if not isinstance(q.subject, pyoxigraph.BlankNode)
            and not isinstance(q.object, pyoxigraph.BlankNode)} <= quads
