"""Everything an entity page shows, gathered from the store.

Statements come from every named graph; those found only in ``graph/inferred`` are
marked inferred, those of ``graph/editorial`` editorial. Each value carries its references,
Wikidata-style: the sentences ``graph/evidence`` says state it (or, for a reading, the
sentences it is read from and the reason), read in one query over the reified statements
whose ``rdf:subject`` is the entity, so a remote store answers it in one request (those
statements are not shown as links in). The
neighbourhood graph draws the entity's links to and from the graph's own entities (not its
sources, which the quotes show). Figures, quoted sentences and
incoming links are queried with the entity bound through ``substitutions``, never pasted
into query text.
"""

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Variable

from govkg.query import StoreLike, select
from govkg.vocab import (
    DCT_NS,
    GK,
    ID,
    OWL_NS,
    PROV_NS,
    RDF_TYPE,
    RDFS_NS,
    SCHEMA_NS,
    SKOS_NS,
    graph_iri,
)
from govkg.web.charts import Neighbourhood, radial_layout
from govkg.web.display import Labeller, Shown

INFERRED = NamedNode(graph_iri("inferred"))
EDITORIAL = NamedNode(graph_iri("editorial"))
EVIDENCE = NamedNode(graph_iri("evidence"))
HEADER_PREDICATES = {RDF_TYPE.value, RDFS_NS + "label", SKOS_NS + "altLabel", SKOS_NS + "prefLabel",
                     str(GK.statedIn)}
DESCRIPTIONS = (SKOS_NS + "definition", DCT_NS + "description", RDFS_NS + "comment")
SAME_AS = (OWL_NS + "sameAs", SKOS_NS + "exactMatch", SCHEMA_NS + "sameAs")
MAX_INCOMING = 500
# Bounds that keep a page of a hub (an indicator measured by 40,000 figures in a store of
# 10 M triples) as fast as any other: at most this many incoming statements are read, and
# this many figures shown; past that the page says there are more.
MAX_INCOMING_READ = MAX_INCOMING
MAX_FIGURES = 100
# Links the neighbourhood graph leaves out: types, and provenance (quoted on the page instead).
NOT_NEIGHBOURS = {RDF_TYPE.value, str(GK.statedIn), PROV_NS + "wasDerivedFrom"}

# The columns of a figures table, for any query that binds ?entity and ?figure.
FIGURE_COLUMNS = """
  OPTIONAL { ?figure gk:measures ?indicator }
  OPTIONAL { ?figure gk:value ?value }
  OPTIONAL { ?figure gk:unit ?unit }
  OPTIONAL { ?figure gk:qualifier ?qualifier }
  OPTIONAL { ?figure gk:refDate ?date }
  OPTIONAL { ?figure gk:countedThing ?counted FILTER(LANGMATCHES(LANG(?counted), "zh")) }
} ORDER BY ?figure"""

FIGURES = """
SELECT DISTINCT ?entity ?figure ?indicator ?value ?unit ?qualifier ?date ?counted WHERE {
  { ?figure gk:measuredEntity ?entity } UNION { ?figure gk:measures ?entity }
  UNION { ?entity a gk:Measurement BIND(?entity AS ?figure) }""" + FIGURE_COLUMNS

# The evidence of every statement about ?entity: its graph, sentences (with their place in
# the article) and, for a reading, the reason. One query per page, in any store.
EVIDENCE_QUERY = f"""
SELECT ?entity ?p ?o ?graph ?sentence ?note ?text ?line ?number ?position WHERE {{
  GRAPH <{EVIDENCE.value}> {{
    ?st rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?o ; gk:assertedIn ?graph .
    OPTIONAL {{ ?st gk:statedIn|gk:readFrom ?sentence }}
    OPTIONAL {{ ?st gk:editorialNote ?note }}
  }}
  OPTIONAL {{ ?sentence gk:text ?text ; gk:line ?line ; gk:sentenceNumber ?number ;
                        gk:position ?position }}
}}"""

QUOTES = """
SELECT DISTINCT ?entity ?sentence ?text ?position WHERE {
  ?entity gk:statedIn ?sentence .
  ?sentence gk:text ?text .
  OPTIONAL { ?sentence gk:position ?position }
} ORDER BY ?position ?sentence"""


@dataclass(frozen=True)
class Reference:
    """One sentence behind a statement, with its place in the article."""

    sentence: Shown
    text: str
    line: int
    number: int
    position: int


@dataclass(frozen=True)
class Evidence:
    """Where a statement comes from: its sentences and, for a reading, why it is one."""

    references: tuple[Reference, ...] = ()
    editorial: bool = False
    note: str = ""


@dataclass(frozen=True)
class Value:
    shown: Shown
    inferred: bool = False
    evidence: Evidence = Evidence()


@dataclass(frozen=True)
class PropertyRow:
    predicate: Shown
    values: list[Value]


@dataclass(frozen=True)
class FigureRow:
    figure: Shown
    indicator: Shown
    value: Shown
    unit: Shown
    qualifier: Shown
    date: Shown
    counted: Shown


