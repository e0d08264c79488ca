"""The query time limit on a real server: 503 in time, the CPU freed, others still served.

The strict server stops queries after 2 s. The pathological query asks for the size of the
graph cubed (about 10^12 rows), which no machine finishes.
"""

import threading
import time

import pytest
import requests
from live import STRICT_TIMEOUT
from processes import cpu_seconds, query_workers

from govkg.web.serve.client_slots import ClientSlots, NoSlotFree

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { platform:beijingtong a gk:MobileApp }"
JSON = {"Accept": "application/sparql-results+json"}

pytestmark = pytest.mark.server


def run(server, query: str, **kwargs) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query}, headers=JSON,
                        timeout=60, **kwargs)


def in_background(server, query: str, results: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(run(server, query)))
    thread.start()
    return thread


def busy_workers(pids: list[int], seconds: float = 0.5) -> list[int]:
    """The workers among ``pids`` that used at least a fifth of a CPU over ``seconds``."""
    before = {p: cpu_seconds(p) for p in pids}
    time.sleep(seconds)
    return [p for p in pids if before[p] is not None and (cpu_seconds(p) or 0) - before[p]
            >= seconds / 5]


def test_a_query_past_the_limit_gets_503_in_time(strict_server):
    started = time.monotonic()
    response = run(strict_server, ENDLESS)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "timed out" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert STRICT_TIMEOUT - 0.5 < elapsed < STRICT_TIMEOUT + 3


def all_workers(server, count: int = 8) -> list[int]:
    """The server's query workers, once all ``count`` run (2 server workers × 4)."""
    deadline = time.monotonic() + 60
    while len(pids := query_workers(server.process.pid)) < count:
        assert time.monotonic() < deadline, f"only {len(pids)} query workers"
        time.sleep(0.2)
    time.sleep(1)  # let the newest finish opening their store
    return pids


def test_the_cpu_is_freed_and_others_are_served_meanwhile(strict_server):
    pids = all_workers(strict_server)
    results: list = []
    thread = in_background(strict_server, ENDLESS, results)
    time.sleep(0.3)
    spinning = busy_workers(pids)
    assert len(spinning) == 1, spinning
    started = time.monotonic()
    assert run(strict_server, ASK).json()["boolean"] is True  # another client, meanwhile
    assert time.monotonic() - started < 1
    thread.join()
    assert results[0].status_code == 503
    assert cpu_seconds(spinning[0]) is None  # killed, and reaped
    assert busy_workers([p for p in pids if p != spinning[0]]) == []
    assert spinning[0] not in all_workers(strict_server)  # a fresh one replaces it


def test_too_many_heavy_queries_from_one_client_get_429(strict_server):
    results: list = []
    threads = [in_background(strict_server, ENDLESS, results) for _ in range(2)]
    time.sleep(0.3)
    started = time.monotonic()
    third = run(strict_server, ENDLESS)
    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) > 0
    assert time.monotonic() - started < STRICT_TIMEOUT
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [503, 503]
    assert run(strict_server, ASK).status_code == 200


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
