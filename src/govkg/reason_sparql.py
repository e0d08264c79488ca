"""Reasoning for big stores: a subset of OWL RL, materialised inside Oxigraph by SPARQL UPDATE.

``govkg.reason.infer`` runs owlrl, which copies the whole graph into rdflib and applies every
OWL 2 RL rule in Python: fine for the report, hopeless for millions of triples (see
``bench/owlrl_scaling.py``). ``materialise`` computes the rules that govkg's ontology
actually relies on, where the data already is, and writes the result into the inferred
named graph (``graph/inferred``), replacing what was there.

The rules (OWL 2 RL names):

=========  ==================================================  =============================
rule       if                                                  then
=========  ==================================================  =============================
scm-sco    c1 rdfs:subClassOf c2 . c2 rdfs:subClassOf c3       c1 rdfs:subClassOf c3
scm-spo    p1 rdfs:subPropertyOf p2 . p2 rdfs:subPropertyOf p3  p1 rdfs:subPropertyOf p3
scm-dom1   p rdfs:domain c1 . c1 rdfs:subClassOf c2            p rdfs:domain c2
scm-dom2   p2 rdfs:domain c . p1 rdfs:subPropertyOf p2         p1 rdfs:domain c
scm-rng1   p rdfs:range c1 . c1 rdfs:subClassOf c2             p rdfs:range c2
scm-rng2   p2 rdfs:range c . p1 rdfs:subPropertyOf p2          p1 rdfs:range c
cax-sco    x rdf:type c1 . c1 rdfs:subClassOf c2               x rdf:type c2
prp-spo1   x p1 y . p1 rdfs:subPropertyOf p2                   x p2 y
prp-inv1   x p1 y . p1 owl:inverseOf p2                        y p2 x
prp-inv2   x p2 y . p1 owl:inverseOf p2                        y p1 x
prp-trp    x p y . y p z . p a owl:TransitiveProperty          x p z
prp-spo2   x p1 y . y p2 z . p owl:propertyChainAxiom (p1 p2)  x p z
prp-dom    x p y . p rdfs:domain c                             x rdf:type c
prp-rng    x p y . p rdfs:range c                              y rdf:type c  (y not a literal)
=========  ==================================================  =============================

Not covered: equality (``owl:sameAs``, functional and inverse-functional properties, keys),
class expressions (``owl:oneOf``, restrictions, unions, intersections), equivalence
(``owl:equivalentClass`` / ``equivalentProperty``), symmetric properties, chains longer than
two, consistency checks and the datatype rules. The schema (sub-class and sub-property
hierarchies, inverses, transitivity, chains, domains, ranges) must be asserted: the rules
above never derive a schema triple from instance data, so it is read once, closed by the
scm-* rules, and the instance rules then run to a fixpoint.

How: each rule is one ``INSERT … WHERE`` whose WHERE clause reads the asserted graphs and
the inferred graph merged (``USING``), and skips triples already there (``FILTER NOT
EXISTS``). Rules whose schema part is small (transitive properties, chains) are compiled
into one update per property, with the IRIs as constants, so Oxigraph uses its indexes.
Evaluation is semi-naive: the first round reads all triples; each later round joins only
with the triples that are new since the previous round (kept in a work graph per round), and the
loop stops when a round adds nothing. Finally the inferred graph is filtered as
``govkg.reason.is_knowledge`` filters owlrl's output: only statements about govkg's own
resources and terms, no ``owl:Thing`` types, no reflexive axioms.
"""

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph
from pyoxigraph import NamedNode, QuerySolutions

from govkg.vocab import BASE, graph_iri

INFERRED = str(graph_iri("inferred"))
SHAPES = str(graph_iri("shapes"))
WORK = BASE + "graph/work/"  # work/round-<k>: the triples round k added (its delta)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
TYPE = f"<{RDF}type>"
SUBCLASS = f"<{RDFS}subClassOf>"
SUBPROP = f"<{RDFS}subPropertyOf>"
DOMAIN = f"<{RDFS}domain>"
RANGE = f"<{RDFS}range>"
INVERSE = f"<{OWL}inverseOf>"

