"""SPARQL 1.1 queries parsed by the W3C grammar: what a query is, read from its parse tree.

The grammar (``sparql11.lark``) is the Recommendation's, rule by rule, run by lark's LALR(1)
parser; the lexer below reads the spec's terminals ([139]-[173], ``PN_LOCAL_ESC`` included)
by longest match, after the ``\\u`` escapes are resolved (a pre-pass, as the spec says:
``\\u0053ERVICE`` is the keyword SERVICE). The endpoint decides from the parse tree whether a
query calls other servers (SERVICE, and to which IRIs); a query that may name SERVICE and
that this parser cannot read is refused, whatever Oxigraph would make of it, so a query the
check misreads never runs.
The W3C syntax tests (``tests/data/w3c-sparql-syntax``) hold it to the spec.

Both parts run in time linear in the text. LR parsing reads each token once; the lexer
tries at each token start only the terminals that can begin with its first character, with
possessive patterns, and never scans text twice: a run of name characters is measured once
(``true-true-…`` would otherwise be read again from each ``true`` looking for a prefix's
colon), and a long string that is not closed is not looked for again.

Measured on this machine (2 shared cores, load 9-12, CPU time of the process, Python 3.11.7,
lark 1.3.1): the 26 example queries parse in 27-473 µs (median 276; README example 1, 343
characters, 412 µs, where ``sparql_text`` reads its keywords in 66 µs); ``ASK {}`` 30 µs.
The issue's crafted texts at 24 and 48 KB: 49 and 97 ms (``true-true-…``), 56 and 114 ms
(``1+1+…``), 1 ms (``BIND("\\"…``); at the 1 MB body limit ``1+1+…`` would take 2.8 s, so
a parse stops after ``PARSE_CPU_SECONDS`` of its thread's CPU and the query is refused. The
parse runs only where it can change the answer: a text in which the word "service" does not
occur has no SERVICE however it is read (``refused_services``), which spares most queries
the cost, and answers are kept per text (as ``sparql_text.keywords`` keeps its words), so a
query asked again is not parsed again. The parser is made once per process, with the app:
built (0.5 s on a quiet machine, up to 1.9 s under that load) or, from the second process
on, its tables read from the cache directory (0.05 s; ``load_parser``).
"""

import contextlib
import hashlib
import io
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from govkg.errors import QueryError
from govkg.files import write_atomically
from govkg.sparql_text import (
    CACHED_TEXT_LENGTH,
    LONG_TEXTS_KEPT,
    MAX_NESTING,
    too_deep,
    unescape,
)

# [164]-[167]: the character classes the terminals are made of
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
         "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"  # [170]-[173]
_ECHAR = r"\\[tbnrf\\\"']"  # [160]

