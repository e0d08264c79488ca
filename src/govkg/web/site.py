"""What every view needs: the settings, the store and the things built once per input hash
(dumps, SHACL report, search index)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from flask import current_app

from govkg.prebuilt import build_id, open_search_index
from govkg.search import SearchIndex


@dataclass
class Site:
    settings: dict[str, Any]
    store: pyoxigraph.Store
    build: str  # a hash of the inputs: names the dumps and the cached SHACL report
    memo: dict[str, Any] = field(default_factory=dict)  # results computed once per process

    @property
    def cache_dir(self) -> Path:
        return Path(self.settings["cache_dir"])

    @property
    def search(self) -> SearchIndex:
        """The search index, opened read-only (one connection per thread)."""
        return self.once("search", lambda: open_search_index(self.settings, self.store,
                                                             self.build))

    def once(self, key: str, compute: Any) -> Any:
        """``compute()``, the first time only: the store never changes while we serve it."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def make_site(settings: dict[str, Any], store: pyoxigraph.Store) -> Site:
    return Site(settings, store, build_id(settings))


def current_site() -> Site:
    return current_app.extensions["govkg"]
