"""Start-up time of ``govkg serve``: from exec to the first 200 on ``/sparql?query=ASK{}``.

    python bench/startup.py                  # the embedded data, 5 warm starts
    python bench/startup.py --store DIR      # a persistent store made by `govkg load`

The first start fills the cache (the reasoning closure, dumps, search index and SHACL
report, all named by the input hash) and is reported apart; the warm starts that follow
must build nothing. Goal: a warm start under 3 s for the embedded data (under 10 s for a
store of 10 M triples).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from harness import BIN, free_port, start_server


def start_once(cache: Path, store: Path | None, logs: Path) -> float:
    with ExitStack() as stack:
        port = free_port()
        command = [str(BIN / "govkg"), "serve", "--port", str(port), "--workers", "2"]
        if store:
            command += ["--store", str(store)]
        server = start_server(stack, "govkg", command, port, "/sparql?query=ASK%7B%7D",
                              log_dir=logs, env={"GOVKG_CACHE_DIR": str(cache)})
        return server.started_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--cache-dir", type=Path, help="default: a new, empty one")
    parser.add_argument("--starts", type=int, default=5, help="warm starts to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govkg-startup-") as tmp:
        cache = args.cache_dir or Path(tmp) / "cache"
        first = start_once(cache, args.store, Path(tmp))
        print(f"first start (cache {'given' if args.cache_dir else 'empty'}): {first:.2f} s")
        warm = [start_once(cache, args.store, Path(tmp)) for _ in range(args.starts)]
        print(f"warm starts: median {statistics.median(warm):.2f} s, max {max(warm):.2f} s "
              f"({', '.join(f'{s:.2f}' for s in warm)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
