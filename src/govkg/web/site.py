"""What every view needs: the settings, the store and the things built once per build.

Whole-store figures (statistics, VoID partitions) come from ``govkg.facts``, computed once
per build and kept on disk (``govkg load`` computes them before the first start; see
``prebuilt.prepare``); results the views compute from the store are kept per process.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from govkg.builds import build_id
from govkg.facts import Facts
from govkg.prebuilt import facts_of
from govkg.query import StoreLike
from govkg.search import SearchIndex, open_index
from govkg.stats import Stats


@dataclass
class Site:
    settings: dict[str, Any]
    store: StoreLike
    build: str  # a hash of the inputs: names the dumps and the cached SHACL report
    memo: dict[str, Any] = field(default_factory=dict)  # results computed once per process

    @property
    def cache_dir(self) -> Path:
        return Path(self.settings["cache_dir"])

    @property
    def search(self) -> SearchIndex:
        """The search index, opened read-only (one connection per thread)."""
        return self.once("search", lambda: open_index(self.settings, self.store))

    @property
    def facts(self) -> Facts:
        """The whole-store figures of this build."""
        return self.once("facts", lambda: facts_of(self.settings, self.build, self.store))

    def once(self, key: str, compute: Any) -> Any:
        """``compute()``, the first time only: the store never changes while we serve it."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def graph_stats(self) -> Stats:
        """What the graph holds (``govkg.stats``), kept on disk for this build."""
        return self.facts.graph_stats()


def make_site(settings: dict[str, Any], store: StoreLike) -> Site:
    return Site(settings, store, build_id(settings))


def current_site() -> Site:
    return current_app.extensions["govkg"]
