"""The names of builds: a short hash of what is served, naming everything built from it.

Everything that depends on the served data (dumps, the search index, the whole-store
figures) lands in the cache directory under a name that carries the build id, so a changed
source file or a reloaded store means a new build and an unchanged one means none.
"""

import hashlib
from pathlib import Path
from typing import Any

from govkg.build import input_hash
from govkg.resources import find_sources
from govkg.settings import root_path
from govkg.store import build_mark, open_endpoint

_STORE_DATA_FILES = ("CURRENT", "MANIFEST-")  # RocksDB rewrites these on every change


def sources_id(settings: dict[str, Any]) -> str:
    """A short hash of the sources alone: names what depends on them only (the SHACL report)."""
    return hashlib.sha256(input_hash(find_sources(root_path(settings))).encode()).hexdigest()[:16]


def build_id(settings: dict[str, Any]) -> str:
    """A short hash of what is served: it names everything built from it.

    The sources; for a persistent store (the ``store`` setting) the build name that
    ``govkg load`` gave it (``store.mark_build``) or, for a store made otherwise, its files'
    names, sizes and times, so that a reloaded store gets new dumps; for an external SPARQL
    endpoint (the ``endpoint`` setting) its URL and the size of each graph.
    """
    digest = hashlib.sha256(input_hash(find_sources(root_path(settings))).encode())
    if settings.get("endpoint"):
        digest.update(f"{settings['endpoint']} {open_endpoint(settings['endpoint']).fingerprint()}"
                      .encode())
    if settings.get("store"):
        store = Path(settings["store"]).resolve()
        digest.update(str(store).encode())
        mark = build_mark(store)
        if mark:
            digest.update(f"mark {mark}".encode())
            return digest.hexdigest()[:16]
        for path in sorted(store.glob("*")):
            if path.is_file() and path.name.startswith(_STORE_DATA_FILES):
                stat = path.stat()
                digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
