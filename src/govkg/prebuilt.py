"""What the server builds once per input hash, before it forks: the dumps, the SHACL report
and the search index.

Everything lands in the cache directory under names that carry the input hash, so a
changed source file means a new build and an unchanged one means none.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph

from govkg.build import input_hash, read_graphs
from govkg.distributions import BuiltDistribution, build_distributions
from govkg.resources import find_sources
from govkg.search import INDEX_FORMAT, SearchIndex, build_index
from govkg.settings import root_path
from govkg.validate import Violation, validate_graphs

_STORE_DATA_FILES = ("CURRENT", "MANIFEST-")  # RocksDB rewrites these on every change


def build_id(settings: dict[str, Any]) -> str:
    """A short hash of what is served: it names everything built from it.

    The sources, and for a persistent store (the ``store`` setting) its files' names, sizes
    and times, so that a reloaded store gets new dumps.
    """
    digest = hashlib.sha256(input_hash(find_sources(root_path(settings))).encode())
    if settings.get("store"):
        store = Path(settings["store"]).resolve()
        digest.update(str(store).encode())
        for path in sorted(store.glob("*")):
            if path.is_file() and path.name.startswith(_STORE_DATA_FILES):
                stat = path.stat()
                digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def dumps_dir(settings: dict[str, Any], build: str) -> Path:
    return Path(settings["cache_dir"]) / f"dumps-{build}"


def prebuilt_dumps(settings: dict[str, Any], store: pyoxigraph.Store,
                   build: str) -> list[BuiltDistribution]:
    return build_distributions(store, dumps_dir(settings, build))


@dataclass(frozen=True)
class CachedValidation:
    conforms: bool
    violations: tuple[Violation, ...]
    report_turtle: Path  # the SHACL validation report graph


def cached_validation(settings: dict[str, Any], build: str) -> CachedValidation:
    """The SHACL report for these sources, validating only if it is not cached yet."""
    directory = Path(settings["cache_dir"]) / f"validation-{build}"
    summary, turtle = directory / "summary.json", directory / "report.ttl"
    if not (summary.is_file() and turtle.is_file()):
        report = validate_graphs(read_graphs(find_sources(root_path(settings))))
        directory.mkdir(parents=True, exist_ok=True)
        _write(turtle, report.graph.serialize(format="turtle").encode())
        body = {"conforms": report.conforms, "violations": [asdict(v) for v in report.violations]}
        _write(summary, json.dumps(body, ensure_ascii=False, indent=1).encode())
    body = json.loads(summary.read_text(encoding="utf-8"))
    violations = tuple(Violation(**v) for v in body["violations"])
    return CachedValidation(body["conforms"], violations, turtle)


def search_index_path(settings: dict[str, Any], build: str) -> Path:
    return Path(settings["cache_dir"]) / f"search-{build}.v{INDEX_FORMAT}.sqlite"


def prebuilt_search_index(settings: dict[str, Any], store: pyoxigraph.Store,
                          build: str) -> Path:
    """The search index of what is served (embedded or persistent store), built if missing."""
    path = search_index_path(settings, build)
    if not path.is_file():
        build_index(store, path)
    return path


def open_search_index(settings: dict[str, Any], store: pyoxigraph.Store,
                      build: str) -> SearchIndex:
    """The prebuilt index, opened read-only (built here only if nothing prepared it)."""
    return SearchIndex(prebuilt_search_index(settings, store, build))


def prepare(settings: dict[str, Any], store: pyoxigraph.Store) -> str:
    """Build the dumps, the SHACL report and the search index now (the server's master does
    this before forking, so that workers only open them)."""
    build = build_id(settings)
    prebuilt_dumps(settings, store, build)
    cached_validation(settings, build)
    prebuilt_search_index(settings, store, build)
    return build


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
