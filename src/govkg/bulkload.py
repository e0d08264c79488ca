"""Bulk-load RDF files into a persistent Oxigraph store, all or nothing.

``load_files`` reads Turtle, N-Triples, N-Quads and TriG (chosen by extension; ``.gz`` files
are decompressed on the fly) with Oxigraph's bulk loader. Triples, and quads in a file's
default graph, go into one named graph (``graph/data`` unless told otherwise), because
govkg's queries see the union of the named graphs, not the default graph.

How the existing store is kept intact: the load never writes to the store directory.
It writes to a staging store next to it and swaps the directories at the end:

1. ``Store(dir).backup(staging)`` checkpoints the current store into a sibling directory.
   On the same file system RocksDB hard-links its immutable table files, so this costs
   milliseconds whatever the store's size. (A *read-only* handle would not do: its
   checkpoint leaves out the write-ahead log, losing recent updates.)
2. Every file is bulk-loaded into the staging store.
3. The store directory is renamed aside, the staging directory renamed into its place,
   and the old copy deleted.

Any failure before step 3 — a syntax error on line 1 000 000, a missing file, a full disk,
Ctrl-C — deletes the staging directory and leaves the store as it was. The alternative,
validating every file by a full parse before writing, would guard only against syntax
errors and still write into the live directory, which the servers have open read-only
(Oxigraph: reading while another process writes is undefined behaviour). It would also
read everything twice. The cost of staging is disk space for the new table files, which
the load needs anyway, and a window of two renames in which the directory is missing.
Servers that have the store open keep seeing the old data until they are restarted.

Before the swap the staging store is compacted (``Store.optimize``: the bulk loader leaves
many overlapping table files, which slow every later scan) and given a new build name
(``store.mark_build``). ``reason_store`` changes a store the same way, all or nothing.
"""

import gc
import gzip
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from govkg.errors import DataFileError, GovkgError
from govkg.reason_sparql import ReasonResult, materialise
from govkg.store import is_store, mark_build
from govkg.vocab import graph_iri

DEFAULT_GRAPH = str(graph_iri("data"))

EXTENSIONS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".ntriples": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".nquads": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
}

Progress = Callable[[int], None]  # told how many more bytes of the input were read


@dataclass(frozen=True)
class LoadResult:
    files: int
    added: int  # quads in the store afterwards minus before (duplicates count once)
    total: int  # quads in the store afterwards
    seconds: float

    @property
    def rate(self) -> float:
        return self.added / self.seconds if self.seconds > 0 else 0.0


def rdf_format(path: Path) -> RdfFormat:
    """The format a file's extension names (``.ttl``, ``.nt``, ``.nq``, ``.trig``, + ``.gz``)."""
    name = path.name.lower().removesuffix(".gz")
    fmt = EXTENSIONS.get(Path(name).suffix)
    if fmt is None:
        known = ", ".join(sorted(EXTENSIONS))
        message = f"unknown format (extensions: {known}, optionally .gz)"
        raise DataFileError(str(path), None, message)
    return fmt


def check_store_dir(path: Path) -> None:
    """Refuse a path that exists but is not a store (nor an empty directory to create one in)."""
    if not path.exists() or is_store(path):
        return
    if not path.is_dir():
        raise GovkgError(f"{path}: not a directory, so not an Oxigraph store")
    if any(path.iterdir()):
        raise GovkgError(f"{path}: not an Oxigraph store (and not empty)")


class _CountingReader:
    """A binary file wrapper that reports the bytes read to a progress callback."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._progress and data:
            self._progress(len(data))
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()


def _open(path: Path, progress: Progress | None) -> IO[bytes]:
    """The file's bytes, decompressed if it ends ``.gz``; progress counts bytes on disk."""
    counted = _CountingReader(path.open("rb"), progress)
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=counted, mode="rb")  # type: ignore[arg-type]
    return counted  # type: ignore[return-value]


