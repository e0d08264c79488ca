"""govkg in front of Oxigraph server (the ``oxigraph`` command, from PyPI): a second SPARQL
1.1 store, with none of Virtuoso's quirks, for the generic path of ``govkg serve --endpoint``.

Oxigraph server cannot be asked about a blank node of an earlier result, so blank nodes are
not followed there (lists on the ontology and shapes pages show as anonymous nodes); every
page without blank nodes is the same as in embedded mode.
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from govkg.store import built_graphs_file
from govkg.web.app import create_app

from conftest import free_port, page_text

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
    assert page_text(served) == page_text(expected)


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
