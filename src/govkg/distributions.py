"""The downloadable dumps: what each holds, and building them once per input hash.

Each dump is written to ``<cache>/dumps-<build>/`` with a manifest giving its size,
triple count, SHA-256 and date, so the server only ever sends files that already exist.
The manifest is written last; a dump that no longer matches it (its size, and its SHA-256
up to ``HASHED_MAX_BYTES``) makes the dumps build again, never served cut as the whole.

A store of up to ``SORTED_MAX_QUADS`` quads is dumped in a stable sorted order (a dump's
bytes depend on its content only). A bigger one (a persistent store of millions of quads)
is streamed to disk in the store's own order, graph by graph, so memory stays flat; its
graph-format dumps then count the statements written (a triple asserted in two graphs
counts twice).
"""

import gzip
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Quad, Triple

from govkg.files import atomic_path, file_digest, write_atomically
from govkg.formats import Format, find_format, serialise_quads, write_statements
from govkg.query import StoreLike
from govkg.vocab import ASSERTED_GRAPHS, GRAPH_NAMES, graph_iri

MANIFEST = "manifest.json"
# a dump up to this size is hashed at every start to check it; a larger one by its size only
HASHED_MAX_BYTES = 256 << 20
log = logging.getLogger("govkg.distributions")
SORTED_MAX_QUADS = 1_000_000


@dataclass(frozen=True)
class Distribution:
    file: str
    title: str
    graphs: tuple[str, ...]  # the named graphs it holds
    format_name: str
    gzipped: bool = False
    title_zh: str = ""

    @property
    def format(self) -> Format:
        fmt = find_format(self.format_name)
        assert fmt is not None
        return fmt

    @property
    def media_type(self) -> str:
        return "application/gzip" if self.gzipped else self.format.media_type


DISTRIBUTIONS: tuple[Distribution, ...] = (
    Distribution("govkg.ttl", "The asserted graphs merged (Turtle)", ASSERTED_GRAPHS, "turtle",
                 title_zh="合并的断言图（Turtle）"),
    Distribution("govkg.jsonld", "The asserted graphs merged (JSON-LD)", ASSERTED_GRAPHS, "jsonld",
                 title_zh="合并的断言图（JSON-LD）"),
    Distribution("govkg.nq.gz", "All named graphs, inferred included (N-Quads, gzip)",
                 GRAPH_NAMES, "nquads", gzipped=True,
                 title_zh="全部命名图，含推理图（N-Quads，gzip）"),
    Distribution("govkg.nt.gz", "All named graphs merged, inferred included (N-Triples, gzip)",
                 GRAPH_NAMES, "ntriples", gzipped=True,
                 title_zh="全部命名图合并，含推理图（N-Triples，gzip）"),
    Distribution("ontology.ttl", "The ontology (Turtle)", ("ontology",), "turtle",
                 title_zh="本体（Turtle）"),
    Distribution("shapes.ttl", "The SHACL shapes (Turtle)", ("shapes",), "turtle",
                 title_zh="SHACL 形状（Turtle）"),
)
BY_FILE = {d.file: d for d in DISTRIBUTIONS}


@dataclass(frozen=True)
class BuiltDistribution:
    file: str
    size: int
    triples: int  # quads for dataset formats, distinct triples for graph formats
    sha256: str
    modified: str  # ISO 8601, UTC

    @property
    def distribution(self) -> Distribution:
        return BY_FILE[self.file]


def sorted_quads(store: StoreLike, graphs: tuple[str, ...]) -> list[Quad]:
    """The quads of ``graphs`` in a stable order, so a dump's bytes depend on its content only."""
    quads = []
    for name in graphs:
        quads.extend(store.quads_for_pattern(None, None, None, NamedNode(graph_iri(name))))
    return sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object),
                                        str(q.graph_name)))


def _count(quads: list[Quad], fmt: Format) -> int:
    return len(quads) if fmt.kind == "dataset" else len({q.triple for q in quads})




def build_one(store: StoreLike, dist: Distribution, directory: Path) -> BuiltDistribution:
    quads = sorted_quads(store, dist.graphs)
    data = serialise_quads(quads, dist.format)
    if dist.gzipped:
        data = gzip.compress(data, mtime=0)
    write_atomically(directory / dist.file, data)
    return BuiltDistribution(
        file=dist.file, size=len(data), triples=_count(quads, dist.format),
        sha256=hashlib.sha256(data).hexdigest(),
        modified=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def stream_one(store: StoreLike, dist: Distribution,
               directory: Path) -> BuiltDistribution:
    """Write one dump straight from the store's iterators to disk, then hash the file."""
    fmt = dist.format
    counted = 0

    def statements() -> Iterator[Quad | Triple]:
        nonlocal counted
        for name in dist.graphs:
            for quad in store.quads_for_pattern(None, None, None, NamedNode(graph_iri(name))):
                counted += 1
                yield quad if fmt.kind == "dataset" else quad.triple

    with atomic_path(directory / dist.file) as tmp:
        # Level 1: three times faster than the default 9 on N-Quads, files a third larger.
        with (gzip.open(tmp, "wb", compresslevel=1) if dist.gzipped else open(tmp, "wb")) as out:
            write_statements(statements(), fmt, out)
        digest = hashlib.sha256()
        with open(tmp, "rb") as written:
            for block in iter(lambda: written.read(1 << 20), b""):
                digest.update(block)
    return BuiltDistribution(
        file=dist.file, size=(directory / dist.file).stat().st_size, triples=counted,
        sha256=digest.hexdigest(),
        modified=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def is_big(store: StoreLike) -> bool:
    """Whether the store holds more than ``SORTED_MAX_QUADS`` quads (stops counting there).

    Asked in SPARQL, so that an external endpoint (``--endpoint``) answers it too.
    """
    past = f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} OFFSET {SORTED_MAX_QUADS} LIMIT 1"
    return any(True for _ in store.query(past))


def read_manifest(directory: Path) -> list[BuiltDistribution] | None:
    try:
        entries = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    built = [BuiltDistribution(**entry) for entry in entries if entry.get("file") in BY_FILE]
    if len(built) != len(DISTRIBUTIONS) or not all(is_whole(directory, b) for b in built):
        return None
    return built


def is_whole(directory: Path, built: BuiltDistribution) -> bool:
    """Whether a dump is the one its manifest (written last) describes: its size always,
    its SHA-256 too up to ``HASHED_MAX_BYTES`` (a cut dump was served with the ETag and
    digest of the whole one)."""
    path = directory / built.file
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size != built.size or (size <= HASHED_MAX_BYTES and file_digest(path) != built.sha256):
        log.warning("%s is not the dump its manifest describes: building the dumps again",
                    path)
        return False
    return True


def build_distributions(store: StoreLike, directory: Path) -> list[BuiltDistribution]:
    """Every dump in ``directory``, built now unless its manifest says they are there."""
    built = read_manifest(directory)
    if built is not None:
        return built
    directory.mkdir(parents=True, exist_ok=True)
    build = stream_one if is_big(store) else build_one
    built = [build(store, dist, directory) for dist in DISTRIBUTIONS]
    manifest = json.dumps([asdict(b) for b in built], indent=1).encode()
    write_atomically(directory / MANIFEST, manifest)
    return built
