"""Browsing: the home page, provinces, classes, every entity, named graphs, sitemap, robots.

From ``/`` every entity page can be reached by following links (classes and the
all-entities listing both list every one).
"""

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable
from werkzeug.exceptions import BadRequest, NotFound

from govkg.query import select
from govkg.table import short_term
from govkg.vocab import GK, GRAPH_NAMES, ID, PREFIXES, graph_iri
from govkg.web.display import Labeller, Shown, reading_key
from govkg.web.documents import document
from govkg.web.entity import (
    FIGURE_COLUMNS,
    describe_entity,
    description_of,
    figure_row,
    figure_variables,
    is_known,
)
from govkg.web.examples import EXAMPLES
from govkg.web.i18n import current_language
from govkg.web.iris import href, public_url
from govkg.web.site import current_site

bp = Blueprint("browse", __name__)
RDFS_SUBCLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

PROVINCES = """
SELECT ?province (MIN(?position) AS ?first) WHERE {
  ?province a gk:Province .
  OPTIONAL { ?province gk:statedIn/gk:position ?position }
} GROUP BY ?province ORDER BY ?first ?province"""

TIER_MEMBERS = "SELECT DISTINCT ?member WHERE { ?tier a gk:Tier ; gk:member ?member }"

CLASSES = """
SELECT ?id ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class FILTER(ISIRI(?s) && STRSTARTS(STR(?s), ?id))
} GROUP BY ?id ?class ORDER BY DESC(?n) ?class"""

# A thing's date is when it came about (launched, issued …); its target date only where it
# has no other, since a plan "for 2018–2020" issued in 2018 is not a thing of 2020.
INSTANCES = """
SELECT ?class ?s (MIN(?inferred) AS ?onlyInferred) (SAMPLE(?region) AS ?province)
       (COALESCE(MIN(?date), MIN(?target)) AS ?when) WHERE {
  GRAPH ?g { ?s a ?class }
  BIND(?g = <https://w3id.org/govkg/graph/inferred> AS ?inferred)
  OPTIONAL { ?s gk:province ?region }
  OPTIONAL { ?s gk:launchedOn|gk:issuedOn|gk:eventDate|gk:refDate|dcterms:date
                |schema:startDate|schema:datePublished ?date }
  OPTIONAL { ?s gk:targetDate ?target }
} GROUP BY ?class ?s ORDER BY ?s"""
CLASS_SORTS = ("name", "province", "date")

IN_PROVINCE = """
SELECT ?entity ?thing ?type (COALESCE(MIN(?date), MIN(?target)) AS ?when) WHERE {
  ?thing gk:province ?entity .
  OPTIONAL { GRAPH <https://w3id.org/govkg/graph/data> { ?thing a ?type } }
  OPTIONAL { ?thing gk:launchedOn|gk:issuedOn|gk:eventDate|gk:refDate|dcterms:date
                    |schema:startDate|schema:datePublished ?date }
  OPTIONAL { ?thing gk:targetDate ?target }
} GROUP BY ?entity ?thing ?type ORDER BY ?type ?thing"""
KEY_FIGURES = 3

PROVINCE_FIGURES = """
SELECT DISTINCT ?entity ?pageLang ?figure ?indicator ?value ?unit ?qualifier ?date ?counted WHERE {
  { ?figure gk:measuredEntity ?entity } UNION { ?figure gk:measuredEntity/gk:province ?entity }
  UNION { ?figure a gk:Measurement ; gk:province ?entity }""" + FIGURE_COLUMNS

PROVINCE_SENTENCES = """
SELECT DISTINCT ?entity ?sentence ?text ?position WHERE {
  { ?entity gk:statedIn ?sentence } UNION { ?thing gk:province ?entity ; gk:statedIn ?sentence }
  ?sentence gk:text ?text ; gk:position ?position .
} ORDER BY ?position"""


def solutions(text: str, **bindings: NamedNode | Literal) -> QuerySolutions:
    return select(current_site().store, text,
                  substitutions={Variable(k): v for k, v in bindings.items()})


def class_link(node: NamedNode) -> str:
    """The listing of a class: ``/classes/gk:Province``, or by IRI for unknown namespaces."""
    short = short_term(node)
    if short.startswith("<"):
        return url_for("browse.classes", iri=node.value)
    return url_for("browse.class_listing", name=short)


