"""The ontology (``/ontology``), the SHACL shapes (``/shapes``) and the live validation report
(``/validation``), each as an HTML page or as RDF. Ontology terms are hash IRIs
(``…/ontology#Province``), so they dereference to ``/ontology`` with an anchor.
"""

from dataclasses import dataclass, field

import pyoxigraph
from flask import Blueprint, Response, render_template
from flask_babel import lazy_gettext as _  # module-level titles: translated when shown
from pyoxigraph import Literal, NamedNode, RdfFormat
from werkzeug.exceptions import NotFound

from govkg.prebuilt import cached_validation
from govkg.query import StoreLike
from govkg.table import short_term
from govkg.vocab import (
    ID,
    ONTOLOGY_IRI,
    OWL_NS,
    RDF_TYPE,
    RDFS_NS,
    SH_NS,
    SHAPES_IRI,
    SKOS_NS,
    graph_iri,
)
from govkg.web.display import Labeller, Shown, in_language, page_language, reading_key
from govkg.web.documents import RDF_FORMATS, document
from govkg.web.iris import href
from govkg.web.nested import TreeMaker
from govkg.web.site import current_site

bp = Blueprint("ontology", __name__)

ONTOLOGY_GRAPH = NamedNode(graph_iri("ontology"))
SHAPES_GRAPH = NamedNode(graph_iri("shapes"))
SECTIONS = (
    ("classes", _("Classes"), (OWL_NS + "Class", RDFS_NS + "Class")),
    ("object-properties", _("Object properties"), (OWL_NS + "ObjectProperty",)),
    ("datatype-properties", _("Datatype properties"), (OWL_NS + "DatatypeProperty",)),
    ("annotation-properties", _("Annotation properties"), (OWL_NS + "AnnotationProperty",)),
    ("individuals", _("Individuals"), (OWL_NS + "NamedIndividual",)),
)
SHOWN_APART = (RDFS_NS + "label", SKOS_NS + "definition", RDFS_NS + "isDefinedBy")


@dataclass
class TermDoc:
    anchor: str
    short: str
    shown: Shown
    definitions: list[Shown]
    rows: list
    narrower: list[Shown] = field(default_factory=list)  # subclasses or sub-properties
    instances: int = 0
    listing: str | None = None


def anchor_of(iri: str) -> str:
    return iri.rpartition("#")[2] if "#" in iri else short_term(NamedNode(iri))


def typed(store: StoreLike, types: tuple[str, ...], graph: NamedNode) -> list[NamedNode]:
    found = {q.subject for t in types
             for q in store.quads_for_pattern(None, RDF_TYPE, NamedNode(t), graph)
             if isinstance(q.subject, NamedNode)}
    return sorted(found, key=lambda node: node.value)


def definitions(store: StoreLike, node: NamedNode, labeller: Labeller) -> list[Shown]:
    found = [labeller.show(q.object) for q in store.quads_for_pattern(
        node, NamedNode(SKOS_NS + "definition"), None, None) if isinstance(q.object, Literal)]
    return sorted(found, key=lambda s: (s.lang != "zh", s.text))


def term_doc(store: StoreLike, node: NamedNode, maker: TreeMaker) -> TermDoc:
    from govkg.web.views.browse import class_link

    labeller = maker.labeller
    narrower = sorted({q.subject for p in (RDFS_NS + "subClassOf", RDFS_NS + "subPropertyOf")
                       for q in store.quads_for_pattern(None, NamedNode(p), node, ONTOLOGY_GRAPH)
                       if isinstance(q.subject, NamedNode)}, key=lambda n: n.value)
    instances = len({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, node, None)
                     if q.subject.value.startswith(ID)})
    return TermDoc(
        anchor=anchor_of(node.value), short=short_term(node), shown=labeller.show(node),
        definitions=definitions(store, node, labeller),
        rows=maker.properties(node, skip=SHOWN_APART),
        narrower=[labeller.show(n) for n in narrower if n != node], instances=instances,
        listing=class_link(node) if instances else None,
    )


def hierarchy(store: StoreLike, classes: list[NamedNode], labeller: Labeller) -> list:
    """The subclass tree of the ontology's own classes: (shown, children) pairs."""
    ours = set(classes)
    sub_class_of = NamedNode(RDFS_NS + "subClassOf")
    parents = {c: {q.object for q in store.quads_for_pattern(c, sub_class_of, None, ONTOLOGY_GRAPH)
                   if q.object in ours and q.object != c} for c in classes}

    def children(of: NamedNode, path: frozenset) -> list:
        kids = sorted((c for c in classes if of in parents[c] and c not in path),
                      key=lambda c: reading_key(labeller.label(c)))
        return [(labeller.show(k), children(k, path | {k})) for k in kids]

    roots = sorted((c for c in classes if not parents[c]),
                   key=lambda c: reading_key(labeller.label(c)))
    return [(labeller.show(r), children(r, frozenset({r}))) for r in roots]


