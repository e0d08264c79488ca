"""Read-only and no remote fetching: a look at a query's keywords before Oxigraph runs it.

The text is split into SPARQL tokens after the ``\\u`` escapes are resolved (as the
SPARQL grammar and Oxigraph's parser do), so keywords inside strings, IRIs, comments,
variables and prefixed names never count, and escaped keywords are still found.
"""

import re

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
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


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased, in order (not strings, IRIs, names …)."""
    return [m.group("word").upper() for m in _TOKEN.finditer(unescape(text))
            if m.group("word")]


def is_update(text: str) -> bool:
    """Whether the first keyword after the prologue starts a SPARQL Update operation."""
    words = [w for w in keywords(text) if w not in ("BASE", "PREFIX")]
    return bool(words) and words[0] in UPDATE_KEYWORDS


def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (which would make the server fetch)."""
    return "SERVICE" in keywords(text)


def sets_dataset(text: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(text)
