"""Each server worker and its query workers share one CPU; a long query may use them all.

See ``govkg.web.serve.cpu_affinity`` for why. The server tests read the affinity of the strict
server's processes (2 server workers, 4 query workers each) from the kernel.
"""

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest
import requests
from processes import (
    children,
    command_line,
    idle_query_workers,
    wait_for,
    waiting_for_a_job,
)
from testbed import IN_CI

from govkg.web.serve import cpu_affinity

CPUS = set(os.sched_getaffinity(0))
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

PINNED = len(CPUS) == 2  # the strict server's 2 workers pin only when there are 2 CPUs


@pytest.mark.parametrize(("workers", "taken", "expected"), [
    (2, [], 0),
    (2, [0], 1),
    (2, [1], 0),
    (3, [0, 1], 0),  # a third worker goes where fewest are
    (4, [0, 0, 1], 1),
    (2, [None], 0),  # a worker started before pinning counts for none
    (1, [], None),  # fewer workers than CPUs: a CPU would be left without a web worker
])
def test_a_new_worker_gets_the_least_used_cpu(monkeypatch, workers, taken, expected):
    monkeypatch.setattr(cpu_affinity, "available_cpus", lambda: {0, 1})
    assert cpu_affinity.choose_cpu(workers, taken) == expected


def test_one_cpu_is_never_pinned(monkeypatch):
    monkeypatch.setattr(cpu_affinity, "available_cpus", lambda: {3})
    assert cpu_affinity.choose_cpu(4, []) is None


def web_workers(server) -> list[int]:
    return [p for p in children(server.process.pid)
            if "govkg.web.serve.query_worker" not in command_line(p)]


def parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rpartition(")")[2].split()[1])


@pytest.mark.server
def test_server_workers_and_their_query_workers_share_a_cpu(strict_server):
    workers = idle_query_workers(strict_server.process.pid, 8)
    web = web_workers(strict_server)
    assert len(web) == 2
    cpus = {pid: set(os.sched_getaffinity(pid)) for pid in web}
    if PINNED:
        assert sorted(min(c) for c in cpus.values()) == sorted(CPUS)
        assert all(len(c) == 1 for c in cpus.values())
    else:
        assert all(c == CPUS for c in cpus.values())
    for worker in workers:
        assert parent(worker) in cpus  # none is left over in the master
        assert set(os.sched_getaffinity(worker)) == cpus[parent(worker)]


@pytest.mark.server
def test_a_long_query_may_use_every_cpu(strict_server):
    """The worker running a query past 20 ms is let loose on every CPU before the limit stops
    it; the others stay on their web worker's CPU."""
    idle = idle_query_workers(strict_server.process.pid, 8)
    answer: list = []
    thread = threading.Thread(target=lambda: answer.append(requests.get(
        strict_server.url + "/sparql", params={"query": ENDLESS}, timeout=60)))
    thread.start()
    busy = wait_for(lambda: [p for p in idle if not waiting_for_a_job(p)], "a busy worker")
    assert len(busy) == 1, busy
    loose = wait_for(lambda: _affinity(busy[0]) == CPUS or not thread.is_alive(),
                     "the busy worker let loose, or the answer") and thread.is_alive()
    others = {p: _affinity(p) for p in idle if p != busy[0]}
    thread.join()
    assert answer[0].status_code == 503  # the limit stopped it: it was loose while it ran
    assert loose, "the query ran to its limit without being let loose"
    if PINNED:
        assert all(len(cpus) == 1 for cpus in others.values()), others


def _affinity(pid: int) -> set[int] | None:
    try:
        return set(os.sched_getaffinity(pid))
    except OSError:
        return None


POOL_SCRIPT = textwrap.dedent("""
    import json, os, threading, time
    from govkg.settings import load_settings
    from govkg.web.serve import cpu_affinity, query_pool
    from govkg.web.serve.query_worker import QueryJob

    cpu_affinity.pin_process(0)
    pool = query_pool.make_pool({**load_settings({}), "query_workers": 1})
    worker = next(iter(pool._workers))
    seen = []
    def watch():
        while not done.is_set():
            seen.append(frozenset(os.sched_getaffinity(worker.process.pid)))
            time.sleep(0.005)
    done = threading.Event()
    watcher = threading.Thread(target=watch)
    watcher.start()
    query = "SELECT (COUNT(*) AS ?n) { SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 20000000 }"
    answer = pool.run(QueryJob(query, None, None, True, "json", 10), "-", 600)
    done.set()
    watcher.join()
    print(json.dumps({"status": answer.status, "during": sorted(set().union(*seen)),
                      "after": sorted(os.sched_getaffinity(worker.process.pid))}))
""")


@pytest.mark.skipif((len(CPUS) < 2 or 0 not in CPUS) and not IN_CI, reason="needs CPUs 0 and 1")
def test_a_long_query_is_let_loose_then_pinned_back(cache_dir):
    """In a separate process, pinned to CPU 0 like a server worker: a query that runs past
    20 ms (this one takes about half a second on a quiet machine; a heavy query yields its
    CPU to others, so on a loaded one it may take minutes) is spread over every CPU, and
    pinned back after."""
    run = subprocess.run([sys.executable, "-c", POOL_SCRIPT], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)})
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["status"] == "ok"
    assert seen["during"] == sorted(CPUS)  # it ran loose at some point
    assert seen["after"] == [0]
