"""How fast govkg's endpoint answers, next to its engine and its peers, in one run on one dump.

    python bench/endpoint.py                   # govkg's own data (the embedded build)
    python bench/endpoint.py --synth 100000    # plus 100 k synthetic triples (bench/synth.py)
    python bench/endpoint.py --quick           # a few repetitions: checks that it runs

(``pip install -e '.[bench]'`` brings rdflib-endpoint; ``wrk`` is a Debian package.)

For each query of a fixed set — count, group-by-type, exact label lookup, CONTAINS filter
over labels, a two-hop join, a numeric filter with ORDER BY, a DESCRIBE and an entity page —
it measures p50 and p95 (ms) of:

- **oxigraph**: the query run in-process by pyoxigraph on the same dump, results serialised
  as the endpoint sends them (SPARQL JSON, N-Triples): the engine floor. For the entity page,
  the govkg app in-process (Flask's test client): everything but HTTP and gunicorn.
- **govkg**: the same over HTTP on a ``govkg serve`` started here, on one kept-alive connection.
  The oxigraph and govkg columns are measured together, ten calls at a time in turn, so
  that a slower minute of the machine weighs on both alike.
- **rdflib**: the query in-process by rdflib (the naive approach), skipped above
  ``--rdflib-max`` triples.
- **rdflib-endpoint**: the query over HTTP on rdflib-endpoint (rdflib behind FastAPI).
- **govkg, new query**: the same, each call made a query never seen before by a
  ``VALUES ?nonce { n }`` clause: a result-cache miss every time (the **govkg** column,
  repeating one query, is answered from the cache after its first call).
- **oxigraph-server**: the query over HTTP on ``oxigraph serve-read-only
  --union-default-graph`` (the Rust server of the same engine) on the same dump.
- **rdflib**: the query in-process by rdflib (the naive approach), skipped above
  ``--rdflib-max`` triples.
- **rdflib-endpoint**: the query over HTTP on rdflib-endpoint (rdflib behind FastAPI).
- **virtuoso**: the query over HTTP on Virtuoso Open Source (``virtuoso_endpoint`` below,
  started and loaded by ``govkg.virtuoso``).

It prints one side-by-side table with the check "govkg p50 ≤ 2 × oxigraph p50 + 2 ms" per
query for both govkg columns (PASS/FAIL), then throughput by ``wrk`` (``bench/throughput.py``:
a repeated ASK, a cycle of a few hundred distinct queries, and the same made new on every
request) on govkg, the floor app (``bench/floor_app.py``: Flask + gunicorn answering from
pyoxigraph, same worker count and class), Oxigraph server without and with ``--timeout-s``,
and nginx with the shipped ``docs/nginx.conf`` in front of govkg, in turn, three rounds
(``--wrk-rounds``), with non-2xx counts, the server's CPU time per request and its memory;
then the goals (medians of the rounds' ratios) and the result cache's bytes against its
bound (``--cache-mb``). A column that cannot run here says why ("not run: …").
``--json FILE`` also writes every figure as JSON. The exit status is 0 unless something
broke; ``--strict`` makes a missed goal exit 1 too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from harness import (
    BIN,
    ROOT,
    Client,
    NotRun,
    Server,
    Timing,
    free_port,
    measure_interleaved,
    start_nginx,
    start_oxigraph_server,
    start_server,
)
from throughput import (
    WORKLOADS,
    Throughput,
    cache_bytes,
    goal_lines,
    lua_script,
    workload_queries,
    wrk,
)

PREFIXES = """PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
ENTITY = "https://w3id.org/govkg/id/region/guangdong"
ENTITY_PAGE = "/id/region/guangdong.html"
ASK = PREFIXES + "ASK { ?s a gk:Province }"
JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class BenchQuery:
    name: str
    sparql: str | None  # None: a page, not a query
    page: str | None = None

    @property
    def accept(self) -> str:
        if self.page:
            return "text/html"
        return NTRIPLES if self.sparql and "DESCRIBE" in self.sparql else JSON_RESULTS


