"""``govkg load``: bulk loading into a persistent store, all or nothing; serving it read-only."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, RdfFormat
from testbed import run_govkg

from govkg.errors import GovkgError
from govkg.query import select_rows
from govkg.store import open_store
from govkg.vocab import graph_iri

SYNTH = Path(__file__).resolve().parents[1] / "bench" / "synth.py"
N = 3000
DATA = str(graph_iri("data"))
REPORT = str(graph_iri("report"))
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def synth(n: int, output: Path, seed: int = 1) -> Path:
    subprocess.run([sys.executable, str(SYNTH), str(n), "-o", str(output), "--seed", str(seed)],
                   check=True, capture_output=True)
    return output


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same synthetic triples as N-Triples, Turtle and gzipped N-Quads (+ a TriG file)."""
    d = tmp_path_factory.mktemp("files")
    nt = synth(N, d / "synth.nt")
    triples = [q.triple for q in pyoxigraph.parse(path=str(nt), format=RdfFormat.N_TRIPLES)]
    ttl = d / "synth.ttl"
    ttl.write_bytes(pyoxigraph.serialize(triples, format=RdfFormat.TURTLE,
                                         prefixes={"gk": "https://w3id.org/govkg/ontology#"}))
    trig = d / "small.trig"
    trig.write_text("<https://e.org/a> <https://e.org/p> <https://e.org/b> .\n"
                    "<https://e.org/g> { <https://e.org/a> <https://e.org/p> <https://e.org/c> }\n")
    return {"nt": nt, "ttl": ttl, "nq.gz": synth(N, d / "synth.nq.gz"), "trig": trig}