@dataclass(frozen=True)
class Quote:
    sentence: Shown
    text: str


@dataclass(frozen=True)
class Incoming:
    subject: Shown
    predicate: Shown
    inferred: bool


@dataclass
class EntityView:
    iri: str
    zh: str
    en: str
    alt_labels: list[Shown]
    types: list[Value]
    properties: list[PropertyRow]
    figures: list[FigureRow]
    quotes: list[Quote]
    incoming: list[Incoming]
    incoming_total: int
    jsonld: dict = field(default_factory=dict)
    more_figures: bool = False  # more than MAX_FIGURES figures: the page shows the first
    neighbourhood: Neighbourhood | None = None


def is_known(store: StoreLike, node: NamedNode) -> bool:
    """Whether the store says anything about ``node`` or points at it."""
    return (next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None
            or next(iter(store.quads_for_pattern(None, None, node, None)), None) is not None)


def outgoing(store: StoreLike, node: NamedNode) -> dict[tuple, bool]:
    """(predicate, object) → inferred?, over every graph (asserted wins over inferred)."""
    found: dict[tuple, bool] = {}
    for quad in store.quads_for_pattern(node, None, None, None):
        key = (quad.predicate, quad.object)
        found[key] = found.get(key, True) and quad.graph_name == INFERRED
    return found


def describe_entity(store: StoreLike, node: NamedNode, labeller: Labeller,
                    page_url: str) -> EntityView:
    facts = outgoing(store, node)
    evidence = evidence_of(store, node, labeller)
    zh, en = labeller.labels(node)
    incoming, total = _incoming(store, node, labeller)
    figures, more_figures = _figures(store, node, labeller)
    view = EntityView(
        iri=node.value, zh=zh, en=en,
        alt_labels=sorted((labeller.show(o) for (p, o) in facts if p.value == SKOS_NS + "altLabel"),
                          key=lambda s: (s.lang, s.text)),
        types=_types(facts, evidence, labeller),
        properties=_properties(facts, evidence, labeller),
        figures=figures, more_figures=more_figures,
        quotes=_quotes(store, node, labeller),
        incoming=incoming, incoming_total=total,
    )
    view.jsonld = schema_jsonld(node, facts, page_url)
    view.neighbourhood = neighbourhood(store, node, facts, labeller)
    return view


def neighbourhood(store: StoreLike, node: NamedNode, facts: dict[tuple, bool],
                  labeller: Labeller) -> Neighbourhood | None:
    """The entities linked from and to ``node``, asserted links first, each drawn once."""
    links: list[tuple[bool, int, str, NamedNode, NamedNode]] = []
    for (predicate, obj), inferred in facts.items():
        if isinstance(obj, NamedNode) and obj.value.startswith(ID) and obj != node \
                and predicate.value not in NOT_NEIGHBOURS:
            links.append((inferred, 0, predicate.value, predicate, obj))
    incoming: dict[tuple, bool] = {}
    for quad in store.quads_for_pattern(None, None, node, None):
        if isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(ID) \
                and quad.subject != node and quad.predicate.value not in NOT_NEIGHBOURS \
                and quad.graph_name != EVIDENCE:
            key = (quad.predicate, quad.subject)
            incoming[key] = incoming.get(key, True) and quad.graph_name == INFERRED
    links += [(inferred, 1, p.value, p, s) for (p, s), inferred in incoming.items()]
    links.sort(key=lambda link: (link[0], link[1], link[2], link[4].value))
    seen: set[NamedNode] = set()
    drawn: list[tuple[Shown, str, bool]] = []
    for _inferred, direction, _key, predicate, other in links:
        if other not in seen:
            seen.add(other)
            drawn.append((labeller.show(other), labeller.label(predicate), bool(direction)))
    if not drawn:
        return None
    return radial_layout(labeller.show(node), drawn)


def evidence_of(store: StoreLike, node: NamedNode,
                labeller: Labeller) -> dict[tuple, Evidence]:
    """(predicate, object) → the evidence ``graph/evidence`` keeps for that statement."""
    references: dict[tuple, dict[str, Reference]] = {}
    notes: dict[tuple, set[str]] = {}
    editorial: set[tuple] = set()
    for s in _solutions(store, EVIDENCE_QUERY, node):
        key = (s["p"], s["o"])
        found = references.setdefault(key, {})
        if s["graph"] == EDITORIAL:
            editorial.add(key)
        if s["note"] is not None:
            notes.setdefault(key, set()).add(s["note"].value)
        if s["text"] is not None and s["sentence"].value not in found:
            found[s["sentence"].value] = Reference(
                labeller.show(s["sentence"]), s["text"].value, int(s["line"].value),
                int(s["number"].value), int(s["position"].value))
    return {key: Evidence(tuple(sorted(found.values(), key=lambda r: r.position)),
                          key in editorial, " ".join(sorted(notes.get(key, ()))))
            for key, found in references.items()}


def _types(facts: dict[tuple, bool], evidence: dict[tuple, Evidence],
           labeller: Labeller) -> list[Value]:
    types = [Value(labeller.show(o), inferred, evidence.get((p, o), Evidence()))
             for (p, o), inferred in facts.items() if p == RDF_TYPE]
    return sorted(types, key=lambda v: (v.inferred, not v.shown.iri.startswith(str(GK._NS)),
                                        v.shown.text))


