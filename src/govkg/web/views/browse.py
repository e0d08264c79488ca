"""Browsing: the home page, provinces, classes, every entity, named graphs, sitemap, robots.

From ``/`` every entity page can be reached by following links (classes and the
all-entities listing both list every one).
"""

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable
from werkzeug.exceptions import BadRequest, NotFound

from govkg.query import select
from govkg.table import short_term
from govkg.vocab import GK, GRAPH_NAMES, ID, PREFIXES, graph_iri
from govkg.web.display import Labeller
from govkg.web.documents import document
from govkg.web.entity import FIGURE_COLUMNS, FigureRow
from govkg.web.examples import EXAMPLES
from govkg.web.i18n import current_language
from govkg.web.iris import href, public_url
from govkg.web.site import current_site

bp = Blueprint("browse", __name__)

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

INSTANCES = """
SELECT ?class ?s (MIN(?inferred) AS ?onlyInferred) WHERE {
  GRAPH ?g { ?s a ?class }
  BIND(?g = <https://w3id.org/govkg/graph/inferred> AS ?inferred)
} GROUP BY ?class ?s ORDER BY ?s"""

IN_PROVINCE = """
SELECT DISTINCT ?entity ?thing ?type WHERE {
  ?thing gk:province ?entity .
  OPTIONAL { GRAPH <https://w3id.org/govkg/graph/data> { ?thing a ?type } }
} ORDER BY ?type ?thing"""

PROVINCE_FIGURES = """
SELECT DISTINCT ?entity ?figure ?indicator ?value ?unit ?qualifier ?date ?counted WHERE {
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
    return render_template("home.html", title="govkg", stats=stats, provinces=provinces,
                           examples=examples, graphs=GRAPH_NAMES)


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
    groups: dict[str, list] = {}
    for s in solutions(IN_PROVINCE, entity=node):
        kind = labeller.name(s["type"]) if s["type"] is not None else _("Other")
        shown = labeller.show(s["thing"])
        if shown not in groups.setdefault(kind, []):
            groups[kind].append(shown)
    show = labeller.show
    figures = [FigureRow(show(s["figure"]), show(s["indicator"]), show(s["value"]),
                         show(s["unit"]), show(s["qualifier"]), show(s["date"]),
                         show(s["counted"])) for s in solutions(PROVINCE_FIGURES, entity=node)]
    quotes = [(show(s["sentence"]), s["text"].value)
              for s in solutions(PROVINCE_SENTENCES, entity=node)]
    return render_template("province.html", title=labeller.name(node), node=labeller.show(node),
                           groups=sorted(groups.items()), figures=figures, quotes=quotes)


@bp.route("/classes/")
def classes() -> Response | str:
    if "iri" in request.args:
        return class_page(request.args["iri"])
    labeller = Labeller(current_site().store)
    rows = [(labeller.show(s["class"]), short_term(s["class"]), class_link(s["class"]),
             int(s["n"].value)) for s in solutions(CLASSES, id=Literal(ID))
            if isinstance(s["class"], NamedNode)]
    return render_template("classes.html", title=_("Classes"), rows=rows)


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
    labeller = Labeller(current_site().store)
    rows = [(labeller.show(s["s"]), s["onlyInferred"].value == "true")
            for s in solutions(INSTANCES, **{"class": node})
            if isinstance(s["s"], NamedNode) and s["s"].value.startswith(ID)]
    if not rows:
        raise NotFound(_("No entity has the type <%(iri)s>; see /classes/.", iri=iri))
    rows.sort(key=lambda r: (r[0].text, r[0].iri))
    return render_template("class.html", title=labeller.name(node), node=labeller.show(node),
                           short=short_term(node), rows=rows)


@bp.route("/entities/")
def entities() -> str:
    from govkg.web.views.pages import entity_index

    labeller = Labeller(current_site().store)
    groups: dict[str, list] = {}
    for iri in entity_index():
        kind = iri[len(ID):].partition("/")[0]
        groups.setdefault(kind, []).append(labeller.show(NamedNode(iri)))
    return render_template("entities.html", title=_("All entities"), groups=sorted(groups.items()))


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