QUERIES = (
    BenchQuery("count", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    BenchQuery("group-by-type", PREFIXES + """SELECT ?type (COUNT(?s) AS ?n)
        WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"""),
    BenchQuery("exact label", PREFIXES + 'SELECT ?s WHERE { ?s rdfs:label "广东省"@zh }'),
    BenchQuery("CONTAINS label", PREFIXES + """SELECT ?s ?label
        WHERE { ?s rdfs:label ?label FILTER(CONTAINS(?label, "政务")) }"""),
    BenchQuery("two-hop join", PREFIXES + """SELECT ?platform ?government ?name WHERE {
        ?platform gk:operatedBy ?body . ?body gk:partOf ?government .
        ?government rdfs:label ?name FILTER(LANG(?name) = "zh") }"""),
    BenchQuery("numeric ORDER BY", PREFIXES + """SELECT ?figure ?value
        WHERE { ?figure gk:value ?value FILTER(?value > 50) } ORDER BY DESC(?value) LIMIT 100"""),
    BenchQuery("DESCRIBE", f"DESCRIBE <{ENTITY}>"),
    BenchQuery("entity page", None, ENTITY_PAGE),
)
ENGINES = ("oxigraph", "govkg", "govkg, new query", "oxigraph-server", "rdflib",
           "rdflib-endpoint", "virtuoso")
MISS = "govkg, new query"


@dataclass(eq=False)  # a dict key in run_columns: by identity
class Column:
    name: str
    timings: dict[str, Timing] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # query name → why not
    not_run: str | None = None  # why the whole column is empty
    start_seconds: float | None = None


def sparql_path(query: str) -> str:
    return "/sparql?query=" + quote(query, safe="")


# --- the dump ------------------------------------------------------------------------------

def make_dump(workdir: Path, cache: Path, synth: int) -> Path:
    """govkg's built graphs (N-Quads), plus ``synth`` synthetic triples if asked."""
    from govkg.settings import load_settings
    from govkg.store import built_graphs_file

    built = built_graphs_file(load_settings({"cache_dir": str(cache)}))
    if not synth:
        return built
    dump = workdir / "dump.nq"
    synthetic = workdir / "synth.nq.gz"
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), str(synth), "-o",
                    str(synthetic)], check=True)
    with dump.open("wb") as out:
        out.write(built.read_bytes())
        with gzip.open(synthetic, "rb") as data:
            shutil.copyfileobj(data, out)
    return dump


def count_quads(dump: Path) -> int:
    with dump.open("rb") as lines:
        return sum(1 for _ in lines)


# --- the columns ---------------------------------------------------------------------------

def run_columns(runners: dict[Column, Callable[[BenchQuery], Callable[[], object]]],
                repeats: int, warmup: int) -> None:
    """Each query on every column given, the columns taking turns (``measure_interleaved``)."""
    for query in QUERIES:
        runs = {}
        for column, runner in runners.items():
            try:
                runs[column.name] = (column, runner(query))
            except NotRun as why:
                column.skipped[query.name] = str(why)
        timings = measure_interleaved({name: run for name, (_, run) in runs.items()},
                                      repeats, warmup)
        for name, (column, _) in runs.items():
            column.timings[query.name] = timings[name]


def oxigraph_runner(dump: Path, app_settings: dict) -> Callable:
    import pyoxigraph
    from pyoxigraph import QueryResultsFormat, QueryTriples, RdfFormat

    from govkg.web.app import create_app

    store = pyoxigraph.Store()
    store.bulk_load(path=str(dump), format=RdfFormat.N_QUADS)
    client = create_app(app_settings).test_client()

    def runner(query: BenchQuery) -> Callable[[], object]:
        if query.page:
            def page() -> object:
                response = client.get(query.page, headers={"Accept": "text/html"})
                assert response.status_code == 200, response.status_code
                return response.data
            return page

        def run() -> object:
            result = store.query(query.sparql, use_default_graph_as_union=True)
            if isinstance(result, QueryTriples):
                return result.serialize(format=RdfFormat.N_TRIPLES)
            return result.serialize(format=QueryResultsFormat.JSON)
        return run
    return runner


