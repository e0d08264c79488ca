"""One size of the scaling curve, end to end: generate, load, start, query, measure memory.

    python bench/scale.py 1000000                       # 1 M synthetic triples
    python bench/scale.py 10000000 --workdir /tmp/10m   # keep the files; re-runs reuse them
    python bench/scale.py 1000000 --reason              # also time `govkg reason` on a copy

Steps and what is recorded:

1. ``bench/synth.py N`` writes gzipped N-Quads (skipped if the file is there).
2. ``govkg load FILE --embedded --store DIR``: the load itself (its triples/s line), then
   the dumps and the search index it builds for the store.
3. ``govkg serve --store DIR`` with 2 workers: seconds from exec to the first 200 on
   ``/sparql?query=ASK{}`` (everything already built, as after ``govkg load``).
4. Over HTTP on one kept-alive connection, p50 / p95 of: the exact label lookup, an entity
   page (a platform), a province's entity page, the home page, VoID; in-process, a search
   call on the store's search index (``govkg.search``). Every page must answer 200.
5. The server's resident memory (master and workers) after all of that.
6. With ``--reason``: the materialisation of ``govkg reason --store`` on a copy of the
   store (its time, rounds and the inferred triples; not the dumps it then rebuilds).

Goals at 10 M triples: start < 10 s, label lookup p50 < 20 ms, entity page p50 < 50 ms,
RSS < 4 GB. ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from harness import BIN, ROOT, Client, free_port, measure, report_figures, start_server

ASK = "/sparql?query=" + quote("ASK {}", safe="")
PREFIXES = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
LABEL_QUERY = PREFIXES + 'SELECT ?s WHERE { ?s rdfs:label "广东省政务APP1"@zh }'
PLATFORM = "/id/platform/guangdong-app-1.html"
PROVINCE = "/id/region/guangdong.html"
PAGES = {"label lookup (HTTP)": ("/sparql?query=" + quote(LABEL_QUERY, safe=""),
                                 "application/sparql-results+json"),
         "entity page": (PLATFORM, "text/html"),
         "province entity page": (PROVINCE, "text/html"),
         "home page": ("/", "text/html"),
         "VoID": ("/.well-known/void", "text/turtle")}
SEARCH_TERMS = ("广东省政务APP1", "政务服务", "yueshengshi", "政务")


def run(command: list[str], **kwargs) -> tuple[str, float]:
    started = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return out.stdout + out.stderr, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="synthetic triples")
    parser.add_argument("--workdir", type=Path, help="default: /tmp/govkg-scale-N")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--reason", action="store_true", help="also time `govkg reason`")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--app-only", action="store_true",
                        help="serve an existing store with the app on gunicorn, without "
                             "what `govkg load` builds (dumps, search index, figures): measures "
                             "the lookups and entity pages only")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(f"/tmp/govkg-scale-{args.n}")
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"GOVKG_CACHE_DIR": str(workdir / "cache")}
    figures: dict[str, object] = {"n": args.n}

    data = workdir / "synth.nq.gz"
    if not data.exists():
        _, figures["synth_seconds"] = run([sys.executable, str(ROOT / "bench" / "synth.py"),
                                           str(args.n), "-o", str(data)])
    store = workdir / "store"
    if not store.exists():
        out, seconds = run([str(BIN / "govkg"), "load", str(data), "--embedded", "--store",
                            str(store)], env={"PATH": str(BIN), **env})
        print(out.strip())
        load = re.search(r"into .* in ([\d.]+) s \(([\d,]+) triples/s\); the store holds "
                         r"([\d,]+)", out)
        prepared = re.search(r"the figures in ([\d.]+) s", out)
        if load:
            figures["load_seconds"] = float(load.group(1))
            figures["load_rate"] = int(load.group(2).replace(",", ""))
            figures["quads"] = int(load.group(3).replace(",", ""))
        if prepared:
            figures["prepare_seconds"] = float(prepared.group(1))
        figures["load_command_seconds"] = round(seconds, 1)
    figures["store_mb"] = round(sum(p.stat().st_size for p in store.rglob("*")) / 2**20)

    with ExitStack() as stack:
        port = free_port()
        command = [str(BIN / "govkg"), "serve", "--store", str(store), "--port", str(port),
                   "--workers", "2"]
        pages = PAGES
        if args.app_only:
            command = [str(BIN / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
                       "-b", f"127.0.0.1:{port}", "govkg.web.app:create_app()"]
            env = {**env, "GOVKG_STORE": str(store)}
            pages = {k: v for k, v in PAGES.items() if k not in ("home page", "VoID")}
            figures["app_only"] = True
        server = start_server(stack, "govkg", command, port, ASK, log_dir=workdir, env=env)
        figures["start_seconds"] = round(server.started_seconds, 2)
        print(f"started in {server.started_seconds:.2f} s", flush=True)
        client = Client(server.url)
        for name, (path, accept) in pages.items():
            started = time.perf_counter()
            client.get(path, {"Accept": accept})  # the first call: caches warm up
            first = (time.perf_counter() - started) * 1000
            timing = measure(lambda p=path, a=accept: client.get(p, {"Accept": a}),
                             args.repeats, 2)
            figures[name] = {"p50_ms": round(timing.p50_ms, 2), "p95_ms": round(timing.p95_ms, 2),
                             "first_ms": round(first, 1)}
            print(f"{name}: p50 {timing.p50_ms:.2f} ms, p95 {timing.p95_ms:.2f} ms "
                  f"(first {first:.0f} ms)", flush=True)
        figures["rss_mb"] = round(server.rss_mb())
        print(f"server RSS {figures['rss_mb']} MB", flush=True)

    from govkg.search import open_index
    from govkg.settings import load_settings

    started = time.perf_counter()
    index = open_index(load_settings({"store": str(store), **{"cache_dir": env[
        "GOVKG_CACHE_DIR"]}}))
    figures["search_index_open_seconds"] = round(time.perf_counter() - started, 1)
    for term in SEARCH_TERMS:
        started = time.perf_counter()
        hits = index.search(term)
        # A common term of 3+ characters ranks every match (seconds at 10 M): a few runs do.
        slow = time.perf_counter() - started > 0.5
        timing = measure(lambda t=term: index.search(t), 3 if slow else args.repeats, 0)
        figures[f"search {term}"] = {"p50_ms": round(timing.p50_ms, 2),
                                     "p95_ms": round(timing.p95_ms, 2), "hits": len(hits)}
        print(f"search {term!r}: {len(hits)} hits, p50 {timing.p50_ms:.2f} ms", flush=True)

    if args.reason:
        copy = workdir / "store-reason"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy)
        from govkg.bulkload import reason_store

        result = reason_store(copy)  # what `govkg reason` does before it builds the dumps
        figures["reason_seconds"] = round(result.seconds, 1)
        figures["reason_rounds"] = result.rounds
        figures["inferred"] = result.inferred
        print(f"reasoned in {result.seconds:.1f} s ({result.rounds} rounds): "
              f"{result.inferred:,} inferred triples", flush=True)
        shutil.rmtree(copy, ignore_errors=True)
    report_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
