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
from datetime import UTC, datetime

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, QuerySolutions, Variable

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
from govkg.web.citation import ARTICLE_ZH, Citation
from govkg.web.display import Labeller, Shown
from govkg.web.readable import amount, literal_text

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
  OPTIONAL { ?figure gk:countedThing ?counted FILTER(LANGMATCHES(LANG(?counted), ?pageLang)) }
} ORDER BY ?figure"""

FIGURES = """
SELECT DISTINCT ?entity ?pageLang ?figure ?indicator ?value ?unit ?qualifier ?date ?counted WHERE {
  { ?figure gk:measuredEntity ?entity } UNION { ?figure gk:measures ?entity }
  UNION { ?entity a gk:Measurement BIND(?entity AS ?figure) }""" + FIGURE_COLUMNS

# The evidence of every statement about ?entity: its graph, sentences (with their place in
# the article) and, for a reading, the reason. One query per page, in any store.
EVIDENCE_QUERY = f"""
SELECT ?entity ?p ?o ?graph ?sentence ?note ?text ?english ?line ?number ?position WHERE {{
  GRAPH <{EVIDENCE.value}> {{
    ?st rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?o ; gk:assertedIn ?graph .
    OPTIONAL {{ ?st gk:statedIn|gk:readFrom ?sentence }}
    OPTIONAL {{ ?st gk:editorialNote ?note }}
  }}
  OPTIONAL {{ ?sentence gk:text ?text ; gk:line ?line ; gk:sentenceNumber ?number ;
                        gk:position ?position }}
  OPTIONAL {{ ?sentence gk:translation ?english }}
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
    english: str = ""  # govkg's editorial translation


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
    also: tuple[Shown, ...] = ()  # inferred properties that repeat exactly these values


@dataclass(frozen=True)
class FigureRow:
    figure: Shown
    indicator: Shown
    value: Shown
    unit: Shown
    qualifier: Shown
    date: Shown
    counted: Shown  # what the report counts, in the page's language (the other as fallback)
    amount: str = ""  # qualifier, number and unit as read: 超过1000万（10,000,000）
    when: str = ""  # the date by its precision: 2018年5月 / May 2018

    def sentence(self, lang: str) -> str:
        """The figure as one sentence in ``lang``:
        ``“粤省事”上线当天访问用户量：超过1000万（10,000,000）访问用户（2018年5月）。``"""
        counted = self.counted.text.replace(" ", "") if lang == "zh" else self.counted.text
        said = self.amount + (counted if lang == "zh" else f" {counted}" if counted else "")
        name = self.figure.text
        if lang != "zh":
            name = name[:1].upper() + name[1:]
        when = (f"（{self.when}）" if lang == "zh" else f" ({self.when})") if self.when else ""
        return f"{name}：{said}{when}。" if lang == "zh" else f"{name}: {said}{when}."


def figure_row(s: QuerySolution, labeller: Labeller) -> FigureRow:
    """A row of a figures table from a solution of a query ending in ``FIGURE_COLUMNS``."""
    show, lang = labeller.show, labeller.lang
    value, unit, qualifier, date = s["value"], s["unit"], s["qualifier"], s["date"]
    qualifier_shown = show(qualifier)
    said = "" if value is None else amount(
        value.value, unit.value if isinstance(unit, NamedNode) else "",
        qualifier_shown.text if qualifier is not None else "",
        qualifier.value if isinstance(qualifier, NamedNode) else "", lang).text(lang)
    when = literal_text(date.value, date.datatype.value, lang) if isinstance(date, Literal) else ""
    return FigureRow(show(s["figure"]), show(s["indicator"]), show(value), show(unit),
                     qualifier_shown, show(date), show(s["counted"]), said, when)


def figure_variables(lang: str) -> dict[str, Literal]:
    """The bindings a query ending in ``FIGURE_COLUMNS`` needs besides ``?entity``."""
    return {"pageLang": Literal(lang)}


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
    folded: list[PropertyRow] = field(default_factory=list)  # inferred rows folded into `also`
    citations_also: tuple[Shown, ...] = ()  # inferred properties repeating the citations
    description: Shown | None = None  # in the page's language when the data has it
    lead: str = ""  # a figure's page: the figure as one sentence
    citation: Citation | None = None
    source_article: str = ARTICLE_ZH  # what the quoted sentences are lines of
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
        properties=[], figures=figures, more_figures=more_figures,
        quotes=_quotes(store, node, labeller),
        incoming=incoming, incoming_total=total,
    )
    rows = _properties(facts, evidence, labeller)
    view.properties, view.folded, view.citations_also = fold_inferred(
        rows, _citations(facts, labeller))
    view.description = _description(facts, labeller)
    view.lead = next((f.sentence(labeller.lang) for f in figures if f.figure.iri == node.value), "")
    view.citation = Citation(labeller.label(node), node.value, labeller.lang,
                             datetime.now(UTC).date())
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
                int(s["number"].value), int(s["position"].value),
                s["english"].value if s["english"] is not None else "")
    return {key: Evidence(tuple(sorted(found.values(), key=lambda r: r.position)),
                          key in editorial, " ".join(sorted(notes.get(key, ()))))
            for key, found in references.items()}


def _types(facts: dict[tuple, bool], evidence: dict[tuple, Evidence],
           labeller: Labeller) -> list[Value]:
    types = [Value(labeller.show(o), inferred, evidence.get((p, o), Evidence()))
             for (p, o), inferred in facts.items() if p == RDF_TYPE]
    # the IRI last: two terms may share a label (org:Organization, schema:Organization), and
    # stores list them in different orders
    return sorted(types, key=lambda v: (v.inferred, not v.shown.iri.startswith(str(GK._NS)),
                                        v.shown.text, v.shown.iri))


def _properties(facts: dict[tuple, bool], evidence: dict[tuple, Evidence],
                labeller: Labeller) -> list[PropertyRow]:
    rows: dict[NamedNode, list[Value]] = {}
    for (predicate, obj), inferred in facts.items():
        if predicate.value in HEADER_PREDICATES:
            continue
        found = evidence.get((predicate, obj), Evidence())
        rows.setdefault(predicate, []).append(Value(labeller.show(obj), inferred, found))
    table = [PropertyRow(labeller.show(p), sorted(
        v, key=lambda v: (v.inferred, v.shown.text, v.shown.iri, v.shown.raw)))
             for p, v in rows.items()]
    return sorted(table, key=lambda r: (all(v.inferred for v in r.values), r.predicate.text,
                                        r.predicate.iri))


def fold_inferred(rows: list[PropertyRow], citations: PropertyRow | None
                  ) -> tuple[list[PropertyRow], list[PropertyRow], tuple[Shown, ...]]:
    """Rows whose values are all inferred and all repeat one asserted row's values (as
    ``dcterms:isPartOf`` repeats 属于) folded into that row's ``also``. Returns the rows
    shown, the folded ones (listed behind a toggle) and what folds into the citations
    (``gk:statedIn``, quoted on the page), such as ``prov:wasDerivedFrom``."""
    def key(row: PropertyRow) -> frozenset:
        return frozenset((v.shown.kind, v.shown.iri or v.shown.text, v.shown.lang)
                         for v in row.values)

    targets = [r for r in rows if not any(v.inferred for v in r.values)]
    if citations is not None:
        targets.append(citations)
    also: dict[int, list[Shown]] = {}
    shown, folded = [], []
    for row in rows:
        repeated = None
        if all(v.inferred for v in row.values):
            repeated = next((i for i, t in enumerate(targets) if key(row) <= key(t)), None)
        if repeated is None:
            shown.append(row)
        else:
            also.setdefault(repeated, []).append(row.predicate)
            folded.append(row)
    ids = {id(t): i for i, t in enumerate(targets)}
    result = [PropertyRow(r.predicate, r.values, tuple(also.get(ids[id(r)], ())))
              if id(r) in ids else r for r in shown]
    cited = tuple(also.get(len(targets) - 1, ())) if citations is not None else ()
    return result, folded, cited


def _citations(facts: dict[tuple, bool], labeller: Labeller) -> PropertyRow | None:
    values = [Value(labeller.show(o), inferred) for (p, o), inferred in facts.items()
              if p.value == str(GK.statedIn)]
    return PropertyRow(labeller.show(NamedNode(str(GK.statedIn))), values) if values else None


def description_of(store: StoreLike, node: NamedNode, labeller: Labeller) -> Shown | None:
    """``node``'s definition or description in the page's language, else the other one."""
    return _description(outgoing(store, node), labeller)


def _description(facts: dict[tuple, bool], labeller: Labeller) -> Shown | None:
    """The definition or description in the page's language, else in the other one."""
    found = [(not (o.language or "").startswith(labeller.lang), DESCRIPTIONS.index(p.value),
              o.value, o) for (p, o) in facts
             if p.value in DESCRIPTIONS and isinstance(o, Literal)]
    return labeller.show(min(found, key=lambda f: f[:3])[3]) if found else None


def _solutions(store: StoreLike, text: str, node: NamedNode,
               **more: Literal) -> QuerySolutions:
    bindings = {Variable("entity"): node, **{Variable(k): v for k, v in more.items()}}
    return select(store, text, substitutions=bindings)


def _figures(store: StoreLike, node: NamedNode,
             labeller: Labeller) -> tuple[list[FigureRow], bool]:
    """The first ``MAX_FIGURES`` figure rows, and whether there are more."""
    solutions = list(_solutions(store, f"{FIGURES} LIMIT {MAX_FIGURES + 1}", node,
                                **figure_variables(labeller.lang)))
    rows = [figure_row(s, labeller) for s in solutions[:MAX_FIGURES]]
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
