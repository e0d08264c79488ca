"""SPARQL query text, read without a parser: tokens, keywords, the query form, the dataset it
sets and the SERVICE IRIs it names; a look at a query before Oxigraph runs it.

The read-only and no-fetch check is the first of two defences: the query workers that
evaluate user queries also run without a network (``govkg.web.serve.query_worker``), so a
query the guard misses still cannot fetch anything.

The text is split into SPARQL tokens after the ``\\u`` escapes are resolved (as the
SPARQL grammar and Oxigraph's parser do), so keywords inside strings, IRIs, comments,
variables and prefixed names never count, and escaped keywords are still found.
"""

import re
from collections.abc import Sequence
from functools import lru_cache

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:[\w.\-:%\\\u00C0-\uFFFF]*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<other>\S)
""", re.VERBOSE)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH"}


def unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return _UNICODE_ESCAPE.sub(one, text)


CACHED_TEXT_LENGTH = 4096  # short queries come again and again; long ones are not kept


def keywords(text: str) -> tuple[str, ...]:
    """The bare words of a query, upper-cased, in order (not strings, IRIs, names …)."""
    return _cached_keywords(text) if len(text) <= CACHED_TEXT_LENGTH else _keywords(text)


def _keywords(text: str) -> tuple[str, ...]:
    return tuple(m.group("word").upper() for m in TOKEN.finditer(unescape(text))
                 if m.group("word"))


_cached_keywords = lru_cache(maxsize=1024)(_keywords)


def is_update(text: str) -> bool:
    """Whether the first keyword after the prologue starts a SPARQL Update operation."""
    words = [w for w in keywords(text) if w not in ("BASE", "PREFIX")]
    return bool(words) and words[0] in UPDATE_KEYWORDS


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword after the prologue."""
    for word in keywords(text):
        if word in QUERY_FORMS:
            return word
        if word not in ("BASE", "PREFIX"):
            return None
    return None


def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (which would make the server fetch)."""
    return "SERVICE" in keywords(text)


def service_targets(text: str) -> list[str | None]:
    """What each SERVICE clause names: its ``<IRI>``, or None when it is not a plain IRI
    (a variable or a prefixed name, which the allowlist never matches)."""
    tokens = [m for m in TOKEN.finditer(unescape(text))
              if not m.group("comment")]
    targets: list[str | None] = []
    for index, token in enumerate(tokens):
        if (token.group("word") or "").upper() != "SERVICE":
            continue
        following = tokens[index + 1:index + 3]
        if following and (following[0].group("word") or "").upper() == "SILENT":
            following = following[1:]
        iri = following[0].group("iri") if following else None
        targets.append(iri[1:-1] if iri else None)
    return targets


def refused_services(text: str, allowed: Sequence[str]) -> list[str]:
    """The SERVICE targets of ``text`` that are not in the operator's allowlist."""
    if not uses_service(text):
        return []
    return ["a non-IRI target" if target is None else target
            for target in service_targets(text) if target is None or target not in allowed]


def sets_dataset(text: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(text)
