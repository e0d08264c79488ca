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

How: each rule is a schema pattern (read once: a few hundred solutions at most) and instance
atoms. For each schema solution, one ``SELECT``, with the solution's terms written in place
of its variables (so Oxigraph reads the instance triples through its indexes), streams the
solutions whose head is not yet asserted or inferred (``FILTER NOT EXISTS``); the head
triples are written in transactions of at most ``batch_size`` quads. No query
collects its solutions and no transaction grows with the store, so memory stays bounded
whatever its size (a single whole-store ``INSERT … WHERE`` per rule, as before, held every
solution and inserted triple in memory until it committed: 24 GB and killed at 10 M triples).
Evaluation is semi-naive: the first round reads all triples and writes only the inferred
graph, which was emptied at the start and so holds just the closed schema and that round's
triples; it is the second round's delta. Each later round joins only with the triples new
since the previous round, which it also writes to a work graph, the next round's delta; the
loop stops when a round adds nothing. Finally the inferred graph is filtered as
``govkg.reason.is_knowledge`` filters owlrl's output: only statements about govkg's own
resources and terms, no ``owl:Thing`` types, no reflexive axioms.
"""

import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
)

from govkg.query import select
from govkg.vocab import BASE, OWL_NS, RDF_NS, RDFS_NS, graph_iri

INFERRED = str(graph_iri("inferred"))
SHAPES = str(graph_iri("shapes"))
EVIDENCE = str(graph_iri("evidence"))  # reified statements: not reasoned over (govkg.evidence)
WORK = BASE + "graph/work/"  # work/round-<k>: the triples round k added (its delta)
BATCH = 100_000  # quads per transaction

log = logging.getLogger("govkg.reason_sparql")

TYPE = f"<{RDF_NS}type>"
SUBCLASS = f"<{RDFS_NS}subClassOf>"
SUBPROP = f"<{RDFS_NS}subPropertyOf>"
DOMAIN = f"<{RDFS_NS}domain>"
RANGE = f"<{RDFS_NS}range>"
INVERSE = f"<{OWL_NS}inverseOf>"

# Mirrors govkg.reason.is_knowledge.
_REFLEXIVE = ("sameAs", "equivalentClass", "equivalentProperty")
_NOISE_TYPES = (f"<{OWL_NS}Thing>", f"<{RDFS_NS}Resource>", f"<{OWL_NS}Class>", f"<{RDFS_NS}Class>",
                f"<{RDF_NS}Property>", f"<{OWL_NS}NamedIndividual>", f"<{RDFS_NS}Datatype>",
                f"<{OWL_NS}DatatypeProperty>", f"<{OWL_NS}ObjectProperty>",
                f"<{OWL_NS}AnnotationProperty>")
_NOISE_PREDICATES = (f"<{OWL_NS}differentFrom>", f"<{OWL_NS}disjointWith>",
                     f"<{OWL_NS}propertyDisjointWith>")

Term = NamedNode | BlankNode | Literal
Solution = dict[str, Term]  # schema variable -> term
Statement = tuple[NamedNode | BlankNode, NamedNode, Term]


@dataclass(frozen=True)
class Rule:
    """One instance rule: for each solution of ``schema``, the ``atoms`` give the ``head``.

    The schema variables that the atoms, the head or the ``condition`` use are replaced by
    each solution's terms; ``atoms`` are the patterns that read instance triples, each of
    which may be read from the delta. ``head`` is one triple pattern.
    """

    name: str
    head: str
    schema: str
    atoms: tuple[str, ...]
    condition: str = ""

    @property
    def bound(self) -> list[str]:
        """The schema variables the instance part uses, in order of appearance."""
        schema = set(re.findall(r"\?(\w+)", self.schema))
        used = re.findall(r"\?(\w+)", " ".join([self.head, *self.atoms, self.condition]))
        return [v for v in dict.fromkeys(used) if v in schema]

    def queries(self, delta: str | None, dataset: Sequence[NamedNode],
                prefix: str = "") -> list[str]:
        """The whole body, or one body per atom read from the delta graph, as SELECTs.

        Not ``CONSTRUCT``: Oxigraph drops repeated triples from what it constructs (567,207
        triples from 607,646 solutions of prp-dom at 1 M), which takes a set as big as the
        output; a ``SELECT`` streams.

        Whether the head is already in one of the ``dataset`` graphs is checked with
        ``GRAPH ?graph`` and ``IN``: one index lookup for all graphs, where the default
        graph made of the dataset's graphs costs one lookup per graph (three times slower).
        """
        known = (f"FILTER NOT EXISTS {{ GRAPH ?graph {{ {self.head} }} "
                 f"FILTER(?graph IN ({', '.join(str(g) for g in dataset)})) }}")
        queries = []
        for k in [None] if delta is None else range(len(self.atoms)):
            atoms = " ".join(f"GRAPH <{delta}> {{ {a} }}" if i == k else f"{a} ."
                             for i, a in enumerate(self.atoms))
            queries.append(f"SELECT * WHERE {{ {prefix} {atoms} "
                           f"{self.condition} {known} }}")
        return queries

    def general_queries(self, delta: str | None, dataset: Sequence[NamedNode]) -> list[str]:
        """The queries for the schema solutions that hold a blank node or a literal."""
        variables = " ".join(f"?{v}" for v in self.bound)
        unusual = " || ".join(f"!isIRI(?{v})" for v in self.bound)
        return self.queries(delta, dataset, f"{{ SELECT DISTINCT {variables} "
                                            f"WHERE {{ {self.schema} }} }} FILTER({unusual})")


@dataclass
class ReasonResult:
    rounds: int = 0
    inferred: int = 0  # triples in the inferred graph at the end
    seconds: float = 0.0
    per_round: list[int] = field(default_factory=list)  # new triples per round, unfiltered


PROPERTY_RULES = (
    Rule("prp-inv1", "?y ?q ?x", f"?p {INVERSE} ?q", ("?x ?p ?y",)),
    Rule("prp-inv2", "?y ?q ?x", f"?q {INVERSE} ?p", ("?x ?p ?y",)),
    Rule("prp-trp", "?x ?p ?z", f"?p {TYPE} <{OWL_NS}TransitiveProperty>",
         ("?x ?p ?y", "?y ?p ?z")),
    Rule("prp-spo2", "?x ?p ?z", f"""?p <{OWL_NS}propertyChainAxiom> ?l .
            ?l <{RDF_NS}first> ?p1 ; <{RDF_NS}rest> ?r .
            ?r <{RDF_NS}first> ?p2 ; <{RDF_NS}rest> <{RDF_NS}nil>""",
         ("?x ?p1 ?y", "?y ?p2 ?z")),
    Rule("prp-spo1", "?x ?q ?y", f"?p {SUBPROP} ?q", ("?x ?p ?y",)),  # last: it also lifts
)                                                                    # what the others derived

TYPE_RULES = (  # in this order: domains and ranges first, then the class hierarchy
    Rule("prp-dom", f"?x {TYPE} ?c", f"?p {DOMAIN} ?c", ("?x ?p ?y",)),
    Rule("prp-rng", f"?y {TYPE} ?c", f"?p {RANGE} ?c", ("?x ?p ?y",),
         "FILTER(!isLiteral(?y))"),
    Rule("cax-sco", f"?x {TYPE} ?d", f"?c {SUBCLASS} ?d", (f"?x {TYPE} ?c",)),
)


def source_graphs(store: pyoxigraph.Store) -> list[str]:
    """The asserted graphs: every named graph except inferred, shapes, evidence and work graphs."""
    names = [g.value for g in store.named_graphs() if isinstance(g, NamedNode)]
    return sorted(g for g in names
                  if g not in (INFERRED, SHAPES, EVIDENCE) and not g.startswith(WORK))


def _work_graph(round_number: int) -> str:
    return f"{WORK}round-{round_number}"


def _count(store: pyoxigraph.Store, graph: str) -> int:
    result = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[graph])
    return int(next(iter(result))["n"].value)


def schema_solutions(store: pyoxigraph.Store, rule: Rule,
                     dataset: Sequence[NamedNode]) -> list[Solution]:
    """The rule's schema terms, one solution per distinct combination."""
    names = rule.bound
    result = select(store, f"SELECT DISTINCT {' '.join('?' + n for n in names)} "
                    f"WHERE {{ {rule.schema} }}", default_graphs=[g.value for g in dataset])
    return [{n: row[n] for n in names} for row in result]


