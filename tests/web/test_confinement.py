"""Where the system refuses query workers an empty network namespace (shown here with a
shim that makes ``unshare`` fail), govkg runs no user query unless its operator allows it."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

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
