"""The page benchmark still runs: ``bench/page_cache.py --quick`` end to end, two real servers
(with the cache and without) under ``wrk``. Figures are not checked (the machine is shared);
that every workload was measured on both, and answered without errors where the cache
keeps it, is.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testbed import IN_CI, REPO

WORKLOADS = ("entity page", "entity pages", "document", "revalidation", "query page")


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone  # no errors under wrk's load: the machine to itself
def test_page_benchmark_runs_quick(tmp_path: Path, cache_dir: Path) -> None:
    if shutil.which("wrk") is None and not IN_CI:
        pytest.skip("wrk is not installed (Debian package wrk)")
    figures = tmp_path / "figures.json"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "page_cache.py"), "--quick", "--json", str(figures),
         "--cache-dir", str(cache_dir)], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    for workload in WORKLOADS:
        row = next(line for line in result.stdout.splitlines() if line.startswith(f"| {workload} |"))
        assert "×" in row, row
    runs = {(r["server"], r["workload"]): r for r in json.loads(figures.read_text())}
    for server in ("cache", "no cache"):
        for workload in WORKLOADS:
            run = runs[(server, workload)]
            assert run["not_run"] is None and run["requests_per_second"] > 0, run
            assert run["cpu_ms_per_request"] > 0, run
    errors = {w: runs[("cache", w)]["non_2xx_3xx"] for w in WORKLOADS}
    assert not any(errors.values()), (errors, result.stdout[-2000:])
