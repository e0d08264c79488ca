"""Descriptions of the dataset, generated from the live store: VoID, DCAT and the SPARQL
Service Description. Never hand-kept: counts and partitions are computed from the store once
per build (kept on disk, see ``govkg.facts``), dumps read from their manifest.
"""

import hashlib
from collections.abc import Iterator

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from govkg.distributions import BuiltDistribution
from govkg.formats import FORMATS, formats_of, serialise_quads
from govkg.prebuilt import prebuilt_dumps
from govkg.vocab import ASSERTED_GRAPHS, BASE, GRAPH_NAMES, ID, ONTOLOGY_IRI, PREFIXES, graph_iri
from govkg.web.documents import document, in_order
from govkg.web.iris import public_url
from govkg.web.site import current_site

bp = Blueprint("describe", __name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
DATASET = BASE + "void#govkg"
ASSERTED = BASE + "void#asserted"
CATALOG = BASE + "catalog"
TITLE = "govkg: China's provincial digital government"
DESCRIPTION = ("A knowledge graph built from one Chinese report on provincial digital government: "
               "ontology, facts with the sentences they come from, SHACL shapes, OWL RL "
               "inferences.")
DESCRIPTION_FORMATS = formats_of("graph")
DESCRIPTION_PREFIXES = {"void": VOID, "sd": SD, "foaf": FOAF, "spdx": SPDX}
# Which dumps describe which (sub)dataset, so each dump's triple count is that dataset's.
DUMPS_OF = {DATASET: ("govkg.nt.gz", "govkg.nq.gz"), ASSERTED: ("govkg.ttl", "govkg.jsonld"),
            BASE + "void#graph-ontology": ("ontology.ttl",),
            BASE + "void#graph-shapes": ("shapes.ttl",)}


def n(iri: str) -> NamedNode:
    return NamedNode(iri)


def count(value: int) -> Literal:
    return Literal(str(value), datatype=n(XSD + "integer"))


def bnode(*parts: str) -> BlankNode:
    """A blank node whose label depends only on ``parts`` (stable bytes, stable ETags)."""
    return BlankNode("b" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16])