# Mirrors govkg.reason.is_knowledge.
_REFLEXIVE = ("sameAs", "equivalentClass", "equivalentProperty")
_NOISE_TYPES = (f"<{OWL}Thing>", f"<{RDFS}Resource>", f"<{OWL}Class>", f"<{RDFS}Class>",
                f"<{RDF}Property>", f"<{OWL}NamedIndividual>", f"<{RDFS}Datatype>",
                f"<{OWL}DatatypeProperty>", f"<{OWL}ObjectProperty>",
                f"<{OWL}AnnotationProperty>")
_NOISE_PREDICATES = (f"<{OWL}differentFrom>", f"<{OWL}disjointWith>",
                     f"<{OWL}propertyDisjointWith>")


@dataclass(frozen=True)
class Rule:
    """One instance rule: a head template and a body whose ``{D…}`` atoms may be the delta.

    ``body`` holds placeholders ``{D0}``, ``{D1}`` … for the atoms that can carry new
    triples; the rest of the body reads the schema. ``atoms`` are those atoms' patterns.
    ``guard`` is a schema pattern that binds the head's predicate or class, so that the
    existing triples the head could repeat are found by index, not by a scan.
    """

    name: str
    head: str
    body: str
    atoms: tuple[str, ...]
    guard: str = ""

    @property
    def variables(self) -> str:
        return " ".join(dict.fromkeys(re.findall(r"\?\w+", self.head)))


@dataclass
class ReasonResult:
    rounds: int = 0
    inferred: int = 0  # triples in the inferred graph at the end
    seconds: float = 0.0
    per_round: list[int] = field(default_factory=list)  # new triples per round, unfiltered


def _iri(term: str) -> str:
    return f"<{term}>"


def source_graphs(store: pyoxigraph.Store) -> list[str]:
    """The asserted graphs: every named graph except inferred, shapes and work graphs."""
    names = [g.value for g in store.named_graphs() if isinstance(g, NamedNode)]
    return sorted(g for g in names if g not in (INFERRED, SHAPES) and not g.startswith(WORK))


def _work_graph(round_number: int) -> str:
    return f"{WORK}round-{round_number}"


def _select(store: pyoxigraph.Store, text: str, graphs: Sequence[str]) -> list[tuple[str, ...]]:
    result = store.query(text, default_graph=[NamedNode(g) for g in graphs])
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(row[n].value for n in names) for row in result]


def _count(store: pyoxigraph.Store, graph: str) -> int:
    rows = _select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", [graph])
    return int(rows[0][0])


TYPE_RULES = (  # in this order: domains and ranges first, then the class hierarchy
    Rule("prp-dom", f"?x {TYPE} ?c", f"?p {DOMAIN} ?c . {{D0}}", ("?x ?p ?y",),
         f"?p0 {DOMAIN} ?c ."),
    Rule("prp-rng", f"?y {TYPE} ?c", f"?p {RANGE} ?c . {{D0}} FILTER(!isLiteral(?y))",
         ("?x ?p ?y",), f"?p0 {RANGE} ?c ."),
    Rule("cax-sco", f"?x {TYPE} ?d", f"{{D0}} ?c {SUBCLASS} ?d .", (f"?x {TYPE} ?c",),
         f"?c0 {SUBCLASS} ?d ."),
)


