"""govkg in front of a real Virtuoso Open Source 7 (``govkg serve --endpoint URL``).

One Virtuoso per session, started on free ports with govkg's N-Quads bulk-loaded
(``govkg.virtuoso``). The SPARQL protocol, linked-data and dump tests of the embedded mode
run again here, unchanged, against ``govkg serve --endpoint`` (their ``live_server`` and
``client`` fixtures are overridden below); the tests after them check that both modes
serve the same pages and that a failing endpoint gives clear errors.
"""

import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from live import LiveServer, free_port, page_text, start_server, stop_server
from test_dumps import *  # noqa: F403  (the same tests, in endpoint mode)
from test_linked_data import *  # noqa: F403
from test_sparql_protocol import *  # noqa: F403

from govkg.errors import GovkgError
from govkg.query import run_query
from govkg.remote_store import EndpointTimeout, EndpointUnavailable, RemoteQueryError
from govkg.store import built_graphs_file, open_endpoint
from govkg.virtuoso import VirtuosoError, start_virtuoso
from govkg.web.app import create_app

STARTUP_LIMIT_SECONDS = 120
IN_CI = os.environ.get("CI") == "true"
pytestmark = [pytest.mark.server, pytest.mark.slow]  # Virtuoso's start and load


@pytest.fixture(scope="session")
def virtuoso(settings: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The SPARQL URL of a Virtuoso holding govkg's built graphs (one named graph each)."""
    if shutil.which("virtuoso-t") is None:
        if IN_CI:
            pytest.fail("virtuoso-t is missing: .ci/run installs virtuoso-opensource")
        pytest.skip("virtuoso-t is missing (Debian package virtuoso-opensource)")
    url, stop = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), built_graphs_file(settings))
    yield url
    stop()


@pytest.fixture(scope="session")
def endpoint_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the in-process app and the server: dumps and the SHACL report once."""
    return tmp_path_factory.mktemp("endpoint-cache")


@pytest.fixture(scope="session")
def endpoint_app(settings: dict, virtuoso: str, endpoint_cache: Path):
    return create_app({**settings, "cache_dir": str(endpoint_cache), "endpoint": virtuoso})


@pytest.fixture
def client(endpoint_app):
    """Overrides the embedded-mode ``client`` of the tests imported above."""
    return endpoint_app.test_client()


@pytest.fixture(scope="session")
def endpoint_server(virtuoso: str, endpoint_cache: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``govkg serve --endpoint`` as a user starts it, on a free port."""
    server = start_server(tmp_path_factory, "--workers", "2", "--endpoint", virtuoso,
                          cache=endpoint_cache)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def live_server(endpoint_server: LiveServer) -> LiveServer:
    """Overrides the embedded-mode ``live_server`` of the tests imported above."""
    return endpoint_server


@pytest.fixture(scope="session")
def embedded_client(settings: dict):
    return create_app(settings).test_client()


# --- The same pages in both modes -----------------------------------------------------------

SAME_PAGES = [
    "/", "/provinces/", "/provinces/guangdong", "/provinces/zhejiang", "/classes/",
    "/classes/gk:Province", "/classes/gk:MobileApp", "/entities/",
    "/id/platform/beijingtong.html", "/id/platform/beijingtong.ttl",
    "/id/platform/beijingtong.jsonld", "/id/figure/zhejiang-data-records.nt",
    "/id/org/zhejiang-government.html", "/graph/data", "/graph/inferred.nt",
    "/sitemap.xml", "/id/platform/nope", "/sparql",
]


XSD = "http://www.w3.org/2001/XMLSchema#"


def as_oxigraph_types(text: str) -> str:
    """Oxigraph 0.5 stores integers of the derived types (``xsd:positiveInteger`` …) as
    ``xsd:integer``; Virtuoso keeps the type the source gives. Read Virtuoso's as Oxigraph's."""
    for derived in ("positiveInteger", "nonNegativeInteger"):
        text = text.replace(f"^^<{XSD}{derived}>", f"^^<{XSD}integer>")
    return text


@pytest.mark.parametrize("path", SAME_PAGES)
def test_same_page_in_both_modes(client, embedded_client, path):
    expected, served = embedded_client.get(path), client.get(path)
    assert served.status_code == expected.status_code
    assert as_oxigraph_types(page_text(served)) == page_text(expected)