def ontology_html() -> str:
    store = current_site().store
    labeller = Labeller(store)
    maker = TreeMaker(store, ONTOLOGY_GRAPH, labeller)
    seen: set[NamedNode] = set()
    sections = []
    for key, title, types in SECTIONS:
        terms = [t for t in typed(store, types, ONTOLOGY_GRAPH)
                 if t not in seen and t.value != ONTOLOGY_IRI]
        seen.update(terms)
        sections.append((key, title, [term_doc(store, t, maker) for t in terms]))
    classes = typed(store, SECTIONS[0][2], ONTOLOGY_GRAPH)
    about = NamedNode(ONTOLOGY_IRI)
    return render_template(
        "ontology.html", title=_("The govkg ontology"), about=maker.properties(about),
        sections=sections, tree=hierarchy(store, classes, labeller),
        shown=labeller.show(about), formats=RDF_FORMATS)


@bp.route("/ontology")
@bp.route("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    store = current_site().store
    return document("/ontology", ext, html=ontology_html,
                    quads=lambda: store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))


@bp.route("/ontology/<version>")
def ontology_version(version: str) -> Response:
    """A version IRI (``owl:versionIRI``) of the ontology: this version, if it is the one served."""
    require_version(ONTOLOGY_IRI, f"{ONTOLOGY_IRI}/{version}")
    return ontology()


def require_version(ontology_iri: str, version_iri: str) -> None:
    try:
        version = NamedNode(version_iri)
    except ValueError as error:
        raise NotFound(f"{version_iri!r} is not a version of <{ontology_iri}>.") from error
    found = current_site().store.quads_for_pattern(
        NamedNode(ontology_iri), NamedNode(OWL_NS + "versionIRI"), version, None)
    if next(iter(found), None) is None:
        raise NotFound(f"<{version_iri}> is not the version of <{ontology_iri}> served here.")


def shapes_html() -> str:
    store = current_site().store
    labeller = Labeller(store)
    maker = TreeMaker(store, SHAPES_GRAPH, labeller)
    shapes = []
    for node in typed(store, (SH_NS + "NodeShape", SH_NS + "PropertyShape"), SHAPES_GRAPH):
        short = ("gks:" + anchor_of(node.value) if node.value.startswith(SHAPES_IRI + "#")
                 else short_term(node))  # the prefix the shapes file declares
        shapes.append({"anchor": anchor_of(node.value), "short": short,
                       "iri": node.value, "name": in_page_language(store, node, "name"),
                       "description": in_page_language(store, node, "description"),
                       "rows": maker.properties(node, skip=(SH_NS + "name",
                                                            SH_NS + "description"))})
    about = NamedNode(SHAPES_IRI)
    return render_template("shapes.html", title=_("The govkg SHACL shapes"), shapes=shapes,
                           about=maker.properties(about), formats=RDF_FORMATS)


def in_page_language(store: StoreLike, node: NamedNode, predicate: str) -> tuple[str, str]:
    """A shape's ``sh:<predicate>`` in the page's language, else in the other: (text, lang)."""
    texts: dict[str, list[str]] = {}
    for q in store.quads_for_pattern(node, NamedNode(SH_NS + predicate), None, SHAPES_GRAPH):
        if isinstance(q.object, Literal):
            lang = "zh" if (q.object.language or "").startswith("zh") else "en"
            texts.setdefault(lang, []).append(q.object.value)
    zh, en = (" ".join(sorted(texts.get(lang, []))) for lang in ("zh", "en"))
    text, _other, lang = in_language(zh, en, page_language())
    return text, lang


def message_in_page_language(violation) -> tuple[str, str]:
    """A violation's message in the page's language, else in the other: (text, lang)."""
    text, _other, lang = in_language(violation.message_zh, violation.message, page_language())
    return text, lang


@bp.route("/shapes")
@bp.route("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    store = current_site().store
    return document("/shapes", ext, html=shapes_html,
                    quads=lambda: store.quads_for_pattern(None, None, None, SHAPES_GRAPH))


@bp.route("/shapes/<version>")
def shapes_version(version: str) -> Response:
    require_version(SHAPES_IRI, f"{SHAPES_IRI}/{version}")
    return shapes()


@bp.route("/validation")
@bp.route("/validation.<ext>")
def validation(ext: str | None = None) -> Response:
    site = current_site()
    report = site.once("validation",
                       lambda: cached_validation(site.settings, site.store, site.build))

    def html() -> str:
        rows = [(v, href(v.focus), href(v.shape), message_in_page_language(v))
                for v in report.violations]
        return render_template("validation.html", title=_("SHACL validation"), report=report,
                               rows=rows, formats=RDF_FORMATS)

    return document("/validation", ext, html=html, quads=lambda: pyoxigraph.parse(
        path=str(report.report_turtle), format=RdfFormat.TURTLE))