def instantiate(query: str, solution: Solution) -> str:
    """``query`` with the solution's IRIs written in place of its variables.

    In the query text, not as ``substitutions=``: pyoxigraph applies those to triple
    patterns only, not inside ``FILTER`` or ``EXISTS``, where the head's check needs them.
    The terms are the store's own IRIs, written by pyoxigraph (``str`` of a ``NamedNode``).
    """
    return re.sub(r"\?(\w+)", lambda m: str(solution.get(m.group(1), m.group(0))), query)


def derive(store: pyoxigraph.Store, rule: Rule, solutions: Sequence[Solution],
           dataset: Sequence[NamedNode], delta: str | None) -> Iterator[Statement]:
    """The triples ``rule`` derives that are not in ``dataset`` yet, streamed.

    With ``delta``, only those whose derivation uses a triple of that graph. One query per
    schema solution, its IRIs as constants, so that Oxigraph reads the instance triples
    through its indexes; solutions with a blank node (say, a class expression as a domain)
    go through one general query. Each query reads a snapshot of the store, so writing
    while iterating is safe. A triple may come more than once; what is not a triple (a
    literal subject, from the inverse of a datatype property) is skipped, as by ``INSERT``.
    """
    constant = [s for s in solutions if all(isinstance(t, NamedNode) for t in s.values())]
    queries = [(instantiate(q, s), s) for q in rule.queries(delta, dataset) for s in constant]
    if len(constant) < len(solutions):
        queries += [(q, {}) for q in rule.general_queries(delta, dataset)]
    for query, solution in queries:
        head = [solution.get(token[1:], token[1:]) if token.startswith("?")
                else NamedNode(token[1:-1]) for token in rule.head.split()]
        rows = select(store, query, default_graphs=[g.value for g in dataset])
        for row in rows:
            s, p, o = (row[t] if isinstance(t, str) else t for t in head)
            if isinstance(s, NamedNode | BlankNode) and isinstance(p, NamedNode):
                yield s, p, o


