"""Search: ``/search?q=`` ranked results (HTML, or JSON by ``Accept`` or ``format=json``) and
``/search/suggest?q=`` (JSON) for the search box's autocomplete.

Both read the prebuilt full-text index (``govkg.search``, opened read-only per worker);
the query text never reaches SQL or HTML unescaped. The results page reads every match
the index gives (up to its ``MAX_LIMIT``), says how many there are, pages through them
(``page=``) and facets them by type and province (``type=``, ``province=``), as Datasette
facets a table. ``Accept`` is read as on every other page (``govkg.web.negotiation``).
A pinyin match counts only from the start of a name's pinyin (``yss`` is 粤省事, not the
middle of another name's initials) and shows the name it spells, never the internal pinyin
key.
"""

from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import gettext as _
from pyoxigraph import NamedNode
from werkzeug.exceptions import BadRequest, NotAcceptable

from govkg.search import MAX_LIMIT, Hit, SnippetPart, clean_query, fold
from govkg.vocab import GK, ID
from govkg.web.accept import Offer
from govkg.web.display import Labeller, in_language, page_language
from govkg.web.iris import href
from govkg.web.negotiation import HTML_NAMES, HTML_OFFERS, add_vary, best_type
from govkg.web.site import current_site

bp = Blueprint("find", __name__)

JSON = "application/json"
# HTML first: it is what a browser, or a client with no preference, gets
SEARCH_OFFERS = (*HTML_OFFERS, Offer(JSON))
RESULTS_LIMIT = 50  # per page
GK_PROVINCE = NamedNode(str(GK.province))
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
    types: tuple[str, ...] = ()  # the asserted types' labels in the page's language

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.title, "label_lang": self.title_lang, "other": self.other,
                "url": self.link, "iri": self.iri, "kind": self.kind, "source": self.source,
                "types": list(self.types),
                "snippet": [{"text": p.text, "match": p.match} for p in self.snippet]}


def as_result(hit: Hit, lang: str, labeller: Labeller | None = None) -> Result:
    """A search hit, titled by its label in the page's language (the other as fallback);
    a pinyin match shows the Chinese name it spells, not the pinyin key."""
    title, other, title_lang = in_language(hit.label_zh or "", hit.label_en or "", lang)
    snippet, snippet_lang = hit.snippet, hit.lang
    if hit.kind == "pinyin" and hit.source:
        snippet, snippet_lang = (SnippetPart(hit.source, False),), "zh"
    types = () if labeller is None else tuple(
        labeller.label(NamedNode(t)) for t in hit.types if t.startswith(GK_NS))[:2]
    return Result(title=title or hit.iri, title_lang=title_lang, other=other,
                  other_lang={"zh": "en", "en": "zh"}.get(title_lang, ""),
                  link=href(hit.iri) or hit.iri, iri=hit.iri, kind=hit.kind,
                  snippet=snippet, snippet_lang=snippet_lang, source=hit.source, types=types)


def is_true_match(hit: Hit, query: str) -> bool:
    """A pinyin key matches only from its start: ``yss`` finds 粤省事 (yss…), not
    ``gzfajhyssx`` whose ``yss`` spans the end of one word and the start of the next."""
    if hit.kind != "pinyin":
        return True
    return fold(hit.text).replace(" ", "").startswith(fold(query).replace(" ", ""))


@dataclass(frozen=True)
class Facet:
    """One value of a facet: what it is called, how many results have it, its link."""

    value: str
    label: str
    count: int
    selected: bool


def province_of(iri: str) -> str:
    """The province a resource belongs to (its ``gk:province``, else itself if it is one)."""
    store = current_site().store
    for quad in store.quads_for_pattern(NamedNode(iri), GK_PROVINCE, None, None):
        return quad.object.value
    return iri if iri.startswith(ID + "region/") else ""


def facets(values: list[tuple[str, ...]], selected: str, labeller: Labeller) -> list[Facet]:
    """The values found in ``values`` (one tuple per result), most frequent first."""
    counts: dict[str, int] = {}
    for found in values:
        for value in set(found):
            counts[value] = counts.get(value, 0) + 1
    return sorted((Facet(v, labeller.label(NamedNode(v)), n, v == selected)
                   for v, n in counts.items() if v), key=lambda f: (-f.count, f.label))


def as_suggestion(hit: Hit, lang: str, labeller: Labeller | None = None) -> Result:
    """A suggestion, titled by the name that matched what was typed (for pinyin, the Chinese
    name it spells), with the label in the page's language beside it when that differs."""
    result = as_result(hit, lang, labeller)
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
    best = best_type(SEARCH_OFFERS)
    if best is None:
        raise NotAcceptable("Available here: text/html, application/json.")
    return best == JSON


@bp.route("/search")
def results() -> Response | str:
    query = clean_query(request.args.get("q"))
    limit = int_arg("limit", RESULTS_LIMIT, MAX_LIMIT)
    page = max(1, int_arg("page", 1, MAX_LIMIT))
    lang = lang_arg()
    kind, province = request.args.get("type", "").strip(), request.args.get("province", "").strip()
    as_json = wants_json()
    hits = current_site().search.search(query, limit=MAX_LIMIT, lang=lang) if query else []
    capped = len(hits) == MAX_LIMIT  # the index gives at most this many
    hits = [h for h in hits if is_true_match(h, query)]
    labeller = Labeller(current_site().store)
    types = [tuple(t for t in h.types if t.startswith(GK_NS)) for h in hits]
    provinces = [(province_of(h.iri),) for h in hits]
    type_facets, province_facets = facets(types, kind, labeller), facets(provinces, province,
                                                                        labeller)
    kept = [h for h, t, p in zip(hits, types, provinces, strict=True)
            if (not kind or kind in t) and (not province or province in p)]
    start = (page - 1) * limit
    shown = [as_result(h, page_language(), labeller) for h in kept[start:start + limit]]
    if as_json:
        return by_language(jsonify(query=query, lang=lang, count=len(kept), page=page,
                                   more=start + limit < len(kept), capped=capped,
                                   results=[r.to_dict() for r in shown]))
    title = _("Search: %(query)s", query=query) if query else _("Search")
    return render_template("search.html", title=title, query=query, lang=lang, results=shown,
                           kinds=kind_names(), count=len(kept), capped=capped, page=page,
                           pages=max(1, -(-len(kept) // limit)) if limit else 1, first=start + 1,
                           type_facets=type_facets, province_facets=province_facets,
                           kind=kind, province=province, limit=limit)


@bp.route("/search/suggest")
def suggest() -> Response:
    query = clean_query(request.args.get("q"))
    limit = int_arg("limit", SUGGEST_LIMIT, MAX_LIMIT)
    hits = current_site().search.suggest(query, limit=limit) if query else []
    labeller = Labeller(current_site().store)
    return by_language(jsonify(query=query, suggestions=[
        as_suggestion(h, page_language(), labeller).to_dict() for h in hits
        if is_true_match(h, query)]))


def by_language(response: Response) -> Response:
    """JSON labels follow the page's language too, so caches must key on what chooses it."""
    add_vary(response, "Accept-Language", "Cookie")
    return response
