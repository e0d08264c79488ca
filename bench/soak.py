"""A bounded soak of ``govkg serve`` on loopback: a mix of everything, for some minutes.

Starts its own server on a free loopback port (short query time limit, a small memory cap
per query worker, loopback as a trusted proxy so that each client thread is its own client
by ``X-Forwarded-For``), then client threads mix good queries, malformed and refused ones,
crafted query texts (quadratic for the earlier query reader, nested 10,000 deep, SERVICE
behind an escaped ``#``), queries that time out, queries that exhaust a worker's memory,
page views and dump downloads, while slow connections trickle their heads a byte a second
and are dropped at the head deadline. It checks what a long-running endpoint must keep
true:

- no unintended 5xx (the only 5xx allowed are the 503 of a query past the time limit or
  past its memory);
- the server's memory is flat: total RSS of the process tree grows < 10 % after warm-up;
- every worker is alive at the end (gunicorn workers and all query workers).

    python bench/soak.py [--minutes 2] [--clients 4] [--workers 2] [--query-timeout 2]

Prints the figures and exits non-zero when a check fails.
"""

import argparse
import contextlib
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
from harness import command_line, free_port, process_tree, rss_bytes

REPO = Path(__file__).resolve().parents[1]
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml",
           "text/html"]
MALFORMED = ["SELECT * WHERE {", "SELEKT ?x", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }",
             "CLEAR ALL", "ASK {} ORDER", "SELECT * WHERE { ?s ?p ?o } LIMIT -1", "%FF"]
PAGES = ["/", "/sparql", "/provinces/", "/classes/", "/entities/", "/ontology",
         "/id/platform/beijingtong", "/id/region/guangdong", "/.well-known/void", "/catalog",
         "/dumps/", "/no/such/page", "/id/platform/<script>"]
DUMPS = ["/dumps/govkg.ttl", "/dumps/govkg.nq.gz", "/dumps/govkg.jsonld", "/dumps/ontology.ttl"]
CRAFTED = ['SELECT * WHERE { BIND("' + '\\"\\"\\"' * 4000 + '" AS ?x) }',
           "SELECT * WHERE { " + "a." * 12000 + " }",
           "SELECT * " + "{" * 10000 + "}" * 10000,
           "PREFIX e: <http://e/> SELECT * { BIND(e:a\\# AS ?x) "
           "SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } }"]
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"  # past --query-memory
QUERY_MEMORY_MB = 512
SLOW_CONNECTIONS = 20
SAMPLE_SECONDS = 5


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)  # (kind, status) -> count
    seconds: dict = field(default_factory=lambda: defaultdict(list))
    unintended: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, elapsed: float, detail: str) -> None:
        intended = status < 500 or (kind in ("timeout", "hungry") and status == 503)
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.seconds[kind].append(elapsed)
            if not intended:
                self.unintended.append(f"{kind} {status} {detail[:120]}")


def queries() -> list[str]:
    examples = sorted((REPO / "src/govkg/web/queries").glob("0[1-5]-*.rq"))  # the README's five
    found = [p.read_text(encoding="utf-8") for p in examples]
    return [*found, "ASK { platform:beijingtong a gk:MobileApp }",
            "SELECT * WHERE { ?s ?p ?o }",  # cut at max rows
            "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }"]


def one_request(base: str, session: requests.Session, rng: random.Random,
                heavy: threading.Semaphore, tally: Tally) -> None:
    roll = rng.random()
    if roll < 0.45:
        kind, method, path = "query", "GET", "/sparql"
        params = {"query": rng.choice(queries())}
        headers = {"Accept": rng.choice(ACCEPTS) + ", text/turtle;q=0.9"}
    elif roll < 0.57:
        kind, method, path = "malformed", "POST", "/sparql"
        params, headers = {"query": rng.choice(MALFORMED)}, {"Accept": "text/plain"}
    elif roll < 0.60:
        kind, method, path = "crafted", "POST", "/sparql"
        params, headers = {"query": rng.choice(CRAFTED)}, {"Accept": "text/plain"}
    elif roll < 0.62:
        if not heavy.acquire(blocking=False):  # a client keeps within its heavy-query slots
            return
        try:
            kind, query = rng.choice([("timeout", ENDLESS), ("timeout", ENDLESS),
                                      ("hungry", HUNGRY)])
            started = time.monotonic()
            response = session.get(base + "/sparql", params={"query": query}, timeout=60,
                                   headers={"Accept": "application/sparql-results+json"})
            tally.add(kind, response.status_code, time.monotonic() - started, response.text)
        finally:
            heavy.release()
        return
    elif roll < 0.92:
        kind, method, path = "page", "GET", rng.choice(PAGES)
        params, headers = {}, {"Accept": rng.choice(["text/html", "text/turtle", "*/*"])}
    else:
        kind, method, path = "dump", "GET", rng.choice(DUMPS)
        params, headers = {}, {}
    started = time.monotonic()
    if method == "GET":
        response = session.get(base + path, params=params, headers=headers, timeout=60)
    else:
        response = session.post(base + path, data=params, headers=headers, timeout=60)
    tally.add(kind, response.status_code, time.monotonic() - started, response.text)


def client(base: str, seed: int, until: float, heavy: threading.Semaphore,
           tally: Tally) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["X-Forwarded-For"] = f"10.0.0.{seed}"  # the server trusts loopback
    while time.monotonic() < until:
        try:
            one_request(base, session, rng, heavy, tally)
        except requests.RequestException as error:
            tally.add("connection", 599, 0.0, str(error))


