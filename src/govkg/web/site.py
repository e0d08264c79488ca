"""What every view needs: the settings, the store and the things built once per input hash.

Whole-store figures (statistics, VoID partitions) cost a scan of the store: on a persistent
store of millions of triples, seconds to minutes. They are computed once per build and kept
on disk under ``<cache>/facts-<build>/``, so that neither a worker nor a restart pays again
(``govkg load`` computes them before the first start; see ``prebuilt.prepare``).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from flask import current_app
from pyoxigraph import QueryResultsFormat, QuerySolutions

from govkg.files import write_atomically
from govkg.prebuilt import build_id
from govkg.query import run_query
from govkg.search import SearchIndex, open_index
from govkg.stats import Stats, graph_stats


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
        return self.once("search", lambda: open_index(self.settings, self.store))

    def once(self, key: str, compute: Any) -> Any:
        """``compute()``, the first time only: the store never changes while we serve it."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def _fact_file(self, name: str) -> Path:
        return self.cache_dir / f"facts-{self.build}" / name

    def stored(self, key: str, compute: Any) -> Any:
        """``compute()`` (a JSON value), kept on disk for this build."""
        path = self._fact_file(f"{key}.json")
        if not path.is_file():
            write_atomically(path, json.dumps(compute(), ensure_ascii=False).encode())
        return json.loads(path.read_text(encoding="utf-8"))

    def solutions(self, text: str) -> QuerySolutions:
        """The solutions of a SELECT query over the whole store, kept on disk for this build."""
        path = self._fact_file(hashlib.sha256(text.encode()).hexdigest()[:32] + ".srj")
        if not path.is_file():
            result = run_query(self.store, text)
            assert isinstance(result, QuerySolutions)
            write_atomically(path, result.serialize(format=QueryResultsFormat.JSON))
        parsed = pyoxigraph.parse_query_results(path=str(path), format=QueryResultsFormat.JSON)
        assert isinstance(parsed, QuerySolutions)
        return parsed

    def graph_stats(self) -> Stats:
        """What the graph holds (``govkg.stats``), kept on disk for this build."""
        return self.once("stats", lambda: Stats(**self.stored(
            "stats", lambda: asdict(graph_stats(self.store)))))




def make_site(settings: dict[str, Any], store: pyoxigraph.Store) -> Site:
    return Site(settings, store, build_id(settings))


def current_site() -> Site:
    return current_app.extensions["govkg"]