def govkg(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    return run_govkg("load", *args, cache_dir=cache_dir)


def store_counts(path: Path) -> dict[str, int]:
    """Quads per graph in the store at ``path`` (opened read-only, as the servers do)."""
    store = pyoxigraph.Store.read_only(str(path))
    counts: dict[str, int] = {}
    for quad in store:
        counts[str(quad.graph_name)] = counts.get(str(quad.graph_name), 0) + 1
    return counts


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govkg: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_synth_parses_and_has_about_n_triples(files: dict[str, Path]) -> None:
    with gzip.open(files["nq.gz"]) as stream:
        quads = list(pyoxigraph.parse(stream, format=RdfFormat.N_QUADS))
    assert N <= len(quads) < N * 1.05
    assert len(set(quads)) == len(quads), "synth repeats a triple"
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {DATA, REPORT}
    types = {q.object.value.rsplit("#", 1)[-1] for q in quads
             if q.predicate.value.endswith("#type")}
    assert {"Province", "PeoplesGovernment", "MobileApp", "Measurement", "Launch",
            "Sentence"} <= types


def test_synth_is_deterministic(tmp_path: Path, files: dict[str, Path]) -> None:
    assert synth(N, tmp_path / "again.nt").read_bytes() == files["nt"].read_bytes()
    assert synth(N, tmp_path / "other.nt", seed=2).read_bytes() != files["nt"].read_bytes()


def test_loads_every_format_with_the_right_counts(tmp_path: Path, cache_dir: Path,
                                                  files: dict[str, Path]) -> None:
    n_triples = sum(1 for _ in pyoxigraph.parse(path=str(files["nt"]),
                                                format=RdfFormat.N_TRIPLES))
    store = tmp_path / "store"
    result = govkg(str(files["nt"]), "--store", str(store), cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert f"Loaded {n_triples:,} triples" in result.stdout and "triples/s" in result.stdout
    assert store_counts(store) == {f"<{DATA}>": n_triples}

    other = "https://example.org/graph/turtle"
    result = govkg(str(files["ttl"]), "--graph", other, "--store", str(store),
                   cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert store_counts(store) == {f"<{DATA}>": n_triples, f"<{other}>": n_triples}

    quads = store / ".." / "quads"
    result = govkg(str(files["nq.gz"]), str(files["trig"]), "--store", str(quads),
                   cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    counts = store_counts(quads)
    assert counts[f"<{DATA}>"] + counts[f"<{REPORT}>"] == n_triples + 1  # + TriG default graph
    assert counts["<https://e.org/g>"] == 1


@pytest.mark.parametrize(("name", "content", "line"), [
    ("broken.ttl", "@prefix : <https://e.org/> .\n:a :p :b .\n:a :p :b :c .\n", 3),
    ("broken.nt.gz", "<https://e.org/a> <https://e.org/p> <https://e.org/b> .\n" * 40
     + '<https://e.org/a> <https://e.org/p> "unterminated .\n', 41),
])
def test_a_broken_file_leaves_the_store_as_it_was(tmp_path: Path, cache_dir: Path,
                                                  files: dict[str, Path], name: str,
                                                  content: str, line: int) -> None:
    store = tmp_path / "store"
    assert govkg(str(files["nt"]), "--store", str(store), cache_dir=cache_dir).returncode == 0
    before = store_counts(store)
    broken = tmp_path / name
    data = content.encode()
    broken.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)

    result = govkg(str(files["ttl"]), str(broken), "--graph", "https://e.org/new",
                   "--store", str(store), cache_dir=cache_dir)
    assert_one_line_error(result, f"{broken}:{line}:")
    assert store_counts(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "store"])


def test_refuses_a_directory_that_is_not_a_store(tmp_path: Path, cache_dir: Path,
                                                 files: dict[str, Path]) -> None:
    (tmp_path / "notes.txt").write_text("not a store")
    result = govkg(str(files["nt"]), "--store", str(tmp_path), cache_dir=cache_dir)
    assert_one_line_error(result, "not an Oxigraph store")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_unknown_extension_and_missing_file(tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / "data.json").write_text("{}")
    result = govkg(str(tmp_path / "data.json"), "--store", str(tmp_path / "s"),
                   cache_dir=cache_dir)
    assert_one_line_error(result, "data.json", "unknown format")
    result = govkg(str(tmp_path / "missing.nt"), "--store", str(tmp_path / "s"),
                   cache_dir=cache_dir)
    assert_one_line_error(result, "missing.nt", "no such file")
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_embedded_graphs_served_read_only(tmp_path: Path, cache_dir: Path, settings: dict,
                                          store: pyoxigraph.Store) -> None:
    path = tmp_path / "store"
    result = govkg("--embedded", "--store", str(path), cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    persistent = open_store({**settings, "store": str(path)})
    assert select_rows(persistent, COUNT) == select_rows(store, COUNT)
    assert persistent.contains_named_graph(NamedNode(str(graph_iri("inferred"))))
    # Several read-only handles at once, as the server's workers open it.
    again = open_store({**settings, "store": str(path)})
    provinces = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Province }"
    assert select_rows(again, provinces) == select_rows(store, provinces)

    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir), "GOVKG_STORE": str(path)}
    result = subprocess.run([sys.executable, "-m", "govkg", "query", COUNT, "--format", "csv"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == str(len(store))


def test_open_store_refuses_what_is_not_a_store(tmp_path: Path, settings: dict) -> None:
    with pytest.raises(GovkgError, match="not an Oxigraph store"):
        open_store({**settings, "store": str(tmp_path)})
    with pytest.raises(GovkgError, match="no such directory"):
        open_store({**settings, "store": str(tmp_path / "missing")})


def test_loads_plain_n_quads_and_gzipped_turtle(tmp_path: Path, cache_dir: Path,
                                                files: dict[str, Path]) -> None:
    nq = tmp_path / "synth.nq"
    nq.write_bytes(gzip.decompress(files["nq.gz"].read_bytes()))
    ttl_gz = tmp_path / "synth.ttl.gz"
    ttl_gz.write_bytes(gzip.compress(files["ttl"].read_bytes()))
    quads = store_counts_of_file(nq)

    store = tmp_path / "store"
    result = govkg(str(nq), "--store", str(store), cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert store_counts(store) == quads

    other = tmp_path / "other"
    result = govkg(str(ttl_gz), "--graph", "https://e.org/g", "--store", str(other),
                   cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    n_triples = sum(1 for _ in pyoxigraph.parse(path=str(files["nt"]),
                                                format=RdfFormat.N_TRIPLES))
    assert store_counts(other) == {"<https://e.org/g>": n_triples}


def store_counts_of_file(nq: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for quad in set(pyoxigraph.parse(path=str(nq), format=RdfFormat.N_QUADS)):
        counts[str(quad.graph_name)] = counts.get(str(quad.graph_name), 0) + 1
    return counts


def test_synthetic_data_passes_the_shapes(files: dict[str, Path], store) -> None:
    """What the benchmarks load is data the shapes accept: with the ontology and shapes
    served beside it, and nothing of the report's own data, it conforms."""
    from govkg.validate import validate_store

    checked = pyoxigraph.Store()
    for name in ("ontology", "shapes"):
        graph = NamedNode(str(graph_iri(name)))
        checked.extend(store.quads_for_pattern(None, None, None, graph))
    with gzip.open(files["nq.gz"], "rb") as quads:
        checked.bulk_load(quads, format=RdfFormat.N_QUADS)
    report = validate_store(checked)
    assert report.conforms, [v.message for v in report.violations[:5]]
