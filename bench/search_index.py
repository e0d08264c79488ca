"""The search index alone on a loaded store: build time, size, and search / suggest times.

    python bench/search_index.py STORE_DIR -o /tmp/search.sqlite            # build, then search
    python bench/search_index.py STORE_DIR -o /tmp/search.sqlite --no-build # search an index
    python bench/search_index.py STORE_DIR -o /tmp/search.sqlite --profile 30

The store is opened writable, as ``govkg load`` opens it before it builds the index (a
read-only handle reads the store about three times slower). Searches are timed in-process
on one connection: p50 / p95 of ``--repeats`` runs after one warm-up, for the terms
``bench/scale.py`` uses (an exact label, a 4-character term, pinyin, a 2-character term)
and a few more short terms; ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

from harness import measure, report_figures

SEARCHES = ("广东省政务APP1", "政务服务", "yueshengshi", "政务", "省", "app", "政务 服务",
            "政务 app")
SUGGESTS = ("政", "广东", "gd", "yue")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True, help="the index file")
    parser.add_argument("--no-build", action="store_true", help="search an existing index")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="profile the build; print the N costliest functions")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)

    from govkg.search import SearchIndex, build_index

    figures: dict[str, object] = {}
    if not args.no_build:
        from govkg.store import open_writable

        store = open_writable(args.store)
        profile = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profile:
            profile.enable()
        build_index(store, args.output)
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
        figures["build_seconds"] = round(time.perf_counter() - started, 1)
        del store
        print(f"built in {figures['build_seconds']} s", flush=True)
    figures["index_mb"] = round(args.output.stat().st_size / 2**20)
    index = SearchIndex(args.output)
    figures["entries"] = index.count_entries()
    print(f"index {figures['index_mb']} MB, {figures['entries']:,} entries", flush=True)
    for name, call, terms in (("search", index.search, SEARCHES),
                              ("suggest", index.suggest, SUGGESTS)):
        for term in terms:
            hits = call(term)
            timing = measure(lambda t=term, c=call: c(t), args.repeats, 1)
            figures[f"{name} {term}"] = {"p50_ms": round(timing.p50_ms, 2),
                                         "p95_ms": round(timing.p95_ms, 2), "hits": len(hits)}
            print(f"{name} {term!r}: {len(hits)} hits, p50 {timing.p50_ms:.2f} ms, "
                  f"p95 {timing.p95_ms:.2f} ms", flush=True)
    report_figures(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
