"""The ontology defines every term the code and the data use, each labelled and defined in zh and en."""

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from govkg.build import read_graphs
from govkg.resources import find_sources
from govkg.vocab import GK, ONTOLOGY_IRI

GKNS = str(GK._NS)
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual,
         OWL.AnnotationProperty, RDF.Property)


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return read_graphs(find_sources())


def defined_terms(ontology: Graph) -> set[URIRef]:
    return {s for kind in KINDS for s in ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef) and str(s).startswith(GKNS)}


def test_every_term_the_code_uses_is_defined(graphs) -> None:
    used = {URIRef(GKNS + name) for name in GK.__annotations__}
    assert used - defined_terms(graphs["ontology"]) == set()


def test_every_term_the_data_and_shapes_use_is_defined(graphs) -> None:
    used = set()
    for name in ("data", "external", "report", "shapes"):
        for triple in graphs[name]:
            used.update(t for t in triple if isinstance(t, URIRef) and str(t).startswith(GKNS))
    assert used - defined_terms(graphs["ontology"]) == set()


def test_every_term_is_labelled_and_defined_in_both_languages(graphs) -> None:
    ontology = graphs["ontology"]
    problems = []
    for term in sorted(defined_terms(ontology)):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in ontology.objects(term, prop)}
            if not {"zh", "en"} <= langs:
                problems.append(f"{term} {prop} has {langs}")
        if (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) not in ontology:
            problems.append(f"{term} lacks rdfs:isDefinedBy")
    assert problems == []


def test_ontology_header(graphs) -> None:
    ontology = graphs["ontology"]
    header = URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in ("versionInfo", "versionIRI"):
        assert ontology.value(header, OWL[prop]) is not None
    dcterms = "http://purl.org/dc/terms/"
    for prop in ("license", "creator", "created", "modified", "title"):
        assert ontology.value(header, URIRef(dcterms + prop)) is not None, prop


@pytest.mark.parametrize("namespace", [
    "http://www.w3.org/ns/org#", "http://schema.org/", "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
    "http://qudt.org/schema/qudt/", "http://purl.org/dc/terms/",
])
def test_aligned_to_well_known_vocabularies(graphs, namespace: str) -> None:
    ontology = graphs["ontology"]
    aligned = [o for p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                           OWL.equivalentProperty)
               for s, o in ontology.subject_objects(p)
               if str(s).startswith(GKNS) and str(o).startswith(namespace)]
    assert aligned, f"nothing in the ontology is aligned to {namespace}"


def test_the_version_iri_is_labelled_with_its_version(graphs) -> None:
    """ontology/labels.ttl names the version IRI; the name follows owl:versionInfo."""
    ontology = graphs["ontology"]
    header = URIRef(ONTOLOGY_IRI)
    version, iri = ontology.value(header, OWL.versionInfo), ontology.value(header, OWL.versionIRI)
    labels = {str(o) for o in ontology.objects(iri, RDFS.label)}
    assert len(labels) == 2 and all(str(version) in label for label in labels)