def triple(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> Quad:
    return Quad(s, n(p), o)


def graph_counts() -> dict[str, int]:
    return current_site().facts.graph_counts()


def distinct_triples(graphs: tuple[str, ...]) -> int:
    return current_site().facts.distinct_triples(graphs)


def built_dumps() -> list[BuiltDistribution]:
    site = current_site()
    return site.once("dumps", lambda: prebuilt_dumps(site.settings, site.store, site.build))


def licences() -> list[NamedNode]:
    """The licences the ontology declares (``dcterms:license``), which the data shares."""
    found = current_site().store.quads_for_pattern(n(ONTOLOGY_IRI), n(DCT + "license"), None, None)
    return sorted({q.object for q in found if isinstance(q.object, NamedNode)}, key=str)


def dump_url(file: str) -> str:
    return public_url(f"/dumps/{file}")


def void_quads() -> Iterator[Quad]:
    dataset = n(DATASET)
    yield triple(dataset, RDF + "type", n(VOID + "Dataset"))
    yield triple(dataset, DCT + "title", Literal(TITLE, language="en"))
    yield triple(dataset, DCT + "description", Literal(DESCRIPTION, language="en"))
    yield triple(dataset, FOAF + "homepage", n(public_url("/")))
    yield triple(dataset, VOID + "uriSpace", Literal(ID))
    yield triple(dataset, VOID + "sparqlEndpoint", n(public_url("/sparql")))
    yield triple(dataset, VOID + "rootResource", n(ID + "region/china"))
    for licence in licences():
        yield triple(dataset, DCT + "license", licence)
    yield triple(dataset, VOID + "triples", count(distinct_triples(GRAPH_NAMES)))
    yield from _dataset_statistics(dataset)
    asserted = n(ASSERTED)
    yield triple(dataset, VOID + "subset", asserted)
    yield triple(asserted, RDF + "type", n(VOID + "Dataset"))
    yield triple(asserted, DCT + "title", Literal("The asserted graphs, merged", language="en"))
    yield triple(asserted, VOID + "triples", count(distinct_triples(ASSERTED_GRAPHS)))
    for name, triples in graph_counts().items():
        subset = n(f"{BASE}void#graph-{name}")
        yield triple(dataset, VOID + "subset", subset)
        yield triple(subset, RDF + "type", n(VOID + "Dataset"))
        yield triple(subset, SD + "name", n(graph_iri(name)))
        yield triple(subset, DCT + "title", Literal(f"graph/{name}", language="en"))
        yield triple(subset, VOID + "triples", count(triples))
    for subject, files in DUMPS_OF.items():
        for file in files:
            yield triple(n(subject), VOID + "dataDump", n(dump_url(file)))


def _dataset_statistics(dataset: NamedNode) -> Iterator[Quad]:
    stats = current_site().facts.dataset_statistics()
    yield triple(dataset, VOID + "entities", count(stats.entities))
    yield triple(dataset, VOID + "distinctSubjects", count(stats.distinct_subjects))
    yield triple(dataset, VOID + "distinctObjects", count(stats.distinct_objects))
    yield triple(dataset, VOID + "properties", count(stats.properties))
    yield triple(dataset, VOID + "classes", count(len(stats.class_partitions)))
    for iri, entities in stats.class_partitions:
        part = bnode("class", iri)
        yield triple(dataset, VOID + "classPartition", part)
        yield triple(part, VOID + "class", n(iri))
        yield triple(part, VOID + "entities", count(entities))
    for iri, triples in stats.property_partitions:
        part = bnode("property", iri)
        yield triple(dataset, VOID + "propertyPartition", part)
        yield triple(part, VOID + "property", n(iri))
        yield triple(part, VOID + "triples", count(triples))
    used = {iri for iri, _ in stats.class_partitions + stats.property_partitions}
    for vocabulary in sorted(_vocabularies(used)):
        yield triple(dataset, VOID + "vocabulary", n(vocabulary))


def _vocabularies(terms: set[str]) -> set[str]:
    """The namespaces that the classes and properties in use come from."""
    namespaces = sorted((ns for ns in PREFIXES.values() if not ns.startswith(ID)),
                        key=len, reverse=True)
    found = set()
    for term in terms:
        match = next((ns for ns in namespaces if term.startswith(ns)), None)
        if match is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            match = term[: cut + 1] if cut > 0 else None
        if match:
            found.add(match)
    return found


def catalog_quads() -> Iterator[Quad]:
    catalog, dataset, service = n(CATALOG), n(DATASET), n(public_url("/sparql"))
    yield triple(catalog, RDF + "type", n(DCAT + "Catalog"))
    yield triple(catalog, DCT + "title", Literal(TITLE, language="en"))
    yield triple(catalog, FOAF + "homepage", n(public_url("/")))
    yield triple(catalog, DCAT + "dataset", dataset)
    yield triple(catalog, DCAT + "service", service)
    yield triple(dataset, RDF + "type", n(DCAT + "Dataset"))
    yield triple(dataset, DCT + "title", Literal(TITLE, language="en"))
    yield triple(dataset, DCT + "description", Literal(DESCRIPTION, language="en"))
    yield triple(dataset, DCAT + "landingPage", n(public_url("/")))
    for licence in licences():
        yield triple(dataset, DCT + "license", licence)
    for built in built_dumps():
        yield from _distribution(dataset, built)
    yield triple(service, RDF + "type", n(DCAT + "DataService"))
    yield triple(service, DCT + "title", Literal("govkg SPARQL endpoint", language="en"))
    yield triple(service, DCAT + "endpointURL", service)
    yield triple(service, DCAT + "endpointDescription", service)
    yield triple(service, DCT + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    yield triple(service, DCAT + "servesDataset", dataset)


def _distribution(dataset: NamedNode, built: BuiltDistribution) -> Iterator[Quad]:
    dist, fmt = n(f"{BASE}dumps/{built.file}"), built.distribution.format
    url = n(dump_url(built.file))
    checksum = bnode("checksum", built.file, built.sha256)
    yield triple(dataset, DCAT + "distribution", dist)
    yield triple(dist, RDF + "type", n(DCAT + "Distribution"))
    yield triple(dist, DCT + "title", Literal(built.distribution.title, language="en"))
    yield triple(dist, DCAT + "downloadURL", url)
    yield triple(dist, DCAT + "accessURL", url)
    yield triple(dist, DCAT + "mediaType", n(IANA + fmt.media_type))
    yield triple(dist, DCT + "format", n(fmt.w3c))
    if built.distribution.gzipped:
        yield triple(dist, DCAT + "compressFormat", n(IANA + "application/gzip"))
    yield triple(dist, DCAT + "byteSize", Literal(str(built.size),
                                                  datatype=n(XSD + "nonNegativeInteger")))
    yield triple(dist, DCT + "modified", Literal(built.modified, datatype=n(XSD + "dateTime")))
    yield triple(dist, VOID + "triples", count(built.triples))
    yield triple(dist, SPDX + "checksum", checksum)
    yield triple(checksum, RDF + "type", n(SPDX + "Checksum"))
    yield triple(checksum, SPDX + "algorithm", n(SPDX + "checksumAlgorithm_sha256"))
    yield triple(checksum, SPDX + "checksumValue", Literal(built.sha256,
                                                           datatype=n(XSD + "hexBinary")))


def service_description() -> Iterator[Quad]:
    """The SPARQL 1.1 Service Description of ``/sparql``."""
    service, dataset = n(public_url("/sparql")), bnode("sd", "dataset")
    default = bnode("sd", "default-graph")
    yield triple(service, RDF + "type", n(SD + "Service"))
    yield triple(service, SD + "endpoint", service)
    yield triple(service, SD + "supportedLanguage", n(SD + "SPARQL11Query"))
    yield triple(service, SD + "feature", n(SD + "UnionDefaultGraph"))
    # the Graph Store Protocol's reads at the same URL (?graph=IRI, ?default)
    yield triple(service, DCT + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    yield triple(service, DCT + "conformsTo", n("https://www.w3.org/TR/sparql11-http-rdf-update/"))
    yield triple(service, SD + "defaultEntailmentRegime",
                 n("http://www.w3.org/ns/entailment/Simple"))
    for fmt in FORMATS:
        if fmt.w3c:
            yield triple(service, SD + "resultFormat", n(fmt.w3c))
    yield triple(service, DCT + "title", Literal("govkg SPARQL endpoint (read-only)",
                                                 language="en"))
    yield triple(service, SD + "defaultDataset", dataset)
    yield triple(dataset, RDF + "type", n(SD + "Dataset"))
    yield triple(dataset, "http://www.w3.org/2000/01/rdf-schema#seeAlso",
                 n(public_url("/.well-known/void")))
    yield triple(dataset, SD + "defaultGraph", default)
    yield triple(default, RDF + "type", n(SD + "Graph"))
    yield triple(default, VOID + "triples", count(distinct_triples(GRAPH_NAMES)))
    for name, triples in graph_counts().items():
        named, graph = bnode("sd", "named", name), bnode("sd", "graph", name)
        yield triple(dataset, SD + "namedGraph", named)
        yield triple(named, RDF + "type", n(SD + "NamedGraph"))
        yield triple(named, SD + "name", n(graph_iri(name)))
        yield triple(named, SD + "graph", graph)
        yield triple(graph, RDF + "type", n(SD + "Graph"))
        yield triple(graph, VOID + "triples", count(triples))


def described(path: str, ext: str | None, quads, title: str) -> Response:
    def html() -> str:
        turtle = serialise_quads(in_order(quads()), DESCRIPTION_FORMATS[0],
                                 DESCRIPTION_PREFIXES).decode()
        return render_template("rdf_document.html", title=title, turtle=turtle, path=path,
                               formats=DESCRIPTION_FORMATS)
    return document(path, ext, quads=quads, html=html, formats=DESCRIPTION_FORMATS,
                    html_first=False, prefixes=DESCRIPTION_PREFIXES)


@bp.route("/.well-known/void")
def void() -> Response:
    return described("/void", None, void_quads, _("VoID description"))


@bp.route("/void")
@bp.route("/void.<ext>")
def void_document(ext: str | None = None) -> Response:
    return described("/void", ext, void_quads, _("VoID description"))


@bp.route("/catalog")
@bp.route("/catalog.<ext>")
def catalog(ext: str | None = None) -> Response:
    return described("/catalog", ext, catalog_quads, _("DCAT catalogue"))