_WS = re.compile(r"[ \t\r\n]++")  # [162]
_COMMENT = re.compile(r"#[^\r\n]*+")
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*+>")  # [139]
_RUN = re.compile(f"[{_CHARS}.]*+")  # what a prefix ([168]) can be made of
_LOCAL = re.compile(f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}.:]|{_PLX})*+")  # [169], dots trimmed
_BLANK = re.compile(f"_:[{_U}0-9][{_CHARS}.]*+")  # [142], dots trimmed
_VAR = re.compile(f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+")  # [143]-[144]
_LANGTAG = re.compile(r"@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+")  # [145]
_EXPONENT = r"[eE][+-]?[0-9]++"  # [155]
_NUMBERS = (  # [146]-[148], longest first when two match
    ("DOUBLE", re.compile(rf"[0-9]++\.[0-9]*+{_EXPONENT}|\.[0-9]++{_EXPONENT}"
                          rf"|[0-9]++{_EXPONENT}")),
    ("DECIMAL", re.compile(r"[0-9]*+\.[0-9]++")),
    ("INTEGER", re.compile(r"[0-9]++")),
)
_STRINGS = {  # [156]-[159]
    "'": ("STRING_LITERAL1", re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR})*+'")),
    '"': ("STRING_LITERAL2", re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR})*+"')),
    "'''": ("STRING_LITERAL_LONG1",
            re.compile(f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ECHAR}))*+'''")),
    '"""': ("STRING_LITERAL_LONG2",
            re.compile(f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ECHAR}))*+"""')),
}
_NIL_ANON = {"(": ("NIL", re.compile(r"\([ \t\r\n]*+\)")),  # [161], [163]
             "[": ("ANON", re.compile(r"\[[ \t\r\n]*+\]"))}
_WORD = re.compile(r"[A-Za-z0-9_]{1,16}")  # enough for the longest keyword
_PUNCTUATION: dict[str, tuple[str, ...]] = {}  # by first character, longest first
for _mark in ("^^", "||", "&&", "!=", "<=", ">=", "{", "}", "(", ")", "[", "]", ".", ",", ";",
              "*", "/", "+", "-", "|", "^", "?", "!", "=", "<", ">"):
    _PUNCTUATION[_mark[0]] = (*_PUNCTUATION.get(_mark[0], ()), _mark)
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")
_BASE_CHAR = re.compile(f"[{_BASE}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SERVICE_WORD = re.compile("service", re.IGNORECASE)  # Unicode case: more, never fewer
# The most CPU one parse may take in the web process: about 400 KB of the densest text
# (``1+1+…``, 2.8 s at 1 MB); a text that needs more is refused, not half read.
PARSE_CPU_SECONDS = 1.0
CLOCK_EVERY = 1024  # tokens between looks at the clock


class SparqlLexer(Lexer):
    """The spec's tokens of a query, longest match first, as lark ``Token``s."""

    def __init__(self, lexer_conf) -> None:
        self.names: dict[str, str] = {}  # a keyword (upper case) or punctuation: its terminal
        self.keywords: set[str] = set()  # the case-insensitive ones
        for terminal in lexer_conf.terminals:
            pattern = terminal.pattern
            if pattern.type != "str":
                continue
            if "i" in pattern.flags:
                self.names[pattern.value.upper()] = terminal.name
                self.keywords.add(pattern.value.upper())
            else:
                self.names[pattern.value] = terminal.name

    def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
        return _Reading(self, text).tokens()


class _Reading:
    """One pass over one text: the position, and what was learnt about the text ahead."""

    def __init__(self, lexer: SparqlLexer, text: str) -> None:
        self.lexer, self.text = lexer, text
        self.run_start = self.run_end = -1  # the last run of prefix characters measured
        self.unclosed: set[str] = set()  # long-string quotes that no later text closes
        self.depth = 0  # groups, brackets and parentheses open

    def tokens(self) -> Iterator[Token]:
        text, position, length = self.text, 0, len(self.text)
        count, deadline = 0, time.thread_time() + PARSE_CPU_SECONDS
        while True:
            while position < length and text[position] in " \t\r\n#":
                pattern = _COMMENT if text[position] == "#" else _WS
                position = pattern.match(text, position).end()
            if position >= length:
                return
            kind, end = self.token_at(position)
            count += 1
            if count % CLOCK_EVERY == 0 and time.thread_time() > deadline:
                raise QueryError(f"The query is too long to check for SERVICE (reading it "
                                 f"stopped after {PARSE_CPU_SECONDS:g} s, at character "
                                 f"{position + 1}); send a shorter one.")
            if kind in _OPENING:
                self.depth += 1
                if self.depth > MAX_NESTING:
                    raise too_deep()
            elif kind in _CLOSING:
                self.depth -= 1
            name = self.lexer.names.get(kind, kind)
            yield Token(name, text[position:end], start_pos=position, end_pos=end)
            position = end

    def token_at(self, at: int) -> tuple[str, int]:
        """The longest token at ``at``: its kind (a terminal, keyword or punctuation) and
        end; ``UnexpectedSparql`` where none starts."""
        text = self.text
        char = text[at]
        if char == "<":
            match = _IRIREF.match(text, at)
            if match:
                return "IRIREF", match.end()
        elif char in "?$":
            match = _VAR.match(text, at)
            if match:
                return ("VAR1" if char == "?" else "VAR2"), match.end()
        elif char in "'\"":
            return self.string_at(at)
        elif char in "0123456789.":
            number = self.number_at(at)
            if number:
                return number
        elif char in "+-":
            number = self.number_at(at + 1)
            if number:
                sign = "_POSITIVE" if char == "+" else "_NEGATIVE"
                return number[0] + sign, number[1]
        elif char == "@":
            match = _LANGTAG.match(text, at)
            if match:
                return "LANGTAG", match.end()
        elif char == "_":
            match = _BLANK.match(text, at)
            if match:
                return "BLANK_NODE_LABEL", _trim_dots(text, at + 3, match.end())
        elif char == ":":
            return self.prefixed_name(at, at)
        elif char in "([":
            kind, pattern = _NIL_ANON[char]
            match = pattern.match(text, at)
            if match:
                return kind, match.end()
        elif _BASE_CHAR.match(char):
            return self.name_at(at)
        for mark in _PUNCTUATION.get(char, ()):
            if text.startswith(mark, at):
                return mark, at + len(mark)
        raise UnexpectedSparql(text, at)

    def string_at(self, at: int) -> tuple[str, int]:
        quote = self.text[at:at + 3]
        if quote in _STRINGS and quote not in self.unclosed:
            kind, pattern = _STRINGS[quote]
            match = pattern.match(self.text, at)
            if match:
                return kind, match.end()
            # not closed: nor is any long string with these quotes later in the text
            self.unclosed.add(quote)
        kind, pattern = _STRINGS[self.text[at]]
        match = pattern.match(self.text, at)
        if match is None:
            raise UnexpectedSparql(self.text, at)
        return kind, match.end()

    def number_at(self, at: int) -> tuple[str, int] | None:
        best: tuple[str, int] | None = None
        for kind, pattern in _NUMBERS:
            match = pattern.match(self.text, at)
            if match and (best is None or match.end() > best[1]):
                best = (kind, match.end())
        return best

    def name_at(self, at: int) -> tuple[str, int]:
        """A prefixed name, a keyword or ``a``: the longest that starts at ``at``."""
        text = self.text
        if not self.run_start < at < self.run_end:  # measured once per run
            self.run_start, self.run_end = at, _RUN.match(text, at).end()
        end = self.run_end
        if text.startswith(":", end) and text[end - 1] != ".":
            return self.prefixed_name(at, end)
        match = _WORD.match(text, at)  # None where the run starts with no ASCII letter
        word = match.group().upper() if match else ""
        keywords = self.lexer.keywords
        for size in range(len(word), 0, -1):
            if word[:size] in keywords:
                return word[:size], at + size
        if text[at] == "a":
            return "a", at + 1
        raise UnexpectedSparql(text, at)

    def prefixed_name(self, at: int, colon: int) -> tuple[str, int]:
        """``PNAME_NS`` or ``PNAME_LN`` ([140]-[141]): the prefix ends at ``colon``."""
        match = _LOCAL.match(self.text, colon + 1)
        if match is None:
            return "PNAME_NS", colon + 1
        return "PNAME_LN", _trim_dots(self.text, colon + 2, match.end())


def _trim_dots(text: str, least: int, end: int) -> int:
    """``end`` moved back over trailing dots (a name never ends with an unescaped one)."""
    while end > least and text[end - 1] == "." and text[end - 2] != "\\":
        end -= 1
    return end


class UnexpectedSparql(UnexpectedInput):
    """No SPARQL token starts here."""

    def __init__(self, text: str, at: int) -> None:
        super().__init__()
        self.pos_in_stream = at
        self.text = text

    def __str__(self) -> str:
        return f"no SPARQL token starts with {self.text[self.pos_in_stream:][:12]!r}"


_parser: Lark | None = None  # this process's parser, once made


def parser() -> Lark:
    """The LALR(1) parser of the grammar, made once per process: built from the grammar
    (0.74 s of CPU here) unless ``load_parser`` read its tables first."""
    global _parser
    if _parser is None:
        _parser = Lark(_grammar(), parser="lalr", lexer=SparqlLexer, start="query_unit")
    return _parser


def load_parser(directory: Path) -> Lark:
    """The parser, its tables read from ``directory`` where an earlier process kept them
    (0.05 s of CPU against 0.74 s to build them; a server's every worker makes one on boot).
    The file is named by lark's version and the grammar, written whole or not at all, and
    one that cannot be read is built and written again. It is unpickled, so it is trusted
    as the rest of the cache directory is."""
    global _parser
    if _parser is not None:
        return _parser
    key = hashlib.sha256(f"{lark.__version__}\n{_grammar()}".encode()).hexdigest()[:16]
    path = directory / f"sparql-parser-{key}.lark"
    try:
        with path.open("rb") as kept:
            _parser = Lark.load(kept)
        return _parser
    except Exception:  # absent or damaged: built below
        pass
    built = parser()
    tables = io.BytesIO()
    built.save(tables)
    with contextlib.suppress(OSError):  # a cache that cannot be written costs only time
        write_atomically(path, tables.getvalue())
    return built


def _grammar() -> str:
    return files("govkg").joinpath("sparql11.lark").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ServiceCall:
    target: str | None  # its IRI, written out as ``<IRI>``; None for a variable or a name
    silent: bool


@dataclass(frozen=True)
class ParsedQuery:
    """What the endpoint needs to know of a query, read from its parse tree."""

    services: tuple[ServiceCall, ...]


def parse_query(text: str) -> ParsedQuery:
    """``text`` read by the SPARQL 1.1 grammar; ``QueryError`` (400) where it is not SPARQL
    1.1 Query syntax, naming the place."""
    return _cached_parse(text) if len(text) <= CACHED_TEXT_LENGTH else _long_parse(text)


def _parse(text: str) -> ParsedQuery:
    text = unescape(text)
    surrogate = _SURROGATE.search(text)
    if surrogate:  # only an escape can make one: no character of the text is one
        raise QueryError(_syntax_message(text, surrogate.start(), "an escape names a "
                                         "surrogate code point, which is no character"))
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise QueryError(_syntax_message(text, *_what_and_where(text, error))) from None
    services = []
    for found in tree.iter_subtrees():
        if found.data == "service_graph_pattern":
            services.append(_service_call(found))
        elif found.data == "inline_data_full":
            _check_values(text, found)
    return ParsedQuery(tuple(services))


_cached_parse = lru_cache(maxsize=1024)(_parse)
_long_parse = lru_cache(maxsize=LONG_TEXTS_KEPT)(_parse)


def _service_call(pattern: Tree) -> ServiceCall:
    silent = getattr(pattern.children[0], "type", None) == "SILENT"
    target = pattern.children[1 if silent else 0]
    token = target.children[0] if isinstance(target, Tree) else target
    iri = token.value[1:-1] if isinstance(token, Token) and token.type == "IRIREF" else None
    return ServiceCall(iri, silent)


def _what_and_where(text: str, error: UnexpectedInput) -> tuple[int, str]:
    token = getattr(error, "token", None)
    if isinstance(error, UnexpectedSparql):
        return error.pos_in_stream, str(error)
    if token is None or token.type == "$END":
        return len(text), "the query ends too early"
    expected = sorted({_readable(name) for name in getattr(error, "expected", ())},
                      key=lambda item: (item.startswith("'"), item))  # descriptions first
    hint = f", expected {', '.join(expected[:8])}{' …' if len(expected) > 8 else ''}" \
        if expected else ""
    return token.start_pos, f"unexpected {str(token)[:40]!r}{hint}"


_READABLE = {"IRIREF": "an IRI", "PNAME_LN": "a prefixed name", "PNAME_NS": "a prefix",
             "VAR1": "a variable", "VAR2": "a variable", "NIL": "'()'", "ANON": "'[]'",
             "BLANK_NODE_LABEL": "a blank node", "LANGTAG": "a language tag"}


def _readable(name: str) -> str:
    """A terminal as a reader knows it: its text for a keyword or mark, else what it is."""
    if name in _READABLE:
        return _READABLE[name]
    if name.startswith(("STRING_LITERAL",)):
        return "a string"
    if name.startswith(("INTEGER", "DECIMAL", "DOUBLE")):
        return "a number"
    try:
        pattern = parser().get_terminal(name).pattern
    except KeyError:
        return name
    return f"'{pattern.value}'" if pattern.type == "str" else name


def _check_values(text: str, block: Tree) -> None:
    """Each row of a VALUES block has one value per variable (§10.2.1)."""
    variables, *rows = block.children
    width = sum(getattr(child, "type", None) != "NIL" for child in variables.children)
    for row in rows:
        values = row.children if isinstance(row, Tree) else []
        if len(values) != width:
            at = row.start_pos if isinstance(row, Token) else _first_position(row, len(text))
            raise QueryError(_syntax_message(
                text, at, f"a VALUES row has {len(values)} values for {width} variables"))


def _first_position(tree: Tree, default: int) -> int:
    for token in tree.scan_values(lambda value: isinstance(value, Token)):
        return token.start_pos
    return default


def _syntax_message(text: str, at: int, what: str) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return (f"SPARQL syntax error at line {line}, column {column}: {what} (govkg runs only "
            "queries that the SPARQL 1.1 grammar reads)")


def refused_services(text: str, allowed: Sequence[str]) -> list[str]:
    """The SERVICE targets of ``text`` that are not in the operator's allowlist (a variable
    or a prefixed name is never in it); ``QueryError`` if the query cannot be read.

    A text in which the word does not occur (escapes resolved, in any case) has no SERVICE
    however it is read, and is not parsed: most queries then cost the endpoint nothing here.
    """
    if _SERVICE_WORD.search(unescape(text)) is None:
        return []
    return ["a non-IRI target" if call.target is None else call.target
            for call in parse_query(text).services
            if call.target is None or call.target not in allowed]