def property_rules(store: pyoxigraph.Store, graphs: Sequence[str]) -> list[Rule]:
    """The rules that derive property triples, with transitivity and chains as constants."""
    rules = [
        Rule("prp-inv1", "?y ?q ?x", f"?p {INVERSE} ?q . {{D0}}", ("?x ?p ?y",),
             f"?p0 {INVERSE} ?q ."),
        Rule("prp-inv2", "?y ?q ?x", f"?q {INVERSE} ?p . {{D0}}", ("?x ?p ?y",),
             f"?q {INVERSE} ?p0 ."),
    ]
    transitive = _select(store, f"SELECT ?p WHERE {{ ?p {TYPE} <{OWL}TransitiveProperty> }}",
                         graphs)
    for (prop,) in transitive:
        p = _iri(prop)
        rules.append(Rule(f"prp-trp {prop}", f"?x {p} ?z", "{D0} {D1}",
                          (f"?x {p} ?y", f"?y {p} ?z")))
    chains = _select(store, f"""
        SELECT ?p ?p1 ?p2 WHERE {{
            ?p <{OWL}propertyChainAxiom> ?l .
            ?l <{RDF}first> ?p1 ; <{RDF}rest> ?r .
            ?r <{RDF}first> ?p2 ; <{RDF}rest> <{RDF}nil> .
        }}""", graphs)
    for prop, first, second in chains:
        rules.append(Rule(f"prp-spo2 {prop}", f"?x {_iri(prop)} ?z", "{D0} {D1}",
                          (f"?x {_iri(first)} ?y", f"?y {_iri(second)} ?z")))
    rules.append(Rule("prp-spo1", "?x ?q ?y", f"?p {SUBPROP} ?q . {{D0}}", ("?x ?p ?y",),
                      f"?p0 {SUBPROP} ?q ."))  # last: it also lifts what the others derived
    return rules


def types_feed_properties(store: pyoxigraph.Store, graphs: Sequence[str]) -> bool:
    """Whether the property rules read ``rdf:type`` triples (an unusual schema)."""
    result = store.query(f"""ASK {{
        {{ {TYPE} ?r ?o FILTER(?r IN ({SUBPROP}, {INVERSE})) }}
        UNION {{ ?s {INVERSE} {TYPE} }} UNION {{ ?l <{RDF}first> {TYPE} }}
        UNION {{ {TYPE} {TYPE} <{OWL}TransitiveProperty> }} }}""",
        default_graph=[NamedNode(g) for g in graphs])
    return bool(result)


def _bodies(rule: Rule, delta: str | None) -> list[str]:
    """The rule's WHERE clauses: the whole body, or one per atom read from the delta graph."""
    if delta is None:
        return [rule.body.format(**{f"D{i}": a + " ." for i, a in enumerate(rule.atoms)})]
    bodies = []
    for k in range(len(rule.atoms)):
        atoms = {f"D{i}": (f"GRAPH <{delta}> {{ {a} }}" if i == k else a + " .")
                 for i, a in enumerate(rule.atoms)}
        bodies.append(rule.body.format(**atoms))
    return bodies


def _insert(head: str, where: str, using: Sequence[str], *, delta: str | None = None,
            also: str | None = None) -> str:
    """An update adding ``head`` for each solution of ``where`` to the inferred graph."""
    datasets = " ".join(f"USING <{g}>" for g in using)
    if delta:
        datasets += f" USING NAMED <{delta}>"
    into = f"GRAPH <{INFERRED}> {{ {head} }}"
    if also:
        into += f" GRAPH <{also}> {{ {head} }}"
    return f"INSERT {{ {into} }} {datasets} WHERE {{ {where} }}"


def _new(head: str, body: str) -> str:
    """Solutions of ``body`` whose ``head`` is not yet in the graph, checked one by one."""
    return f"{body} FILTER NOT EXISTS {{ {head} }}"


def rule_updates(rule: Rule, using: Sequence[str], delta: str | None,
                 also: str | None) -> list[str]:
    """The updates that apply ``rule`` once, adding what is new to the inferred graph.

    ``delta`` is the graph of last round's new triples, or None to read all triples. New
    triples are also written to ``also`` (this round's work graph), if given. When reading
    all triples, most candidates are new, so the existing ones are subtracted in bulk
    (``MINUS`` over the triples with the head's predicate or class, found through the
    guard); from a delta there are few candidates, and each is checked (``NOT EXISTS``).
    """
    updates = []
    for body in _bodies(rule, delta):
        candidates = f"{{ SELECT DISTINCT {rule.variables} WHERE {{ {body} }} }}"
        if delta is None:
            where = f"{candidates} MINUS {{ {rule.guard} {rule.head} }}"
        else:
            where = f"{candidates} FILTER NOT EXISTS {{ {rule.head} }}"
        updates.append(_insert(rule.head, where, using, delta=delta, also=also))
    return updates


