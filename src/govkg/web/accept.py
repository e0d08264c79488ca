"""The ``Accept`` header read as RFC 9110 §12.5.1 says, and the offered type it prefers.

Each offered media type takes the weight of the most specific entry that matches it
(``type/subtype;param`` > ``type/subtype`` > ``type/*`` > ``*/*``), so ``text/html;q=0, */*``
refuses HTML and ``text/turtle;q=0.5, */*`` ranks Turtle below the rest. ``q=0`` means
"not acceptable". Parameters other than ``q`` never stop a match (``charset=utf-8``,
``profile=…``): they are kept for the caller (a JSON-LD ``profile``). Among equal weights
the entry named more specifically wins, then the server's order. Aliases (``text/xml`` for
SPARQL XML, ``text/plain`` for N-Triples) match only when named, never by a wildcard.

werkzeug's matcher was not enough: it drops ``q=0`` entries (so ``*/*`` wins instead), lets
parameters stop a match, and ranks a wildcard like the type it stands for.
"""

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Entry:
    type: str  # "text", "*"
    subtype: str  # "turtle", "*"
    params: tuple[tuple[str, str], ...]  # lower-case names, without q
    q: float

    def specificity(self, media_type: str) -> int:
        """How closely this entry names ``media_type``: 3 with parameters, 2 exactly, 1 for
        ``type/*``, 0 for ``*/*``, -1 when it does not match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 3 if self.params else 2

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


@dataclass(frozen=True)
class Offer:
    media_type: str
    wildcards: bool = True  # False: an alias, matched only when named


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def _split_unquoted(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside double quotes (a profile may hold commas)."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[Entry, ...]:
    """The entries of an Accept header; malformed ones are skipped, as RFC 9110 allows."""
    entries = []
    for item in _split_unquoted(header, ","):
        pieces = _split_unquoted(item, ";")
        kind, slash, sub = pieces[0].strip().lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q, params = 1.0, []
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            name = name.strip().lower()
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0 if value.strip() else 1.0
            elif name:
                params.append((name, _unquote(value)))
        entries.append(Entry(kind, sub, tuple(params), q))
    return tuple(entries)


def matching_entry(entries: tuple[Entry, ...], offer: Offer) -> Entry | None:
    """The most specific entry that names ``offer`` (the first of equals), or None."""
    best, best_rank = None, -1
    for entry in entries:
        rank = entry.specificity(offer.media_type)
        if rank < 2 and not offer.wildcards:
            continue
        if rank > best_rank:
            best, best_rank = entry, rank
    return best


def best_offer(header: str, offers: tuple[Offer, ...]) -> tuple[Offer, Entry] | None:
    """The offer the client prefers and the entry that chose it; None when nothing fits."""
    entries = parse_accept(header)
    best, best_key = None, None
    for position, offer in enumerate(offers):
        entry = matching_entry(entries, offer)
        if entry is None or entry.q <= 0:
            continue
        key = (entry.q, min(entry.specificity(offer.media_type), 2), -position)
        if best_key is None or key > best_key:
            best, best_key = (offer, entry), key
    return best
