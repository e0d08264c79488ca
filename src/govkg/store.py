"""Open the Oxigraph store that holds govkg's named graphs, from the cached build."""

from pathlib import Path
from typing import Any

import pyoxigraph

from govkg.build import cached_build
from govkg.resources import find_sources
from govkg.settings import root_path


def load_nquads(nquads: Path) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding the quads of one N-Quads file."""
    store = pyoxigraph.Store()
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def built_graphs_file(settings: dict[str, Any]) -> Path:
    """The cached N-Quads build for the configured sources (built now if missing)."""
    return cached_build(find_sources(root_path(settings)), Path(settings["cache_dir"]))


def open_store(settings: dict[str, Any]) -> pyoxigraph.Store:
    return load_nquads(built_graphs_file(settings))
