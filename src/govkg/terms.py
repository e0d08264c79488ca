"""The store's terms by kind, with their labels and types: what the query editor completes.

Every IRI of the store is one kind, decided by what the store says of it, the first that
holds winning:

- a **class** is declared ``owl:Class`` or ``rdfs:Class``, or is the object of an
  ``rdf:type`` (which makes it an ``rdfs:Class`` by RDFS: ``rdf:type rdfs:range rdfs:Class``);
- a **property** is declared ``rdf:Property`` or an ``owl:…Property``, or is used as a
  predicate (which makes it an ``rdf:Property`` by RDF entailment, rule rdf1);
- an **entity** is the subject of a statement outside ``graph/shapes`` and neither of these.

Each term keeps its ``rdfs:label`` in Chinese and English, its other names
(``skos:altLabel``) for matching, and one type: for an entity its asserted ``rdf:type``
(govkg's own classes first), for a property its kind of property, for a class the kind of
class. The index is read from the store with three queries and kept for the life of the
process; a lookup scans one kind's terms (2,586 entities, 160 properties, 98 classes on the
embedded data). Measured with ``bench/pages.py`` in-process, on 2 shared cores at load 17:
the first request 170 ms (the index read), then 7 ms median for entities (0.5 ms for a
prefixed property), too little to be worth a search index of its own.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from govkg.query import StoreLike, run_query
from govkg.vocab import GRAPH, ID, OWL, PREFIXES, RDF, RDFS

KINDS = ("class", "property", "entity")  # in order of precedence
CLASS_TYPES = (str(OWL.Class), str(RDFS.Class))
PROPERTY_TYPES = (str(OWL.ObjectProperty), str(OWL.DatatypeProperty),
                  str(OWL.AnnotationProperty), str(RDF.Property))
OWN = (str(PREFIXES["gk"]), ID)  # govkg's own namespaces come first in a list
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")

KIND_QUERY = f"""
SELECT DISTINCT ?term ?kind ?type WHERE {{
  {{ ?term a ?type . VALUES ?type {{ owl:Class rdfs:Class }} BIND("class" AS ?kind) }}
  UNION {{ ?x a ?term . BIND("class" AS ?kind) }}
  UNION {{ ?term a ?type . BIND("property" AS ?kind)
          FILTER(?type = rdf:Property || (STRSTARTS(STR(?type), STR(owl:))
                 && STRENDS(STR(?type), "Property"))) }}
  UNION {{ ?x ?term ?y . BIND("property" AS ?kind) }}
  UNION {{ GRAPH ?g {{ ?term ?p ?o }} BIND("entity" AS ?kind)
          FILTER(?g != <{GRAPH}shapes>) }}
  FILTER(isIRI(?term))
}}"""
NAME_QUERY = """
SELECT ?term ?property ?name WHERE {
  ?term ?property ?name . VALUES ?property { rdfs:label skos:altLabel }
  FILTER(isIRI(?term) && (langMatches(lang(?name), "zh") || langMatches(lang(?name), "en")))
}"""
TYPE_QUERY = f"""
SELECT ?term ?type ?g WHERE {{
  GRAPH ?g {{ ?term a ?type }} FILTER(isIRI(?term) && isIRI(?type)
                                   && ?g != <{GRAPH}shapes>)
}}"""


def prefixed_name(iri: str) -> str | None:
    """``gk:Province`` for an IRI the prefixes shorten to a valid name, else None."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            return f"{prefix}:{local}" if _LOCAL_NAME.fullmatch(local) else None
    return None


@dataclass
class Term:
    iri: str
    kind: str
    name: str | None  # the prefixed name, when a predeclared prefix shortens the IRI
    labels: dict[str, str] = field(default_factory=dict)  # "zh", "en" → rdfs:label
    names: list[str] = field(default_factory=list)  # every label and other name, casefolded
    type: str | None = None

    @property
    def local(self) -> str:
        return (self.name.partition(":")[2] if self.name
                else re.split(r"[/#]", self.iri.rstrip("/#"))[-1])

    def label(self, language: str) -> tuple[str, str] | None:
        """The label in ``language``, else in the other one, with the language it is in."""
        for lang in (language, "en" if language == "zh" else "zh"):
            if lang in self.labels:
                return self.labels[lang], lang
        return None

    def rank(self, needle: str) -> int | None:
        """How well the casefolded text typed matches, best 0; None when it does not."""
        if not needle:
            return 0
        if ":" in needle:  # a prefixed name or an IRI, typed from its start
            name = (self.name or "").casefold()
            return 0 if name.startswith(needle) or self.iri.casefold().startswith(
                needle.lstrip("<")) else None
        local = self.local.casefold()
        if local.startswith(needle):
            return 0
        if any(name.startswith(needle) for name in self.names):
            return 1
        if any(needle in name for name in self.names):
            return 2
        return 3 if needle in local else None


