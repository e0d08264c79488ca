"""How far owlrl goes: seconds and peak memory of OWL RL on synthetic data of growing size.

    python bench/owlrl_scaling.py                       # 10k 50k 100k 200k triples
    python bench/owlrl_scaling.py 10000 20000 --timeout 600

Each size runs in a fresh process (so peak memory is that run's alone): synthetic data
from ``bench/synth.py`` plus govkg's ontology, reasoned by ``govkg.reason.infer`` (owlrl,
as the build does), and, for comparison, by ``govkg.reason_sparql.materialise`` (SPARQL
UPDATE in an in-memory Oxigraph store). A run that passes ``--timeout`` is reported as such.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _synth_ntriples(n: int) -> str:
    from synth import generate

    out = io.StringIO()
    generate(n, out, quads=False, seed=1)
    return out.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, engine: str) -> dict[str, float]:
    """Reason over about ``n`` synthetic triples + the ontology with one engine."""
    from govkg.resources import find_sources

    text = _synth_ntriples(n)
    ontology = find_sources().ontology
    if engine == "owlrl":
        from rdflib import Graph

        from govkg.reason import infer

        graph = Graph()
        graph.parse(data=text, format="nt")
        for path in ontology:
            graph.parse(path, format="turtle")
        triples = len(graph)
        started = time.perf_counter()
        inferred = len(infer(graph))
    else:
        import pyoxigraph

        from govkg.reason_sparql import materialise

        store = pyoxigraph.Store()
        data = pyoxigraph.NamedNode("https://w3id.org/govkg/graph/data")
        store.bulk_load(input=text, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=data)
        onto = pyoxigraph.NamedNode("https://w3id.org/govkg/graph/ontology")
        for path in ontology:
            store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=onto)
        triples = len(store)
        started = time.perf_counter()
        inferred = materialise(store).inferred
    return {"triples": triples, "inferred": inferred,
            "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def measure(n: int, engine: str, timeout: float) -> dict[str, float] | None:
    """``run_one`` in a subprocess; None if it took longer than ``timeout`` seconds."""
    try:
        done = subprocess.run([sys.executable, __file__, "--one", str(n), "--engine", engine],
                              capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 50_000, 100_000, 200_000])
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument("--engines", default="owlrl,sparql")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="owlrl", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.engine)))
        return
    engines = args.engines.split(",")
    header = f"{'synth N':>9} {'triples':>9} " + " ".join(
        f"{e + ' s':>10} {e + ' MB':>10} {e + ' inf.':>10}" for e in engines)
    print(header)
    for n in args.sizes:
        cells = []
        triples = ""
        for engine in engines:
            result = measure(n, engine, args.timeout)
            if result is None:
                cells.append(f"{'> ' + str(int(args.timeout)):>10} {'?':>10} {'?':>10}")
                continue
            triples = str(int(result["triples"]))
            cells.append(f"{result['seconds']:>10.1f} {result['peak_mb']:>10.0f} "
                         f"{int(result['inferred']):>10}")
        print(f"{n:>9} {triples:>9} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
