"""Search: ``/search?q=`` ranked results (HTML, or JSON by ``Accept`` or ``format=json``) and
``/search/suggest?q=`` (JSON) for the search box's autocomplete.

Both read the prebuilt full-text index (``govkg.search``, opened read-only per worker);
the query text never reaches SQL or HTML unescaped.
"""

from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from pyoxigraph import NamedNode
from werkzeug.exceptions import BadRequest, NotAcceptable

from govkg.search import MAX_LIMIT, Hit, SnippetPart, clean_query
from govkg.vocab import GK
from govkg.web.display import Labeller, in_language, page_language
from govkg.web.iris import href
from govkg.web.negotiation import HTML_NAMES, HTML_TYPES, add_vary
from govkg.web.site import current_site

bp = Blueprint("find", __name__)

JSON = "application/json"
RESULTS_LIMIT = 50
SUGGEST_LIMIT = 8
LANGS = ("zh", "en")
GK_NS = str(GK._NS)


@dataclass(frozen=True)
class Result:
    """A hit as a page shows it: label in the page's language, link, what matched."""

    title: str
    title_lang: str
    other: str
    other_lang: str
    link: str
    iri: str
    kind: str
    snippet: tuple[SnippetPart, ...]
    snippet_lang: str
    source: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.title, "label_lang": self.title_lang, "other": self.other,
                "url": self.link, "iri": self.iri, "kind": self.kind, "source": self.source,
                "snippet": [{"text": p.text, "match": p.match} for p in self.snippet]}


def as_result(hit: Hit, lang: str) -> Result:
    """A search hit, titled by its label in the page's language (the other as fallback)."""
    title, other, title_lang = in_language(hit.label_zh or "", hit.label_en or "", lang)
    return Result(title=title or hit.iri, title_lang=title_lang, other=other,
                  other_lang={"zh": "en", "en": "zh"}.get(title_lang, ""),
                  link=href(hit.iri) or hit.iri, iri=hit.iri, kind=hit.kind,
                  snippet=hit.snippet, snippet_lang=hit.lang, source=hit.source)


def as_suggestion(hit: Hit, lang: str) -> Result:
    """A suggestion, titled by the name that matched what was typed (for pinyin, the Chinese
    name it spells), with the label in the page's language beside it when that differs."""
    result = as_result(hit, lang)
    matched, matched_lang = ((hit.source, "zh") if hit.kind == "pinyin" and hit.source
                             else (hit.text, hit.lang[:2]))
    if matched == result.title:
        return result
    return replace(result, title=matched, title_lang=matched_lang, other=result.title,
                   other_lang=result.title_lang)


def kind_names() -> dict[str, str]:
    """What each kind of matched text is called on the page."""
    return {"label": _("name"), "altLabel": _("other name"), "pinyin": _("pinyin"),
            "definition": _("definition"), "sentence": _("report sentence")}


def int_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a whole number from 0 to {maximum}, not {raw[:40]!r}.")
    return min(int(raw), maximum)


def lang_arg() -> str | None:
    lang = request.args.get("lang", "").strip().lower() or None
    if lang is not None and lang not in LANGS:
        raise BadRequest(f"lang must be one of {', '.join(LANGS)}, not {lang[:40]!r}.")
    return lang


def wants_json() -> bool:
    """``format=json`` or ``format=html`` wins; else the Accept header (HTML by default)."""
    fmt = request.args.get("format", "").strip().lower()
    if fmt:
        if fmt in ("json", JSON):
            return True
        if fmt in HTML_NAMES:
            return False
        raise BadRequest(f"Unknown format {fmt[:40]!r}. Known here: html, json.")
    if not request.headers.get("Accept", "").strip():
        return False
    best = request.accept_mimetypes.best_match([*HTML_TYPES, JSON])
    if best is None:
        raise NotAcceptable("Available here: text/html, application/json.")
    return best == JSON


@bp.route("/search")
def results() -> Response | str:
    query = clean_query(request.args.get("q"))
    limit = int_arg("limit", RESULTS_LIMIT, MAX_LIMIT)
    lang = lang_arg()
    as_json = wants_json()
    hits = current_site().search.search(query, limit=limit, lang=lang) if query else []
    shown = [as_result(h, page_language()) for h in hits]
    if as_json:
        return by_language(jsonify(query=query, lang=lang, count=len(shown),
                                   results=[r.to_dict() for r in shown]))
    title = _("Search: %(query)s", query=query) if query else _("Search")
    labeller = Labeller(current_site().store)
    types = [[labeller.label(NamedNode(t)) for t in h.types if t.startswith(GK_NS)][:2]
             for h in hits]
    return render_template("search.html", title=title, query=query, lang=lang,
                           results=list(zip(shown, types, strict=True)), kinds=kind_names())


@bp.route("/search/suggest")
def suggest() -> Response:
    query = clean_query(request.args.get("q"))
    limit = int_arg("limit", SUGGEST_LIMIT, MAX_LIMIT)
    hits = current_site().search.suggest(query, limit=limit) if query else []
    return by_language(jsonify(
        query=query, suggestions=[as_suggestion(h, page_language()).to_dict() for h in hits]))


def by_language(response: Response) -> Response:
    """JSON labels follow the page's language too, so caches must key on what chooses it."""
    add_vary(response, "Accept-Language", "Cookie")
    return response
