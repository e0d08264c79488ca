"""Build the named graphs from the sources, once: the result is cached by a hash of the inputs.

The build parses every source file, generates the report's sentences, runs OWL RL, and
writes all named graphs as one N-Quads file under the cache directory, its checksum last.
Later starts load that file straight into Oxigraph, once it matches its checksum
(``govkg.files``); one that does not is built again.
"""

import hashlib
import time
from pathlib import Path

import owlrl
from rdflib import Graph

from govkg import __version__
from govkg.evidence import read_evidenced
from govkg.files import atomic_path, is_intact, write_checksum
from govkg.report import read_report, report_graph
from govkg.resources import Sources
from govkg.turtle import read_turtle
from govkg.vocab import REASONED_GRAPHS, graph_iri

RACY_NANOSECONDS = 3_000_000_000
BUILD_FORMAT = "2"  # bump when the build's output changes for the same inputs


def input_hash(sources: Sources) -> str:
    """A hash of everything the build reads, so a changed file means a new build.

    Kept per process for files whose names, sizes and times are unchanged: a server start or
    a ``govkg load`` asks for it once per thing it names (graphs, dumps, index, figures). As
    git does with racy timestamps, a file changed in the last seconds is always read again:
    a second change within one clock tick would keep its time.
    """
    signature = tuple((str(path), *_stat(path)) for path in sources.all_files())
    if signature in _hashes:
        return _hashes[signature]
    found = _hash_files(sources)
    settled = time.time_ns() - RACY_NANOSECONDS
    if all(mtime < settled for _, _, mtime in signature):
        _hashes[signature] = found
    return found


_hashes: dict[tuple, str] = {}


def _stat(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def _hash_files(sources: Sources) -> str:
    digest = hashlib.sha256(f"{BUILD_FORMAT} {__version__} {owlrl.__version__}".encode())
    for path in sources.all_files():
        digest.update(str(path.relative_to(sources.root)).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def read_graphs(sources: Sources) -> dict[str, Graph]:
    """Parse the sources into the asserted named graphs (and the shapes).

    The data files are expanded by ``govkg.evidence`` into graph/data, graph/editorial and
    graph/evidence; the build fails when a statement has no sentence behind it.
    """
    sentences = read_report(sources.report)
    evidenced = read_evidenced(sources.data, sources.editorial, {s.iri for s in sentences})
    return {
        "ontology": read_turtle(sources.ontology),
        "data": evidenced["data"],
        "editorial": evidenced["editorial"],
        "external": read_turtle(sources.external),
        "report": report_graph(sentences),
        "evidence": evidenced["evidence"],
        "shapes": read_turtle(sources.shapes),
    }


def build_graphs(sources: Sources) -> dict[str, Graph]:
    """All named graphs, the inferred one included."""
    from govkg.reason import infer

    graphs = read_graphs(sources)
    asserted = Graph()
    for name in REASONED_GRAPHS:
        for triple in graphs[name]:
            asserted.add(triple)
    graphs["inferred"] = infer(asserted)
    return graphs


def write_nquads(graphs: dict[str, Graph], path: Path) -> None:
    """Write the graphs as one N-Quads file, atomically.

    Each graph is written as N-Triples (one statement a line) with its graph IRI added.
    """
    with atomic_path(path) as tmp, tmp.open("wb") as out:
        for name, graph in graphs.items():
            suffix = f" <{graph_iri(name)}> .\n".encode()
            for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
                if line.endswith(b" ."):
                    out.write(line[:-2] + suffix)
    write_checksum(path)  # last: a file without it is not trusted


def cached_build(sources: Sources, cache_dir: Path) -> Path:
    """The N-Quads file of all graphs for these sources, building it if it is not cached."""
    path = Path(cache_dir) / f"graphs-{input_hash(sources)[:16]}.nq"
    if not is_intact(path):  # missing, or cut or garbled since: built again
        write_nquads(build_graphs(sources), path)
    return path
