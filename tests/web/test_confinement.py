"""Where the system refuses query workers an empty network namespace (shown here with a
shim that makes ``unshare`` fail), govkg runs no user query unless its operator allows it."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from live import start_server, stop_server
from test_no_fetch import Listener

from govkg.settings import load_settings
from govkg.web.serve.client_slots import ClientSlots
from govkg.web.serve.query_pool import QueryPool
from govkg.web.serve.query_worker import PAGE, QueryJob


def run_govkg(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    """The ``govkg`` command as a user runs it, in a subprocess."""
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    return subprocess.run([sys.executable, "-m", "govkg", *args], capture_output=True,
                          text=True, env=env, timeout=300)


SHIM = '''
import ctypes

class _NoUnshare(ctypes.CDLL):
    def __getattr__(self, name):
        if name == "unshare":
            return lambda flags: -1
        return super().__getattr__(name)

ctypes.CDLL = _NoUnshare
'''


@pytest.fixture
def no_unshare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sitecustomize.py").write_text(SHIM)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))


def test_govkg_serve_refuses_to_start_unconfined(no_unshare, cache_dir):
    result = run_govkg("serve", "--port", "0", cache_dir=cache_dir)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--allow-unconfined" in result.stderr


@pytest.mark.parametrize(("allowed", "status"), [(False, "unconfined"), (True, "ok")])
def test_an_unconfined_worker_runs_queries_only_when_allowed(no_unshare, cache_dir, tmp_path,
                                                             allowed, status):
    settings = load_settings({"cache_dir": str(cache_dir), "allow_unconfined": allowed})
    pool = QueryPool(settings, 1, ClientSlots(tmp_path / "slots", 1))
    try:
        assert pool.wait_until_ready(120)
        answer = pool.run(QueryJob("ASK {}", None, None, True, PAGE, 10), "client", 10)
        assert answer.status == status
    finally:
        pool.close()


@pytest.mark.server
def test_an_escaped_hash_no_longer_hides_service(strict_server):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
        response = requests.post(
            strict_server.url + "/sparql", timeout=30,
            data=f"PREFIX e: <http://e/> SELECT * {{ BIND(e:a\\# AS ?x) "
                 f"SERVICE <{target}> {{ ?a ?b ?c }} }}",
            headers={"Content-Type": "application/sparql-query", "Accept": "text/plain"})
        assert response.status_code == 400
        assert "SERVICE" in response.text
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing came


@pytest.mark.server
def test_where_workers_have_a_network_the_parse_keeps_service_out(
        no_unshare, tmp_path_factory, cache_dir, tmp_path):
    """The issue's attack (``e:a\\#`` read as a comment hid the SERVICE after it) against a
    server whose query workers have a network (``unshare`` refused, ``--allow-unconfined``):
    the grammar's parse refuses it and every other spelling, and nothing is fetched. The
    control: the same query handed to a query worker directly does reach the listener."""
    listener = Listener()
    target = f"{listener.url}/x"
    queries = [
        f"PREFIX e: <http://e/> SELECT * {{ BIND(e:a\\# AS ?x) SERVICE <{target}> {{ ?a ?b ?c }} }}",
        f"SELECT * {{ ?s ?p ?o OPTIONAL {{ {{ SELECT * {{ SERVICE <{target}> {{ }} }} }} }} }}",
        f"SELECT * {{ \\u0053ERVICE \\u0053ILENT <{target}> {{ }} }}",
        f"SELECT * {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ }} }}",
        f"SELECT * {{ FILTER(?x<5&&?y>3) SERVICE <{target}> {{ }} }}",  # unreadable: refused
    ]
    server = start_server(tmp_path_factory, "--workers", "1", "--query-workers", "1",
                          "--allow-unconfined", cache=cache_dir)
    try:
        answers = [requests.post(server.url + "/sparql", data=query.encode(), timeout=30,
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "text/plain"}) for query in queries]
    finally:
        stop_server(server)
    assert [answer.status_code for answer in answers] == [400] * len(queries)
    assert all("SERVICE" in answer.text for answer in answers[:4])
    assert "SPARQL 1.1 grammar" in answers[4].text
    assert listener.fetched() == []

    settings = load_settings({"cache_dir": str(cache_dir), "allow_unconfined": True})
    pool = QueryPool(settings, 1, ClientSlots(tmp_path / "slots", 1))
    try:
        pool.run(QueryJob(queries[0], None, None, True, "json", 10), "control", 20)
    finally:
        pool.close()
    assert listener.fetched(), "the worker had no network: the test above proved nothing"