@dataclass
class Found:
    terms: list[Term]
    total: int  # how many match, of which ``terms`` are the best


class TermIndex:
    def __init__(self, terms: Iterable[Term]) -> None:
        self.by_iri = {term.iri: term for term in terms}
        self.by_kind: dict[str, list[Term]] = {kind: [] for kind in KINDS}
        for term in self.by_iri.values():
            self.by_kind[term.kind].append(term)

    def find(self, kind: str, text: str, limit: int) -> Found:
        """The terms of ``kind`` that ``text`` names, best first: those whose name starts
        with it, then those with a label starting with it, then containing it; govkg's own
        and labelled terms first among equals, then the shorter names."""
        needle = text.strip().casefold()
        ranked = []
        for term in self.by_kind[kind]:
            rank = term.rank(needle)
            if rank is not None:
                ranked.append(((rank, not term.iri.startswith(OWN), not term.labels,
                                term.name is None, len(term.name or term.iri),
                                term.name or term.iri), term))
        ranked.sort(key=lambda pair: pair[0])
        return Found([term for _, term in ranked[:limit]], len(ranked))


def _kinds(store: StoreLike) -> dict[str, tuple[str, str | None]]:
    """Each IRI's kind and, for classes and properties, its declared kind of class or
    property (the likeliest first: an owl:ObjectProperty is also an rdf:Property)."""
    found: dict[str, tuple[str, str | None]] = {}
    for row in run_query(store, KIND_QUERY):
        iri, kind = row["term"].value, row["kind"].value
        declared = row["type"].value if row["type"] is not None else None
        known = found.get(iri)
        if known is None or KINDS.index(kind) < KINDS.index(known[0]) or (
                kind == known[0] and _preference(declared) < _preference(known[1])):
            found[iri] = (kind, declared)
    return found


def _preference(meta: str | None) -> int:
    order = CLASS_TYPES + PROPERTY_TYPES
    return order.index(meta) if meta in order else len(order) + (meta is None)


def _entity_types(store: StoreLike) -> dict[str, str]:
    """One type per resource: asserted before inferred, govkg's own classes first."""
    choices: dict[str, tuple[tuple, str]] = {}
    for row in run_query(store, TYPE_QUERY):
        iri, type_iri = row["term"].value, row["type"].value
        key = (row["g"].value == GRAPH + "inferred", not type_iri.startswith(OWN), type_iri)
        if iri not in choices or key < choices[iri][0]:
            choices[iri] = (key, type_iri)
    return {iri: type_iri for iri, (_, type_iri) in choices.items()}


def load_terms(store: StoreLike) -> TermIndex:
    """The index of the store's terms (see the module's docstring)."""
    kinds = _kinds(store)
    types = _entity_types(store)
    terms = {}
    for iri, (kind, declared) in kinds.items():
        if kind == "entity":
            meta = types.get(iri)
        else:
            meta = declared or (str(RDFS.Class) if kind == "class" else str(RDF.Property))
        terms[iri] = Term(iri, kind, prefixed_name(iri), type=meta)
    for row in run_query(store, NAME_QUERY):
        term, name = terms.get(row["term"].value), row["name"]
        if term is None or not isinstance(name, Literal) or not isinstance(row["term"],
                                                                             NamedNode):
            continue
        term.names.append(name.value.casefold())
        if row["property"].value == str(RDFS.label):
            language = "zh" if name.language.lower().startswith("zh") else "en"
            term.labels[language] = min(term.labels.get(language, name.value), name.value)
    return TermIndex(terms.values())
