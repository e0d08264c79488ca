"""What the graph holds: triples per graph, entities per class, figures, sentences covered."""

from dataclasses import dataclass

from govkg.query import StoreLike, select_rows
from govkg.vocab import GRAPH_NAMES, graph_iri


@dataclass(frozen=True)
class Stats:
    triples_per_graph: dict[str, int]
    entities: int
    entities_per_class: dict[str, int]
    figures: int
    sentences: int
    sentences_cited: int

    @property
    def triples(self) -> int:
        return sum(self.triples_per_graph.values())


def graph_stats(store: StoreLike) -> Stats:
    triples = {}
    for name in GRAPH_NAMES:
        query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph_iri(name)}> {{ ?s ?p ?o }} }}"
        rows = select_rows(store, query)
        triples[name] = rows[0]["n"]
    classes = select_rows(store, f"""
        SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
          GRAPH <{graph_iri("data")}> {{ ?s a ?c }}
          BIND(REPLACE(STR(?c), "^.*[#/]", "") AS ?class)
        }} GROUP BY ?class ORDER BY DESC(?n) ?class""")
    entities = select_rows(store, f"""
        SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH <{graph_iri("data")}> {{ ?s a ?c }} }}""")
    figures = select_rows(store, f"""
        SELECT (COUNT(DISTINCT ?f) AS ?n)
        {{ GRAPH <{graph_iri("data")}> {{ ?f a gk:Measurement }} }}""")
    sentences = select_rows(store, """
        SELECT (COUNT(DISTINCT ?s) AS ?all) (COUNT(DISTINCT ?cited) AS ?covered) WHERE {
          ?s a gk:Sentence .
          OPTIONAL { ?x gk:statedIn ?s . BIND(?s AS ?cited) }
        }""")
    return Stats(
        triples_per_graph=triples,
        entities=entities[0]["n"],
        entities_per_class={row["class"]: row["n"] for row in classes},
        figures=figures[0]["n"],
        sentences=sentences[0]["all"],
        sentences_cited=sentences[0]["covered"],
    )
