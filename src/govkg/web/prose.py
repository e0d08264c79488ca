"""Descriptions as prose a person reads: the terms a definition, description or comment
mentions by IRI (``<http://xmlns.com/foaf/0.1/Document>``) or by prefixed name
(``gk:operatedBy``, ``(platform:guangdong-government-website)``) are shown by their label in
the prose's language (else the page's) and link to their page.

The text is the data's (the ontology's or an editorial note's) and stays as written in the
store and the dumps; only its HTML changes. A token that names nothing the store knows, or
whose prefix is not one govkg declares, is left as text.
"""

import re
from collections.abc import Iterator

from flask import Flask
from markupsafe import Markup, escape
from pyoxigraph import NamedNode

from govkg.query import StoreLike
from govkg.vocab import PREFIXES
from govkg.web.display import Labeller, Shown
from govkg.web.site import current_site

# <http…> in angle brackets, or prefix:local with a declared prefix, not inside a word or URL
TOKEN = re.compile(r"<(https?://[^<>\s\"]+)>"
                   r"|(?<![A-Za-z0-9_/:@#.-])([a-z][a-z0-9]*):([A-Za-z_][A-Za-z0-9_.-]*[A-Za-z0-9_])")


def iri_of(match: re.Match) -> str | None:
    if match.group(1):
        return match.group(1)
    namespace = PREFIXES.get(match.group(2))
    return namespace + match.group(3) if namespace else None


def is_known(store: StoreLike, iri: str) -> bool:
    try:
        node = NamedNode(iri)
    except ValueError:
        return False
    return next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None


def pieces(text: str, store: StoreLike, labeller: Labeller) -> Iterator[str | Shown]:
    """``text`` cut into plain strings and the known terms it mentions."""
    at = 0
    for match in TOKEN.finditer(text):
        iri = iri_of(match)
        if iri is None or not is_known(store, iri):
            continue
        yield text[at:match.start()]
        yield labeller.show_iri(NamedNode(iri))
        at = match.end()
    yield text[at:]


def linked(text: str, store: StoreLike, labeller: Labeller) -> Markup:
    """``text`` as HTML, each known term it mentions a link named by its label."""
    html = []
    for piece in pieces(text, store, labeller):
        if isinstance(piece, str):
            html.append(escape(piece))
            continue
        lang = f' lang="{piece.text_lang}"' if piece.text_lang else ""
        if piece.link:
            html.append(Markup('<a href="{}" title="{}"{}>{}</a>').format(
                piece.link, piece.iri, Markup(lang), piece.text))
        else:
            html.append(Markup('<span title="{}"{}>{}</span>').format(
                piece.iri, Markup(lang), piece.text))
    return Markup("").join(html)


def prose(text: str, lang: str = "") -> Markup:
    """``linked`` over the served store (a template global): terms named in the prose's own
    language ``lang`` (zh or en), else in the page's."""
    store = current_site().store
    lang = lang[:2] if lang[:2] in ("zh", "en") else ""
    return linked(text, store, Labeller(store, lang or None))


def init_prose(app: Flask) -> None:
    app.jinja_env.globals["prose"] = prose
