"""What keeping documents saves: ``wrk`` on entity pages and documents, with the cache and
without, side by side in one run.

    python bench/page_cache.py                 # 5 s per run, 2 rounds
    python bench/page_cache.py --quick         # 1 s, 1 round: checks that it runs

Two ``govkg serve`` (2 workers each) on the same build and cache directory, one with
``--result-cache-mb`` (64 by default), one with 0; ``wrk -t2 -c8`` runs each workload on
one, then the other, round after round, so a busier minute of the machine weighs on both:

- **entity page**: one entity page (HTML, in Chinese), again and again;
- **entity pages**: every entity page of the sitemap in turn (a few hundred: the first
  pass misses, the next ones hit);
- **document**: one entity's Turtle document, again and again;
- **revalidation**: the same page with the ``If-None-Match`` its ETag gives (304s);
- **query page**: the first example query's page (``/sparql?query=…`` in a browser).

It prints requests/s, the server's CPU time per request and the answers with a status of 400
or more (wrk's "Non-2xx or 3xx"; a 304 is not one) per workload and server, and the ratio
(cache / no cache, the median of the rounds); ``--json FILE`` also writes the figures. The
query page without the cache may see a few 503s: every request comes from 127.0.0.1, one
client, whose share of the query workers is bounded.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from harness import BIN, Server, free_port, http_get, start_server
from throughput import wrk as throughput_wrk

ENTITY = "/id/platform/yueshengshi.html"
DOCUMENT = "/id/platform/yueshengshi.ttl"
PAGE_HEADERS = {"Accept": "text/html", "Accept-Language": "zh"}


@dataclass
class Run:
    server: str
    workload: str
    round: int
    requests_per_second: float | None = None
    cpu_ms_per_request: float | None = None
    non_2xx_3xx: int = 0
    not_run: str | None = None


def start_govkg(stack: ExitStack, name: str, logs: Path, cache_dir: Path,
                cache_mb: float) -> Server:
    port = free_port()
    command = [str(BIN / "govkg"), "serve", "--port", str(port), "--workers", "2",
               "--result-cache-mb", str(cache_mb)]
    env = {"GOVKG_CACHE_DIR": str(cache_dir)}
    return start_server(stack, name, command, port, "/", log_dir=logs, env=env)


def entity_pages(server: Server) -> list[str]:
    """Every entity page the sitemap lists, as server paths."""
    status, body = http_get(server.url + "/sitemap.xml")
    assert status == 200, status
    found = re.findall(r"<loc>([^<]+)</loc>", body.decode())
    return [urlsplit(url).path for url in found if "/id/" in url]


def example_query_path() -> str:
    from govkg.web.examples import EXAMPLES

    return "/sparql?query=" + quote(EXAMPLES[0].text)


def cycle_script(workdir: Path, paths: list[str]) -> Path:
    """A wrk script asking for ``paths`` in turn (each thread from its own place)."""
    listed = ",\n".join(json.dumps(p) for p in paths)
    script = workdir / "pages.lua"
    script.write_text(f"""local paths = {{
{listed}
}}
local counter = 0
local offset = 0
setup = function(thread)
  offset = offset + 1
  thread:set("offset", offset * 97)
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter + offset) % #paths + 1])
end
""")
    return script


def wrk(server: Server, path: str, headers: dict[str, str], seconds: int,
        workload: str, number: int, script: Path | None = None) -> Run:
    """One ``wrk`` run (``throughput.wrk``), as this benchmark's table reads it."""
    done = throughput_wrk(server, path, seconds, workload, number, script, headers)
    return Run(server.name, workload, number, done.requests_per_second,
               done.cpu_ms_per_request, done.non_2xx or 0, done.not_run)


def workloads(server: Server, script: Path) -> list[tuple[str, str, dict[str, str], Path | None]]:
    """(name, path, headers, script); the revalidation's ETag is the server's own."""
    status, _ = http_get(server.url + ENTITY, PAGE_HEADERS)
    assert status == 200, status
    etag = etag_of(server.url + ENTITY)
    # The query page's first answer is evaluated (a miss): asked once here, so eight
    # connections do not all wait on that one evaluation, and the run measures what it names.
    status, _ = http_get(server.url + example_query_path(), PAGE_HEADERS)
    assert status == 200, status
    return [
        ("entity page", ENTITY, PAGE_HEADERS, None),
        ("entity pages", "/", PAGE_HEADERS, script),
        ("document", DOCUMENT, {"Accept": "text/turtle"}, None),
        ("revalidation", ENTITY, {**PAGE_HEADERS, "If-None-Match": etag}, None),
        ("query page", example_query_path(), PAGE_HEADERS, None),
    ]


def etag_of(url: str) -> str:
    import http.client

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path, headers=PAGE_HEADERS)
        response = connection.getresponse()
        response.read()
        return response.getheader("ETag") or ""
    finally:
        connection.close()


def table(runs: list[Run], names: list[str]) -> list[str]:
    lines = ["| workload | with the cache (req/s) | without (req/s) | ratio | CPU ms/req "
             "(with / without) | errors (with / without) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for workload in names:
        mine = [r for r in runs if r.workload == workload]
        on = [r for r in mine if r.server == "cache" and r.requests_per_second]
        off = [r for r in mine if r.server == "no cache" and r.requests_per_second]
        if not on or not off:
            why = next((r.not_run for r in mine if r.not_run), "no figures")
            lines.append(f"| {workload} | not run: {why} | | | | |")
            continue
        ratios = [a.requests_per_second / b.requests_per_second for a, b in zip(on, off,
                                                                                  strict=False)]
        cpu_on = statistics.median(r.cpu_ms_per_request or 0 for r in on)
        cpu_off = statistics.median(r.cpu_ms_per_request or 0 for r in off)
        bad = f"{sum(r.non_2xx_3xx for r in on)} / {sum(r.non_2xx_3xx for r in off)}"
        lines.append(
            f"| {workload} | {statistics.median(r.requests_per_second for r in on):,.0f} "
            f"| {statistics.median(r.requests_per_second for r in off):,.0f} "
            f"| {statistics.median(ratios):.1f}× | {cpu_on:.2f} / {cpu_off:.2f} | {bad} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run's length")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-mb", type=int, default=64)
    parser.add_argument("--cache-dir", type=Path, help="govkg's cache directory")
    parser.add_argument("--quick", action="store_true", help="1 s, 1 round")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds = 1, 1
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="govkg-pages-")))
        cache_dir = args.cache_dir or workdir / "cache"
        servers = [start_govkg(stack, "cache", workdir, cache_dir, args.cache_mb),
                   start_govkg(stack, "no cache", workdir, cache_dir, 0)]
        script = cycle_script(workdir, entity_pages(servers[0]))
        plans = {s.name: workloads(s, script) for s in servers}
        runs: list[Run] = []
        for number in range(1, args.rounds + 1):
            for index in range(len(plans["cache"])):
                for server in servers:
                    name, path, headers, lua = plans[server.name][index]
                    runs.append(wrk(server, path, headers, args.seconds, name, number, lua))
        names = [plan[0] for plan in plans["cache"]]
        print(f"wrk -t2 -c8 -d{args.seconds}s, {args.rounds} round(s), 2 workers per server, "
              f"{len(entity_pages(servers[0]))} entity pages in the cycle")
        print("\n".join(table(runs, names)))
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))
    broken = [r for r in runs if r.not_run is None and r.requests_per_second is None]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