def rdflib_runner(dump: Path) -> Callable:
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(str(dump), format="nquads")

    def runner(query: BenchQuery) -> Callable[[], object]:
        if query.page:
            raise NotRun("a govkg page")
        fmt = "nt" if "DESCRIBE" in (query.sparql or "") else "json"
        return lambda: dataset.query(query.sparql).serialize(format=fmt)
    return runner


def http_runner(server_url: str, sparql: str, *, pages: bool, fresh: bool = False) -> Callable:
    """Queries by GET ``<sparql>?query=`` on one kept-alive connection; ``fresh``: each
    call a new query (the same plus ``VALUES ?nonce { n }``), never answered from a cache."""
    client = Client(server_url)
    calls = iter(range(1, 1 << 62))

    def runner(query: BenchQuery) -> Callable[[], object]:
        if query.page:
            if not pages:
                raise NotRun("a govkg page")
            return lambda: client.get(query.page, {"Accept": query.accept})
        path = sparql + "?query=" + quote(query.sparql or "", safe="")
        if not fresh:
            return lambda: client.get(path, {"Accept": query.accept})
        nonce = quote(" VALUES ?nonce { ", safe="")
        return lambda: client.get(f"{path}{nonce}{next(calls)}%20%7D", {"Accept": query.accept})
    return runner


def start_govkg(stack: ExitStack, logs: Path, settings_env: dict[str, str],
                store: Path | None, workers: int) -> Server:
    port = free_port()
    # loopback is its proxy: nginx, and wrk's scripts naming their clients (bench/throughput.py)
    command = [str(BIN / "govkg"), "serve", "--port", str(port), "--workers", str(workers),
               "--trusted-proxy", "127.0.0.1"]
    if store:
        command += ["--store", str(store)]
    return start_server(stack, "govkg", command, port, sparql_path("ASK {}"), log_dir=logs,
                        env=settings_env)


def start_rdflib_endpoint(stack: ExitStack, logs: Path, dump: Path) -> Server:
    try:
        import rdflib_endpoint  # noqa: F401
    except ImportError:
        raise NotRun("rdflib-endpoint is not installed (pip install -e '.[bench]')") from None
    port = free_port()
    command = [sys.executable, "-m", "rdflib_endpoint", "serve", str(dump), "--host",
               "127.0.0.1", "--port", str(port)]
    return start_server(stack, "rdflib-endpoint", command, port, "/?query=ASK%7B%7D",
                        log_dir=logs)


def virtuoso_endpoint(stack: ExitStack, dump: Path, workdir: Path) -> str:
    """The SPARQL endpoint URL of a Virtuoso holding ``dump``, stopped when ``stack`` closes:
    ``govkg.virtuoso`` (the tests' Virtuoso too) with more buffers for big dumps.
    "not run" if Virtuoso is not installed or fails.
    """
    from govkg.virtuoso import VirtuosoError, start_virtuoso

    directory = workdir / "virtuoso"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    try:
        virtuoso = start_virtuoso(directory, dump, buffers=170_000)
    except VirtuosoError as error:
        raise NotRun(str(error)) from None
    stack.callback(virtuoso.stop)
    return virtuoso.sparql_url


# --- throughput ----------------------------------------------------------------------------

