"""The streaming benchmark still runs: ``bench/streaming.py`` with this tree as both the
earlier and the current code, a few runs per query. Figures are not checked (the machine is
shared); that every answer has its first-byte and whole-answer times on both servers is."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from testbed import REPO

BENCH = REPO / "bench" / "streaming.py"


@pytest.mark.server
@pytest.mark.slow
def test_streaming_benchmark_runs(tmp_path: Path, cache_dir: Path) -> None:
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--before", str(REPO), "--repeats", "2",
         "--small-repeats", "2", "--warmup", "0", "--cache-dir", str(cache_dir),
         "--json", str(figures)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    body = json.loads(figures.read_text())
    assert len(body["large"]) == 5 and len(body["small"]) == 3
    for row in [*body["large"].values(), *body["small"].values()]:
        assert row["bytes"] > 0
        for code in ("before", "after"):
            first, total = row[code]["first"], row[code]["total"]
            assert 0 < first[0] <= total[0], row
    assert "| all labels (JSON) |" in result.stdout