@bp.route("/")
def home() -> str:
    site = current_site()
    stats = site.graph_stats()

    def listed_provinces() -> list[tuple]:
        labeller = Labeller(site.store)
        tier = {s["member"] for s in solutions(TIER_MEMBERS)}
        return [(labeller.show(s["province"]), s["province"] in tier,
                 url_for("browse.province", slug=s["province"].value.rpartition("/")[2]))
                for s in solutions(PROVINCES)]

    # Once per process: a big store has thousands of provinces, and they never change.
    provinces = site.once(f"home:provinces:{current_language()}", listed_provinces)
    examples = [(example.title(current_language()), url_for("sparql.endpoint", query=example.text))
                for example in EXAMPLES]
    fact = site.once(f"home:fact:{current_language()}", example_fact)
    return render_template("home.html", title="govkg", stats=stats, provinces=provinces,
                           examples=examples, graphs=GRAPH_NAMES, fact=fact)


EXAMPLE_FACT = ID + "figure/guangdong-yueshengshi-first-day-users"


def example_fact() -> tuple[str, str, str] | None:
    """The home page's example: a figure as one sentence, the report's sentence, its page."""
    store, node = current_site().store, NamedNode(EXAMPLE_FACT)
    if not is_known(store, node):  # another data set
        return None
    view = describe_entity(store, node, Labeller(store), "")
    quote = view.quotes[0].text if view.quotes else ""
    return view.lead, quote, href(EXAMPLE_FACT) + ".html"


@bp.route("/provinces/")
def provinces() -> str:
    labeller = Labeller(current_site().store)
    rows = [(labeller.show(s["province"]),
             url_for("browse.province", slug=s["province"].value.rpartition("/")[2]))
            for s in solutions(PROVINCES)]
    return render_template("provinces.html", title=_("Provinces"), rows=rows)


@bp.route("/provinces/<slug>")
def province(slug: str) -> str:
    store = current_site().store
    try:
        node = NamedNode(f"{ID}region/{slug}")
    except ValueError as error:
        raise BadRequest(_("%(slug)r cannot be part of an IRI.", slug=slug)) from error
    if next(iter(store.quads_for_pattern(node, None, NamedNode(str(GK.Province)), None)),
            None) is None:
        raise NotFound(_("There is no province called %(slug)r; see /provinces/.", slug=slug))
    labeller = Labeller(store)
    groups: dict[str, list[tuple[str, Shown, str]]] = {}
    for s in solutions(IN_PROVINCE, entity=node):
        kind = labeller.label(s["type"]) if s["type"] is not None else _("Other")
        shown = labeller.show(s["thing"])
        when = s["when"]
        if all(shown != listed for _d, listed, _w in groups.setdefault(kind, [])):
            groups[kind].append((when.value if when is not None else "", shown,
                                 labeller.show(when).text if when is not None else ""))
    # Each kind by date (undated last), then by name as a reader orders names.
    ordered = sorted(((kind, sorted(things, key=lambda t: (not t[0], t[0],
                                                           reading_key(t[1].text))))
                      for kind, things in groups.items()), key=lambda g: reading_key(g[0]))
    show = labeller.show
    figures = [figure_row(s, labeller) for s in solutions(
        PROVINCE_FIGURES, entity=node, **figure_variables(labeller.lang))]
    quotes = [(show(s["sentence"]), s["text"].value)
              for s in solutions(PROVINCE_SENTENCES, entity=node)]
    dated = sorted({t[1].iri: t for things in groups.values() for t in things if t[0]}.values(),
                   key=lambda t: (t[0], reading_key(t[1].text)))
    return render_template("province.html", title=labeller.name(node), node=labeller.show(node),
                           groups=ordered, figures=figures, quotes=quotes, earliest=dated[:3],
                           key_figures=[f.sentence(labeller.lang) for f in figures][:KEY_FIGURES])


SUPERCLASSES = """
SELECT DISTINCT ?class ?super WHERE {
  ?class rdfs:subClassOf ?super FILTER(ISIRI(?super) && ?class != ?super)
}"""


