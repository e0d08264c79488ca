"""No query makes the server fetch anything: every SSRF vector against a recording listener.

A thread on a free loopback port records every connection; pyoxigraph would call it for
SERVICE and LOAD. Each vector is sent to a real server, then the listener must have seen
nothing. The second defence is tested on its own: a query worker given a SERVICE query
directly (past the keyword guard) cannot reach the listener either.
"""

import http.server
import json
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
from live import start_server, stop_server

from govkg.settings import load_settings
from govkg.sparql_grammar import parse_query, refused_services
from govkg.web.serve.client_slots import ClientSlots
from govkg.web.serve.query_pool import QueryPool
from govkg.web.serve.query_worker import QueryJob

pytestmark = pytest.mark.server
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
JSON = {"Accept": "application/sparql-results+json"}
MARKER = b"GET /marker HTTP/1.1\r\n\r\n"  # the test's own, to know the listener is done


class Listener:
    """Accepts connections on a free loopback port and records each one."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.hits: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.hits.append(conn.recv(4096) or b"(connected)")
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.hits.append(b"(connected)")

    def fetched(self) -> list[bytes]:
        """What was fetched from the listener so far, once everything that connected before
        this call is recorded: the listener takes connections in order, so when it has
        answered a marker connection made now, every earlier one is in ``hits``."""
        with socket.create_connection(self.sock.getsockname(), timeout=30) as marker:
            marker.sendall(MARKER)
            assert marker.recv(64).startswith(b"HTTP/1.1 404")
        assert self.hits[-1] == MARKER
        return [hit for hit in self.hits if hit != MARKER]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.sock.close()


def vectors(url: str) -> dict[str, str]:
    return {
        "service": f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "service silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "lower case": f"select * where {{ service <{url}/sparql> {{ ?s ?p ?o }} }}",
        "escaped keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "prefixed name": f"PREFIX x: <{url}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "nested": f"ASK {{ {{ SELECT * {{ OPTIONAL {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }} }} }} }}",
        "comment trick": f"SELECT * WHERE {{ #\n SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    }


def updates(url: str) -> dict[str, str]:
    return {
        "load": f"LOAD <{url}/data.ttl>",
        "load silent into graph": f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <{url}/g>",
        "clear": "CLEAR ALL",
        "drop": "DROP ALL",
        "insert data": "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
        "delete where": "DELETE WHERE { ?s ?p ?o }",
        "prologue then load": f"PREFIX x: <http://example.org/> LOAD <{url}/data.ttl>",
    }


def triple_count(server) -> int:
    response = requests.get(server.url + "/sparql", params={"query": COUNT}, headers=JSON,
                            timeout=30)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("name", list(vectors("http://x")))
def test_service_is_refused_and_nothing_is_fetched(strict_server, listener, name):
    query = vectors(listener.url)[name]
    response = requests.post(strict_server.url + "/sparql", data={"query": query},
                             headers=JSON, timeout=30)
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text
    assert listener.fetched() == []


@pytest.mark.parametrize("name", list(updates("http://x")))
@pytest.mark.parametrize("how", ["update form", "update body", "query form"])
def test_updates_are_refused_and_the_data_is_unchanged(strict_server, listener, name, how):
    before = triple_count(strict_server)
    text = updates(listener.url)[name]
    url = strict_server.url + "/sparql"
    if how == "update form":
        response = requests.post(url, data={"update": text}, timeout=30)
    elif how == "update body":
        response = requests.post(url, data=text.encode(), timeout=30,
                                 headers={"Content-Type": "application/sparql-update"})
    else:
        response = requests.post(url, data={"query": text}, timeout=30)
    assert response.status_code == 403, response.text
    assert "read-only" in response.text
    assert triple_count(strict_server) == before
    assert listener.fetched() == []


def test_dataset_clauses_address_only_our_graphs(strict_server, listener):
    url = strict_server.url + "/sparql"
    queries = [
        f"SELECT * FROM <{listener.url}/g> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ GRAPH <{listener.url}/g> {{ ?s ?p ?o }} }}",
        f"ASK {{ GRAPH <{listener.url}/g> {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{listener.url}/thing>",
    ]
    for query in queries:
        response = requests.get(url, params={"query": query}, timeout=30, headers={
            "Accept": "application/sparql-results+json, text/turtle"})
        assert response.status_code == 200, (query, response.text)
    for name in ("default-graph-uri", "named-graph-uri"):
        response = requests.get(url, headers=JSON, timeout=30, params={
            "query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            name: f"{listener.url}/g"})
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == []
    assert listener.fetched() == []


def test_a_query_worker_has_no_network_even_past_the_guard(cache_dir, listener, tmp_path):
    settings = load_settings({"cache_dir": str(cache_dir)})
    pool = QueryPool(settings, 1, ClientSlots(tmp_path / "slots", 2))
    try:
        for query in vectors(listener.url).values():
            pool.run(QueryJob(query, None, None, True, "json", 100), "test", 20)
        plain = pool.run(QueryJob(vectors(listener.url)["service"], None, None, True, "json",
                                  100), "test", 20)
        assert plain.status == "failed" and "unreachable" in plain.message.lower(), plain
        assert pool.run(QueryJob("ASK { ?s ?p ?o }", None, None, True, "json", 1), "test",
                        20).body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()
    assert listener.fetched() == []


def test_a_worker_allowed_the_network_does_reach_the_listener(cache_dir, listener, tmp_path):
    """The control: with an operator's allowlist the worker keeps its network, and the
    listener records pyoxigraph's SERVICE call, so the tests above can see a fetch."""
    settings = load_settings({"cache_dir": str(cache_dir), "service_allow": listener.url})
    pool = QueryPool(settings, 1, ClientSlots(tmp_path / "slots", 2))
    try:
        pool.run(QueryJob(vectors(listener.url)["service"], None, None, True, "json", 100),
                 "test", 20)
    finally:
        pool.close()
    fetched = listener.fetched()
    assert fetched and fetched[0].startswith(b"POST /sparql")
    listener.hits.clear()


