"""The search index benchmark still runs: ``bench/search_index.py`` on a small persistent
store of the built graphs. Figures are not checked (the machine is shared); that every
search has its figures and its hits is."""

import json
import os
import subprocess
import sys
from pathlib import Path

from testbed import REPO

from govkg.bulkload import load_files
from govkg.store import built_graphs_file

BENCH = REPO / "bench" / "search_index.py"


def test_search_index_benchmark_runs(tmp_path: Path, settings: dict) -> None:
    store = tmp_path / "store"
    load_files(store, [built_graphs_file(settings)])
    figures = tmp_path / "figures.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, str(BENCH), str(store), "-o", str(tmp_path / "search.sqlite"),
         "--repeats", "2", "--json", str(figures)],
        capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    body = json.loads(figures.read_text())
    assert body["build_seconds"] > 0 and body["entries"] > 100
    searches = {k: v for k, v in body.items() if k.startswith(("search ", "suggest "))}
    assert len(searches) >= 10
    assert all(0 < v["p50_ms"] <= v["p95_ms"] for v in searches.values())
    assert body["search 政务"]["hits"] == 20 and body["suggest 政"]["hits"] == 8
