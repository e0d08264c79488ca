"""SPARQL query text, read without a parser: tokens, keywords, the query form, the dataset it
sets and how deep it nests; a quick look at a query before Oxigraph runs it.

Whether a query calls other servers (SERVICE) is not decided here but on its parse by the
SPARQL 1.1 grammar (``govkg.sparql_grammar``): this token-exact reading once took ``e:a\\#``
for a name and a comment and missed the SERVICE after it. The query workers that evaluate
user queries also run without a network (``govkg.web.serve.query_worker``), a second defence.

The text is split into SPARQL tokens after the ``\\u`` escapes are resolved (as the
SPARQL grammar and Oxigraph's parser do), so keywords inside strings, IRIs, comments,
variables and prefixed names never count, and escaped keywords are still found.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from govkg.errors import QueryError

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Each pattern is tried only where its first character stands, and each is possessive
# (``*+``): none backtracks, and none is tried again over text it has read. An unclosed
# string is one bad token to the end of its line (or of the text, for a long string),
# which the parser refuses anyway. So a query is read in time linear in its length: the
# earlier single regex read ``BIND("\"\"\"…`` and ``a.a.a.…`` in quadratic time (24 KB:
# 9.2 s), outside the query time limit.
_SPACE = re.compile(r"\s++")
_COMMENT = re.compile(r"#[^\n\r]*+")
_LONG_STRINGS = {"'''": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*+'''", re.DOTALL),
                 '"""': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*+"""', re.DOTALL)}
_SHORT_STRINGS = {"'": re.compile(r"'(?:[^'\\\n\r]|\\.)*+'"),
                  '"': re.compile(r'"(?:[^"\\\n\r]|\\.)*+"')}
_TO_LINE_END = re.compile(r"[^\n\r]*+")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*+>")
_VAR = re.compile(r"[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]++")
_NAME_RUN = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*+")
# the local part of a prefixed name: its characters, %-escapes and \-escapes (``e:a\#``
# is one name, not a name and a comment); a trailing dot is not part of it
_LOCAL = re.compile(r"(?:[\w\-:.\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}"
                    r"|\\[_~.\-!$&'()*+,;=/?#@%])*+")
_WORD = re.compile(r"[A-Za-z_][\w\-]*+")
# the tokens ``tokens`` reads, as one expression: its alternatives come in the order in which
# ``_token_at`` decides by a token's first character (an unclosed string is one token to the
# end of its line, or of the text for a long one). A prefixed name keeps its trailing dots
# here, which changes no word.
_TOKEN = re.compile("|".join((
    r"(?P<space>\s++)",
    f"(?P<comment>{_COMMENT.pattern})",
    "(?P<string>" + "|".join(
        [f"(?s:{pattern.pattern})|(?s:{quote}.*+)" for quote, pattern in _LONG_STRINGS.items()]
        + [f"{pattern.pattern}|{quote}{_TO_LINE_END.pattern}"
           for quote, pattern in _SHORT_STRINGS.items()]) + ")",
    f"(?P<iri>{_IRI.pattern})",
    f"(?P<var>{_VAR.pattern})",
    f"(?P<pname>(?:{_NAME_RUN.pattern})?:{_LOCAL.pattern})",
    f"(?P<run>{_NAME_RUN.pattern})",
    r"(?P<other>(?s:.))",
)))
OPENING, CLOSING = "{([", "})]"
MAX_NESTING = 128  # groups, brackets and parentheses inside each other; deeper is refused


class Token(NamedTuple):
    kind: str  # comment, string, iri, var, pname, word, other (one character) or bad
    value: str
    start: int
    end: int

    def group(self, kind: str) -> str | None:
        """The token's text if it is of ``kind`` (as a regex match's named group)."""
        return self.value if self.kind == kind else None

    @property
    def lastgroup(self) -> str:
        return self.kind


def tokens(text: str) -> Iterator[Token]:
    """The SPARQL tokens of ``text`` (escapes not resolved: see ``unescape``), in linear
    time; whitespace is skipped, comments are tokens."""
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position = _SPACE.match(text, position).end()
            continue
        token = _token_at(text, position, char)
        if token.kind == "run":  # a name run with no colon after it: the words in it
            yield from _words(token)
        else:
            yield token
        position = token.end