def test_the_allowlist_names_exact_endpoints():
    query = ("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } "
             "SERVICE SILENT <http://b.example/sparql> {} SERVICE ?x {} }")
    assert [call.target for call in parse_query(query).services] == [
        "http://a.example/sparql", "http://b.example/sparql", None]
    assert refused_services(query, ["http://a.example/sparql"]) == [
        "http://b.example/sparql", "a non-IRI target"]
    assert refused_services("SELECT * { ?s <http://x/SERVICE> 'SERVICE' }", []) == []


class RemoteEndpoint(http.server.ThreadingHTTPServer):
    """A SPARQL endpoint on loopback that answers every query with one solution, and records
    the queries it was sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RemoteEndpointHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sparql"
        self.queries: list[str] = []


class RemoteEndpointHandler(http.server.BaseHTTPRequestHandler):
    server: RemoteEndpoint

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.queries.append(body)
        answer = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
            {"x": {"type": "uri", "value": "http://example.org/from-the-service"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def remote_endpoint() -> Iterator[RemoteEndpoint]:
    endpoint = RemoteEndpoint()
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    yield endpoint
    endpoint.shutdown()
    endpoint.server_close()


def test_an_allowed_service_is_queried_through_a_running_server(
        tmp_path_factory, cache_dir, remote_endpoint, listener):
    """``govkg serve --service-allow URL``: SERVICE to that endpoint is answered with its
    rows; any other SERVICE is still refused, and nothing else is fetched."""
    remote_endpoint.queries.clear()
    server = start_server(tmp_path_factory, "--workers", "1", "--query-workers", "1",
                          "--service-allow", remote_endpoint.url, cache=cache_dir)
    try:
        allowed = requests.post(server.url + "/sparql", headers=JSON, timeout=60, data={
            "query": f"SELECT ?x WHERE {{ SERVICE <{remote_endpoint.url}> {{ ?x ?p ?o }} }}"})
        other = requests.post(server.url + "/sparql", headers=JSON, timeout=60, data={
            "query": vectors(listener.url)["service"]})
    finally:
        stop_server(server)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["results"]["bindings"] == [
        {"x": {"type": "uri", "value": "http://example.org/from-the-service"}}]
    assert len(remote_endpoint.queries) == 1 and "?x" in remote_endpoint.queries[0]
    assert other.status_code == 400 and listener.url in other.text
    assert listener.fetched() == []
