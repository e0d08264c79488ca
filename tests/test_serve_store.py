"""``govkg serve --store`` over real HTTP, what ``govkg load`` builds for it, and warm starts.

A store made by ``govkg load`` is served by a real gunicorn process on a free port; its
dumps, search index and whole-store figures were built by the load, so the server's start
builds nothing: a second start (and the first, after a load) leaves the cache as it was.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph
import pytest
import requests
from pyoxigraph import NamedNode
from testbed import cache_with_built_graphs, run_govkg

from govkg.builds import build_id
from govkg.bulkload import reason_store
from govkg.reason_sparql import INFERRED, materialise
from govkg.search import open_index
from govkg.settings import load_settings
from govkg.store import built_graphs_file, load_nquads, open_persistent

SYNTH = Path(__file__).resolve().parents[1] / "bench" / "synth.py"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
STARTUP_LIMIT_SECONDS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(cache_dir: Path, log: Path, *args: str) -> Iterator[str]:
    """A ``govkg serve`` process on a free port; its URL once it answers, stopped after."""
    port = free_port()
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "govkg", "serve", "--port", str(port), "--workers", "2",
             *args], stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url + "/sparql?query=ASK{}", process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until ``url`` answers 200. Until then the server is still starting, whatever the
    client sees: no connection, a connection with no answer yet (a slow start), or another
    status; only the process exiting, or the start-up limit passing, fails the test."""
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"govkg serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # refused, reset, or no answer within 5 s
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"govkg serve did not answer:\n{log.read_text()}")
        time.sleep(0.1)


def snapshot(directory: Path) -> dict[str, int]:
    """Every file under ``directory`` with its modification time."""
    return {str(p.relative_to(directory)): p.stat().st_mtime_ns
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, settings: dict) -> dict[str, Path]:
    """A store of govkg's graphs plus 2,000 synthetic triples, made by ``govkg load``."""
    d = tmp_path_factory.mktemp("served")
    data = d / "synth.nq.gz"
    subprocess.run([sys.executable, str(SYNTH), "2000", "-o", str(data)], check=True,
                   capture_output=True)
    cache = cache_with_built_graphs(settings, d / "cache")
    result = run_govkg("load", str(data), "--embedded", "--store", str(d / "store"),
                       cache_dir=cache)
    assert result.returncode == 0, result.stderr
    assert "Built the dumps, the search index and the figures" in result.stdout
    return {"store": d / "store", "cache": cache, "dir": d}


def test_load_builds_what_the_server_needs(loaded: dict[str, Path]) -> None:
    settings = load_settings({"cache_dir": str(loaded["cache"]), "store": str(loaded["store"])})
    build = build_id(settings)
    cache = loaded["cache"]
    assert (cache / f"dumps-{build}" / "manifest.json").is_file()
    assert (cache / f"facts-{build}" / "complete").is_file()
    index = open_index(settings)
    assert index.search("广东省")  # a province of the embedded data and of the synthetic one
    index.close()