def measure_throughput(stack: ExitStack, logs: Path, dump: Path, workdir: Path,
                       args: argparse.Namespace, govkg: Server | None) -> list[Throughput]:
    """Every workload on every server in turn, ``--wrk-rounds`` times (``bench/throughput.py``)."""
    if govkg is None:
        return [Throughput("govkg", not_run="govkg did not start")]
    servers: dict[str, Server] = {"govkg": govkg}
    found: list[Throughput] = []
    starters = (("floor", lambda: start_floor(stack, logs, dump, args.workers)),
                ("oxigraph-server", lambda: start_oxigraph_server(
                    stack, "oxigraph-server", dump, workdir, log_dir=logs)),
                ("oxigraph-server --timeout-s", lambda: start_oxigraph_server(
                    stack, "oxigraph-server --timeout-s", dump, workdir, log_dir=logs,
                    timeout_s=args.query_timeout)),
                ("nginx", lambda: start_nginx(stack, govkg, workdir, log_dir=logs)))
    for name, start in starters:
        try:
            servers[name] = start()
        except NotRun as why:
            found.append(Throughput(name, not_run=str(why)))
    queries = workload_queries(dump)
    # a distinct run's queries are new to the server in every round (``run``)
    scripts = {"cycle": lua_script(workdir / "cycle.lua", queries, fresh=False)}
    runs_on = {"ask": list(servers), "cycle": [n for n in servers if "timeout" not in n],
               "distinct": ["govkg", "floor"]}
    for number in range(1, args.wrk_rounds + 1):
        for workload in WORKLOADS:
            for name in runs_on[workload]:
                if name not in servers:
                    continue
                server = servers[name]
                path = "/query" if name.startswith("oxigraph") else "/sparql"
                print(f"wrk {workload} on {name}, round {number} …", file=sys.stderr,
                      flush=True)
                if workload == "ask":
                    found.append(wrk(server, path + "?query=" + quote(ASK, safe=""),
                                     args.wrk_seconds, workload, number))
                else:
                    script = scripts[workload] if workload == "cycle" else lua_script(
                        workdir / f"distinct-{name}-{number}.lua", queries, fresh=True,
                        run=number)
                    found.append(wrk(server, path, args.wrk_seconds, workload, number, script))
    return found


def start_floor(stack: ExitStack, logs: Path, dump: Path, workers: int) -> Server:
    port = free_port()
    command = [str(BIN / "gunicorn"), "--chdir", str(ROOT / "bench"), "-w", str(workers),
               "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}", "floor_app:create()"]
    return start_server(stack, "floor", command, port, sparql_path("ASK {}"), log_dir=logs,
                        env={"FLOOR_DUMP": str(dump)})


# --- the report ----------------------------------------------------------------------------

