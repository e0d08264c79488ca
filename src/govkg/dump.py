"""Select the quads of a dump: the asserted graphs, the inferred graph, or all of them."""

from collections.abc import Iterator

from pyoxigraph import NamedNode, Quad

from govkg.query import StoreLike
from govkg.vocab import ASSERTED_GRAPHS, GRAPH_NAMES, graph_iri

SELECTIONS: dict[str, tuple[str, ...]] = {
    "asserted": ASSERTED_GRAPHS,
    "inferred": ("inferred",),
    "all": GRAPH_NAMES,
}


def quads_of(store: StoreLike, selection: str) -> Iterator[Quad]:
    """The quads of the named graphs in ``selection`` (a key of ``SELECTIONS``)."""
    for name in SELECTIONS[selection]:
        yield from store.quads_for_pattern(None, None, None, NamedNode(graph_iri(name)))
