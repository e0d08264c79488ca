"""Content negotiation: an explicit ``format`` wins, else the ``Accept`` header, else 406.

Offered representations are registry formats (``govkg.formats``) plus, where a page
exists, HTML. Accept headers are parsed by werkzeug (``request.accept_mimetypes``).
"""

from collections.abc import Sequence

from flask import Response, request
from werkzeug.exceptions import BadRequest, NotAcceptable

from govkg.formats import FORMATS, Format, find_format_among

HTML = "text/html"
HTML_TYPES = (HTML, "application/xhtml+xml")
HTML_NAMES = ("html", "htm", *HTML_TYPES)


def offered_types(formats: Sequence[Format], html: bool, html_first: bool) -> list[str]:
    types = [t for fmt in formats for t in fmt.media_types]
    if not html:
        return list(dict.fromkeys(types))
    return list(dict.fromkeys([*HTML_TYPES, *types] if html_first else [*types, *HTML_TYPES]))


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
    offered = offered_types(formats, html, html_first)
    accept = request.accept_mimetypes
    if not request.headers.get("Accept", "").strip():
        best = offered[0]
    else:
        best = accept.best_match(offered)
    if best is None:
        raise not_acceptable(formats, html)
    if best in HTML_TYPES:
        return None
    return next(f for f in formats if best in f.media_types)


def wants_html() -> bool:
    """Whether the client prefers an HTML page to plain text or JSON (for error pages)."""
    best = request.accept_mimetypes.best_match(["text/plain", "application/json", HTML])
    return best == HTML


def add_vary(response: Response, *names: str) -> None:
    """Add header names to ``Vary`` (what ``response.vary.add`` does, without a parse and
    a rewrite of the header for each name)."""
    current = response.headers.get("Vary", "")
    present = {name.strip().lower() for name in current.split(",")}
    missing = [name for name in names if name.lower() not in present]
    if missing:
        response.headers["Vary"] = ", ".join([current, *missing] if current else missing)