def slow_connections(port: int, until: float, tally: Tally) -> None:
    """``SLOW_CONNECTIONS`` connections sending a head a byte a second, each opened again
    when the server drops it at the head deadline (with 408, or closed if nothing came)."""
    head = b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 100
    open_ones: list[tuple[socket.socket, int, float]] = []
    while time.monotonic() < until:
        while len(open_ones) < SLOW_CONNECTIONS:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.setblocking(False)
            open_ones.append((sock, 0, time.monotonic()))
        kept = []
        for sock, sent, opened in open_ones:
            try:
                answer = sock.recv(64)  # the server's 408 (or its close) ends the connection
            except BlockingIOError:
                with contextlib.suppress(OSError):
                    sock.send(head[sent:sent + 1])
                    kept.append((sock, sent + 1, opened))
                    continue
                answer = b""
            except OSError:
                answer = b""
            status = int(answer[9:12]) if answer[9:12].isdigit() else 0
            tally.add("slow", status, time.monotonic() - opened, answer.decode("latin-1"))
            sock.close()
        open_ones = kept
        time.sleep(1.0)
    for sock, _, _ in open_ones:
        sock.close()


def wait_until_ready(base: str, process: subprocess.Popen, query_workers: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"govkg serve exited with {process.returncode}")
        try:
            if requests.get(base + "/", timeout=5).ok and len(workers(process.pid)[1]) \
                    >= query_workers:
                return
        except (requests.ConnectionError, requests.Timeout):  # its workers are starting
            pass
        time.sleep(0.5)
    sys.exit("govkg serve did not start")


def workers(master: int) -> tuple[list[int], list[int]]:
    """(gunicorn workers, query workers) under the server's master process."""
    pids = process_tree(master)[1:]
    query = [p for p in pids if "govkg.web.serve.query_worker" in command_line(p)]
    return [p for p in pids if p not in query and "govkg" in command_line(p)], query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query-workers", type=int, default=4)
    parser.add_argument("--query-timeout", type=float, default=2.0)
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="govkg-soak-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    expected_query_workers = args.workers * args.query_workers
    server = subprocess.Popen(
        [sys.executable, "-m", "govkg", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(args.workers), "--query-workers", str(args.query_workers),
         "--query-timeout", str(args.query_timeout), "--max-rows", "1000",
         "--query-memory", str(QUERY_MEMORY_MB), "--trusted-proxy", "127.0.0.1"],
        env={**os.environ, "GOVKG_CACHE_DIR": cache}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(base, server, expected_query_workers)
        tally, heavy = Tally(), threading.Semaphore(2)
        duration = args.minutes * 60
        started = time.monotonic()
        until = started + duration
        threads = [threading.Thread(target=client, args=(base, n, until, heavy, tally))
                   for n in range(args.clients)]
        threads.append(threading.Thread(target=slow_connections, args=(port, until, tally)))
        for thread in threads:
            thread.start()
        samples: list[tuple[float, int]] = []
        while time.monotonic() < until:
            rss = sum(rss_bytes(p) for p in process_tree(server.pid))
            samples.append((time.monotonic() - started, rss))
            time.sleep(SAMPLE_SECONDS)
        for thread in threads:
            thread.join()
        time.sleep(args.query_timeout + 10)  # let the last killed worker be replaced
        gunicorn_workers, query_workers = workers(server.pid)
        alive = server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(cache, ignore_errors=True)
    report(args, tally, samples, duration, alive, gunicorn_workers, query_workers,
           expected_query_workers)


def report(args, tally: Tally, samples, duration: float, alive: bool, gunicorn_workers,
           query_workers, expected_query_workers: int) -> None:
    warm = [rss for t, rss in samples if t >= max(30.0, duration * 0.2)]
    window = max(1, len(warm) // 5)
    start_mb = statistics.mean(warm[:window]) / 2**20 if warm else 0.0
    end_mb = statistics.mean(warm[-window:]) / 2**20 if warm else 0.0
    growth = (end_mb - start_mb) / start_mb * 100 if start_mb else 0.0
    total = sum(tally.statuses.values())
    print(f"soak: {args.minutes:g} min, {args.clients} clients, {args.workers} server workers "
          f"× {args.query_workers} query workers, query timeout {args.query_timeout:g} s")
    print(f"requests: {total} ({total / duration:.1f}/s)")
    for kind in sorted(tally.seconds):
        times = sorted(tally.seconds[kind])
        statuses = ", ".join(f"{s}: {n}" for (k, s), n in sorted(tally.statuses.items())
                             if k == kind)
        print(f"  {kind:<10} {len(times):>7}  p50 {statistics.median(times) * 1000:7.1f} ms  "
              f"p95 {times[int(len(times) * 0.95) - 1] * 1000:7.1f} ms  [{statuses}]")
    print(f"unintended 5xx: {len(tally.unintended)}")
    for line in tally.unintended[:10]:
        print("   ", line)
    print(f"server RSS (all processes) after warm-up: {start_mb:.0f} MB -> {end_mb:.0f} MB "
          f"({growth:+.1f} %), peak {max(r for _, r in samples) / 2**20:.0f} MB")
    print(f"alive at the end: server {alive}, {len(gunicorn_workers)}/{args.workers} server "
          f"workers, {len(query_workers)}/{expected_query_workers} query workers")
    ok = (not tally.unintended and growth < 10 and alive
          and len(gunicorn_workers) == args.workers
          and len(query_workers) == expected_query_workers)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
