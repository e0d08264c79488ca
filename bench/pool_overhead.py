"""What running queries in worker processes costs: HTTP p50 against in-process Oxigraph p50.

Starts ``govkg serve`` on a free loopback port, times each query of ``docs/queries/`` and an
ASK in-process (query and serialise to SPARQL JSON) and over HTTP, checks the goal
``HTTP p50 <= 2 x in-process p50 + 2 ms``, then measures ASK throughput with ``wrk`` against
govkg and, right after in the same conditions, against ``floor_app.py`` (the least
Flask + gunicorn app answering the same ASK): govkg should reach at least half of it.

    python bench/pool_overhead.py [--runs 200] [--workers 2]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests
from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat, serialize

from govkg.query import run_query
from govkg.settings import load_settings
from govkg.store import built_graphs_file, open_store

REPO = Path(__file__).resolve().parents[1]
ASK = "ASK { platform:beijingtong a gk:MobileApp }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def queries() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8")
             for p in sorted((REPO / "docs" / "queries").glob("*.rq"))}
    return {**found, "ask": ASK}


def in_process_p50(store, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run_query(store, text)
        if isinstance(result, QueryTriples):
            serialize(list(result), format=RdfFormat.TURTLE)
        else:
            result.serialize(format=QueryResultsFormat.JSON)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def http_p50(session: requests.Session, url: str, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(url, params={"query": text},
                               headers={"Accept": "application/sparql-results+json, text/turtle"})
        response.raise_for_status()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="govkg-bench-")
    settings = load_settings({"cache_dir": cache})
    store = open_store(settings)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "govkg", "serve", "--port", str(port), "--workers",
         str(args.workers)], env={**os.environ, "GOVKG_CACHE_DIR": cache},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        session = requests.Session()
        deadline = time.monotonic() + 300
        while True:
            try:
                if session.get(url, params={"query": ASK}).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.3)
        time.sleep(3)  # every query worker up
        print(f"{'query':<24} {'in-process ms':>14} {'HTTP ms':>9} {'goal ms':>9}  ok")
        for name, text in queries().items():
            local = in_process_p50(store, text, args.runs) * 1000
            remote = http_p50(session, url, text, args.runs) * 1000
            goal = 2 * local + 2
            print(f"{name:<24} {local:>14.2f} {remote:>9.2f} {goal:>9.2f}  "
                  f"{'yes' if remote <= goal else 'NO'}")
        if shutil.which("wrk"):
            ours = wrk_rate(f"{url}?query={quote(ASK)}")
            server.terminate()
            server.wait(timeout=30)
            minimal = minimal_rate(built_graphs_file(settings))
            print(f"ASK throughput (wrk -t2 -c8 -d5s): govkg {ours:,.0f} req/s, minimal Flask "
                  f"app {minimal:,.0f} req/s: {ours / minimal:.0%} of it (goal: 50 %)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(cache, ignore_errors=True)


def wrk_rate(target: str) -> float:
    out = subprocess.run(["wrk", "-t2", "-c8", "-d5s", "-H",
                          "Accept: application/sparql-results+json", target],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    return float(line.split()[1])


def minimal_rate(nquads: Path) -> float:
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "floor_app:create()"], cwd=Path(__file__).parent,
        env={**os.environ, "FLOOR_DUMP": str(nquads)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql?query={quote(ASK)}"
    try:
        for _ in range(100):
            try:
                if requests.get(url, timeout=5).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        return wrk_rate(url)
    finally:
        app.terminate()
        app.wait(timeout=30)


if __name__ == "__main__":
    main()
