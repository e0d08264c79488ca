r"""IRI constants: the base IRI in one place, govkg's own terms, the vocabularies govkg uses,
and the prefixes users get.

Each vocabulary is here twice over, from one string: as an rdflib ``Namespace`` (``RDFS``,
for the build, which works in rdflib) and as a plain ``str`` (``RDFS_NS``, for the serving
code, which works in pyoxigraph terms and SPARQL text). Terms the serving code compares
with on every request are ready-made pyoxigraph ``NamedNode``\ s (``RDF_TYPE`` …).
"""

from pyoxigraph import NamedNode
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/govkg/"
ONTOLOGY_IRI = BASE + "ontology"
SHAPES_IRI = BASE + "shapes"
ID = BASE + "id/"
DATASET_IRI = BASE + "void#govkg"  # govkg as a dataset, as VoID and DCAT describe it
GRAPH = BASE + "graph/"

SCHEMA = Namespace("http://schema.org/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
ORG = Namespace("http://www.w3.org/ns/org#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")

RDF_NS, RDFS_NS, OWL_NS, XSD_NS = str(RDF), str(RDFS), str(OWL), str(XSD)
SKOS_NS, DCT_NS, PROV_NS, SCHEMA_NS = str(SKOS), str(DCTERMS), str(PROV), str(SCHEMA)
SH_NS, VOID_NS, SD_NS, DCAT_NS = str(SH), str(VOID), str(SD), str(DCAT)
FOAF_NS, SPDX_NS = str(FOAF), str(SPDX)

RDF_TYPE = NamedNode(RDF_NS + "type")
RDFS_LABEL = NamedNode(RDFS_NS + "label")
SKOS_PREF_LABEL = NamedNode(SKOS_NS + "prefLabel")


class GK(DefinedNamespace):
    """The govkg ontology terms that the code uses (the full list is in ontology/govkg.ttl)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Classes
    Article: URIRef  # the source article
    Sentence: URIRef  # one sentence of the article
    Measurement: URIRef  # a figure the report gives
    Province: URIRef  # a province-level division
    DigitalPlatform: URIRef  # an app, portal, cloud, network or other platform
    Organization: URIRef  # any organisation

    # Properties
    text: URIRef  # a sentence as written
    translation: URIRef  # govkg's English translation of a sentence (editorial)
    line: URIRef  # the report line a sentence is on
    sentenceNumber: URIRef  # a sentence's number within its line
    position: URIRef  # a sentence's number within the article
    statedIn: URIRef  # the sentence a fact comes from
    readFrom: URIRef  # the sentence a reading-in (graph/editorial) is read from
    editorialNote: URIRef  # why a statement is a reading-in, not the report's words
    assertedIn: URIRef  # the named graph a reified statement belongs to
    value: URIRef  # a figure's number
    province: URIRef  # the province a thing belongs to
    fromOutsideReport: URIRef  # true where a fact is not from the report


ARTICLE = URIRef(ID + "report/article")


def sentence_iri(line: int, number: int) -> URIRef:
    """The IRI of sentence ``number`` on report line ``line``."""
    return URIRef(f"{ID}sentence/p{line}s{number}")


def graph_iri(name: str) -> URIRef:
    """The IRI of one of the store's named graphs."""
    return URIRef(GRAPH + name)


# Named graphs, in load order. graph/data is what the report says; graph/editorial what
# govkg reads into it (each with a reason); graph/evidence the sentence behind each statement.
GRAPH_NAMES = ("ontology", "data", "editorial", "external", "report", "evidence", "shapes",
               "inferred")
ASSERTED_GRAPHS = ("ontology", "data", "editorial", "external", "report", "evidence")
# What OWL RL reasons over: not graph/evidence, whose reified statements entail nothing useful.
REASONED_GRAPHS = ("ontology", "data", "editorial", "external", "report")

# Prefixes every SPARQL query may use without declaring them.
PREFIXES: dict[str, str] = {
    "gk": str(GK._NS),
    "region": ID + "region/",
    "gorg": ID + "org/",
    "company": ID + "company/",
    "platform": ID + "platform/",
    "policy": ID + "policy/",
    "report": ID + "report/",
    "model": ID + "model/",
    "event": ID + "event/",
    "ranking": ID + "ranking/",
    "figure": ID + "figure/",
    "indicator": ID + "indicator/",
    "sentence": ID + "sentence/",
    "statement": ID + "statement/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "dcat": str(DCAT),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "time": str(TIME),
    "sh": str(SH),
}
