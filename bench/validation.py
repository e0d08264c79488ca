"""SHACL validation of the data as served (``govkg.validate.validate_store``) by store size:
seconds and peak memory, to set ``MAX_VALIDATED_QUADS``.

    python bench/validation.py                      # the embedded data alone
    python bench/validation.py 10000 100000         # plus that many synthetic triples each
    python bench/validation.py 2000 --json figures.json

Each size runs in a fresh process (peak memory is the process's own): the embedded build
loaded into an in-memory store, plus ``bench/synth.py N`` quads when N > 0.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import report_figures

SYNTH = Path(__file__).with_name("synth.py")


def one_size(synthetic: int, cache_dir: str) -> dict:
    import pyoxigraph

    from govkg.settings import load_settings
    from govkg.store import built_graphs_file
    from govkg.validate import validate_store
    from govkg.vocab import ASSERTED_GRAPHS, graph_iri

    store = pyoxigraph.Store()
    built = built_graphs_file(load_settings({"cache_dir": cache_dir}))
    store.bulk_load(path=str(built), format=pyoxigraph.RdfFormat.N_QUADS)
    if synthetic:
        with tempfile.TemporaryDirectory() as work:
            data = Path(work) / "synth.nq"
            subprocess.run([sys.executable, str(SYNTH), str(synthetic), "-o", str(data)],
                           check=True, capture_output=True)
            store.bulk_load(path=str(data), format=pyoxigraph.RdfFormat.N_QUADS)
    asserted = sum(1 for name in ASSERTED_GRAPHS for _ in store.quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(str(graph_iri(name)))))
    started = time.perf_counter()
    report = validate_store(store)
    return {"synthetic": synthetic, "asserted": asserted,
            "seconds": round(time.perf_counter() - started, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "conforms": report.conforms, "violations": len(report.violations),
            "unchecked": report.unchecked}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[0],
                        help="synthetic triples added to the embedded data (0: none)")
    parser.add_argument("--cache-dir", default=None, help="govkg's cache (default: a new one)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child's size
    args = parser.parse_args(argv)
    cache_dir = args.cache_dir or tempfile.mkdtemp(prefix="govkg-bench-")
    if args.one is not None:
        print(json.dumps(one_size(args.one, cache_dir)))
        return 0
    rows = []
    for size in args.sizes:
        child = subprocess.run([sys.executable, __file__, "--one", str(size), "--cache-dir",
                                cache_dir], check=True, capture_output=True, text=True)
        rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{rows[-1]['asserted']:>9,} asserted  {rows[-1]['seconds']:>8.1f} s  "
              f"{rows[-1]['peak_mb']:>6} MB  conforms={rows[-1]['conforms']}", file=sys.stderr)
    report_figures({"validation": rows}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
