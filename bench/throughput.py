"""Throughput by ``wrk`` (2 threads, 8 connections): three workloads, several servers, the goals.

- **ask**: one ASK, repeated (answered from govkg's result cache after the first time);
- **cycle**: a Lua script cycling through a few hundred distinct queries, label lookups
  and two-hop queries taken from the data (all cached after the first pass);
- **distinct**: the same script with a ``VALUES ?nonce { n }`` clause that makes every
  request a query never seen before (for govkg, every one a cache miss and an insert).

The scripts' requests come from ``CLIENTS`` clients per ``wrk`` thread, named by
``X-Forwarded-For`` (govkg is started trusting loopback as its proxy, as in production
behind nginx): govkg keeps each client to a fair share of its query workers, and one client
with eight connections of cache misses is more than its share (``govkg.web.serve.lanes``).

Each round runs every workload on every server in turn, so a busy minute of the shared
machine weighs on all alike; the goals are medians of the rounds' ratios.
"""

from __future__ import annotations

import re
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from harness import NotRun, Server, http_get, which

JSON_RESULTS = "application/sparql-results+json"
WORKLOADS = ("ask", "cycle", "distinct")
LABEL_LOOKUPS = 200
TWO_HOPS = 100
CLIENTS = 8
PROLOGUE = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX gk: <https://w3id.org/govkg/ontology#>\n")
# the ratios the goals are about: (what, numerator, denominator, workload, goal)
GOALS = (("distinct queries (cache misses), govkg / floor", "govkg", "floor", "distinct", 0.5),
         ("repeated ASK (cache hits), govkg / floor", "govkg", "floor", "ask", 1.0),
         ("repeated ASK through nginx, nginx / oxigraph-server", "nginx", "oxigraph-server",
          "ask", 0.5))
SHOWN = (("cycled queries (cache hits), govkg / floor", "govkg", "floor", "cycle"),
         ("cycled queries through nginx, nginx / oxigraph-server", "nginx", "oxigraph-server",
          "cycle"))


@dataclass
class Throughput:
    name: str
    workload: str = "ask"
    round: int = 1
    requests_per_second: float | None = None
    non_2xx: int | None = None
    errors: str = ""
    not_run: str | None = None
    # CPU time the server's processes spent per request: unlike requests/s, hardly moved by
    # other load on the machine
    cpu_ms_per_request: float | None = None
    rss_mb: float | None = None  # the server's resident memory after the run


def workload_queries(dump: Path) -> list[str]:
    """A few hundred distinct queries on the dump's data: exact label lookups and two-hop
    queries from an entity (with their prefixes, for servers that predeclare none)."""
    import pyoxigraph
    from pyoxigraph import RdfFormat

    store = pyoxigraph.Store()
    store.bulk_load(path=str(dump), format=RdfFormat.N_QUADS)
    labels = store.query(PROLOGUE + f"""SELECT DISTINCT ?label WHERE {{ ?s rdfs:label ?label }}
        ORDER BY ?label LIMIT {LABEL_LOOKUPS}""", use_default_graph_as_union=True)
    entities = store.query(PROLOGUE + f"""SELECT DISTINCT ?s WHERE {{
        ?s ?p ?o . ?o rdfs:label ?l FILTER(isIRI(?s)) }} ORDER BY ?s LIMIT {TWO_HOPS}""",
                           use_default_graph_as_union=True)
    queries = [PROLOGUE + f"SELECT ?s WHERE {{ ?s rdfs:label {row['label']} }}"
               for row in labels]
    queries += [PROLOGUE + f"""SELECT ?p ?o ?label WHERE {{ {row['s']} ?p ?o .
        ?o rdfs:label ?label FILTER(LANG(?label) = "zh") }}""" for row in entities]
    return queries