@pytest.mark.parametrize("path", ["/ontology.nt", "/shapes.nt", "/graph/shapes.nt"])
def test_same_graph_with_blank_nodes(client, embedded_client, path):
    """Blank-node labels differ between stores; the graphs are the same (isomorphic)."""
    def canonical(body: bytes) -> pyoxigraph.Dataset:
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_QUADS))
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
        return dataset
    served = client.get(path)
    assert served.status_code == 200
    assert canonical(served.data) == canonical(embedded_client.get(path).data)


def visible(html: str) -> list[str]:
    """The texts and link targets of a page, in any order."""
    return sorted(re.findall(r'>[^<]+<|href="[^"]*"|title="[^"]*"', html))


@pytest.mark.parametrize("path", ["/ontology", "/shapes"])
def test_pages_with_blank_nodes(client, embedded_client, path):
    """The ontology and shapes pages open blank nodes (lists, property shapes) in place: the
    same texts and links, in another order where values are blank nodes (sorted by label)."""
    served, expected = client.get(path), embedded_client.get(path)
    assert served.status_code == 200
    assert visible(served.get_data(as_text=True)) == visible(expected.get_data(as_text=True))


def test_void_in_both_modes(client, embedded_client, settings):
    """The same VoID, but for the distinct objects: Virtuoso keeps "1"^^xsd:positiveInteger
    and "1"^^xsd:integer apart, Oxigraph makes them one term."""
    distinct_objects = pyoxigraph.NamedNode("http://rdfs.org/ns/void#distinctObjects")

    def void(app_client) -> tuple[set[str], int]:
        body = app_client.get("/void.nt").data
        triples = list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES))
        objects = next(t.object for t in triples if t.predicate == distinct_objects)
        return {str(t) for t in triples if t.predicate != distinct_objects}, int(objects.value)
    (served, served_objects), (expected, expected_objects) = void(client), void(embedded_client)
    assert served == expected
    objects = {str(q.object) for q in pyoxigraph.parse(path=str(built_graphs_file(settings)),
                                                       format=pyoxigraph.RdfFormat.N_QUADS)
               if not isinstance(q.object, pyoxigraph.BlankNode)}
    merged_by_oxigraph = {o for o in objects
                          if as_oxigraph_types(o) != o and as_oxigraph_types(o) in objects}
    assert served_objects == expected_objects + len(merged_by_oxigraph)


def test_dump_holds_the_same_quads(live_server, store):
    """The N-Quads dump, built by query from Virtuoso, holds what the embedded store does."""
    response = live_server.get("/dumps/govkg.nq.gz")
    assert response.status_code == 200
    served = pyoxigraph.Dataset(pyoxigraph.parse(
        as_oxigraph_types(gzip.decompress(response.content).decode()),
        format=pyoxigraph.RdfFormat.N_QUADS))
    embedded = pyoxigraph.Dataset(store.quads_for_pattern(None, None, None, None))
    for dataset in (served, embedded):
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    assert served == embedded


def test_virtuoso_system_graphs_stay_hidden(live_server):
    """Virtuoso's default graph is the union of all graphs, its own included; govkg's is
    the union of govkg's graphs, whatever the query says."""
    queries = ["SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
               "SELECT (COUNT(*) AS ?n) FROM <http://www.openlinksw.com/schemas/virtrdf#> "
               "{ ?s ?p ?o }"]
    graphs = live_server.get("/sparql", params={"query": queries[0]},
                             headers={"Accept": "application/sparql-results+json"}).json()
    assert {b["g"]["value"] for b in graphs["results"]["bindings"]} == {
        f"https://w3id.org/govkg/graph/{n}"
        for n in ("ontology", "data", "editorial", "external", "report", "evidence", "shapes",
                  "inferred")}
    count = live_server.get("/sparql", params={"query": queries[1]},
                            headers={"Accept": "application/sparql-results+json"}).json()
    assert count["results"]["bindings"][0]["n"]["value"] == "0"


