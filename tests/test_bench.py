"""The endpoint benchmark still runs: ``bench/endpoint.py --quick`` end to end.

It starts ``govkg serve``, the floor app, Oxigraph server and nginx, runs every query on
every engine that is here and every wrk workload on the servers. Figures are not checked
(the machine is shared); that every query has its figures and its ratio verdict, that wrk
measured every server and that the goal lines are printed is.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testbed import IN_CI, REPO

BENCH = REPO / "bench" / "endpoint.py"
QUERIES = ("count", "group-by-type", "exact label", "CONTAINS label", "two-hop join",
           "numeric ORDER BY", "DESCRIBE", "entity page")


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.alone  # wrk at full load on every server
def test_endpoint_benchmark_runs_quick(tmp_path: Path, cache_dir: Path) -> None:
    if shutil.which("wrk") is None and not IN_CI:
        pytest.skip("wrk is not installed (Debian package wrk)")
    figures = tmp_path / "figures.json"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(figures), "--workdir",
         str(tmp_path / "work"), "--cache-dir", str(cache_dir)], capture_output=True, text=True, timeout=900, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    for query in QUERIES:
        row = next(line for line in table.splitlines() if line.startswith(f"| {query} |"))
        assert "PASS" in row or "FAIL" in row, row
    body = json.loads(figures.read_text())
    for engine in ("oxigraph", "govkg", "govkg, new query", "rdflib"):
        timings = body["columns"][engine]["timings"]
        sparql = [q for q in QUERIES if q != "entity page"]
        assert set(sparql) <= set(timings), (engine, timings)
        assert all(0 < timings[q]["p50_ms"] <= timings[q]["p95_ms"] for q in sparql)
    assert "entity page" in body["columns"]["govkg"]["timings"]
    for column in ("rdflib-endpoint", "virtuoso"):
        c = body["columns"][column]
        assert c["timings"] or c["not_run"], column  # measured, or says why not
    runs = {(t["name"], t["workload"]): t for t in body["throughput"]}
    for server in ("govkg", "floor"):
        for workload in ("ask", "cycle", "distinct"):
            t = runs[(server, workload)]
            assert t["not_run"] is None and t["requests_per_second"] > 0, t
            assert t["cpu_ms_per_request"] > 0, t  # the server's processes were found and read
            assert t["rss_mb"] > 0, t
    for peer in ("oxigraph-server", "oxigraph-server --timeout-s", "nginx"):
        t = runs[(peer, "ask")]
        assert t["requests_per_second"] or t["not_run"], t  # measured, or says why not
        if IN_CI:  # both are installed there (the test extra; .ci/run)
            assert t["not_run"] is None, t
    for goal in ("govkg / floor = ", "nginx / oxigraph-server = ", "non-2xx answers",
                 "result cache after the distinct runs"):
        assert goal in table, goal
    assert body["info"]["cache_bytes"] <= body["info"]["cache_mb"] * 2**20



@pytest.mark.server
def test_balance_benchmark_runs(tmp_path: Path, cache_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "balance.py"), "--rounds", "3", "--warmup", "1",
         "--cache-dir", str(cache_dir)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and " : " in line]
    assert sum(int(row.split("|")[2]) for row in rows) == 3
    assert all(sum(map(int, row.split("|")[1].split(" : "))) == 8 for row in rows)
