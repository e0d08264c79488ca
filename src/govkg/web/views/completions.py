"""What the query editor completes, from the store: the whole list, and the terms of a kind.

``/sparql/completions.json`` lists the prefixes every query may use without declaring them
(``govkg.vocab.PREFIXES``) and every term of the store that those prefixes can shorten, each
with its kind and its labels in Chinese and English: the editor names results and checks
prefixes with it.

``/sparql/terms?kind=class|property|entity&q=…`` answers what the editor offers at a place
in a triple (a class after ``a``, a property where a property belongs, an entity as subject
or object): the terms of that kind that ``q`` (what was typed) names, best first, at most
``limit``, each with its IRI, prefixed name, label in the page's language (the other
language as fallback, else beside it) and type, and how many matched in all. Kinds and types are
``govkg.terms``'; the index is read once per process.
"""

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from govkg.terms import KINDS, Term, TermIndex, load_terms
from govkg.vocab import OWL, PREFIXES, RDF, RDFS
from govkg.web.i18n import LANGUAGES, current_language
from govkg.web.negotiation import add_vary
from govkg.web.site import current_site

bp = Blueprint("completions", __name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_TEXT = 200  # characters: longer than any name or label of the store


def term_index() -> TermIndex:
    site = current_site()
    return site.once("terms", lambda: load_terms(site.store))


def build_completions(index: TermIndex) -> dict[str, Any]:
    """The document: ``{"prefixes": {name: IRI}, "terms": [{name, kind, zh, en}]}``."""
    terms = [{"name": t.name, "kind": t.kind, **t.labels}
             for t in index.by_iri.values() if t.name is not None]
    terms.sort(key=lambda term: (KINDS.index(term["kind"]), term["name"]))
    return {"prefixes": dict(PREFIXES), "terms": terms}


@bp.route("/sparql/completions.json")
def completions() -> Response:
    site = current_site()
    response = jsonify(site.once("completions", lambda: build_completions(term_index())))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.set_etag(f"completions-{site.build}")  # the store changes only with a new build
    return response.make_conditional(request)


def meta_names() -> dict[str, str]:
    """What the kinds of class and property are called on the page."""
    return {str(OWL.Class): _("OWL class"), str(RDFS.Class): _("RDFS class"),
            str(OWL.ObjectProperty): _("object property"),
            str(OWL.DatatypeProperty): _("datatype property"),
            str(OWL.AnnotationProperty): _("annotation property"),
            str(RDF.Property): _("property")}


def described(term: Term, index: TermIndex, language: str, metas: dict[str, str]
              ) -> dict[str, Any]:
    """One candidate as the editor shows it: name and label, and its type's name and label."""
    label = term.label(language)
    other = term.labels.get("en" if language == "zh" else "zh")
    type_term = index.by_iri.get(term.type) if term.type else None
    # the kinds of class and property by the editor's own names, which tell OWL from RDFS
    # (the store labels owl:Class and rdfs:Class both 类); other types by their label
    type_label = ((metas[term.type], language) if term.type in metas else None) or (
        type_term.label(language) if type_term else None)
    return {"iri": term.iri, "name": term.name,
            "label": label[0] if label else None, "label_lang": label[1] if label else None,
            "other": other if label and label[1] == language else None,
            "other_lang": ("en" if language == "zh" else "zh")
            if other and label and label[1] == language else None,
            "type": term.type, "type_name": type_term.name if type_term else None,
            "type_label": type_label[0] if type_label else None,
            "type_label_lang": type_label[1] if type_label else None}


def limit_arg() -> int:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, "
                         f"not {raw[:40]!r}.")
    return int(raw)


@bp.route("/sparql/terms")
def terms() -> Response:
    kind = request.args.get("kind", "").strip()
    if kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}."
                         if kind else f"Say which kind of term: kind={'|'.join(KINDS)}.")
    text = request.args.get("q", "")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"q is {len(text)} characters long; at most {MAX_TEXT} are read.")
    language = request.args.get("lang", "").strip().lower() or current_language()
    if language not in LANGUAGES:
        raise BadRequest(f"lang must be one of {', '.join(LANGUAGES)}, not {language[:40]!r}.")
    limit = limit_arg()
    index = term_index()
    found = index.find(kind, text, limit)
    with force_locale(language):
        metas = meta_names()
    response = jsonify(kind=kind, q=text, lang=language, limit=limit, total=found.total,
                       truncated=found.total > len(found.terms),
                       results=[described(t, index, language, metas) for t in found.terms])
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    add_vary(response, "Accept-Language", "Cookie")  # without lang=, they choose it
    return response
