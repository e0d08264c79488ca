"""Comunica (npm, run by Node) against a real ``govkg serve``: the client that saw an empty
entity when it asked for N-Quads, and a SPARQL source.

Comunica is installed by ``npm ci --prefix tests/clients`` (``.ci/run`` does it); outside CI
a machine without it skips these tests, in CI they fail.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from testbed import IN_CI

pytestmark = pytest.mark.server

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def comunica() -> list[str]:
    node = shutil.which("node")
    installed = (CLIENTS / "node_modules" / "@comunica" / "query-sparql").is_dir()
    if node is None or not installed:
        missing = "node" if node is None else "Comunica (npm ci --prefix tests/clients)"
        if IN_CI:
            pytest.fail(f"{missing} is not installed")
        pytest.skip(f"{missing} is not installed")
    return [node, str(CLIENTS / "query.mjs")]


def run(comunica: list[str], source: str, kind: str, query: str) -> list[dict]:
    done = subprocess.run([*comunica, source, kind, query], capture_output=True, text=True,
                          timeout=120, cwd=CLIENTS)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_comunica_sees_the_entity_it_dereferences(comunica, live_server):
    """Comunica asks for N-Quads first; the .nq document's default graph holds the entity."""
    turtle = run(comunica, live_server.url + "/id/platform/beijingtong.ttl", "", COUNT)
    negotiated = run(comunica, live_server.url + "/id/platform/beijingtong", "", COUNT)
    assert int(turtle[0]["n"]) > 20
    assert negotiated == turtle


def test_comunica_queries_the_endpoint(comunica, live_server):
    labels = run(comunica, live_server.url + "/sparql", "sparql",
                 "SELECT ?label WHERE { <https://w3id.org/govkg/id/platform/beijingtong> "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert {row["label"] for row in labels} == {"北京通", "Beijing Tong"}