def _load_one(store: pyoxigraph.Store, path: Path, graph: NamedNode,
              progress: Progress | None) -> None:
    stream = _open(path, progress)
    try:
        store.bulk_load(input=stream, format=rdf_format(path), to_graph=graph)
    except SyntaxError as error:
        raise DataFileError(str(path), error.lineno, _parser_message(error)) from None
    except (EOFError, gzip.BadGzipFile) as error:
        raise DataFileError(str(path), None, f"bad gzip data ({error})") from None
    finally:
        stream.close()


def _parser_message(error: SyntaxError) -> str:
    """Oxigraph's message without what the error line already says ("at line 3 ")."""
    message = (error.msg or str(error)).removeprefix("Parser error ")
    return re.sub(r"^at line \d+,? ", "", message)


def input_size(paths: Sequence[Path]) -> int:
    """Bytes on disk of all inputs: the length of a progress bar."""
    return sum(p.stat().st_size for p in paths)


def check_inputs(paths: Sequence[Path]) -> None:
    """Fail before touching anything if a file is missing or has an unknown extension."""
    for path in paths:
        if not path.is_file():
            raise DataFileError(str(path), None, "no such file")
        rdf_format(path)


def load_files(store_dir: Path, paths: Sequence[Path], *, graph: str = DEFAULT_GRAPH,
               progress: Progress | None = None) -> LoadResult:
    """Load ``paths`` into the store at ``store_dir`` (created if missing), all or nothing."""
    store_dir = Path(store_dir)
    paths = [Path(p) for p in paths]
    check_inputs(paths)
    check_store_dir(store_dir)
    started = time.perf_counter()

    def load(store: pyoxigraph.Store) -> None:
        target = NamedNode(graph)
        for path in paths:
            _load_one(store, path, target, progress)

    before, total = change_store(store_dir, load)
    return LoadResult(len(paths), total - before, total, time.perf_counter() - started)


def reason_store(store_dir: Path) -> ReasonResult:
    """Materialise the OWL RL subset of ``govkg.reason_sparql`` in a store, all or nothing."""
    store_dir = Path(store_dir)
    if not is_store(store_dir):
        why = "no such directory" if not store_dir.exists() else "not an Oxigraph store"
        raise GovkgError(f"{store_dir}: {why} (make one with `govkg load FILE --store DIR`)")
    results: list[ReasonResult] = []
    change_store(store_dir, lambda store: results.append(materialise(store)))
    return results[0]


def change_store(store_dir: Path, change: Callable[[pyoxigraph.Store], object]) -> tuple[int, int]:
    """Apply ``change`` to a staged copy of the store, then swap it in; quads before, after.

    Any failure deletes the copy and leaves the store as it was (see the module's text).
    """
    staging = store_dir.parent / f".{store_dir.name}.loading-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        before = _checkpoint(store_dir, staging)
        store = pyoxigraph.Store(str(staging))
        change(store)
        store.flush()
        # Bulk loading leaves many overlapping table files; compacting them makes the
        # scans that follow (dumps, search index, statistics) two to three times faster.
        store.optimize()
        total = len(store)
        del store
        gc.collect()  # close RocksDB before the directory moves
        mark_build(staging)
        _swap(staging, store_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return before, total


def _checkpoint(store_dir: Path, staging: Path) -> int:
    """Copy the current store (if any) to ``staging`` by hard links; its quad count."""
    if not is_store(store_dir):
        return 0
    try:
        current = pyoxigraph.Store(str(store_dir))
    except OSError as error:
        raise GovkgError(f"{store_dir}: cannot open the store for writing ({error})") from None
    count = len(current)
    current.backup(str(staging))
    del current
    gc.collect()
    return count


def _swap(staging: Path, store_dir: Path) -> None:
    """Put the staging store where the store was; delete the old one."""
    old = store_dir.parent / f".{store_dir.name}.old-{os.getpid()}"
    if store_dir.exists():
        if is_store(store_dir):
            os.rename(store_dir, old)
        else:
            store_dir.rmdir()  # an empty directory (check_store_dir said so)
    os.rename(staging, store_dir)
    shutil.rmtree(old, ignore_errors=True)