def write(store: pyoxigraph.Store, triples: Iterable[Statement], graphs: Sequence[NamedNode],
          batch_size: int = BATCH) -> None:
    """Add ``triples`` to each of ``graphs``, at most ``batch_size`` quads per transaction."""
    batch: list[Quad] = []
    for s, p, o in triples:
        batch += [Quad(s, p, o, g) for g in graphs]
        if len(batch) >= batch_size:
            store.extend(batch)
            batch = []
    if batch:
        store.extend(batch)


def types_feed_properties(store: pyoxigraph.Store, graphs: Sequence[str]) -> bool:
    """Whether the property rules read ``rdf:type`` triples (an unusual schema)."""
    result = store.query(f"""ASK {{
        {{ {TYPE} ?r ?o FILTER(?r IN ({SUBPROP}, {INVERSE})) }}
        UNION {{ ?s {INVERSE} {TYPE} }} UNION {{ ?l <{RDF_NS}first> {TYPE} }}
        UNION {{ {TYPE} {TYPE} <{OWL_NS}TransitiveProperty> }} }}""",
        default_graph=[NamedNode(g) for g in graphs])
    return bool(result)


def _insert(head: str, where: str, using: Sequence[str]) -> str:
    """An update adding ``head`` for each solution of ``where`` to the inferred graph."""
    datasets = " ".join(f"USING <{g}>" for g in using)
    return f"INSERT {{ GRAPH <{INFERRED}> {{ {head} }} }} {datasets} WHERE {{ {where} }}"


def _new(head: str, body: str) -> str:
    """Solutions of ``body`` whose ``head`` is not yet in the graph, checked one by one."""
    return f"{body} FILTER NOT EXISTS {{ {head} }}"


def close_schema(store: pyoxigraph.Store, using: Sequence[str]) -> None:
    """The scm-* rules: close the class and property hierarchies, inherit domains and ranges.

    One update: the schema is small, whatever the size of the data.
    """
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
    reflexive = ", ".join([*(f"<{OWL_NS}{n}>" for n in _REFLEXIVE), SUBCLASS, SUBPROP])
    noise = select(store, f"""
        SELECT ?s ?p ?o
        WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }}
            FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), "{BASE}") || isBlank(?o)
                   || ?p IN ({", ".join(_NOISE_PREDICATES)})
                   || (?p IN ({reflexive}) && ?s = ?o)
                   || (?p = {TYPE} && (isLiteral(?o) || ?o IN ({", ".join(_NOISE_TYPES)})))
                   || (?p = {SUBCLASS} && ?o IN (<{OWL_NS}Thing>, <{RDFS_NS}Resource>)))
        }}""", union_default_graph=False)
    graph = NamedNode(INFERRED)
    for row in noise:  # one by one: no transaction grows with their number
        store.remove(Quad(row["s"], row["p"], row["o"], graph))


