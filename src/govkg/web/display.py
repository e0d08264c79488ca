"""How RDF terms appear on pages: labels in both languages, links, short names.

A ``Labeller`` looks labels up in the store once per term and turns any term into a
``Shown``: the text to print, the link to follow and what the term really is.
"""

from dataclasses import dataclass

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode

from govkg.table import short_term
from govkg.vocab import GK
from govkg.web.iris import href

RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
PLAIN_TYPES = ("http://www.w3.org/2001/XMLSchema#string",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
GK_TEXT = NamedNode(str(GK.text))

Term = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class Shown:
    kind: str  # "iri", "bnode" or "literal"
    text: str  # the main text: the Chinese label, else the English one, else a short name
    secondary: str = ""  # the English label under the Chinese one
    link: str | None = None  # a server path for our IRIs, the IRI itself for others
    external: bool = False
    iri: str = ""
    lang: str = ""
    datatype: str = ""  # short name of a literal's datatype, unless it is a plain string


class Labeller:
    """Labels from the store, looked up once per term."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[str, str]] = {}

    def labels(self, node: NamedNode | BlankNode) -> tuple[str, str]:
        """The (Chinese, English) labels of ``node``; either may be empty."""
        key = str(node)
        if key not in self._cache:
            zh, en, other = [], [], []
            for predicate in (RDFS_LABEL, SKOS_PREF_LABEL):
                for quad in self.store.quads_for_pattern(node, predicate, None, None):
                    literal = quad.object
                    if not isinstance(literal, Literal):
                        continue
                    lang = (literal.language or "").lower()
                    bucket = zh if lang.startswith("zh") else en if lang.startswith("en") else other
                    bucket.append(literal.value)
            en = en or other
            self._cache[key] = (min(zh) if zh else "", min(en) if en else "")
        return self._cache[key]

    def show(self, term: Term | None) -> Shown:
        if term is None:
            return Shown("literal", "")
        if isinstance(term, Literal):
            datatype = "" if term.datatype.value in PLAIN_TYPES else short_term(term.datatype)
            return Shown("literal", term.value, lang=term.language or "", datatype=datatype)
        if isinstance(term, BlankNode):
            zh, en = self.labels(term)
            return Shown("bnode", zh or en or "(anonymous)", en if zh else "")
        return self.show_iri(term)

    def show_iri(self, node: NamedNode) -> Shown:
        zh, en = self.labels(node)
        local = href(node.value)
        link = local or (node.value if node.value.startswith(("http://", "https://")) else None)
        short = short_term(node)
        if zh or en:
            return Shown("iri", zh or en, en if zh and en else "", link, local is None,
                         node.value)
        return Shown("iri", short, "", link, local is None, node.value)

    def name(self, node: NamedNode) -> str:
        """One line for titles and listings: ``北京通 (Beijing Tong)``."""
        shown = self.show_iri(node)
        return f"{shown.text} ({shown.secondary})" if shown.secondary else shown.text
