"""The search index's second table, for terms of one or two characters, and the searches
that use it.

Trigrams cannot index a term shorter than three characters, and a LIKE scan of every text
takes seconds at 10 M triples, so each indexed text also gets a row in ``grams``, an FTS5
table without content (``detail=none``: row ids only, ``tokenize='ascii'``) whose tokens
are the text's characters and pairs of adjacent characters (folded, none holding a
space): a term of one or two characters occurs in a text exactly when it is one of its
tokens. Labels, altLabels and pinyin forms also get their first one and two characters
marked with ``START`` (for "starts with") and those of every word after a space marked with
``WORD``. ASCII characters other than letters and digits, which the ascii tokenizer would
split on, are written as private-use characters (``token``); every row found is checked
against the text itself, so a text holding those characters cannot give a false hit.

The rows of the index are numbered in a fixed order (``static_rank``): by kind (label,
altLabel, pinyin, definition, sentence), then length, then IRI. With one or two-character
terms only, the ranking rules of ``govkg.search`` reduce to: tier, then kind group, then
(for several terms) whole query before scattered terms, then length, kind and IRI. (The
texts holding the whole query of several terms, which has a space and so 3+ characters,
are found through the trigram index.) Every tier is therefore a few streams of rows in
row-id order, merged by (length, row id), and the best ``limit`` resources are the first
``limit`` distinct IRIs met, which takes a few milliseconds however common the term is,
instead of ranking every match. What still reads every match is a query with fewer than
``limit`` hits among many matching rows, such as a common term with a language filter few
of its texts pass (政务 in English: 80 ms at 1 M triples), or a rare second term beside a
common one.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterable, Iterator
from operator import add
from typing import Any

KIND_ORDER = ("label", "altLabel", "pinyin", "definition", "sentence")
LABEL_KINDS = KIND_ORDER[:3]
KIND_GROUPS = (LABEL_KINDS, ("definition",), ("sentence",))  # search's kind groups, in order
MAX_SHORT = 2  # terms of up to this many characters use the grams table

START = "\U000f0100"  # before the first one or two characters of a label
WORD = "\U000f0101"  # before the first one or two characters of a word in a label
_TOKEN_CHARS = str.maketrans({chr(c): chr(0xF0000 + c) for c in range(128)
                              if not chr(c).isalnum() and chr(c) != " "})

GRAMS_SCHEMA = """
CREATE VIRTUAL TABLE grams USING fts5(
    tokens, content='', detail='none', columnsize=0, tokenize='ascii'
);
"""

_COLUMNS = "e.rowid AS rk, e.text, e.norm, e.iri, e.kind, e.lang, e.source"
_KIND_INDEX = {kind: i for i, kind in enumerate(KIND_ORDER)}


def static_rank(kind: str, text: str, iri: str) -> tuple[int, int, str]:
    """The order the index's rows are numbered in: kind, length, IRI."""
    return _KIND_INDEX[kind], len(text), iri


def token(text: str) -> str:
    """``text`` (folded) as the ascii tokenizer keeps it whole: ASCII punctuation and
    control characters become private-use characters."""
    return text.translate(_TOKEN_CHARS)


def gram_tokens(norm: str, kind: str) -> str:
    """The tokens of a folded text for the grams table, space-separated.

    Repeated tokens are left in (the table keeps one row id per token anyway), and so are
    pairs holding a space: the tokenizer splits them into the character beside the space,
    which is a token of the text anyway."""
    t = token(norm)
    parts = [" ".join(t), " ".join(map(add, t, t[1:]))]
    if kind in LABEL_KINDS:
        parts += (START + t[:1], START + t[:2])
        start = t.find(" ") + 1
        while start:
            parts += (WORD + t[start:start + 1], WORD + t[start:start + 2])
            start = t.find(" ", start) + 1
    return " ".join(parts)


def is_short(terms: Iterable[str]) -> bool:
    """Whether every term is short enough for the grams table (and there is one)."""
    terms = list(terms)
    return bool(terms) and all(len(t) <= MAX_SHORT for t in terms)


def _phrase(*tokens: str) -> str:
    """An FTS5 query of ``tokens`` (which hold no double quote), all required."""
    return " ".join(f'"{t}"' for t in tokens)