@dataclass
class ClassNode:
    """A class in the /classes/ tree: its entities counted, its subclasses under it."""

    shown: Shown
    short: str
    link: str
    count: int
    children: list["ClassNode"] = field(default_factory=list)


def class_tree(rows: list[ClassNode], supers: dict[str, list[str]]) -> list[ClassNode]:
    """Each class under a listed superclass of its own vocabulary (govkg's classes form
    govkg's tree, which comes first; the vocabularies they extend follow), then by name as
    a reader orders them."""
    by_iri = {r.shown.iri: r for r in rows}
    gk = str(GK._NS)
    roots = []
    for row in rows:
        own = row.shown.iri.startswith(gk)
        parents = sorted(s for s in supers.get(row.shown.iri, [])
                         if s in by_iri and s.startswith(gk) == own)
        (by_iri[parents[0]].children if parents else roots).append(row)

    def order(nodes: list[ClassNode]) -> list[ClassNode]:
        for node in nodes:
            node.children = order(node.children)
        return sorted(nodes, key=lambda n: (not n.shown.iri.startswith(gk),
                                            reading_key(n.shown.text)))
    return order(roots)


@bp.route("/classes/")
def classes() -> Response | str:
    if "iri" in request.args:
        return class_page(request.args["iri"])
    labeller = Labeller(current_site().store)
    rows = [ClassNode(labeller.show(s["class"]), short_term(s["class"]), class_link(s["class"]),
                      int(s["n"].value)) for s in solutions(CLASSES, id=Literal(ID))
            if isinstance(s["class"], NamedNode)]
    supers: dict[str, list[str]] = {}
    for s in solutions(SUPERCLASSES):
        supers.setdefault(s["class"].value, []).append(s["super"].value)
    return render_template("classes.html", title=_("Classes"), tree=class_tree(rows, supers))


@bp.route("/classes/<name>")
def class_listing(name: str) -> str:
    prefix, colon, local = name.partition(":")
    if not colon or prefix not in PREFIXES:
        raise NotFound(_("%(name)r is not a class name like gk:Province; see /classes/.",
                         name=name))
    return class_page(PREFIXES[prefix] + local)


def class_page(iri: str) -> str:
    try:
        node = NamedNode(iri)
    except ValueError as error:
        raise BadRequest(_("%(iri)r is not a valid IRI.", iri=iri)) from error
    store = current_site().store
    labeller = Labeller(store)
    sort = request.args.get("sort", "name")
    if sort not in CLASS_SORTS:
        raise BadRequest(_("sort must be one of %(sorts)s.", sorts=", ".join(CLASS_SORTS)))
    descending = request.args.get("order") == "desc"
    rows = [Member(labeller.show(s["s"]), s["onlyInferred"].value == "true",
                   labeller.show(s["province"]) if s["province"] is not None else None,
                   labeller.show(s["when"]) if s["when"] is not None else None,
                   s["when"].value if s["when"] is not None else "")
            for s in solutions(INSTANCES, **{"class": node})
            if isinstance(s["s"], NamedNode) and s["s"].value.startswith(ID)]
    if not rows:
        raise NotFound(_("No entity has the type <%(iri)s>; see /classes/.", iri=iri))
    rows.sort(key=lambda m: m.sort_key(sort), reverse=descending)
    return render_template("class.html", title=labeller.name(node), node=labeller.show(node),
                           short=short_term(node), rows=rows, sort=sort, descending=descending,
                           definition=description_of(store, node, labeller),
                           supers=related_classes(node, labeller, up=True),
                           subs=related_classes(node, labeller, up=False),
                           has_province=any(m.province for m in rows),
                           has_date=any(m.date for m in rows))


def related_classes(node: NamedNode, labeller: Labeller, up: bool) -> list[Shown]:
    """The direct superclasses (``up``) or subclasses of ``node``, as a reader orders them."""
    store = current_site().store
    quads = (store.quads_for_pattern(node, RDFS_SUBCLASS, None, None) if up
             else store.quads_for_pattern(None, RDFS_SUBCLASS, node, None))
    found = {q.object if up else q.subject for q in quads}
    shown = [labeller.show(c) for c in found if isinstance(c, NamedNode) and c != node]
    return sorted(shown, key=lambda c: reading_key(c.text))


