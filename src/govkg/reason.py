"""OWL RL reasoning: the closure of the asserted graphs, filtered down to knowledge.

owlrl adds everything the OWL 2 RL rules entail, including much that says nothing about
the report (``owl:Thing`` types, ``x owl:sameAs x``, facts about RDF and XSD themselves).
``infer`` keeps only new statements about govkg's own resources and terms.
"""

import owlrl
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from govkg.vocab import BASE

_REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf,
              RDFS.subPropertyOf}
_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.Class, RDFS.Class, RDF.Property, OWL.NamedIndividual,
                RDFS.Datatype, OWL.DatatypeProperty, OWL.ObjectProperty, OWL.AnnotationProperty}
_NOISE_PREDICATES = {OWL.differentFrom, OWL.disjointWith, OWL.propertyDisjointWith}


def _is_ours(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BASE)


def is_knowledge(triple: tuple[Node, Node, Node]) -> bool:
    """Whether an inferred triple says something about govkg's resources or terms."""
    s, p, o = triple
    if not _is_ours(s) or isinstance(o, BNode) or p in _NOISE_PREDICATES:
        return False
    if p in _REFLEXIVE and s == o:
        return False
    if p == RDF.type and (o in _NOISE_TYPES or isinstance(o, Literal)):
        return False
    return not (p == RDFS.subClassOf and o in (OWL.Thing, RDFS.Resource))


def infer(asserted: Graph) -> Graph:
    """The useful statements that OWL RL adds to ``asserted`` (which is left unchanged)."""
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    inferred = Graph()
    for triple in closure:
        if triple not in asserted and is_knowledge(triple):
            inferred.add(triple)
    return inferred