class ShortSearch:
    """Ranked searches over an open index, for queries made of short terms only."""

    def __init__(self, connection: sqlite3.Connection, ranges: dict[str, tuple[int, int]],
                 lang_sql: str = "", lang_params: dict[str, Any] | None = None) -> None:
        self.connection = connection
        self.ranges = ranges  # first and last row id of each kind
        self.lang_sql = lang_sql  # a clause over ``e`` keeping one language, or ""
        self.lang_params = lang_params or {}

    def search(self, q: str, terms: list[str], limit: int) -> list[sqlite3.Row]:
        """The best row of each of the best ``limit`` resources matching every term of the
        folded query ``q``, in ``govkg.search``'s search order."""
        tiers: list[Iterator[sqlite3.Row]] = []
        if len(q) <= MAX_SHORT:
            tiers.append(self._merged(LABEL_KINDS, "grams", _phrase(START + token(q)),
                                      "substr(e.norm, 1, :n) = :q", {"q": q, "n": len(q)}))
        else:  # several terms: q holds a space, so the trigram index finds it
            tiers.append(self._merged(LABEL_KINDS, "entries", _phrase(q.replace('"', '""')),
                                      "substr(e.norm, 1, :n) = :q", {"q": q, "n": len(q)}))
        has_all = " AND ".join(f"instr(e.norm, :t{i})" for i in range(len(terms)))
        term_params = {f"t{i}": t for i, t in enumerate(terms)}
        for kinds in KIND_GROUPS:
            if len(terms) > 1:
                tiers.append(self._merged(kinds, "entries", _phrase(q.replace('"', '""')),
                                          "instr(e.norm, :q)", {"q": q}))
                tiers.append(self._merged(kinds, "grams", _phrase(*map(token, terms)),
                                          f"{has_all} AND NOT instr(e.norm, :q)",
                                          {**term_params, "q": q}))
            else:
                tiers.append(self._merged(kinds, "grams", _phrase(token(q)), has_all,
                                          term_params))
        return _first_per_iri(tiers, limit)

    def suggest(self, q: str, limit: int) -> list[sqlite3.Row]:
        """The best label row of each of the best ``limit`` resources whose label, altLabel
        or pinyin contains ``q`` (folded, one or two characters), in suggest order: equal,
        starting with it, a word starting with it, containing it; then kind, length."""
        starts = [_Peekable(self._rows(kind, "grams", _phrase(START + token(q)),
                                       "substr(e.norm, 1, :n) = :q", {"q": q, "n": len(q)}))
                  for kind in LABEL_KINDS]
        word = "instr(e.norm, :wq)"
        tiers: list[Iterator[sqlite3.Row]] = [s.take_while(lambda r: r["norm"] == q)
                                              for s in starts]
        tiers += starts
        tiers += [self._rows(kind, "grams", _phrase(WORD + token(q)), word, {"wq": " " + q})
                  for kind in LABEL_KINDS]
        tiers += [self._rows(kind, "grams", _phrase(token(q)), "instr(e.norm, :q)", {"q": q})
                  for kind in LABEL_KINDS]
        return _first_per_iri(tiers, limit)

    def _merged(self, kinds: tuple[str, ...], table: str, match: str, check: str,
                params: dict[str, Any]) -> Iterator[sqlite3.Row]:
        """The matching rows of ``kinds`` by length, then row id (so kind, then IRI)."""
        streams = [self._rows(kind, table, match, check, params) for kind in kinds]
        return heapq.merge(*streams, key=lambda r: (len(r["norm"]), r["rk"]))

    def _rows(self, kind: str, table: str, match: str, check: str,
              params: dict[str, Any]) -> Iterator[sqlite3.Row]:
        """The rows of one kind matching ``match`` in ``table`` (``grams`` or ``entries``)
        and ``check``, by row id, read lazily: the query runs when the first row is asked."""
        if kind not in self.ranges:
            return
        lo, hi = self.ranges[kind]
        if table == "entries":
            source, name = "entries AS e", "e"
        else:
            source, name = "grams JOIN entries AS e ON e.rowid = grams.rowid", "grams"
        sql = (f"SELECT {_COLUMNS} FROM {source} WHERE {name}.{table} MATCH :match"
               f" AND {name}.rowid BETWEEN :lo AND :hi AND {check}{self.lang_sql}"
               f" ORDER BY {name}.rowid")
        named = {**params, **self.lang_params, "match": match, "lo": lo, "hi": hi}
        yield from self.connection.execute(sql, named)


class _Peekable(Iterator[sqlite3.Row]):
    """An iterator that can hand out its leading rows that pass a test, then the rest."""

    def __init__(self, rows: Iterator[sqlite3.Row]) -> None:
        self._rows = rows
        self._head: list[sqlite3.Row] = []

    def __next__(self) -> sqlite3.Row:
        return self._head.pop() if self._head else next(self._rows)

    def take_while(self, test: Any) -> Iterator[sqlite3.Row]:
        """The leading rows passing ``test``; the first that fails stays for later."""
        for row in self:
            if not test(row):
                self._head.append(row)
                return
            yield row


def _first_per_iri(tiers: Iterable[Iterator[sqlite3.Row]], limit: int) -> list[sqlite3.Row]:
    """The first row of each IRI over the tiers in order, until ``limit`` IRIs."""
    best: dict[str, sqlite3.Row] = {}
    for tier in tiers:
        for row in tier:
            if row["iri"] not in best:
                best[row["iri"]] = row
                if len(best) >= limit:
                    return list(best.values())
    return list(best.values())
