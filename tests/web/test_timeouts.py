"""The query time limit on a real server: 503 after it, the worker killed, others still
served; a client's heavy queries capped (429); a worker dying under a query (503).

The strict server stops queries after 2 s. The pathological query asks for the size of the
graph cubed (about 10^12 rows), which no machine finishes. Nothing here waits a fixed time:
which query worker runs a query is seen in /proc (it leaves its ``recv``), a slot held is
seen in /proc/locks, so the tests hold on a loaded machine.
"""

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from live import STRICT_TIMEOUT
from processes import (
    cpu_seconds,
    idle_query_workers,
    locked_files,
    runtime_dir,
    wait_for,
    waiting_for_a_job,
)

from govkg.settings import load_settings
from govkg.web.serve.client_slots import ClientSlots, NoSlotFree
from govkg.web.serve.query_worker import memory_limit_bytes

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { platform:beijingtong a gk:MobileApp }"
JSON = {"Accept": "application/sparql-results+json"}
HEAVY_PER_CLIENT = load_settings({})["heavy_queries_per_client"]  # the server's too

pytestmark = pytest.mark.server


def run(server, query: str, **kwargs) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query}, headers=JSON,
                        timeout=60, **kwargs)


def in_background(server, query: str, results: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(run(server, query)))
    thread.start()
    return thread


def test_a_query_past_the_limit_gets_503_after_the_limit(strict_server):
    started = time.monotonic()
    response = run(strict_server, ENDLESS)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert f"ran longer than the {STRICT_TIMEOUT} s limit and was stopped" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed >= STRICT_TIMEOUT  # not cut short; that it is stopped: the next test


def the_busy_one(idle: list[int]) -> int:
    """The one query worker of ``idle`` that left its wait for a job."""
    busy = wait_for(lambda: [p for p in idle if not waiting_for_a_job(p)], "a busy worker")
    assert len(busy) == 1, busy
    return busy[0]


def test_the_worker_is_killed_and_others_are_served_meanwhile(strict_server):
    pids = idle_query_workers(strict_server.process.pid, 8)
    results: list = []
    thread = in_background(strict_server, ENDLESS, results)
    spinning = the_busy_one(pids)
    assert run(strict_server, ASK).json()["boolean"] is True  # another client, meanwhile
    assert results == [] and cpu_seconds(spinning) is not None  # the long one still runs
    thread.join()
    assert results[0].status_code == 503
    assert cpu_seconds(spinning) is None  # killed (its CPU freed) and reaped, before the 503
    assert all(waiting_for_a_job(p) for p in pids if p != spinning)
    fresh = idle_query_workers(strict_server.process.pid, 8)
    assert spinning not in fresh  # a fresh one replaces it


def client_slots(server) -> ClientSlots:
    """The strict server's slots for heavy queries, as its processes see them."""
    return ClientSlots(runtime_dir(server.process.pid) / "client-slots", HEAVY_PER_CLIENT)


def test_a_heavy_query_holds_one_of_its_clients_slots(strict_server):
    directory = client_slots(strict_server).directory
    results: list = []
    thread = in_background(strict_server, ENDLESS, results)
    held = wait_for(lambda: locked_files(directory), "a slot held by the query")
    thread.join()
    assert len(held) == 1 and results[0].status_code == 503
    assert locked_files(directory) == set()  # given back


def test_a_client_past_its_heavy_queries_gets_429(strict_server):
    """With both of 127.0.0.1's slots held (as two long queries of its would), its next
    query is stopped when it turns heavy: 429, not the time limit's 503."""
    slots = client_slots(strict_server)
    with slots.hold("127.0.0.1"), slots.hold("127.0.0.1"):
        third = run(strict_server, ENDLESS)
    quick = run(strict_server, ASK)  # the slots free again: served
    assert third.status_code == 429, third.text
    assert "as many long queries as this endpoint allows" in third.text
    assert int(third.headers["Retry-After"]) > 0
    assert quick.json()["boolean"] is True
    metrics = requests.get(strict_server.url + "/metrics", timeout=30).text
    assert re.search(r'govkg_rejections_total\{reason="client-limit"\} [1-9]', metrics)


def test_a_worker_that_dies_during_a_query_gets_503(strict_server):
    """A query worker killed under a query (as the kernel kills one past its memory limit)
    answers 503, and is replaced."""
    pids = idle_query_workers(strict_server.process.pid, 8)
    results: list = []
    thread = in_background(strict_server, ENDLESS, results)
    os.kill(the_busy_one(pids), signal.SIGKILL)
    thread.join()
    assert results[0].status_code == 503
    assert "stopped the process that ran it" in results[0].text
    assert int(results[0].headers["Retry-After"]) > 0
    metrics = requests.get(strict_server.url + "/metrics", timeout=30).text
    assert re.search(r'govkg_rejections_total\{reason="worker-died"\} [1-9]', metrics)
    idle_query_workers(strict_server.process.pid, 8)


def test_query_workers_have_a_memory_limit(strict_server):
    """Their share of the machine's memory (2 web workers × 4 query workers here)."""
    expected = memory_limit_bytes(load_settings({"workers": 2, "query_workers": 4}))
    for pid in idle_query_workers(strict_server.process.pid, 8):
        limits = Path(f"/proc/{pid}/limits").read_text()
        line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        assert line.split()[3] == str(expected), line


def test_the_html_page_times_out_too(strict_server):
    response = requests.get(strict_server.url + "/sparql", params={"query": ENDLESS},
                            headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 503
    assert "timed out" in response.text


def test_timeouts_and_rejections_are_counted(strict_server):
    run(strict_server, ENDLESS)
    metrics = requests.get(strict_server.url + "/metrics", timeout=30).text
    timeouts = [line for line in metrics.splitlines()
                if line.startswith("govkg_query_timeouts_total")]
    assert timeouts and float(timeouts[0].split()[-1]) >= 1
    assert 'govkg_rejections_total{reason="timeout"}' in metrics


def test_client_slots_count_per_client_and_free_on_exit(tmp_path):
    slots = ClientSlots(tmp_path / "slots", 2)
    other_process_view = ClientSlots(tmp_path / "slots", 2)  # same files, separate handles
    with slots.hold("10.0.0.1"), other_process_view.hold("10.0.0.1"):
        with pytest.raises(NoSlotFree), slots.hold("10.0.0.1"):
            pass
        with slots.hold("10.0.0.2"):  # another client has its own slots
            pass
    with slots.hold("10.0.0.1"), slots.hold("10.0.0.1"):  # both freed again
        pass