def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("pyoxigraph", "oxigraph", "flask", "gunicorn", "rdflib", "rdflib-endpoint"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        out = subprocess.run(["virtuoso-t", "--version"], capture_output=True, text=True,
                             timeout=30)
        match = re.search(r"Version (\S+)", out.stdout + out.stderr)
        found["virtuoso"] = match.group(1) if match else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        found["virtuoso"] = "not installed"
    for program, option in (("wrk", "--version"), ("nginx", "-v")):
        try:
            out = subprocess.run([program, option], capture_output=True, text=True, timeout=30)
            match = re.search(r"(?:wrk|nginx/)\s*(\S+)", out.stdout + out.stderr)
            found[program] = match.group(1) if match else "unknown"
        except (OSError, subprocess.TimeoutExpired):
            found[program] = "not installed"
    return found


def load() -> str:
    """The load averages (1, 5, 15 min) when the runs ended: what else the machine was doing."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    with open("/proc/meminfo") as info:
        kb = int(info.readline().split()[1])
    return f"{cores} cores, {kb / 1024 / 1024:.0f} GiB"


def ratio_check(oxigraph: Timing | None, *govkg: Timing | None) -> str:
    """PASS when every govkg timing given is within 2 × oxigraph's p50 + 2 ms."""
    found = [t for t in govkg if t is not None]
    if oxigraph is None or not found:
        return "n/a"
    limit = 2 * oxigraph.p50_ms + 2
    verdict = "PASS" if all(t.p50_ms <= limit for t in found) else "FAIL"
    shown = " and ".join(f"{t.p50_ms:.2f}" for t in found)
    return f"{verdict} ({shown} ≤ {limit:.2f})"


def cell(column: Column, query: str) -> str:
    if column.not_run:
        return "not run"
    if query in column.skipped:
        return "—"
    timing = column.timings.get(query)
    return str(timing) if timing else "—"


def report(columns: dict[str, Column], throughput: list[Throughput], info: dict) -> str:
    lines = [f"Machine: {info['machine']}, load {info['load']} at the end; "
             f"{info['quads']:,} quads ({info['dump']}); "
             f"{info['repeats']} runs per query after {info['warmup']} warm-up.",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
             "",
             "p50 / p95 in ms:",
             "",
             "| query | " + " | ".join(ENGINES) + " | both govkg ≤ 2 × oxigraph + 2 ms |",
             "|---" * (len(ENGINES) + 2) + "|"]
    for query in QUERIES:
        cells = [cell(columns[e], query.name) for e in ENGINES]
        check = ratio_check(columns["oxigraph"].timings.get(query.name),
                            columns["govkg"].timings.get(query.name),
                            columns[MISS].timings.get(query.name))
        lines.append(f"| {query.name} | " + " | ".join(cells) + f" | {check} |")
    lines.append("")
    for name in ENGINES:
        column = columns[name]
        if column.not_run:
            lines.append(f"{name}: not run: {column.not_run}")
        for query, why in column.skipped.items():
            lines.append(f"{name}, {query}: {why}")
        if column.start_seconds is not None:
            lines.append(f"{name}: started in {column.start_seconds:.2f} s")
    lines += ["", f"Throughput (wrk -t2 -c8 -d{info['wrk_seconds']}s; every server in turn, "
              "round by round):", ""]
    for workload in WORKLOADS:
        for t in (t for t in throughput if t.workload == workload):
            if t.not_run:
                lines.append(f"- {t.name}: not run: {t.not_run}")
                continue
            cpu = (f", {t.cpu_ms_per_request:.2f} ms server CPU a request"
                   if t.cpu_ms_per_request else "")
            memory = f", {t.rss_mb:.0f} MB resident" if t.rss_mb else ""
            lines.append(f"- {workload}, round {t.round}, {t.name}: "
                         f"{t.requests_per_second or 0:,.0f} requests/s, {t.non_2xx} non-2xx"
                         f"{cpu}{memory} {t.errors}".rstrip())
    if throughput:
        lines += ["", "Goals:", "", *goal_lines(throughput), memory_line(throughput, info)]
    return "\n".join(lines)


def memory_line(throughput: list[Throughput], info: dict) -> str:
    """The result cache's bytes after the distinct runs against its bound, and govkg's memory
    over the runs."""
    held, bound = info.get("cache_bytes"), info["cache_mb"] * 2**20
    sizes = [t.rss_mb for t in throughput if t.name == "govkg" and t.rss_mb]
    grown = f"; govkg resident {sizes[0]:.0f} → {sizes[-1]:.0f} MB over the runs" if sizes else ""
    if held is None:
        return f"- result cache bytes: not read{grown}: FAIL"
    verdict = "PASS" if held <= bound else "FAIL"
    return (f"- result cache after the distinct runs: {held / 2**20:.1f} MB held, bound "
            f"{info['cache_mb']} MB{grown}: {verdict}")


def goals_met(text: str) -> bool:
    return "FAIL" not in text


# --- main ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synth", type=int, default=0, metavar="N",
                        help="add N synthetic triples to govkg's data (default: none)")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--wrk-rounds", type=int, default=3,
                        help="wrk runs on govkg and on the floor app, in turn (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--cache-mb", type=int, default=8,
                        help="govkg's result cache bound (small: the distinct runs fill it)")
    parser.add_argument("--query-timeout", type=float, default=30,
                        help="Oxigraph server's --timeout-s (govkg's default time limit)")
    parser.add_argument("--rdflib-max", type=int, default=300_000, metavar="QUADS",
                        help="skip rdflib (in-process and endpoint) above this many quads")
    parser.add_argument("--skip", action="append", default=[], choices=(*ENGINES, "wrk"),
                        help="leave out an engine or the wrk runs (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="5 runs per query, 1 s of wrk: checks that everything works")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--workdir", type=Path, help="keep the dump, store and logs here")
    parser.add_argument("--cache-dir", type=Path,
                        help="govkg's cache directory (default: one in the work directory)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.warmup, args.wrk_seconds, args.wrk_rounds = 5, 1, 1, 1

    with ExitStack() as stack, ExitStack() as peers:  # peers: rdflib-endpoint, Virtuoso
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="govkg-bench-")))
        workdir.mkdir(parents=True, exist_ok=True)
        logs = workdir / "logs"
        logs.mkdir(exist_ok=True)
        cache = args.cache_dir or workdir / "cache"
        dump = make_dump(workdir, cache, args.synth)
        quads = count_quads(dump)
        env = {"GOVKG_CACHE_DIR": str(cache), "GOVKG_RESULT_CACHE_MB": str(args.cache_mb)}
        settings = {"cache_dir": str(cache)}
        store = None
        if args.synth:
            store = workdir / "store"
            if not store.exists():
                subprocess.run([str(BIN / "govkg"), "load", str(dump), "--store", str(store)],
                               check=True, env={**env, "PATH": str(BIN)})
            settings["store"] = str(store)
        columns = {name: Column(name) for name in ENGINES}
        for name in args.skip:
            if name in columns:
                columns[name].not_run = "left out (--skip)"

        def column(*makers: tuple[str, Callable[[], Callable]]) -> None:
            """Measure these columns together (see ``run_columns``)."""
            runners = {}
            for name, make_runner in makers:
                if columns[name].not_run:
                    continue
                try:
                    runners[columns[name]] = make_runner()
                except NotRun as why:
                    columns[name].not_run = str(why)
            if runners:
                print(f"measuring {', '.join(c.name for c in runners)} …", file=sys.stderr,
                      flush=True)
                run_columns(runners, args.repeats, args.warmup)

        too_big = f"{quads:,} quads is over --rdflib-max {args.rdflib_max:,}"
        govkg_server: list[Server] = []

        def govkg_runner() -> Callable:
            server = start_govkg(stack, logs, env, store, args.workers)
            govkg_server.append(server)
            columns["govkg"].start_seconds = server.started_seconds
            return http_runner(server.url, "/sparql", pages=True)

        def miss_runner() -> Callable:
            if not govkg_server:
                raise NotRun("govkg did not start")
            return http_runner(govkg_server[0].url, "/sparql", pages=True, fresh=True)

        def oxigraph_server_runner() -> Callable:
            server = start_oxigraph_server(peers, "oxigraph-server", dump, workdir,
                                           log_dir=logs)
            columns["oxigraph-server"].start_seconds = server.started_seconds
            return http_runner(server.url, "/query", pages=False)

        def rdflib_endpoint_runner() -> Callable:
            if quads > args.rdflib_max:
                raise NotRun(too_big)
            server = start_rdflib_endpoint(peers, logs, dump)
            columns["rdflib-endpoint"].start_seconds = server.started_seconds
            return http_runner(server.url, "/", pages=False)

        def rdflib_in_process() -> Callable:
            if quads > args.rdflib_max:
                raise NotRun(too_big)
            return rdflib_runner(dump)

        # the three the goal compares take turns, query by query
        column(("govkg", govkg_runner), (MISS, miss_runner),
               ("oxigraph", lambda: oxigraph_runner(dump, settings)))
        column(("oxigraph-server", oxigraph_server_runner))
        column(("rdflib", rdflib_in_process))
        column(("rdflib-endpoint", rdflib_endpoint_runner))
        column(("virtuoso", lambda: http_runner(virtuoso_endpoint(peers, dump, workdir), "",
                                                  pages=False)))

        peers.close()  # their servers would take CPU time from the throughput runs
        throughput: list[Throughput] = []
        if "wrk" not in args.skip:
            throughput = measure_throughput(stack, logs, dump, workdir, args,
                                            govkg_server[0] if govkg_server else None)
        info = {"machine": machine(), "load": load(), "quads": quads, "dump": dump.name,
                "repeats": args.repeats, "warmup": args.warmup, "versions": versions(),
                "wrk_seconds": args.wrk_seconds, "cache_mb": args.cache_mb,
                "cache_bytes": cache_bytes(govkg_server[0]) if govkg_server else None,
                "command": " ".join(["python", "bench/endpoint.py", *(argv or sys.argv[1:])])}
        text = report(columns, throughput, info)
        print(text)
        if args.json:
            body = {"info": info,
                    "columns": {n: {"timings": {q: vars(t) for q, t in c.timings.items()},
                                    "skipped": c.skipped, "not_run": c.not_run,
                                    "start_seconds": c.start_seconds}
                                for n, c in columns.items()},
                    "throughput": [vars(t) for t in throughput]}
            args.json.write_text(json.dumps(body, ensure_ascii=False, indent=1))
    return 1 if args.strict and not goals_met(text) else 0


if __name__ == "__main__":
    sys.exit(main())