def lua_script(path: Path, queries: list[str], *, fresh: bool, run: int = 0) -> Path:
    """A wrk script sending ``queries`` in turn by GET to the URL's path; ``fresh`` adds a
    ``VALUES ?nonce`` clause numbered per run, thread and request, so none ever repeats, not
    even in a later run on the same server (give each its own ``run``)."""
    items = ",\n".join('"' + quote(q, safe="") + '"' for q in queries)
    nonce = quote(" VALUES ?nonce { ", safe="")
    path.write_text(f"""local queries = {{
{items}
}}
local fresh = {"true" if fresh else "false"}
local counter = 0
local threads = 0
number = 0  -- this thread's number, set by setup()

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function request()
  counter = counter + 1
  local query = queries[(counter + number * 7) % #queries + 1]
  if fresh then
    query = query .. "{nonce}" .. "{run}" .. string.format("%03d%09d", number, counter)
      .. "%20%7D"
  end
  local client = "10.77." .. number .. "." .. (counter % {CLIENTS} + 1)
  return wrk.format("GET", wrk.path .. "?query=" .. query, {{["X-Forwarded-For"] = client}})
end
""")
    return path


def wrk(server: Server, path: str, seconds: int, workload: str, number: int,
        script: Path | None = None, headers: dict[str, str] | None = None) -> Throughput:
    """``wrk -t2 -c8`` on one URL (or a Lua script's), with the server's CPU per request.

    ``headers`` default to asking for SPARQL JSON results."""
    found = Throughput(server.name, workload, number)
    try:
        program = which("wrk")
    except NotRun as why:
        found.not_run = str(why)
        return found
    if server.process.poll() is not None:
        found.not_run = f"the server had exited ({server.process.returncode})"
        return found
    cpu_before = server.cpu_seconds()
    command = [program, "-t2", "-c8", f"-d{seconds}s"]
    for name, value in (headers if headers is not None else {"Accept": JSON_RESULTS}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, server.url + path], capture_output=True, text=True,
                         timeout=seconds + 60, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    found.requests_per_second = float(rate.group(1)) if rate else None
    found.non_2xx = int(bad.group(1)) if bad else 0
    found.errors = errors.group(0) if errors else ""
    if total and int(total.group(1)):
        found.cpu_ms_per_request = 1000 * cpu / int(total.group(1))
    found.rss_mb = server.rss_mb()
    if server.process.poll() is not None:
        found.errors = (found.errors + f" (the server exited: {server.process.returncode})"
                        ).strip()
    return found


def cache_bytes(server: Server) -> float | None:
    """What govkg's result cache holds, from its /metrics."""
    try:
        status, body = http_get(server.url + "/metrics")
    except OSError:
        return None
    match = re.search(rb"^govkg_result_cache_bytes (\S+)$", body, re.MULTILINE)
    return float(match.group(1)) if status == 200 and match else None


def ratios(found: list[Throughput], top: str, bottom: str, workload: str) -> list[float]:
    """``top``'s requests/s over ``bottom``'s, round by round."""
    def rate(name: str, number: int) -> float | None:
        return next((t.requests_per_second for t in found if t.name == name
                     and t.workload == workload and t.round == number), None)

    numbers = sorted({t.round for t in found})
    pairs = [(rate(top, n), rate(bottom, n)) for n in numbers]
    return [t / b for t, b in pairs if t and b]


def goal_lines(found: list[Throughput]) -> list[str]:
    lines = []
    for what, top, bottom, workload, goal in GOALS:
        shares = ratios(found, top, bottom, workload)
        if not shares:
            lines.append(f"- {what}: not measured: FAIL")
            continue
        share = statistics.median(shares)
        verdict = "PASS" if share >= goal else "FAIL"
        each = ", ".join(f"{s:.2f}" for s in shares)
        lines.append(f"- {what} = {share:.2f}, the median of the rounds ({each}) "
                     f"(goal ≥ {goal:.2f}): {verdict}")
    for what, top, bottom, workload in SHOWN:
        shares = ratios(found, top, bottom, workload)
        if shares:
            lines.append(f"- {what} = {statistics.median(shares):.2f} "
                         f"({', '.join(f'{s:.2f}' for s in shares)}) (no goal)")
    ours = [t for t in found if t.name in ("govkg", "floor", "nginx") and not t.not_run]
    bad = sum(t.non_2xx or 0 for t in ours)
    lines.append(f"- non-2xx answers from govkg, the floor app and nginx: {bad} "
                 f"(goal 0): {'PASS' if bad == 0 and ours else 'FAIL'}")
    return lines