def _properties(facts: dict[tuple, bool], evidence: dict[tuple, Evidence],
                labeller: Labeller) -> list[PropertyRow]:
    rows: dict[NamedNode, list[Value]] = {}
    for (predicate, obj), inferred in facts.items():
        if predicate.value in HEADER_PREDICATES:
            continue
        found = evidence.get((predicate, obj), Evidence())
        rows.setdefault(predicate, []).append(Value(labeller.show(obj), inferred, found))
    table = [PropertyRow(labeller.show(p), sorted(v, key=lambda v: (v.inferred, v.shown.text)))
             for p, v in rows.items()]
    return sorted(table, key=lambda r: (all(v.inferred for v in r.values), r.predicate.text))


def _solutions(store: StoreLike, text: str, node: NamedNode) -> QuerySolutions:
    return select(store, text, substitutions={Variable("entity"): node})


def _figures(store: StoreLike, node: NamedNode,
             labeller: Labeller) -> tuple[list[FigureRow], bool]:
    """The first ``MAX_FIGURES`` figure rows, and whether there are more."""
    solutions = list(_solutions(store, f"{FIGURES} LIMIT {MAX_FIGURES + 1}", node))
    rows = []
    for s in solutions[:MAX_FIGURES]:
        show = labeller.show
        rows.append(FigureRow(show(s["figure"]), show(s["indicator"]), show(s["value"]),
                              show(s["unit"]), show(s["qualifier"]), show(s["date"]),
                              show(s["counted"])))
    return rows, len(solutions) > MAX_FIGURES


def _quotes(store: StoreLike, node: NamedNode, labeller: Labeller) -> list[Quote]:
    return [Quote(labeller.show(s["sentence"]), s["text"].value)
            for s in _solutions(store, QUOTES, node)]


def _incoming(store: StoreLike, node: NamedNode,
              labeller: Labeller) -> tuple[list[Incoming], int]:
    found: dict[tuple, bool] = {}
    quads = (q for q in store.quads_for_pattern(None, None, node, None)
             if q.graph_name != EVIDENCE)  # the reified statements are shown as references
    for read, quad in enumerate(quads):
        if read == MAX_INCOMING_READ:
            return _first_incoming(found, labeller), _count_incoming(store, node)
        key = (quad.subject, quad.predicate)
        found[key] = found.get(key, True) and quad.graph_name == INFERRED
    return _first_incoming(found, labeller), len(found)


def _first_incoming(found: dict[tuple, bool], labeller: Labeller) -> list[Incoming]:
    links = [Incoming(labeller.show(s), labeller.show(p), inferred)
             for (s, p), inferred in found.items()]
    links.sort(key=lambda i: (i.inferred, i.predicate.text, i.subject.text))
    return links[:MAX_INCOMING]


def _count_incoming(store: StoreLike, node: NamedNode) -> int:
    """How many (subject, predicate) pairs point at ``node``, counted by the engine."""
    text = ("SELECT ?entity (COUNT(*) AS ?n) { SELECT DISTINCT ?entity ?s ?p {"
            f" GRAPH ?g {{ ?s ?p ?entity }} FILTER(?g != <{EVIDENCE.value}>) }} }}"
            " GROUP BY ?entity")
    return int(next(iter(_solutions(store, text, node)))["n"].value)


def schema_jsonld(node: NamedNode, facts: dict[tuple, bool], page_url: str) -> dict:
    """A schema.org description for search engines, from the asserted and inferred facts."""
    doc: dict = {"@context": {"@vocab": SCHEMA_NS}, "@id": node.value, "url": page_url}
    types = sorted(o.value[len(SCHEMA_NS):] for (p, o) in facts
                   if p == RDF_TYPE and isinstance(o, NamedNode) and o.value.startswith(SCHEMA_NS))
    doc["@type"] = types or ["Thing"]
    by_key: dict[str, list] = {}

    def add(key: str, obj: object) -> None:
        value = _jsonld_value(obj)
        if value is not None and value not in by_key.setdefault(key, []):
            by_key[key].append(value)

    for (predicate, obj) in facts:
        p = predicate.value
        if p == RDFS_NS + "label":
            add("name", obj)
        elif p == SKOS_NS + "altLabel":
            add("alternateName", obj)
        elif p in DESCRIPTIONS:
            add("description", obj)
        elif p in SAME_AS and isinstance(obj, NamedNode):
            add("sameAs", obj)
        elif p.startswith(SCHEMA_NS) and p != SCHEMA_NS + "sameAs":
            add(p[len(SCHEMA_NS):], obj)
    for key in sorted(by_key):
        doc[key] = sorted(by_key[key], key=str)
    return doc


def _jsonld_value(obj: object) -> object:
    if isinstance(obj, NamedNode):
        return {"@id": obj.value}
    if isinstance(obj, Literal):
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        return obj.value
    if isinstance(obj, BlankNode):
        return None
    return None