def test_describe_is_the_concise_bounded_description(live_server, embedded_client):
    query = "DESCRIBE platform:beijingtong"
    served = live_server.get("/sparql", params={"query": query},
                             headers={"Accept": "application/n-triples"})
    expected = embedded_client.get("/sparql", query_string={"query": query},
                                   headers={"Accept": "application/n-triples"})
    assert served.status_code == 200
    # Virtuoso's CBD also gives the reifications of the described triples (graph/evidence),
    # as the CBD definition asks; Oxigraph's DESCRIBE does not. The rest is the same.
    reification = "<https://w3id.org/govkg/id/statement/"
    served_lines = [line for line in served.text.splitlines() if not line.startswith(reification)]
    assert len(served_lines) < len(served.text.splitlines())
    assert sorted(served_lines) == sorted(expected.get_data(as_text=True).splitlines())


def test_ask_false_and_true(live_server):
    for query, answer in (("ASK { platform:beijingtong a gk:MobileApp }", True),
                          ("ASK { platform:beijingtong a gk:Province }", False)):
        response = live_server.get("/sparql", params={"query": query},
                                   headers={"Accept": "application/sparql-results+json"})
        assert response.json() == {"head": {}, "boolean": answer}


def test_syntax_error_reads_as_in_embedded_mode(live_server):
    response = live_server.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"},
                               headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert "SPARQL syntax error at line 1, column" in response.text


