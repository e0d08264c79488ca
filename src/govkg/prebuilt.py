"""What the server builds once per input hash, before it forks: the dumps, the SHACL report
and the search index.

Everything lands in the cache directory under names that carry the input hash, so a
changed source file means a new build and an unchanged one means none.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph

from govkg.build import input_hash, read_graphs
from govkg.distributions import BuiltDistribution, build_distributions
from govkg.files import write_atomically
from govkg.resources import find_sources
from govkg.search import INDEX_FORMAT, open_index
from govkg.settings import root_path
from govkg.store import open_endpoint
from govkg.validate import Violation, validate_graphs

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
    from govkg.store import build_mark

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


def cached_validation(settings: dict[str, Any]) -> CachedValidation:
    """The SHACL report for these sources, validating only if it is not cached yet.

    It depends on the sources only, so reloading a persistent store does not validate again.
    """
    directory = Path(settings["cache_dir"]) / f"validation-{sources_id(settings)}"
    summary, turtle = directory / "summary.json", directory / "report.ttl"
    if not (summary.is_file() and turtle.is_file()):
        report = validate_graphs(read_graphs(find_sources(root_path(settings))))
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(turtle, report.graph.serialize(format="turtle").encode())
        body = {"conforms": report.conforms, "violations": [asdict(v) for v in report.violations]}
        write_atomically(summary, json.dumps(body, ensure_ascii=False, indent=1).encode())
    body = json.loads(summary.read_text(encoding="utf-8"))
    violations = tuple(Violation(**v) for v in body["violations"])
    return CachedValidation(body["conforms"], violations, turtle)


def search_index_path(settings: dict[str, Any], build: str) -> Path:
    """Where the search index of a build lives (``govkg.search.open_index`` builds it)."""
    return Path(settings["cache_dir"]) / f"search-{build}.v{INDEX_FORMAT}.sqlite"


def prepare(settings: dict[str, Any], store: pyoxigraph.Store) -> str:
    """Build the dumps, the search index, the whole-store figures and the SHACL report now,
    unless they are cached.

    The server's master does this before forking; ``govkg load`` and ``govkg reason`` do it
    for the store they made, so that its first start finds everything built.
    """
    build = prepare_data(settings, store)
    cached_validation(settings)
    return build


def prepare_data(settings: dict[str, Any], store: pyoxigraph.Store) -> str:
    """Build what is made from the served data (dumps, search index, figures) unless cached."""
    build = build_id(settings)
    prebuilt_dumps(settings, store, build)
    open_index(settings, store).close()
    compute_facts(settings, build, store)
    return build


WARMED_PAGES = ("/", "/.well-known/void")  # the pages that show whole-store figures


def compute_facts(settings: dict[str, Any], build: str, store: pyoxigraph.Store) -> None:
    """Compute the whole-store figures the pages show (``Site.stored``), unless done already.

    The app itself visits the pages that show them (on ``store``), so the figures are
    exactly those the views would compute; they land in ``<cache>/facts-<build>/``.
    """
    done = Path(settings["cache_dir"]) / f"facts-{build}" / "complete"
    if done.is_file():
        return
    from govkg import create_app
    from govkg.web.site import Site

    app = create_app({**settings, "query_workers": 0})  # these pages run no user query
    app.extensions["govkg"] = Site(settings, store, build)
    client = app.test_client()
    for path in WARMED_PAGES:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"computing the figures: {path} answered {response.status_code}")
    write_atomically(done, b"")