def _token_at(text: str, position: int, char: str) -> Token:
    match: re.Match | None = None
    kind = "other"
    if char == "#":
        match, kind = _COMMENT.match(text, position), "comment"
    elif char in "'\"":
        quote = text[position:position + 3]
        long_string = quote in _LONG_STRINGS
        match, kind = (_LONG_STRINGS[quote] if long_string
                       else _SHORT_STRINGS[char]).match(text, position), "string"
        if match is None:  # unclosed: the rest of the line (or text) is one bad token
            end = len(text) if long_string else _TO_LINE_END.match(text, position).end()
            return Token("bad", text[position:end], position, end)
    elif char == "<":
        match, kind = _IRI.match(text, position), "iri"
    elif char in "?$":
        match, kind = _VAR.match(text, position), "var"
    elif char == ":":
        end = _local_end(text, position + 1)
        return Token("pname", text[position:end], position, end)
    else:
        match = _NAME_RUN.match(text, position)
        if match is not None:
            if text.startswith(":", match.end()):
                end = _local_end(text, match.end() + 1)
                return Token("pname", text[position:end], position, end)
            return Token("run", match.group(), position, match.end())
    if match is None:
        return Token("other", char, position, position + 1)
    return Token(kind, match.group(), position, match.end())


def _local_end(text: str, position: int) -> int:
    end = _LOCAL.match(text, position).end()
    while end > position and text[end - 1] == "." and text[end - 2:end] != "\\.":
        end -= 1
    return end


def _words(run: Token) -> Iterator[Token]:
    """A run of name characters not followed by a colon: its words, and the other
    characters between them (``a.SERVICE`` is ``a``, ``.``, ``SERVICE``)."""
    position, value = 0, run.value
    while position < len(value):
        match = _WORD.match(value, position)
        if match is None:
            yield Token("other", value[position], run.start + position,
                        run.start + position + 1)
            position += 1
        else:
            yield Token("word", match.group(), run.start + position, run.start + match.end())
            position = match.end()


def nesting_depth(text: str) -> int:
    """How deep groups, brackets and parentheses nest in ``text`` (outside strings, IRIs
    and comments)."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind == "other":
            if token.value in OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif token.value in CLOSING:
                depth = max(0, depth - 1)
    return deepest


def check_nesting(text: str) -> None:
    """Refuse a query nested deeper than ``MAX_NESTING``: the engine's parser recurses for
    each level, and 10,000 nested ``{`` crashed the process that read them. A text with no
    more opening characters than that cannot nest deeper, and is not read token by token
    (which cost a query worker 60-80 µs of a 200-character query)."""
    if sum(map(text.count, OPENING)) > MAX_NESTING and nesting_depth(text) > MAX_NESTING:
        raise too_deep()


def too_deep() -> QueryError:
    return QueryError(f"The query nests groups, brackets or parentheses more than "
                      f"{MAX_NESTING} deep; write it flatter.")


UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH"}


def unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return _UNICODE_ESCAPE.sub(one, text)


CACHED_TEXT_LENGTH = 4096  # short queries come again and again: many are kept
LONG_TEXTS_KEPT = 4  # a long one is read once per request, not once per question asked


def keywords(text: str) -> tuple[str, ...]:
    """The bare words of a query, upper-cased, in order (not strings, IRIs, names …)."""
    return _cached_keywords(text) if len(text) <= CACHED_TEXT_LENGTH \
        else _long_keywords(text)


def _keywords(text: str) -> tuple[str, ...]:
    """The words of ``tokens(unescape(text))``, read in one pass of ``_TOKEN``: token by
    token, the keywords of a 200-character query took 60-85 µs of Python.
    ``tests/test_sparql_text.py`` holds the two readings to the same words."""
    return tuple(word.upper() for token in _TOKEN.finditer(unescape(text))
                 if token.lastgroup == "run" for word in _WORD.findall(token.group()))


_cached_keywords = lru_cache(maxsize=1024)(_keywords)
_long_keywords = lru_cache(maxsize=LONG_TEXTS_KEPT)(_keywords)


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


def sets_dataset(text: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED."""
    return "FROM" in keywords(text)