def test_query_the_endpoint_refuses_is_400_with_its_message(live_server):
    """Valid SPARQL 1.1 that Virtuoso cannot run: its message, as a 400, no traceback."""
    response = live_server.get("/sparql",
                               params={"query": "SELECT * WHERE { ?s gk:partOf+ ?o } LIMIT 1"},
                               headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert "The SPARQL endpoint refused the query: Virtuoso" in response.text
    assert "Traceback" not in response.text


def test_virtuoso_pragmas_never_reach_it(live_server):
    response = live_server.get(
        "/sparql", params={"query": 'define input:same-as "yes" SELECT * { ?s ?p ?o } LIMIT 1'},
        headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text


def test_remote_run_query_options(virtuoso, store):
    """Each pyoxigraph option means the same on the endpoint as on the embedded store."""
    remote = open_endpoint(virtuoso)
    data, shapes = "https://w3id.org/govkg/graph/data", "https://w3id.org/govkg/graph/shapes"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    cases = [
        (count, {}),
        (count, {"default_graphs": [data]}),
        (count, {"default_graphs": []}),
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
         {"named_graphs": [data, shapes]}),
        (f"SELECT (COUNT(*) AS ?n) FROM <{data}> WHERE {{ ?s ?p ?o }}",
         {"union_default_graph": False}),
        (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{shapes}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
         " GROUP BY ?g", {"union_default_graph": False}),
        ("SELECT ?entity ?label WHERE { ?entity rdfs:label ?label } ORDER BY STR(?label)",
         {"substitutions": {pyoxigraph.Variable("entity"):
                            pyoxigraph.NamedNode("https://w3id.org/govkg/id/region/guangdong")}}),
    ]
    for text, options in cases:
        expected = [str(row) for row in run_query(store, text, **options)]
        assert [str(row) for row in run_query(remote, text, **options)] == expected, text


@pytest.mark.parametrize(("slug", "key"), [("21-launched-before-2018", "launched"),
                                         ("22-everything-dated-in-order", "start")])
def test_dates_filter_and_sort_as_in_embedded_mode(virtuoso, store, slug, key):
    """The dates' intervals are plain xsd:dates: Virtuoso filters and sorts them alike (rows
    tied on the date may come in another order: the two stores collate Chinese apart)."""
    from govkg.web.examples import EXAMPLES

    text = next(e.text for e in EXAMPLES if e.slug == slug)
    expected = list(run_query(store, text))
    served = list(run_query(open_endpoint(virtuoso), text))
    assert expected and sorted(map(str, served)) == sorted(map(str, expected))
    assert [row[key].value for row in served] == [row[key].value for row in expected]


def test_the_endpoint_s_data_passes_its_shapes(virtuoso):
    from govkg.validate import validate_store

    report = validate_store(open_endpoint(virtuoso))
    assert report.conforms and not report.unchecked, report.violations


def test_blank_nodes_are_followed(virtuoso):
    remote = open_endpoint(virtuoso)
    shape = pyoxigraph.NamedNode("https://w3id.org/govkg/shapes#AwardShape")
    properties = [q.object for q in remote.quads_for_pattern(
        shape, pyoxigraph.NamedNode("http://www.w3.org/ns/shacl#property"), None, None)]
    assert properties and all(isinstance(p, pyoxigraph.BlankNode) for p in properties)
    assert all(any(True for _ in remote.quads_for_pattern(p, None, None, None))
               for p in properties)


# --- A failing endpoint ---------------------------------------------------------------------

def test_endpoint_down_is_502_not_a_traceback(settings, tmp_path):
    url, stop = start_virtuoso(tmp_path / "virtuoso")  # empty, then stopped under the app
    try:
        app = create_app({**settings, "cache_dir": str(tmp_path / "cache"), "endpoint": url})
    finally:
        stop()
    client = app.test_client()
    for path in ("/id/platform/beijingtong.html", "/sparql?query=ASK%7B%7D"):
        response = client.get(path, headers={"Accept": "text/plain"})
        assert response.status_code == 502
        assert f"The SPARQL endpoint {url} cannot be reached" in response.get_data(as_text=True)


def test_silent_endpoint_times_out():
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        remote = open_endpoint(f"http://127.0.0.1:{listener.getsockname()[1]}/sparql")
        remote.timeout = 0.5
        with pytest.raises(EndpointTimeout, match=r"did not answer within 0\.5 s"):
            remote.query("ASK {}")


def test_endpoint_errors_are_govkg_errors():
    assert issubclass(EndpointUnavailable, GovkgError)
    assert issubclass(EndpointTimeout, GovkgError)
    assert issubclass(RemoteQueryError, GovkgError)


def test_cli_query_and_serve_errors(virtuoso, cache_dir):
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir), "GOVKG_ENDPOINT": virtuoso}
    done = subprocess.run([sys.executable, "-m", "govkg", "query", "--format", "csv",
                           "SELECT ?label WHERE { platform:beijingtong rdfs:label ?label } "
                           "ORDER BY STR(?label)"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["label", "Beijing Tong", "北京通"]
    down = subprocess.run([sys.executable, "-m", "govkg", "serve", "--port", str(free_port()),
                           "--endpoint", f"http://127.0.0.1:{free_port()}/sparql"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert down.returncode == 1
    assert down.stderr.startswith("govkg: error: The SPARQL endpoint http://127.0.0.1:")
    assert len(down.stderr.strip().splitlines()) == 1
    bad = subprocess.run([sys.executable, "-m", "govkg", "serve", "--endpoint", "ftp://x"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1
    assert bad.stderr.strip() == ("govkg: error: ftp://x: not an http:// or https:// URL of a "
                                  "SPARQL endpoint")


def test_broken_file_stops_the_load_with_its_line(tmp_path):
    broken = tmp_path / "broken.nq"
    broken.write_text('<urn:a> <urn:b> "unterminated <urn:g> .\n', encoding="utf-8")
    with pytest.raises(VirtuosoError, match=r"bulk loader failed: .*broken\.nq.*line"):
        start_virtuoso(tmp_path / "virtuoso", broken)


def test_results_cut_by_the_endpoint_are_an_error(tmp_path, settings):
    """A Virtuoso whose ResultSetMaxRows is below a graph's size: no silently short dump."""
    url, stop = start_virtuoso(tmp_path, built_graphs_file(settings), max_rows=100)
    try:
        remote = open_endpoint(url)
        data = pyoxigraph.NamedNode("https://w3id.org/govkg/graph/data")
        with pytest.raises(EndpointUnavailable, match="cut the results at 100 rows"):
            remote.quads_for_pattern(None, None, None, data)
        assert len(list(run_query(remote, "SELECT * { ?s ?p ?o } LIMIT 10"))) == 10
    finally:
        stop()


def test_pages_in_a_browser(endpoint_server, page):
    """Debian's Chromium follows links from the home page to an app and its sentence, with
    no console error and no failed request on the way, all served from Virtuoso."""
    page.goto(endpoint_server.url + "/lang/zh?next=/")
    page.get_by_role("link", name="北京市").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="北京通").first.click()
    page.wait_for_load_state()
    assert "/id/platform/beijingtong" in page.url
    assert "一站式政务APP“北京通”正式上线" in page.content()
    assert page.console_errors == []