class _Rounds:
    """Applies rule sets round by round, recording what each round added."""

    def __init__(self, store: pyoxigraph.Store, dataset: list[NamedNode],
                 result: ReasonResult, batch_size: int) -> None:
        self.store, self.dataset, self.result, self.batch_size = store, dataset, result, batch_size
        self.solutions = {rule.name: schema_solutions(store, rule, dataset)
                          for rule in (*PROPERTY_RULES, *TYPE_RULES)}

    def apply(self, rules: Sequence[Rule], delta: str | None, into: Sequence[str]) -> None:
        for rule in rules:  # one after the other: each reads what the previous ones wrote
            started = time.perf_counter()
            triples = derive(self.store, rule, self.solutions[rule.name], self.dataset, delta)
            write(self.store, triples, [NamedNode(g) for g in into], self.batch_size)
            log.info("round %d, %s: %.1f s", self.result.rounds + 1, rule.name,
                     time.perf_counter() - started)

    def first(self, rules: Sequence[Rule]) -> int:
        """A round over all triples, into the inferred graph only; how many it added."""
        before = _count(self.store, INFERRED)
        self.apply(rules, None, [INFERRED])
        return self._record(_count(self.store, INFERRED) - before)

    def next(self, rules: Sequence[Rule], delta: str | None) -> int:
        """A round (from ``delta``, or over all triples) that also fills its work graph."""
        work = _work_graph(self.result.rounds + 1)
        self.apply(rules, delta, [INFERRED, work])
        return self._record(_count(self.store, work))

    def _record(self, new: int) -> int:
        self.result.rounds += 1
        log.info("round %d added %d triples", self.result.rounds, new)
        self.result.per_round.append(new)
        return new


def materialise(store: pyoxigraph.Store, graphs: Sequence[str] | None = None,
                max_rounds: int = 100, batch_size: int = BATCH) -> ReasonResult:
    """Replace the inferred graph by the closure of ``graphs`` (default: all asserted)."""
    started = time.perf_counter()
    graphs = list(graphs) if graphs is not None else source_graphs(store)
    using = [*graphs, INFERRED]
    for graph in [INFERRED, *_work_graphs(store)]:
        _clear(store, graph)
    close_schema(store, using)
    feedback = types_feed_properties(store, using)
    result = ReasonResult()
    rounds = _Rounds(store, [NamedNode(g) for g in using], result, batch_size)
    # The first round's triples are all the inferred graph holds besides the closed schema,
    # so that graph is the second round's delta: no work graph as big as the first round.
    delta: str | None = INFERRED if rounds.first(PROPERTY_RULES) else None
    while result.rounds < max_rounds:
        # The property rules, semi-naive, to a fixpoint.
        while delta is not None and result.rounds < max_rounds:
            if not rounds.next(PROPERTY_RULES, delta):
                break
            delta = _work_graph(result.rounds)
        # The type rules, once: their output feeds only cax-sco, which runs last over a
        # closed class hierarchy -- unless rdf:type itself is in the property schema.
        if not feedback:
            rounds.apply(TYPE_RULES, None, [INFERRED])
            break
        if not rounds.next(TYPE_RULES, None):
            break
        delta = _work_graph(result.rounds)
    for graph in _work_graphs(store):
        _clear(store, graph)
    filter_knowledge(store)
    result.inferred = _count(store, INFERRED)
    result.seconds = time.perf_counter() - started
    return result


def _work_graphs(store: pyoxigraph.Store) -> list[str]:
    return [g.value for g in store.named_graphs()
            if isinstance(g, NamedNode) and g.value.startswith(WORK)]


def _clear(store: pyoxigraph.Store, graph: str) -> None:
    """Remove a graph quad by quad (``DROP GRAPH`` is one transaction holding them all)."""
    name = NamedNode(graph)
    for quad in store.quads_for_pattern(None, None, None, name):
        store.remove(quad)
    store.remove_graph(name)
