"""Statements about a resource as a tree a template can print: blank nodes are opened in
place and RDF lists become sequences (``owl:unionOf ( … )``, ``sh:or ( … )``, paths)."""

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode

from govkg.query import StoreLike
from govkg.vocab import RDF_NS
from govkg.web.display import Labeller, Shown

FIRST, REST, NIL = (NamedNode(RDF_NS + name) for name in ("first", "rest", "nil"))
MAX_DEPTH = 6


@dataclass
class Tree:
    shown: Shown | None = None  # a term (IRI or literal), or None for an opened blank node
    items: list["Tree"] = field(default_factory=list)  # an RDF list's members
    props: list[tuple[Shown, list["Tree"]]] = field(default_factory=list)  # a blank node's
    is_list: bool = False


class TreeMaker:
    def __init__(self, store: StoreLike, graph: NamedNode, labeller: Labeller) -> None:
        self.store, self.graph, self.labeller = store, graph, labeller

    def objects(self, subject: NamedNode | BlankNode, predicate: NamedNode | None = None) -> list:
        return [q for q in self.store.quads_for_pattern(subject, predicate, None, self.graph)]

    def rdf_list(self, node: BlankNode) -> list | None:
        items, seen = [], set()
        while isinstance(node, BlankNode) and node not in seen:
            seen.add(node)
            first = self.objects(node, FIRST)
            rest = self.objects(node, REST)
            if len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0].object)
            node = rest[0].object
        return items if node == NIL else None

    def tree(self, term, depth: int = 0) -> Tree:
        if not isinstance(term, BlankNode) or depth > MAX_DEPTH:
            return Tree(self.labeller.show(term))
        members = self.rdf_list(term)
        if members is not None:
            return Tree(items=[self.tree(m, depth + 1) for m in members], is_list=True)
        return Tree(props=self.properties(term, depth + 1))

    def properties(self, subject: NamedNode | BlankNode, depth: int = 0,
                   skip: tuple[str, ...] = ()) -> list[tuple[Shown, list[Tree]]]:
        grouped: dict[NamedNode, list] = {}
        for quad in self.objects(subject):
            if quad.predicate.value not in skip:
                grouped.setdefault(quad.predicate, []).append(quad.object)
        rows = []
        for predicate in sorted(grouped, key=lambda p: p.value):
            values = sorted(grouped[predicate], key=str)
            rows.append((self.labeller.show(predicate), [self.tree(v, depth) for v in values]))
        return rows
