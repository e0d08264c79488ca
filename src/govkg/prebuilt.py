"""What is built once per build, before the server forks: the dumps, the search index, the
whole-store figures and the SHACL report of the data as served (and, once for every build,
the SPARQL parser's tables).

Everything lands in the cache directory under names that carry the build id
(``govkg.builds``), so a changed source file means a new build and an unchanged one means
none. Nothing here touches the web app: ``govkg load`` builds all of it without Flask.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govkg.builds import build_id
from govkg.distributions import BuiltDistribution, build_distributions
from govkg.facts import Facts, compute_facts
from govkg.files import write_atomically
from govkg.query import StoreLike
from govkg.search import open_index
from govkg.sparql_grammar import load_parser
from govkg.validate import Violation, validate_store


def dumps_dir(settings: dict[str, Any], build: str) -> Path:
    return Path(settings["cache_dir"]) / f"dumps-{build}"


def prebuilt_dumps(settings: dict[str, Any], store: StoreLike,
                   build: str) -> list[BuiltDistribution]:
    return build_distributions(store, dumps_dir(settings, build))


def facts_of(settings: dict[str, Any], build: str, store: StoreLike) -> Facts:
    """The whole-store figures of ``build`` (``govkg.facts``), kept in the cache directory."""
    return Facts(Path(settings["cache_dir"]), build, store)


@dataclass(frozen=True)
class CachedValidation:
    conforms: bool
    violations: tuple[Violation, ...]
    report_turtle: Path  # the SHACL validation report graph
    unchecked: str = ""  # why the store was not checked, when it was not
    too_big_at: int = 0  # the bound on the store's size that it passed, when that is why


def cached_validation(settings: dict[str, Any], store: StoreLike,
                      build: str) -> CachedValidation:
    """The SHACL report of what ``store`` serves (build ``build``), validating only if it is
    not cached yet: the store's asserted graphs against the store's shapes graph."""
    directory = Path(settings["cache_dir"]) / f"validation-{build}"
    summary, turtle = directory / "summary.json", directory / "report.ttl"
    if not (summary.is_file() and turtle.is_file()):
        report = validate_store(store)
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(turtle, report.graph.serialize(format="turtle").encode())
        body = {"conforms": report.conforms, "unchecked": report.unchecked,
                "too_big_at": report.too_big_at,
                "violations": [asdict(v) for v in report.violations]}
        write_atomically(summary, json.dumps(body, ensure_ascii=False, indent=1).encode())
    body = json.loads(summary.read_text(encoding="utf-8"))
    violations = tuple(Violation(**v) for v in body["violations"])
    return CachedValidation(body["conforms"], violations, turtle, body["unchecked"],
                            body["too_big_at"])


def prepare(settings: dict[str, Any], store: StoreLike) -> str:
    """Build the dumps, the search index, the whole-store figures, the SHACL report and the
    SPARQL parser's tables now, unless they are cached.

    The server's master does this before forking; ``govkg load`` and ``govkg reason`` do it
    for the store they made, so that its first start finds everything built.
    """
    build = prepare_data(settings, store)
    cached_validation(settings, store, build)
    load_parser(Path(settings["cache_dir"]))
    return build


def prepare_data(settings: dict[str, Any], store: StoreLike) -> str:
    """Build what is made from the served data (dumps, search index, figures) unless cached."""
    build = build_id(settings)
    prebuilt_dumps(settings, store, build)
    open_index(settings, store).close()
    compute_facts(facts_of(settings, build, store))
    return build