def close_schema(store: pyoxigraph.Store, using: Sequence[str]) -> None:
    """The scm-* rules: close the class and property hierarchies, inherit domains and ranges."""
    updates = [
        _insert(head, _new(head, body), using) for head, body in (
            (f"?a {SUBCLASS} ?c", f"?a {SUBCLASS}+ ?c . FILTER(?a != ?c)"),
            (f"?a {SUBPROP} ?c", f"?a {SUBPROP}+ ?c . FILTER(?a != ?c)"),
            (f"?p {DOMAIN} ?d", f"?p {SUBPROP}* ?q . ?q {DOMAIN} ?c . ?c {SUBCLASS}* ?d ."),
            (f"?p {RANGE} ?d", f"?p {SUBPROP}* ?q . ?q {RANGE} ?c . ?c {SUBCLASS}* ?d ."),
        )
    ]
    store.update(" ;\n".join(updates))


def filter_knowledge(store: pyoxigraph.Store) -> None:
    """Delete from the inferred graph what ``govkg.reason.is_knowledge`` would not keep."""
    reflexive = ", ".join([*(f"<{OWL}{n}>" for n in _REFLEXIVE), SUBCLASS, SUBPROP])
    store.update(f"""
        DELETE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }}
            FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), "{BASE}") || isBlank(?o)
                   || ?p IN ({", ".join(_NOISE_PREDICATES)})
                   || (?p IN ({reflexive}) && ?s = ?o)
                   || (?p = {TYPE} && (isLiteral(?o) || ?o IN ({", ".join(_NOISE_TYPES)})))
                   || (?p = {SUBCLASS} && ?o IN (<{OWL}Thing>, <{RDFS}Resource>)))
        }}""")


def materialise(store: pyoxigraph.Store, graphs: Sequence[str] | None = None,
                max_rounds: int = 100) -> ReasonResult:
    """Replace the inferred graph by the closure of ``graphs`` (default: all asserted)."""
    started = time.perf_counter()
    graphs = list(graphs) if graphs is not None else source_graphs(store)
    using = [*graphs, INFERRED]
    _drop(store, [INFERRED, *_work_graphs(store)])
    close_schema(store, using)
    rules = property_rules(store, using)
    feedback = types_feed_properties(store, using)
    result = ReasonResult()
    delta: str | None = None  # the first round reads everything
    while result.rounds < max_rounds:
        # The property rules, semi-naive, to a fixpoint.
        while result.rounds < max_rounds:
            work = _work_graph(result.rounds + 1)
            updates = [u for rule in rules for u in rule_updates(rule, using, delta, work)]
            if not _round(store, updates, work, result):
                break
            delta = work
        # The type rules, once: their output feeds only cax-sco, which runs last over a
        # closed class hierarchy -- unless rdf:type itself is in the property schema.
        work = _work_graph(result.rounds + 1)
        updates = [u for rule in TYPE_RULES
                   for u in rule_updates(rule, using, None, work if feedback else None)]
        if not feedback:
            store.update(" ;\n".join(updates))
            break
        if not _round(store, updates, work, result):
            break
        delta = work
    _drop(store, _work_graphs(store))
    filter_knowledge(store)
    result.inferred = _count(store, INFERRED)
    result.seconds = time.perf_counter() - started
    return result


def _round(store: pyoxigraph.Store, updates: list[str], work: str,
           result: ReasonResult) -> int:
    """Run one round's updates; how many triples it added (they are in ``work``)."""
    store.update(" ;\n".join(updates))
    new = _count(store, work)
    result.rounds += 1
    result.per_round.append(new)
    return new


def _work_graphs(store: pyoxigraph.Store) -> list[str]:
    return [g.value for g in store.named_graphs()
            if isinstance(g, NamedNode) and g.value.startswith(WORK)]


def _drop(store: pyoxigraph.Store, graphs: Sequence[str]) -> None:
    if graphs:
        store.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
