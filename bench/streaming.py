"""Large answers streamed: time to first byte and total time, earlier code beside this code.

Starts ``govkg serve`` twice on free ports, once from this source tree and once from
another (``--before DIR``: a tree of the earlier code, e.g. ``git archive <commit> | tar -x
-C DIR``, run with its ``src`` first on ``PYTHONPATH``), both with the result cache off so
that every answer is made by a query worker, and asks both the same queries in turns, ten
at a time (``harness.measure_interleaved``'s way), so that the shared machine's moods hit
both alike. For each large answer: the time to its first body byte and to its last, p50 /
p95 in ms, uncompressed, on a kept-alive connection. Small answers are timed too (the whole
answer): streaming must not make them slower.

    python bench/streaming.py --before /tmp/govkg-before [--repeats 40] [--json FILE]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote, urlsplit

from harness import BIN, free_port, report_figures, start_server

JSON = "application/sparql-results+json"
LARGE = {  # name: (query, Accept)
    "all labels (JSON)": ("SELECT ?s ?label WHERE { ?s rdfs:label ?label }", JSON),
    "all triples (JSON)": ("SELECT * WHERE { ?s ?p ?o }", JSON),
    "all triples (CSV)": ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
    "CONSTRUCT all (N-Triples)": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                  "application/n-triples"),
    "all triples ×8 (JSON)": ("SELECT * WHERE { VALUES ?copy { 0 1 2 3 4 5 6 7 } ?s ?p ?o }",
                              JSON),
}
SMALL = {
    "ASK": ("ASK {}", JSON),
    "exact label": ('SELECT ?s WHERE { ?s rdfs:label "北京通"@zh }', JSON),
    "count": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON),
}
BLOCK = 10


class Timer:
    """One kept-alive connection that times an answer's first body byte and its end."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)

    def get(self, query: str, accept: str) -> tuple[float, float, int]:
        """Milliseconds to the first body byte and to the last, and the body's length."""
        try:
            return self._get(query, accept)
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closed the kept-alive connection while it idled (gunicorn's
            # keep-alive is 2 s, less than the other server's turn): once more, on a new one
            self.connection.close()
            return self._get(query, accept)

    def _get(self, query: str, accept: str) -> tuple[float, float, int]:
        started = time.perf_counter()
        self.connection.request("GET", "/sparql?query=" + quote(query),
                                headers={"Accept": accept, "Accept-Encoding": "identity"})
        response = self.connection.getresponse()
        first = response.read(1)
        first_at = time.perf_counter()
        rest = response.read()
        ended = time.perf_counter()
        if response.status != 200 or not first:
            raise RuntimeError(f"{query!r} answered {response.status}: {rest[:300]!r}")
        return (first_at - started) * 1000, (ended - started) * 1000, 1 + len(rest)


def p50_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def measure(timers: dict[str, Timer], queries: dict[str, tuple[str, str]], repeats: int,
            warmup: int) -> dict:
    figures: dict = {}
    for name, (query, accept) in queries.items():
        for timer in timers.values():
            for _ in range(warmup):
                timer.get(query, accept)
        first: dict[str, list[float]] = {code: [] for code in timers}
        total: dict[str, list[float]] = {code: [] for code in timers}
        size = 0
        for done in range(0, repeats, BLOCK):
            for code, timer in timers.items():
                for _ in range(min(BLOCK, repeats - done)):
                    to_first, to_end, size = timer.get(query, accept)
                    first[code].append(to_first)
                    total[code].append(to_end)
        figures[name] = {"bytes": size, **{code: {"first": p50_p95(first[code]),
                                                  "total": p50_p95(total[code])}
                                           for code in timers}}
    return figures


def start(stack: ExitStack, name: str, src: Path | None, logs: Path, cache: Path):
    port = free_port()
    env = {"GOVKG_CACHE_DIR": str(cache), "GOVKG_RESULT_CACHE_MB": "0"}
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + os.environ.get("PYTHONPATH", "")
    command = [str(BIN / "python"), "-m", "govkg", "serve", "--port", str(port)]
    return start_server(stack, name, command, port, "/sparql?query=ASK%7B%7D", log_dir=logs,
                        env=env)


def table(figures: dict, part: str) -> list[str]:
    lines = []
    for name, row in figures.items():
        before, after = row["before"][part], row["after"][part]
        lines.append(f"| {name} | {row['bytes']:,} | {before[0]:.2f} / {before[1]:.2f} | "
                     f"{after[0]:.2f} / {after[1]:.2f} |")
    return lines


def report(large: dict, small: dict, info: dict) -> str:
    lines = [f"{info['when']}, load {info['load']}, {info['repeats']} runs per query "
             "(p50 / p95 ms)", "",
             "| large answer | bytes | first byte, before | first byte, after |",
             "|---|---:|---|---|", *table(large, "first"), "",
             "| large answer | bytes | whole answer, before | whole answer, after |",
             "|---|---:|---|---|", *table(large, "total"), "",
             "| small answer | bytes | before | after |", "|---|---:|---|---|",
             *table(small, "total")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="a source tree of the earlier code (its src/ is run)")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--small-repeats", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, help="govkg's cache directory (shared)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    src = args.before / "src"
    if not (src / "govkg").is_dir():
        parser.error(f"{args.before} holds no src/govkg")
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-streaming-") as work:
        logs, cache = Path(work), args.cache_dir or Path(work) / "cache"
        servers = {"before": start(stack, "before", src, logs, cache),
                   "after": start(stack, "after", None, logs, cache)}
        timers = {code: Timer(server.url) for code, server in servers.items()}
        large = measure(timers, LARGE, args.repeats, args.warmup)
        small = measure(timers, SMALL, args.small_repeats, args.warmup)
    info = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()), "repeats": args.repeats}
    print(report(large, small, info))
    report_figures({"large": large, "small": small, "info": info}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
