"""Descriptions of the dataset, generated from the live store: VoID, DCAT and the SPARQL
Service Description. Never hand-kept: counts and partitions are computed from the store once
per build (kept on disk, see ``govkg.facts``), dumps read from their manifest. Titles and
descriptions are in English and Chinese; the HTML pages of VoID and DCAT open with the
dataset in the page's language and a box to cite it, then the RDF.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from govkg.distributions import BuiltDistribution
from govkg.formats import FORMATS, formats_of, serialise_quads
from govkg.prebuilt import prebuilt_dumps
from govkg.vocab import (
    ASSERTED_GRAPHS,
    BASE,
    DATASET_IRI,
    DCAT_NS,
    DCT_NS,
    FOAF_NS,
    GRAPH_NAMES,
    ID,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF_NS,
    RDFS_NS,
    SD_NS,
    SPDX_NS,
    VOID_NS,
    XSD_NS,
    graph_iri,
)
from govkg.web.display import page_language
from govkg.web.documents import document, in_order
from govkg.web.iris import public_url
from govkg.web.site import current_site
from govkg.web.views.cite import citation_for

bp = Blueprint("describe", __name__)

IANA = "https://www.iana.org/assignments/media-types/"
DATASET = DATASET_IRI
ASSERTED = BASE + "void#asserted"
CATALOG = BASE + "catalog"
# Titles and descriptions in English and Chinese: (en, zh).
TITLE = ("govkg: China's provincial digital government", "govkg：中国省级数字政府知识图谱")
DESCRIPTION = ("A knowledge graph built from one Chinese report on provincial digital government: "
               "ontology, facts with the sentences they come from, SHACL shapes, OWL RL "
               "inferences.",
               "根据一篇关于省级数字政府的中文报告构建的知识图谱：本体、附有出处原句的事实、"
               "SHACL 形状和 OWL RL 推理结果。")
ASSERTED_TITLE = ("The asserted graphs, merged", "合并的断言图")
SERVICE_TITLE = ("govkg SPARQL endpoint", "govkg SPARQL 端点")
SERVICE_DESCRIPTION_TITLE = ("govkg SPARQL endpoint (read-only)", "govkg SPARQL 端点（只读）")
DESCRIPTION_FORMATS = formats_of("graph")
DESCRIPTION_PREFIXES = {"void": VOID_NS, "sd": SD_NS, "foaf": FOAF_NS, "spdx": SPDX_NS}
# Which dumps describe which (sub)dataset, so each dump's triple count is that dataset's.
DUMPS_OF = {DATASET: ("govkg.nt.gz", "govkg.nq.gz"), ASSERTED: ("govkg.ttl", "govkg.jsonld"),
            BASE + "void#graph-ontology": ("ontology.ttl",),
            BASE + "void#graph-shapes": ("shapes.ttl",)}


def n(iri: str) -> NamedNode:
    return NamedNode(iri)


def count(value: int) -> Literal:
    return Literal(str(value), datatype=n(XSD_NS + "integer"))


def bnode(*parts: str) -> BlankNode:
    """A blank node whose label depends only on ``parts`` (stable bytes, stable ETags)."""
    return BlankNode("b" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:16])


def triple(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> Quad:
    return Quad(s, n(p), o)


def in_both(s: NamedNode | BlankNode, p: str, texts: tuple[str, str]) -> Iterator[Quad]:
    """``texts`` (English, Chinese) as two language-tagged values of ``p``."""
    for text, lang in zip(texts, ("en", "zh"), strict=True):
        if text:
            yield triple(s, p, Literal(text, language=lang))


def graph_counts() -> dict[str, int]:
    return current_site().facts.graph_counts()


def distinct_triples(graphs: tuple[str, ...]) -> int:
    return current_site().facts.distinct_triples(graphs)


def built_dumps() -> list[BuiltDistribution]:
    site = current_site()
    return site.once("dumps", lambda: prebuilt_dumps(site.settings, site.store, site.build))


def licences() -> list[NamedNode]:
    """The licences the ontology declares (``dcterms:license``), which the data shares."""
    licence = n(DCT_NS + "license")
    found = current_site().store.quads_for_pattern(n(ONTOLOGY_IRI), licence, None, None)
    return sorted({q.object for q in found if isinstance(q.object, NamedNode)}, key=str)


def dump_url(file: str) -> str:
    return public_url(f"/dumps/{file}")


def void_quads() -> Iterator[Quad]:
    dataset = n(DATASET)
    yield triple(dataset, RDF_NS + "type", n(VOID_NS + "Dataset"))
    yield from in_both(dataset, DCT_NS + "title", TITLE)
    yield from in_both(dataset, DCT_NS + "description", DESCRIPTION)
    yield triple(dataset, FOAF_NS + "homepage", n(public_url("/")))
    yield triple(dataset, VOID_NS + "uriSpace", Literal(ID))
    yield triple(dataset, VOID_NS + "sparqlEndpoint", n(public_url("/sparql")))
    yield triple(dataset, VOID_NS + "rootResource", n(ID + "region/china"))
    for licence in licences():
        yield triple(dataset, DCT_NS + "license", licence)
    yield triple(dataset, VOID_NS + "triples", count(distinct_triples(GRAPH_NAMES)))
    yield from _dataset_statistics(dataset)
    asserted = n(ASSERTED)
    yield triple(dataset, VOID_NS + "subset", asserted)
    yield triple(asserted, RDF_NS + "type", n(VOID_NS + "Dataset"))
    yield from in_both(asserted, DCT_NS + "title", ASSERTED_TITLE)
    yield triple(asserted, VOID_NS + "triples", count(distinct_triples(ASSERTED_GRAPHS)))
    for name, triples in graph_counts().items():
        subset = n(f"{BASE}void#graph-{name}")
        yield triple(dataset, VOID_NS + "subset", subset)
        yield triple(subset, RDF_NS + "type", n(VOID_NS + "Dataset"))
        yield triple(subset, SD_NS + "name", n(graph_iri(name)))
        yield triple(subset, DCT_NS + "title", Literal(f"graph/{name}", language="en"))
        yield triple(subset, VOID_NS + "triples", count(triples))
    for subject, files in DUMPS_OF.items():
        for file in files:
            yield triple(n(subject), VOID_NS + "dataDump", n(dump_url(file)))


def _dataset_statistics(dataset: NamedNode) -> Iterator[Quad]:
    stats = current_site().facts.dataset_statistics()
    yield triple(dataset, VOID_NS + "entities", count(stats.entities))
    yield triple(dataset, VOID_NS + "distinctSubjects", count(stats.distinct_subjects))
    yield triple(dataset, VOID_NS + "distinctObjects", count(stats.distinct_objects))
    yield triple(dataset, VOID_NS + "properties", count(stats.properties))
    yield triple(dataset, VOID_NS + "classes", count(len(stats.class_partitions)))
    for iri, entities in stats.class_partitions:
        part = bnode("class", iri)
        yield triple(dataset, VOID_NS + "classPartition", part)
        yield triple(part, VOID_NS + "class", n(iri))
        yield triple(part, VOID_NS + "entities", count(entities))
    for iri, triples in stats.property_partitions:
        part = bnode("property", iri)
        yield triple(dataset, VOID_NS + "propertyPartition", part)
        yield triple(part, VOID_NS + "property", n(iri))
        yield triple(part, VOID_NS + "triples", count(triples))
    used = {iri for iri, _ in stats.class_partitions + stats.property_partitions}
    for vocabulary in sorted(_vocabularies(used)):
        yield triple(dataset, VOID_NS + "vocabulary", n(vocabulary))


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
    yield triple(catalog, RDF_NS + "type", n(DCAT_NS + "Catalog"))
    yield from in_both(catalog, DCT_NS + "title", TITLE)
    yield triple(catalog, FOAF_NS + "homepage", n(public_url("/")))
    yield triple(catalog, DCAT_NS + "dataset", dataset)
    yield triple(catalog, DCAT_NS + "service", service)
    yield triple(dataset, RDF_NS + "type", n(DCAT_NS + "Dataset"))
    yield from in_both(dataset, DCT_NS + "title", TITLE)
    yield from in_both(dataset, DCT_NS + "description", DESCRIPTION)
    yield triple(dataset, DCAT_NS + "landingPage", n(public_url("/")))
    for licence in licences():
        yield triple(dataset, DCT_NS + "license", licence)
    for built in built_dumps():
        yield from _distribution(dataset, built)
    yield triple(service, RDF_NS + "type", n(DCAT_NS + "DataService"))
    yield from in_both(service, DCT_NS + "title", SERVICE_TITLE)
    yield triple(service, DCAT_NS + "endpointURL", service)
    yield triple(service, DCAT_NS + "endpointDescription", service)
    yield triple(service, DCT_NS + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    yield triple(service, DCAT_NS + "servesDataset", dataset)


def _distribution(dataset: NamedNode, built: BuiltDistribution) -> Iterator[Quad]:
    dist, fmt = n(f"{BASE}dumps/{built.file}"), built.distribution.format
    url = n(dump_url(built.file))
    checksum = bnode("checksum", built.file, built.sha256)
    yield triple(dataset, DCAT_NS + "distribution", dist)
    yield triple(dist, RDF_NS + "type", n(DCAT_NS + "Distribution"))
    yield from in_both(dist, DCT_NS + "title",
                       (built.distribution.title, built.distribution.title_zh))
    yield triple(dist, DCAT_NS + "downloadURL", url)
    yield triple(dist, DCAT_NS + "accessURL", url)
    yield triple(dist, DCAT_NS + "mediaType", n(IANA + fmt.media_type))
    yield triple(dist, DCT_NS + "format", n(fmt.w3c))
    if built.distribution.gzipped:
        yield triple(dist, DCAT_NS + "compressFormat", n(IANA + "application/gzip"))
    yield triple(dist, DCAT_NS + "byteSize", Literal(str(built.size),
                                                  datatype=n(XSD_NS + "nonNegativeInteger")))
    yield triple(dist, DCT_NS + "modified",
                 Literal(built.modified, datatype=n(XSD_NS + "dateTime")))
    yield triple(dist, VOID_NS + "triples", count(built.triples))
    yield triple(dist, SPDX_NS + "checksum", checksum)
    yield triple(checksum, RDF_NS + "type", n(SPDX_NS + "Checksum"))
    yield triple(checksum, SPDX_NS + "algorithm", n(SPDX_NS + "checksumAlgorithm_sha256"))
    yield triple(checksum, SPDX_NS + "checksumValue", Literal(built.sha256,
                                                           datatype=n(XSD_NS + "hexBinary")))


def service_description() -> Iterator[Quad]:
    """The SPARQL 1.1 Service Description of ``/sparql``."""
    service, dataset = n(public_url("/sparql")), bnode("sd", "dataset")
    default = bnode("sd", "default-graph")
    yield triple(service, RDF_NS + "type", n(SD_NS + "Service"))
    yield triple(service, SD_NS + "endpoint", service)
    yield triple(service, SD_NS + "supportedLanguage", n(SD_NS + "SPARQL11Query"))
    yield triple(service, SD_NS + "feature", n(SD_NS + "UnionDefaultGraph"))
    # the Graph Store Protocol's reads at the same URL (?graph=IRI, ?default)
    yield triple(service, DCT_NS + "conformsTo", n("https://www.w3.org/TR/sparql11-protocol/"))
    yield triple(service, DCT_NS + "conformsTo",
                 n("https://www.w3.org/TR/sparql11-http-rdf-update/"))
    yield triple(service, SD_NS + "defaultEntailmentRegime",
                 n("http://www.w3.org/ns/entailment/Simple"))
    for fmt in FORMATS:
        if fmt.w3c:
            yield triple(service, SD_NS + "resultFormat", n(fmt.w3c))
    yield from in_both(service, DCT_NS + "title", SERVICE_DESCRIPTION_TITLE)
    yield triple(service, SD_NS + "defaultDataset", dataset)
    yield triple(dataset, RDF_NS + "type", n(SD_NS + "Dataset"))
    yield triple(dataset, RDFS_NS + "seeAlso",
                 n(public_url("/.well-known/void")))
    yield triple(dataset, SD_NS + "defaultGraph", default)
    yield triple(default, RDF_NS + "type", n(SD_NS + "Graph"))
    yield triple(default, VOID_NS + "triples", count(distinct_triples(GRAPH_NAMES)))
    for name, triples in graph_counts().items():
        named, graph = bnode("sd", "named", name), bnode("sd", "graph", name)
        yield triple(dataset, SD_NS + "namedGraph", named)
        yield triple(named, RDF_NS + "type", n(SD_NS + "NamedGraph"))
        yield triple(named, SD_NS + "name", n(graph_iri(name)))
        yield triple(named, SD_NS + "graph", graph)
        yield triple(graph, RDF_NS + "type", n(SD_NS + "Graph"))
        yield triple(graph, VOID_NS + "triples", count(triples))


@dataclass(frozen=True)
class DatasetSummary:
    """What a reader of a page describing the dataset sees before its RDF."""
    iri: str
    title: str
    description: str
    lang: str  # of title and description
    licences: list[NamedNode]
    dumps: list[tuple[BuiltDistribution, str]]  # each dump with its title in ``lang``
    endpoint: str


def dataset_summary() -> DatasetSummary:
    zh = page_language() == "zh"
    pick = 1 if zh else 0
    dumps = [(b, b.distribution.title_zh if zh and b.distribution.title_zh
              else b.distribution.title) for b in built_dumps()]
    return DatasetSummary(DATASET, TITLE[pick], DESCRIPTION[pick], "zh" if zh else "en",
                          licences(), dumps, public_url("/sparql"))


def described(path: str, ext: str | None, quads, title: str) -> Response:
    def html() -> str:
        turtle = serialise_quads(in_order(quads()), DESCRIPTION_FORMATS[0],
                                 DESCRIPTION_PREFIXES).decode()
        return render_template("rdf_document.html", title=title, turtle=turtle, path=path,
                               formats=DESCRIPTION_FORMATS, dataset=dataset_summary(),
                               citation=citation_for(None))
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
