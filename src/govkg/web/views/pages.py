"""Linked-data pages: every IRI under ``/id/`` dereferences, by 303 to a document.

``GET /id/platform/beijingtong`` answers ``303 See Other`` to ``….html`` for a browser
or to ``….ttl``, ``….jsonld``, ``….nt``, ``….rdf``, ``….trig``, ``….nq`` for an RDF client
(the IRI names the thing; the documents describe it). Documents carry ETags and
``Link: rel="alternate"`` headers; unknown IRIs get a 404 with suggestions.
"""

import difflib
from collections.abc import Iterator

from flask import Blueprint, Response, redirect, render_template
from flask_babel import gettext as _
from pyoxigraph import BlankNode, NamedNode, Quad
from werkzeug.exceptions import BadRequest

from govkg.vocab import ID, RDF_NS, graph_iri
from govkg.web.display import Labeller
from govkg.web.documents import CACHE_CONTROL, RDF_FORMATS, alternate_links, document
from govkg.web.entity import describe_entity, is_known
from govkg.web.errors import NotFoundHere
from govkg.web.iris import href, public_url
from govkg.web.negotiation import pick
from govkg.web.site import current_site

bp = Blueprint("pages", __name__)
EVIDENCE = NamedNode(graph_iri("evidence"))
RDF_SUBJECT = NamedNode(RDF_NS + "subject")
STATEMENTS = ID + "statement/"
EXTENSIONS = ("html", *(f.extension for f in RDF_FORMATS))


def entity_node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise BadRequest(_("%(iri)r is not a valid IRI: %(error)s", iri=iri,
                           error=error)) from error


def split_extension(rest: str) -> tuple[str, str | None]:
    stem, dot, ext = rest.rpartition(".")
    if dot and ext in EXTENSIONS and stem:
        return stem, ext
    return rest, None


@bp.route("/id/<path:rest>")
def entity(rest: str) -> Response:
    store = current_site().store
    stem, ext = split_extension(rest)
    node = entity_node(ID + stem)
    if ext is not None and not is_known(store, node) and is_known(store, entity_node(ID + rest)):
        stem, ext, node = rest, None, entity_node(ID + rest)
    if not is_known(store, node):
        raise NotFoundHere(_("Nothing is known about <%(iri)s>.", iri=node.value),
                           suggestions(stem))
    path = f"/id/{stem}"
    if ext is None:
        return see_other(path)
    return document(path, ext, quads=lambda: describing_quads(store, node),
                    html=lambda: entity_html(node, path), about=node.value)


def see_other(path: str) -> Response:
    """303 to the document in the format the client asked for."""
    fmt = pick(RDF_FORMATS, html=True, html_first=True)
    ext = "html" if fmt is None else fmt.extension
    response = redirect(public_url(f"{path}.{ext}"), 303)
    response.headers["Cache-Control"] = CACHE_CONTROL  # the choice depends on Accept alone
    for link in alternate_links(path, RDF_FORMATS, html=True):
        response.headers.add("Link", link)
    return response


def describing_quads(store, node: NamedNode) -> Iterator[Quad]:
    """What the documents say: the entity's statements, blank nodes they lead to, links in,
    and the reified statements (graph/evidence) that give the sentence behind each statement."""
    seen: set[BlankNode] = set()
    todo: list[NamedNode | BlankNode] = [node]
    while todo:
        subject = todo.pop()
        for quad in store.quads_for_pattern(subject, None, None, None):
            yield quad
            if isinstance(quad.object, BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                todo.append(quad.object)
    for quad in store.quads_for_pattern(None, None, node, None):
        if quad.graph_name == EVIDENCE and quad.predicate != RDF_SUBJECT:
            continue  # a statement with this object: it belongs to its subject's document
        yield quad
        if quad.predicate == RDF_SUBJECT and quad.graph_name == EVIDENCE:
            yield from (q for q in store.quads_for_pattern(quad.subject, None, None, EVIDENCE)
                        if q.predicate != RDF_SUBJECT)


def entity_html(node: NamedNode, path: str) -> str:
    store = current_site().store
    labeller = Labeller(store)
    canonical = public_url(f"{path}.html")
    view = describe_entity(store, node, labeller, canonical)
    templates = [f"entity/{t.shown.iri.rpartition('#')[2]}.html" for t in view.types
                 if t.shown.iri.rpartition("#")[2].isidentifier()]
    return render_template([*templates, "entity.html"], view=view, path=path,
                           canonical=canonical, formats=RDF_FORMATS,
                           title=labeller.name(node), shown=labeller.show_iri(node))


def entity_index() -> list[str]:
    """Every IRI under ``/id/`` that something is said about, sorted; not the reified
    statements of graph/evidence, which are reached from their entities' pages."""
    def compute() -> list[str]:
        subjects = {q.subject.value for q in current_site().store.quads_for_pattern(
            None, None, None, None) if isinstance(q.subject, NamedNode)}
        return sorted(s for s in subjects if s.startswith(ID) and not s.startswith(STATEMENTS))
    return current_site().once("entity_index", compute)


def suggestions(stem: str) -> list[tuple[str, str]]:
    """Entities whose IRI looks like the one asked for."""
    known = [iri[len(ID):] for iri in entity_index()]
    close = difflib.get_close_matches(stem, known, n=8, cutoff=0.6)
    tail = stem.rpartition("/")[2]
    if tail:
        close += [k for k in known if tail in k and k not in close][: 8 - len(close)]
    labeller = Labeller(current_site().store)
    return [(href(ID + k) or "", labeller.name(NamedNode(ID + k))) for k in close]
