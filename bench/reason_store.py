"""What `govkg reason` costs on a loaded store: seconds, peak memory, triples added.

    python bench/synth.py 10000000 -o synth.nq.gz
    govkg load synth.nq.gz --embedded --store store
    python bench/reason_store.py store              # reasons on a copy: store-reason

Runs ``govkg.bulkload.reason_store`` (the materialisation and the compaction that
`govkg reason --store` does before it builds the dumps and the search index) on a copy of
the store, in this process, logging each rule of each round. Prints the quads before and
after, the rounds and what each added, the inferred triples, the seconds and this
process's peak resident memory, as JSON. ``--keep`` keeps the copy.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import time
from pathlib import Path


def quads(store_dir: Path) -> int:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(store_dir))
    count = len(store)
    del store
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path, help="a store made by `govkg load`")
    parser.add_argument("--copy", type=Path, help="where to copy it (default: STORE-reason)")
    parser.add_argument("--keep", action="store_true", help="keep the reasoned copy")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from govkg.bulkload import reason_store

    copy = args.copy or args.store.with_name(args.store.name + "-reason")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(args.store, copy)
    before = quads(copy)
    started = time.perf_counter()
    result = reason_store(copy)
    seconds = time.perf_counter() - started
    figures = {"quads_before": before, "quads_after": quads(copy), "rounds": result.rounds,
               "per_round": result.per_round, "inferred": result.inferred,
               "materialise_seconds": round(result.seconds, 1),
               "reason_store_seconds": round(seconds, 1),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if not args.keep:
        shutil.rmtree(copy)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
