"""Content negotiation: an explicit ``format`` wins, else the ``Accept`` header, else 406.

Offered representations are registry formats (``govkg.formats``) plus, where a page
exists, HTML, in the server's order of preference: among types a client weighs equally
the first offered wins, so a generic RDF client (``*/*``, or several RDF types at one
weight) gets Turtle, and a quad format only when it ranks one above the triple formats.
The Accept header is read by ``govkg.web.accept`` (RFC 9110: ``q=0`` refuses, the most
specific entry decides, parameters never stop a match).
"""

from collections.abc import Sequence
from functools import lru_cache

from flask import Response, request
from werkzeug.exceptions import BadRequest, NotAcceptable

from govkg.formats import FORMATS, Format, find_format_among
from govkg.web.accept import Offer, best_offer, matching_entry, parse_accept

HTML = "text/html"
HTML_TYPES = (HTML, "application/xhtml+xml")
HTML_NAMES = ("html", "htm", *HTML_TYPES)
HTML_OFFERS = (Offer(HTML), Offer("application/xhtml+xml", wildcards=False))
JSON_LD = "application/ld+json"
JSON_LD_PROFILES = "http://www.w3.org/ns/json-ld#"  # + expanded, compacted, flattened
ERROR_OFFERS = (Offer("text/plain"), Offer("application/json"), Offer(HTML))


def format_offers(formats: Sequence[Format]) -> tuple[Offer, ...]:
    """Each format's own media type, matched by wildcards too, then its aliases (by name only)."""
    offers: dict[str, Offer] = {}
    for fmt in formats:
        offers.setdefault(fmt.media_type, Offer(fmt.media_type))
    for fmt in formats:
        for alias in fmt.also:
            offers.setdefault(alias, Offer(alias, wildcards=False))
    return tuple(offers.values())


@lru_cache(maxsize=64)
def offers_for(formats: tuple[Format, ...], html: bool, html_first: bool) -> tuple[Offer, ...]:
    offers = format_offers(formats)
    if not html:
        return offers
    return (*HTML_OFFERS, *offers) if html_first else (*offers, *HTML_OFFERS)


def best_type(offers: tuple[Offer, ...]) -> str | None:
    """The offered media type this request's Accept prefers: the first offer without one."""
    header = request.headers.get("Accept", "").strip()
    if not header:
        return offers[0].media_type
    chosen = best_offer(header, offers)
    return None if chosen is None else chosen[0].media_type


def not_acceptable(formats: Sequence[Format], html: bool) -> NotAcceptable:
    types = [fmt.media_type for fmt in formats] + ([HTML] if html else [])
    return NotAcceptable(
        "None of the media types in your Accept header or format parameter is available here. "
        "Available: " + ", ".join(types) + "."
    )


def _explicit(names: list[str], formats: Sequence[Format], html: bool) -> Format | str | None:
    """The first requested name that fits; "" when names were given but none fits."""
    for name in names:
        if html and name.strip().lower() in HTML_NAMES:
            return None
        fmt = find_format_among(formats, name)
        if fmt is not None:
            return fmt
    return ""


def pick(formats: Sequence[Format], *, html: bool = True, html_first: bool = True,
         params: Sequence[str] = ("format",)) -> Format | None:
    """The representation to send: a format, or None for HTML. Aborts with 400 or 406.

    ``params`` are the query parameters that may name a format (``format``, ``output`` …).
    """
    names = [v for p in params for v in request.values.getlist(p) if v.strip()]
    if names:
        chosen = _explicit(names, formats, html)
        if chosen != "":
            return chosen  # type: ignore[return-value]
        if any(find_format_among(FORMATS, n) or n.strip().lower() in HTML_NAMES for n in names):
            raise not_acceptable(formats, html)
        known = ", ".join(f.name for f in formats) + (", html" if html else "")
        raise BadRequest(f"Unknown format {names[0]!r}. Known here: {known}.")
    best = best_type(offers_for(tuple(formats), html, html_first))
    if best is None:
        raise not_acceptable(formats, html)
    if best in HTML_TYPES:
        return None
    return next(f for f in formats if best in f.media_types)


def jsonld_profile() -> str:
    """The JSON-LD form the client asked for: "expanded" or "compacted" (the default: also
    for ``flattened``, which is a hint a server may ignore)."""
    entry = matching_entry(parse_accept(request.headers.get("Accept", "")), Offer(JSON_LD))
    profiles = (entry.param("profile") or "").split() if entry is not None else []
    if JSON_LD_PROFILES + "expanded" in profiles and JSON_LD_PROFILES + "compacted" \
            not in profiles:
        return "expanded"
    return "compacted"


def error_type() -> str:
    """How to word an error for this client: text/plain, application/json or text/html."""
    return best_type(ERROR_OFFERS) or "text/plain"


def wants_html() -> bool:
    """Whether the client prefers an HTML page to plain text or JSON (for error pages)."""
    return error_type() == HTML


def add_vary(response: Response, *names: str) -> None:
    """Add header names to ``Vary`` (what ``response.vary.add`` does, without a parse and
    a rewrite of the header for each name)."""
    current = response.headers.get("Vary", "")
    present = {name.strip().lower() for name in current.split(",")}
    missing = [name for name in names if name.lower() not in present]
    if missing:
        response.headers["Vary"] = ", ".join([current, *missing] if current else missing)
