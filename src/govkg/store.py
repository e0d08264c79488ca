"""Open the Oxigraph store that holds govkg's named graphs.

By default that is an in-memory store filled from the cached build. With the ``store``
setting (``GOVKG_STORE``) it is a persistent store on disk, made by ``govkg load``, opened
read-only so that several server processes can share it. With the ``endpoint`` setting
(``GOVKG_ENDPOINT``) it is an external SPARQL 1.1 endpoint (``govkg.remote_store``).
"""

import uuid
from pathlib import Path
from typing import Any

import pyoxigraph

from govkg.build import cached_build
from govkg.errors import GovkgError
from govkg.query import StoreLike
from govkg.remote_store import RemoteStore
from govkg.resources import find_sources
from govkg.settings import root_path
from govkg.vocab import GRAPH_NAMES, graph_iri


def load_nquads(nquads: Path) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding the quads of one N-Quads file."""
    store = pyoxigraph.Store()
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def built_graphs_file(settings: dict[str, Any]) -> Path:
    """The cached N-Quads build for the configured sources (built now if missing)."""
    return cached_build(find_sources(root_path(settings)), Path(settings["cache_dir"]))


BUILD_MARKER = "govkg-build"  # a file govkg writes into a store it changed: names that state


def mark_build(path: Path) -> None:
    """Give the store at ``path`` a new build name (``govkg load`` and ``govkg reason`` do).

    What is built from a store (dumps, search index, figures) is named after it, so a
    changed store gets new ones. RocksDB ignores a file whose name is not one of its own.
    """
    (Path(path) / BUILD_MARKER).write_text(uuid.uuid4().hex + "\n")


def build_mark(path: Path) -> str | None:
    """The build name ``mark_build`` gave the store, if any."""
    try:
        return (Path(path) / BUILD_MARKER).read_text().strip() or None
    except OSError:
        return None


def open_writable(path: Path) -> pyoxigraph.Store:
    """The store at ``path`` opened for writing: full scans run two to three times faster
    than on a read-only handle (which has no block cache to speak of). Only one process may
    hold it so, and no server should be serving the store meanwhile."""
    try:
        return pyoxigraph.Store(str(path))
    except OSError as error:
        raise GovkgError(f"{path}: cannot open the store for writing ({error})") from None


def is_store(path: Path) -> bool:
    """Whether ``path`` is a directory holding an Oxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


def open_persistent(path: Path) -> pyoxigraph.Store:
    """The store at ``path``, read-only; ``GovkgError`` if it is not an Oxigraph store.

    The check comes first because RocksDB's own message names an internal file
    (``…/CURRENT: No such file or directory``).
    """
    path = Path(path)
    if not is_store(path):
        why = "no such directory" if not path.exists() else "not an Oxigraph store"
        raise GovkgError(f"{path}: {why} (make one with `govkg load FILE --store {path}`)")
    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError as error:
        raise GovkgError(f"{path}: cannot open the Oxigraph store ({error})") from None


def open_endpoint(url: str) -> RemoteStore:
    """The SPARQL endpoint at ``url``, holding govkg's named graphs; ``GovkgError`` if
    ``url`` is not an http(s) URL. Nothing is fetched yet."""
    if not url.startswith(("http://", "https://")):
        raise GovkgError(f"{url}: not an http:// or https:// URL of a SPARQL endpoint")
    return RemoteStore(url, [str(graph_iri(name)) for name in GRAPH_NAMES])


def open_store(settings: dict[str, Any]) -> StoreLike:
    """The endpoint of the ``endpoint`` setting, else the persistent store of the ``store``
    setting, else the built graphs in memory."""
    if settings.get("endpoint"):
        return open_endpoint(settings["endpoint"])
    if settings.get("store"):
        return open_persistent(Path(settings["store"]))
    return load_nquads(built_graphs_file(settings))
