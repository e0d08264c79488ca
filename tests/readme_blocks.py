"""The README's printed figures and example outputs, regenerated from the code.

The README holds blocks between ``<!-- generated: NAME -->`` and ``<!-- /generated -->``:
``stats`` (the triples per graph, as ``govkg stats`` counts them) and ``example SLUG`` (one
of the editor's example queries, ``src/govkg/web/queries/SLUG.rq``, with its English title
and the table ``govkg query @FILE`` prints, trailing blanks trimmed). Figures written in the prose (``72 provinces are inferred``) are kept by
``PROSE``: a pattern with one number in it and the query that gives the number.
``tests/test_readme.py`` fails with the difference; after changing the data, the queries or
the code, run

    python tests/readme_blocks.py

to rewrite README.md, and read the difference before committing it.
"""

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
from pyoxigraph import QuerySolutions

from govkg.query import run_query, select_rows
from govkg.settings import load_settings
from govkg.stats import Stats, graph_stats
from govkg.store import open_store
from govkg.table import render_table
from govkg.vocab import GRAPH_NAMES
from govkg.web.examples import EXAMPLES

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)(<!-- /generated -->)",
                   re.S)
REGENERATE = "python tests/readme_blocks.py"

# What each named graph holds, for the stats table; {entities}, {figures}, {sentences} are
# filled from govkg's own counts.
GRAPH_ROLES = {
    "ontology": "the ontology",
    "data": "exactly what the report says: {entities:,} entities, among them {figures:,} figures",
    "editorial": "what govkg reads into the report (and its grouping of the indicators), each "
                 "with its reason",
    "external": "facts from outside the report (links to Wikidata), marked as such",
    "report": "the article and its {sentences:,} sentences, every one cited by the data, each with "
              "govkg's English",
    "evidence": "the sentence behind each statement of `graph/data` and `graph/editorial`, as "
                "`rdf:Statement`s",
    "shapes": "the SHACL shapes",
    "inferred": "what OWL RL adds, minus what is asserted, filtered; the days each date covers",
}

INFERRED_PROVINCES = """
    SELECT (COUNT(*) AS ?n) WHERE {
      GRAPH <https://w3id.org/govkg/graph/inferred> { ?thing gk:province ?province }
    }"""

# A number written in the prose: the pattern around it (one group, the number) and its count.
PROSE: list[tuple[re.Pattern[str], Callable[[pyoxigraph.Store], int]]] = [
    (re.compile(r"(\d[\d,]*)(\s+provinces are inferred)"),
     lambda store: select_rows(store, INFERRED_PROVINCES)[0]["n"]),
]


def stats_block(stats: Stats) -> str:
    unknown = set(stats.triples_per_graph) - set(GRAPH_ROLES)
    if unknown:
        raise SystemExit(f"say what graph/{sorted(unknown)[0]} holds in GRAPH_ROLES "
                         f"in {Path(__file__).name}")
    counts = {"entities": stats.entities, "figures": stats.figures,
              "sentences": stats.sentences}
    rows = [f"| `graph/{name}` | {stats.triples_per_graph[name]:,} | "
            f"{GRAPH_ROLES[name].format(**counts)} |"
            for name in GRAPH_NAMES if name in stats.triples_per_graph]
    return "\n".join(["| graph | triples | what |", "| --- | ---: | --- |", *rows]) + "\n"


def example_block(store: pyoxigraph.Store, slug: str) -> str:
    """The example's English title, its query, and the table it prints."""
    example = next((e for e in EXAMPLES if e.slug == slug), None)
    if example is None:
        raise SystemExit(f"README.md shows the example {slug!r}, which is not in queries/")
    result = run_query(store, example.text)
    if not isinstance(result, QuerySolutions):
        raise SystemExit(f"{slug}.rq: an example in the README must be a SELECT query")
    table = "\n".join(line.rstrip() for line in render_table(result).splitlines())
    return (f"{example.title('en')}:\n\n```sparql\n{example.text}\n```\n"
            f"```\n{table}\n```\n")


def render_block(store: pyoxigraph.Store, name: str) -> str:
    kind, _, argument = name.partition(" ")
    if kind == "stats":
        return stats_block(graph_stats(store))
    if kind == "example":
        return example_block(store, argument)
    raise SystemExit(f"README.md: no generated block is called {name!r}")


def regenerate(text: str, store: pyoxigraph.Store) -> str:
    """``text`` (the README) with every generated block and prose figure brought up to date."""
    text = BLOCK.sub(lambda m: m.group(1) + render_block(store, m.group("name")) + m.group(4),
                     text)
    for pattern, count in PROSE:
        if not pattern.search(text):
            raise SystemExit(f"README.md no longer says {pattern.pattern!r}")
        value = count(store)
        text = pattern.sub(lambda m, v=value: f"{v:,}{m.group(2)}", text)
    return text


def embedded_store(cache_dir: str | None = None) -> pyoxigraph.Store:
    return open_store(load_settings({"cache_dir": cache_dir}))


def main() -> None:
    old = README.read_text(encoding="utf-8")
    new = regenerate(old, embedded_store())
    if new == old:
        print("README.md is up to date")
        return
    README.write_text(new, encoding="utf-8")
    print("README.md rewritten: check the difference with git diff README.md")


if __name__ == "__main__":
    sys.exit(main())