@dataclass(frozen=True)
class Member:
    """A row of a class page's table: the entity, its province and its date."""

    shown: Shown
    only_inferred: bool
    province: Shown | None
    date: Shown | None
    date_value: str  # the lexical date (2018-05 sorts before 2018-05-21 and 2019)

    def sort_key(self, column: str) -> tuple:
        name = reading_key(self.shown.text)
        if column == "province":
            return (self.province is None,
                    reading_key(self.province.text) if self.province else "", name)
        if column == "date":
            return (not self.date_value, self.date_value, name)
        return (name, self.shown.iri)


def kind_names() -> dict[str, str]:
    """What the first segment of an entity's IRI (``/id/platform/…``) holds, in words."""
    return {"company": _("Companies"), "event": _("Events"), "figure": _("Figures"),
            "indicator": _("Indicators"), "model": _("Models and slogans"),
            "org": _("Organisations"), "platform": _("Platforms"), "policy": _("Policies"),
            "ranking": _("Rankings"), "region": _("Regions"), "report": _("The report"),
            "sentence": _("Report sentences")}


@bp.route("/entities/")
def entities() -> str:
    from govkg.web.views.pages import entity_index

    labeller = Labeller(current_site().store)
    groups: dict[str, list] = {}
    for iri in entity_index():
        kind = iri[len(ID):].partition("/")[0]
        groups.setdefault(kind, []).append(labeller.show(NamedNode(iri)))
    names = kind_names()
    for kind, things in groups.items():
        if kind != "sentence":  # sentences stay in the report's order
            things.sort(key=lambda t: reading_key(t.text))
    listed = sorted(((kind, names.get(kind, kind), things) for kind, things in groups.items()),
                    key=lambda g: reading_key(g[1]))
    return render_template("entities.html", title=_("All entities"), groups=listed)


@bp.route("/graph/<name>")
def graph(name: str) -> Response:
    stem, dot, ext = name.partition(".")
    name, ext = (stem, ext) if dot else (name, None)
    if name not in GRAPH_NAMES:
        raise NotFound(_("There is no graph called %(name)r. Graphs: %(graphs)s.", name=name,
                         graphs=", ".join(GRAPH_NAMES)))
    store = current_site().store
    node = NamedNode(graph_iri(name))
    stats = current_site().graph_stats()
    query = f"SELECT * WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }} LIMIT 100"
    return document(f"/graph/{name}", ext,
                    quads=lambda: store.quads_for_pattern(None, None, None, node),
                    html=lambda: render_template(
                        "graph.html", title=f"graph/{name}", name=name, iri=node.value,
                        triples=stats.triples_per_graph.get(name, 0),
                        query=url_for("sparql.endpoint", query=query)))


@bp.route("/robots.txt")
def robots() -> Response:
    body = f"User-agent: *\nDisallow: /sparql\nSitemap: {public_url('/sitemap.xml')}\n"
    return Response(body, mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap() -> Response:
    from govkg.web.views.pages import entity_index

    paths = ["/", "/provinces/", "/classes/", "/entities/", "/ontology", "/shapes",
             "/validation", "/sparql", "/dumps/", "/.well-known/void", "/catalog",
             url_for("find.results"), url_for("timeline.timeline"),
             url_for("compare.matrix_page"), url_for("figures.figures")]
    paths += [f"/graph/{name}" for name in GRAPH_NAMES]
    slugs = [s["province"].value.rpartition("/")[2] for s in solutions(PROVINCES)]
    paths += [url_for("browse.province", slug=slug) for slug in slugs]
    paths += [url_for("timeline.timeline", province=slug) for slug in slugs]
    paths += [class_link(s["class"]) for s in solutions(CLASSES, id=Literal(ID))
              if isinstance(s["class"], NamedNode)]
    paths += [f"{href(iri)}.html" for iri in entity_index()]
    root = request.script_root
    urls = "".join(
        f"<url><loc>{public_url(quote(p.removeprefix(root), safe='/:?=&%'))}</loc></url>\n"
        .replace("&", "&amp;") for p in paths)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")
    return Response(body, mimetype="application/xml")