@pytest.mark.slow
def test_serves_the_store_over_http_and_starts_without_building(loaded: dict[str, Path]) -> None:
    cache, store = loaded["cache"], loaded["store"]
    before = snapshot(cache)
    with serving(cache, loaded["dir"] / "serve.log", "--store", str(store)) as url:
        answer = requests.get(url + "/sparql", params={"query": COUNT},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200
        count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        assert count == len(open_persistent(store))
        synthetic = requests.get(url + "/id/platform/beijing-app-1", timeout=60)
        assert synthetic.status_code == 200 and "北京市政务APP1" in synthetic.text
        assert synthetic.url.endswith("/id/platform/beijing-app-1.html")
        for path in ("/", "/.well-known/void", "/dumps/", "/catalog"):
            assert requests.get(url + path, timeout=60).status_code == 200, path
        dump = requests.get(url + "/dumps/govkg.nq.gz", timeout=60)
        assert dump.status_code == 200 and dump.content[:2] == b"\x1f\x8b"
    # Neither the first start after the load nor a second one builds anything.
    with serving(cache, loaded["dir"] / "again.log", "--store", str(store)):
        pass
    assert snapshot(cache) == before


def test_a_warm_start_of_the_embedded_data_builds_nothing(cache_dir: Path,
                                                           tmp_path: Path) -> None:
    with serving(cache_dir, tmp_path / "first.log"):
        pass
    before = snapshot(cache_dir)
    with serving(cache_dir, tmp_path / "second.log") as url:
        assert requests.get(url + "/", timeout=60).status_code == 200
    assert snapshot(cache_dir) == before


@pytest.mark.slow
def test_reason_command_materialises_in_the_store(tmp_path: Path, settings: dict,
                                                  cache_dir: Path) -> None:
    store_dir = tmp_path / "store"
    assert run_govkg("load", "--embedded", "--store", str(store_dir),
                     cache_dir=cache_dir).returncode == 0
    result = run_govkg("reason", "--store", str(store_dir), cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert "graph/inferred holds" in result.stdout

    expected = load_nquads(built_graphs_file(settings))
    materialise(expected)
    inferred = NamedNode(INFERRED)

    def inferred_triples(store: pyoxigraph.Store) -> set:
        return {q.triple for q in store.quads_for_pattern(None, None, None, inferred)}

    assert inferred_triples(open_persistent(store_dir)) == inferred_triples(expected)


def test_load_with_reason_materialises_in_the_store(tmp_path: Path, cache_dir: Path) -> None:
    """``govkg load FILE --reason`` of the asserted graphs (no inferred graph in them) leaves
    in the store the inferred graph that the SPARQL rules give in memory."""
    asserted = tmp_path / "asserted.nq"
    dumped = run_govkg("dump", "--format", "nq", "--graph", "asserted", "-o", str(asserted),
                       cache_dir=cache_dir)
    assert dumped.returncode == 0, dumped.stderr
    store_dir = tmp_path / "store"
    result = run_govkg("load", str(asserted), "--store", str(store_dir), "--reason",
                       cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert "graph/inferred holds" in result.stdout
    expected = load_nquads(asserted)
    materialise(expected)
    inferred = NamedNode(INFERRED)
    wanted = {q.triple for q in expected.quads_for_pattern(None, None, None, inferred)}
    assert len(wanted) > 1000
    loaded = open_persistent(store_dir)
    assert {q.triple for q in loaded.quads_for_pattern(None, None, None, inferred)} == wanted


def test_reason_refuses_what_is_not_a_store(tmp_path: Path, cache_dir: Path) -> None:
    result = run_govkg("reason", "--store", str(tmp_path / "missing"), cache_dir=cache_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("govkg: error: ") and "no such directory" in result.stderr
    with pytest.raises(Exception, match="not an Oxigraph store"):
        reason_store(tmp_path)


@pytest.mark.slow
def test_a_loaded_store_serves_data_that_passes_its_shapes(tmp_path: Path,
                                                           cache_dir: Path) -> None:
    """``govkg load`` keeps what Oxigraph makes of the literals; the dump and shapes served
    from that store still conform, and ``govkg validate --store`` and ``/validation`` say so."""
    import pyshacl
    from rdflib import Graph

    store_dir = tmp_path / "store"
    assert run_govkg("load", "--embedded", "--store", str(store_dir),
                     cache_dir=cache_dir).returncode == 0
    checked = run_govkg("validate", "--store", str(store_dir), cache_dir=cache_dir)
    assert checked.returncode == 0 and "conforms" in checked.stdout, checked.stdout
    with serving(cache_dir, tmp_path / "serve.log", "--store", str(store_dir)) as url:
        data = Graph().parse(data=requests.get(url + "/dumps/govkg.ttl", timeout=60).content,
                             format="turtle")
        shapes = Graph().parse(data=requests.get(url + "/dumps/shapes.ttl", timeout=60).content,
                               format="turtle")
        page = requests.get(url + "/validation", headers={"Accept": "text/html"}, timeout=60)
    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                               advanced=True)
    assert conforms, text
    assert "The data conforms to the shapes." in page.text
