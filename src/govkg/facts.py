"""Whole-store figures: what the graph holds, and the VoID statistics and partitions.

Each costs a scan of the store: on a persistent store of millions of triples, seconds to
minutes. They are computed once per build and kept on disk under ``<cache>/facts-<build>/``,
so that neither a server worker nor a restart pays again; ``govkg load`` computes them all
(``compute_facts``) before the first start.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from govkg.files import write_atomically
from govkg.query import StoreLike, select_rows
from govkg.stats import Stats, graph_stats
from govkg.vocab import ASSERTED_GRAPHS, GRAPH_NAMES, ID, graph_iri


@dataclass(frozen=True)
class DatasetStatistics:
    """The VoID statistics of the whole dataset (every graph)."""
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    class_partitions: list[tuple[str, int]]  # class IRI, distinct instances
    property_partitions: list[tuple[str, int]]  # property IRI, distinct triples


class Facts:
    """The whole-store figures of one build, read from disk, computed there if missing."""

    def __init__(self, cache_dir: Path, build: str, store: StoreLike) -> None:
        self.directory = Path(cache_dir) / f"facts-{build}"
        self.store = store
        self._memo: dict[str, Any] = {}

    def stored(self, key: str, compute: Any) -> Any:
        """``compute()`` (a JSON value), kept in memory and on disk for this build."""
        if key not in self._memo:
            path = self.directory / f"{key}.json"
            if not path.is_file():
                write_atomically(path, json.dumps(compute(), ensure_ascii=False).encode())
            self._memo[key] = json.loads(path.read_text(encoding="utf-8"))
        return self._memo[key]

    def graph_stats(self) -> Stats:
        """What the graph holds (``govkg.stats``)."""
        return Stats(**self.stored("stats", lambda: asdict(graph_stats(self.store))))

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph of govkg's, 0 for an empty one."""
        def compute() -> dict[str, int]:
            found = {name: 0 for name in GRAPH_NAMES}
            text = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            for row in select_rows(self.store, text):
                name = str(row["g"]).removeprefix(graph_iri(""))
                if name in found:
                    found[name] = int(row["n"])
            return found
        return self.stored("graph-counts", compute)

    def distinct_triples(self, graphs: tuple[str, ...]) -> int:
        """Distinct triples in the merge of ``graphs``."""
        def compute() -> int:
            values = " ".join(f"<{graph_iri(g)}>" for g in graphs)  # our constants, not input
            text = (f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{ VALUES ?g "
                    f"{{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} }}")
            return int(select_rows(self.store, text)[0]["n"])
        return self.stored("distinct-" + "-".join(graphs), compute)

    def dataset_statistics(self) -> DatasetStatistics:
        """VoID's distinct subjects, objects, properties and entities, and its partitions."""
        def compute() -> dict[str, Any]:
            totals = select_rows(self.store, """
                SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
                       (COUNT(DISTINCT ?o) AS ?objects) { GRAPH ?g { ?s ?p ?o } }""")[0]
            entities = select_rows(self.store, f"""
                SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH ?g {{ ?s ?p ?o }}
                  FILTER(ISIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}""")[0]["n"]
            classes = select_rows(self.store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) "
                                  "{ GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c")
            properties = select_rows(self.store, "SELECT ?p (COUNT(*) AS ?n) { SELECT DISTINCT "
                                     "?s ?p ?o { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?p ORDER BY ?p")
            return {"entities": int(entities), "distinct_subjects": int(totals["subjects"]),
                    "distinct_objects": int(totals["objects"]),
                    "properties": int(totals["properties"]),
                    "class_partitions": [(str(r["c"]), int(r["n"])) for r in classes],
                    "property_partitions": [(str(r["p"]), int(r["n"])) for r in properties]}
        return DatasetStatistics(**self.stored("dataset-statistics", compute))


def compute_facts(facts: Facts) -> None:
    """Compute every whole-store figure the pages show, unless done already."""
    done = facts.directory / "complete"
    if done.is_file():
        return
    facts.graph_stats()
    facts.graph_counts()
    facts.distinct_triples(GRAPH_NAMES)
    facts.distinct_triples(ASSERTED_GRAPHS)
    facts.dataset_statistics()
    write_atomically(done, b"")
