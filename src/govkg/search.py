"""Full-text search over labels, alternative names, definitions and the report's sentences.

The index is an SQLite database with one FTS5 table (``tokenize='trigram'``, standard
library SQLite >= 3.34): one row per (resource, text, kind, lang), where kind is
``label`` (rdfs:label), ``altLabel`` (skos:altLabel), ``definition`` (skos:definition,
rdfs:comment, dcterms:description), ``sentence`` (gk:text) or ``pinyin``. Every Chinese
label and alternative name also gets three pinyin rows (lang ``zh-latn-pinyin``): the full
pinyin without tones or spaces (``yueshengshi``), spaced (``yue sheng shi``) and the
initials (``yss``: 粤省事 has three syllables, so ``ysss`` only matches longer names that
start with it, such as “粤省事”上线). Trigrams give substring matching, which Chinese
needs (政务 finds 广东政务服务网). The generated labels of sentences (第7行第1句) are not
indexed: a sentence is found by its text.

The index is built once per build id (``govkg.search.search_index_path``: the embedded
graphs, a persistent store or an external endpoint alike), atomically (temporary file +
``os.replace``), by the server's master before the workers fork or by ``govkg load``; the
workers open it read-only with ``open_index``.

User input never reaches FTS5 query syntax unquoted: each whitespace-separated term is
quoted as an FTS5 phrase (inner double quotes doubled). Terms shorter than three
characters, which trigrams cannot index, are found through a second table of the texts'
characters and character pairs (``govkg.search_short``) when the query has no longer term,
which also ranks them without ranking every match; next to a longer term they become LIKE
conditions (``%``, ``_`` and ``\\`` escaped) on the rows the trigram index found. Matching
is case-insensitive. The rows are numbered by kind, length and IRI
(``search_short.static_rank``); the row id breaks the last ties of the ranking.

Ranking (``SearchIndex.search``), one hit per resource, its best-ranked text:
1. a label, altLabel or pinyin form equal to the query, then one starting with it;
2. labels (label, altLabel, pinyin) before definitions before sentences;
3. texts holding the whole query as one substring before those with the terms scattered;
4. bm25 (for queries with no term of 3+ characters: the shorter text);
5. the shorter text, then label over altLabel over pinyin, then the IRI.

``SearchIndex.suggest`` looks at labels, altLabels and pinyin only and ranks: equal to the
query, starting with it, with a word starting with it, containing it; then label over
altLabel over pinyin, the shorter text, the IRI.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph
from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg.simpleseg import simple_seg

from govkg.builds import build_id
from govkg.errors import GovkgError
from govkg.files import atomic_path, is_intact, write_checksum
from govkg.query import StoreLike, run_query
from govkg.search_short import (
    GRAMS_SCHEMA,
    MAX_SHORT,
    ShortSearch,
    gram_tokens,
    is_short,
    static_rank,
)
from govkg.store import open_store
from govkg.vocab import DCT_NS, RDF_TYPE, RDFS_NS, SKOS_NS, graph_iri

INDEX_FORMAT = "3"  # bump when the index's layout or content changes for the same graphs
MAX_QUERY_CHARS = 200  # longer queries are cut: a search box needs no more
MAX_LIMIT = 200
SNIPPET_CONTEXT = 30  # characters kept either side of the first match in long texts
SNIPPET_MAX = 2 * SNIPPET_CONTEXT + 20  # texts up to this long are shown whole

LABEL_KINDS = ("label", "altLabel", "pinyin")
PINYIN_LANG = "zh-latn-pinyin"

# The graphs searched: the asserted ones and the inferred one, not the shapes.
SEARCHED_GRAPHS = tuple(str(graph_iri(n)) for n in ("ontology", "data", "editorial", "external",
                                                    "report", "inferred"))
TYPED_GRAPHS = tuple(str(graph_iri(n)) for n in ("ontology", "data", "editorial", "external",
                                                 "report"))

_TEXT_QUERY = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:altLabel skos:definition rdfs:comment dcterms:description gk:text }
  ?s ?p ?o .
  FILTER(isIRI(?s) && isLiteral(?o))
}"""
_TYPE_QUERY = "SELECT ?s ?t WHERE { ?s a ?t . FILTER(isIRI(?s) && isIRI(?t)) }"
_SENTENCE_CLASS = "https://w3id.org/govkg/ontology#Sentence"
_KIND_BY_PREDICATE = {
    RDFS_NS + "label": "label",
    SKOS_NS + "altLabel": "altLabel",
    SKOS_NS + "definition": "definition",
    RDFS_NS + "comment": "definition",
    DCT_NS + "description": "definition",
    "https://w3id.org/govkg/ontology#text": "sentence",
}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_HAN = "\x00"  # marks the runs pypinyin passes through unchanged

_SCHEMA = """
CREATE VIRTUAL TABLE entries USING fts5(
    text, norm UNINDEXED, iri UNINDEXED, kind UNINDEXED, lang UNINDEXED, source UNINDEXED,
    tokenize='trigram'
);
CREATE TABLE resources (iri TEXT PRIMARY KEY, label_zh TEXT, label_en TEXT, types TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


# --- Results -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SnippetPart:
    """A piece of a snippet; ``match`` is true where it matches the query."""

    text: str
    match: bool


@dataclass(frozen=True)
class Hit:
    """One matching resource and the text of it that matched best."""

    iri: str
    label_zh: str | None
    label_en: str | None
    kind: str  # label, altLabel, definition, sentence or pinyin
    lang: str  # the matched text's language tag, lower case ("" if none)
    text: str  # the matched text in full
    snippet: tuple[SnippetPart, ...]  # the matched text, maybe shortened, matches marked
    types: tuple[str, ...]  # asserted rdf:type IRIs
    source: str | None = None  # for a pinyin hit, the Chinese label it spells

    @property
    def title(self) -> str:
        """The label to show: in the matched text's language if there is one, else any."""
        first, second = ((self.label_en, self.label_zh) if self.lang.startswith("en")
                         else (self.label_zh, self.label_en))
        return first or second or self.iri

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (snippet pieces as ``{"text", "match"}``, never HTML)."""
        return {
            "iri": self.iri, "title": self.title, "label_zh": self.label_zh,
            "label_en": self.label_en, "kind": self.kind, "lang": self.lang, "text": self.text,
            "snippet": [{"text": p.text, "match": p.match} for p in self.snippet],
            "types": list(self.types), "source": self.source,
        }


# --- Text helpers ---------------------------------------------------------------------------

# Characters that NFKC makes one ASCII letter or digit (full-width ｙ, circled ①,
# mathematical 𝐲 …), mapped so: a query typed in full width finds the ASCII label. Other
# compatibility characters (full-width punctuation, which the report's text is full of)
# are kept, as the full-text index holds the text as written.
_COMPATIBLE_ALNUM = {
    code: folded for start, end in ((0x2000, 0x3400), (0xFF00, 0xFFF0), (0x1D400, 0x1D800))
    for code in range(start, end)
    if len(folded := unicodedata.normalize("NFKC", chr(code))) == 1
    and folded.isascii() and folded.isalnum()}


def fold(text: str) -> str:
    """Lower-case ``text`` character by character, so positions in the result match it,
    with ``_COMPATIBLE_ALNUM`` mapped (full-width ``ｙｓｓ`` is ``yss``)."""
    if not text.isascii():
        text = text.translate(_COMPATIBLE_ALNUM)
    # str.lower maps every character on its own except a final capital sigma, and never
    # drops one: when the length is kept, each character became one.
    if "\u03a3" not in text and len(low := text.lower()) == len(text):
        return low
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def clean_query(q: str | None) -> str:
    """The user's query with control characters dropped, spaces collapsed, length capped."""
    text = _CONTROL.sub(" ", q or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def fts_phrase(term: str) -> str:
    """``term`` as an FTS5 phrase: double quotes around it, inner double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def like_escape(term: str) -> str:
    """``term`` with ``\\``, ``%`` and ``_`` escaped for ``LIKE … ESCAPE '\\'``."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pinyin_forms(text: str) -> list[str]:
    """Full, spaced and initial-letter pinyin of ``text``; [] if it has no Chinese characters.

    Non-Chinese runs (letters, digits) are kept whole, lower-cased; punctuation is dropped.
    """
    if not _HAN.search(text):
        return []
    syllables: list[str] = []
    initials: list[str] = []
    for item in chain.from_iterable(map(_run_pinyin, simple_seg(text))):
        words = _ALNUM.findall(item.lower())
        syllables.extend(words)
        initials.extend(words if item.startswith(_NOT_HAN) else [w[0] for w in words])
    forms = ["".join(syllables), " ".join(syllables), "".join(initials)]
    return list(dict.fromkeys(f for f in forms if f))


def _run_pinyin(run: str) -> tuple[str, ...]:
    """The pinyin of a run of Chinese characters, or a run of other characters, marked.

    pypinyin converts each such run on its own, so converting a text run by run gives what
    converting it whole gives; names share their Chinese runs (广东省, 政务), which are
    converted once, while the other runs (APP1, 12345) are many and need no conversion."""
    return _han_pinyin(run) if RE_HANS.match(run) else (_NOT_HAN + run,)


@lru_cache(maxsize=1 << 16)
def _han_pinyin(run: str) -> tuple[str, ...]:
    """The pinyin syllables of a run of Chinese characters."""
    return tuple(lazy_pinyin(run, errors=lambda other: [_NOT_HAN + other]))


def snippet(text: str, terms: Iterable[str]) -> tuple[SnippetPart, ...]:
    """``text`` split into matching and other pieces, shortened around the first match."""
    spans = _match_spans(fold(text), [fold(t) for t in terms if t])
    start, end = _window(len(text), spans)
    parts: list[SnippetPart] = [SnippetPart("…", False)] if start > 0 else []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        if s > pos:
            parts.append(SnippetPart(text[pos:s], False))
        parts.append(SnippetPart(text[s:e], True))
        pos = e
    if pos < end:
        parts.append(SnippetPart(text[pos:end], False))
    if end < len(text):
        parts.append(SnippetPart("…", False))
    return tuple(parts)


def _match_spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every occurrence of every term in ``folded``, overlapping ones merged, in order."""
    found = sorted((m.start(), m.start() + len(t))
                   for t in terms for m in re.finditer(re.escape(t), folded))
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _window(length: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The part of a text to show: all of a short one, else around its first match."""
    if length <= SNIPPET_MAX:
        return 0, length
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CONTEXT)
    end = min(length, max(start + SNIPPET_MAX, (spans[0][1] if spans else 0)))
    return start, end


# --- Building -------------------------------------------------------------------------------

class Entry(NamedTuple):
    """One row of the index: a text of a resource (a tuple: hashed and compared in C)."""

    iri: str
    text: str
    kind: str
    lang: str
    source: str | None = None


def read_texts(store: StoreLike) -> list[Entry]:
    """The labels, alternative names, definitions and sentences in the store."""
    entries: list[Entry] = []
    for iri, predicate, literal in _text_triples(store):
        text = " ".join(literal.value.split())
        if text:
            kind = _KIND_BY_PREDICATE[predicate]
            entries.append(Entry(iri, text, kind, (literal.language or "").lower()))
    return entries


def _text_triples(store: StoreLike) -> Iterator[tuple[str, str, pyoxigraph.Literal]]:
    """(subject IRI, predicate IRI, literal) of the searched texts, maybe repeated.

    An Oxigraph store is read quad pattern by quad pattern, which decodes fewer terms than
    the SPARQL query (about 40 % faster at 1 M triples), each subject IRI interned (a
    resource has several texts); other stores get the query."""
    if not isinstance(store, pyoxigraph.Store):
        for row in run_query(store, _TEXT_QUERY, default_graphs=SEARCHED_GRAPHS):
            yield row["s"].value, row["p"].value, row["o"]
        return
    for predicate in _KIND_BY_PREDICATE:
        for graph in SEARCHED_GRAPHS:
            for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None,
                                                pyoxigraph.NamedNode(graph)):
                if (isinstance(quad.subject, pyoxigraph.NamedNode)
                        and isinstance(quad.object, pyoxigraph.Literal)):
                    yield sys.intern(quad.subject.value), predicate, quad.object


def read_types(store: StoreLike) -> dict[str, list[str]]:
    """The asserted rdf:types of every resource, sorted."""
    types: dict[str, set[str]] = {}
    if isinstance(store, pyoxigraph.Store):
        pairs = ((q.subject, q.object) for graph in TYPED_GRAPHS
                 for q in store.quads_for_pattern(None, RDF_TYPE, None,
                                                  pyoxigraph.NamedNode(graph)))
    else:
        pairs = ((row["s"], row["t"])
                 for row in run_query(store, _TYPE_QUERY, default_graphs=TYPED_GRAPHS))
    for subject, type_ in pairs:
        if isinstance(subject, pyoxigraph.NamedNode) and isinstance(type_, pyoxigraph.NamedNode):
            types.setdefault(subject.value, set()).add(type_.value)
    return {iri: sorted(ts) for iri, ts in types.items()}


def with_pinyin(entries: Iterable[Entry]) -> Iterator[Entry]:
    """The entries, each Chinese label or altLabel followed by its pinyin forms."""
    for entry in entries:
        yield entry
        if entry.kind in ("label", "altLabel") and entry.lang.startswith("zh"):
            for form in pinyin_forms(entry.text):
                yield Entry(entry.iri, form, "pinyin", PINYIN_LANG, entry.text)


def searchable(entries: Iterable[Entry], types: dict[str, list[str]]) -> list[Entry]:
    """The entries worth indexing, without duplicates, in the order of their row ids
    (``search_short.static_rank``): not the generated labels of sentences
    (「第7行第1句」, "line 7, sentence 1"), which the sentence's own text stands for."""
    def keep(e: Entry) -> bool:
        return not (e.kind == "label" and _SENTENCE_CLASS in types.get(e.iri, ()))
    return sorted(set(filter(keep, entries)), key=_row_order)


def _row_order(e: Entry) -> tuple[str, str, str]:
    """``static_rank``, then language, text and source. The first three go into one (ASCII,
    so compact) string, which decides almost every comparison: that sorts several times
    faster than a tuple of them. U+0000 separates them (no IRI or language tag holds it)."""
    kind, length, iri = static_rank(e.kind, e.text, e.iri)
    return f"{kind}{length:09d}\x00{iri}\x00{e.lang}", e.text, e.source or ""


def preferred_label(entries: Iterable[Entry], lang: str) -> dict[str, str]:
    """Each resource's rdfs:label in ``lang`` (or a sub-tag of it): the shortest, then first."""
    labels: dict[str, str] = {}
    for e in entries:
        if e.kind == "label" and (e.lang == lang or e.lang.startswith(lang + "-")):
            old = labels.get(e.iri)
            if old is None or (len(e.text), e.text) < (len(old), old):
                labels[e.iri] = e.text
    return labels


def build_index(store: StoreLike, path: Path | str) -> Path:
    """Build the search index of ``store`` at ``path`` atomically (temp file, then replace)."""
    path = Path(path)
    texts = read_texts(store)
    types = read_types(store)
    try:
        with atomic_path(path) as tmp:
            _write_index(tmp, texts, types)
    except sqlite3.Error as error:  # a full disk: one line, and nothing left behind
        raise GovkgError(f"could not write the search index {path}: {error}") from None
    write_checksum(path)  # last: an index without it is not trusted
    return path


# The file is private until it is renamed into place, so a crash only loses the temporary
# file: no journal, no syncs, one writer.
_BUILD_PRAGMAS = ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF",
                  "PRAGMA locking_mode = EXCLUSIVE", "PRAGMA cache_size = -262144")


def _write_index(path: Path, texts: list[Entry], types: dict[str, list[str]]) -> None:
    """Write the tables of the index into a fresh SQLite file."""
    entries = searchable(with_pinyin(texts), types)
    zh, en = preferred_label(texts, "zh"), preferred_label(texts, "en")
    iris = sorted({e.iri for e in entries})
    connection = sqlite3.connect(path)
    try:
        for pragma in _BUILD_PRAGMAS:
            connection.execute(pragma)
        with connection:
            connection.executescript(_SCHEMA + GRAMS_SCHEMA)
            connection.executemany(
                "INSERT INTO entries (rowid, text, norm, iri, kind, lang, source)"
                " VALUES (?,?,?,?,?,?,?)",
                ((i, e.text, fold(e.text), e.iri, e.kind, e.lang, e.source)
                 for i, e in enumerate(entries, 1)))
            connection.executemany(
                "INSERT INTO grams (rowid, tokens) VALUES (?,?)",
                ((i, gram_tokens(fold(e.text), e.kind)) for i, e in enumerate(entries, 1)))
            connection.executemany(
                "INSERT INTO resources VALUES (?,?,?,?)",
                ((i, zh.get(i), en.get(i), " ".join(types.get(i, ()))) for i in iris))
            connection.executemany("INSERT INTO meta VALUES (?,?)", [
                ("format", INDEX_FORMAT), ("entries", str(len(entries))),
                ("kinds", json.dumps(kind_ranges(entries)))])
            connection.execute("INSERT INTO entries (entries) VALUES ('optimize')")
            connection.execute("INSERT INTO grams (grams) VALUES ('optimize')")
    finally:
        connection.close()


def kind_ranges(entries: list[Entry]) -> dict[str, tuple[int, int]]:
    """The first and last row id (from 1) of each kind in ``entries``, sorted by kind."""
    ranges: dict[str, tuple[int, int]] = {}
    for i, e in enumerate(entries, 1):
        ranges[e.kind] = (ranges.get(e.kind, (i, i))[0], i)
    return ranges


# --- Opening --------------------------------------------------------------------------------

def search_index_path(settings: dict[str, Any], build: str) -> Path:
    """Where the search index of a build lives."""
    return Path(settings["cache_dir"]) / f"search-{build}.v{INDEX_FORMAT}.sqlite"


def open_index(settings: dict[str, Any], store: StoreLike | None = None) -> SearchIndex:
    """The search index of what ``settings`` serve, built first if it is missing.

    ``store``, if given, must hold what the settings serve; otherwise it is opened when the
    index has to be built.
    """
    path = search_index_path(settings, build_id(settings))
    if not is_intact(path):  # missing, or corrupted since it was built: built again
        build_index(store if store is not None else open_store(settings), path)
    return SearchIndex(path)


# --- Searching ------------------------------------------------------------------------------

_KIND_RANK = ("CASE kind WHEN 'label' THEN 0 WHEN 'altLabel' THEN 1 WHEN 'pinyin' THEN 2 "
              "WHEN 'definition' THEN 3 ELSE 4 END")
_IS_LABEL = "kind IN ('label', 'altLabel', 'pinyin')"

# Search order: exact label, label prefix, other; labels, then definitions, then sentences;
# the whole query as one substring before scattered terms; bm25; shorter text.
_SEARCH_KEYS = "tier, kind_group, scattered, score, length(text), kind_rank, iri, rk"
_SEARCH_RANK = f"""
    CASE WHEN {_IS_LABEL} AND norm = :q THEN 0
         WHEN {_IS_LABEL} AND norm LIKE :prefix ESCAPE '\\' THEN 1 ELSE 2 END AS tier,
    CASE WHEN {_IS_LABEL} THEN 0 WHEN kind = 'definition' THEN 1 ELSE 2 END AS kind_group,
    {_KIND_RANK} AS kind_rank,
    instr(norm, :q) = 0 AS scattered"""

# Suggest order: exact, prefix, word prefix, substring; label, altLabel, pinyin; shorter.
_SUGGEST_KEYS = "tier, kind_rank, length(text), iri, rk"
_SUGGEST_RANK = f"""
    CASE WHEN norm = :q THEN 0 WHEN norm LIKE :prefix ESCAPE '\\' THEN 1
         WHEN norm LIKE :word ESCAPE '\\' THEN 2 ELSE 3 END AS tier,
    {_KIND_RANK} AS kind_rank"""


@dataclass(frozen=True)
class _Filter:
    """A WHERE clause over the entries table and its named parameters."""

    fts: bool  # whether the clause has a MATCH (so bm25 is available)
    sql: str
    params: dict[str, Any]


def term_filter(terms: list[str]) -> _Filter:
    """All terms must occur: those of 3+ characters through the trigram index as quoted
    phrases, shorter ones (which trigrams cannot index) by a LIKE substring scan."""
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if long_terms:
        clauses.append("entries MATCH :match")
        params["match"] = " ".join(fts_phrase(t) for t in long_terms)
    for i, term in enumerate(short_terms):
        clauses.append(f"norm LIKE :like{i} ESCAPE '\\'")
        params[f"like{i}"] = f"%{like_escape(term)}%"
    return _Filter(bool(long_terms), " AND ".join(clauses), params)


def lang_filter(lang: str | None) -> tuple[str, dict[str, Any]]:
    """A clause keeping texts in ``lang`` or its sub-tags (zh keeps pinyin), if given."""
    if not lang:
        return "", {}
    lang = lang.lower()
    return (" AND (lang = :lang OR lang LIKE :lang_sub ESCAPE '\\')",
            {"lang": lang, "lang_sub": like_escape(lang) + "-%"})


class SearchIndex:
    """A read-only search index file; safe to share between threads (one connection each)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no search index at {self.path}")
        self._local = threading.local()
        self._ranges: dict[str, tuple[int, int]] | None = None

    def _connection(self) -> sqlite3.Connection:
        """This thread's read-only connection to the index, opened on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            connection.row_factory = sqlite3.Row
            self._local.connection = connection
        return connection

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def count_entries(self) -> int:
        """The number of rows (texts) in the index."""
        return self._connection().execute("SELECT count(*) FROM entries").fetchone()[0]

    def search(self, q: str, limit: int = 20, lang: str | None = None) -> list[Hit]:
        """Resources whose labels, alternative names, pinyin, definitions or sentences
        contain every term of ``q`` (case-insensitive), best first, one hit per resource.

        ``lang`` keeps only matches in that language (``zh`` includes pinyin); ``limit``
        is clamped to 0…MAX_LIMIT."""
        query = clean_query(q)
        limit = max(0, min(int(limit), MAX_LIMIT))
        if not query or not limit:
            return []
        folded = fold(query)
        terms = folded.split()
        lang_sql, lang_params = lang_filter(lang)
        if is_short(terms):
            short = ShortSearch(self._connection(), self._kind_ranges(), lang_sql, lang_params)
            rows = self._with_resources(short.search(folded, terms, limit))
        else:
            rows = self._ranked(term_filter(terms), lang_sql, lang_params, folded,
                                _SEARCH_RANK, _SEARCH_KEYS, limit)
        return [self._hit(row, [folded, *terms]) for row in rows]

    def suggest(self, q: str, limit: int = 8) -> list[Hit]:
        """Autocomplete: resources whose label, alternative name or pinyin contains ``q``,
        those starting with it first, then those with a word starting with it."""
        query = clean_query(q)
        limit = max(0, min(int(limit), MAX_LIMIT))
        if not query or not limit:
            return []
        folded = fold(query)
        if len(folded) <= MAX_SHORT:
            short = ShortSearch(self._connection(), self._kind_ranges())
            rows = self._with_resources(short.suggest(folded, limit))
        else:
            rows = self._ranked(term_filter([folded]), f" AND {_IS_LABEL}", {}, folded,
                                _SUGGEST_RANK, _SUGGEST_KEYS, limit)
        return [self._hit(row, [folded]) for row in rows]

    def _kind_ranges(self) -> dict[str, tuple[int, int]]:
        """The first and last row id of each kind of text, as the index's meta table keeps."""
        if self._ranges is None:
            value = self._connection().execute(
                "SELECT value FROM meta WHERE key = 'kinds'").fetchone()[0]
            self._ranges = {kind: (lo, hi) for kind, (lo, hi) in json.loads(value).items()}
        return self._ranges

    def _with_resources(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        """``rows`` of the entries table with their resources' labels and types."""
        iris = [row["iri"] for row in rows]
        found = self._connection().execute(
            "SELECT iri, label_zh, label_en, types FROM resources WHERE iri IN "
            f"({','.join('?' * len(iris))})", iris).fetchall()
        resources = {r["iri"]: dict(r) for r in found}
        return [{**dict(row), **resources[row["iri"]]} for row in rows]

    def _ranked(self, where: _Filter, extra_sql: str, extra_params: dict[str, Any],
                folded: str, rank_sql: str, keys: str, limit: int) -> list[sqlite3.Row]:
        """The best row of each matching resource, in ``keys`` order."""
        score = "bm25(entries)" if where.fts else "length(norm)"
        sql = f"""
            WITH m AS (
                SELECT rowid AS rk, text, norm, iri, kind, lang, source, {score} AS score
                FROM entries WHERE {where.sql}{extra_sql}),
            r AS (SELECT m.*, {rank_sql} FROM m),
            best AS (SELECT r.*, row_number() OVER (PARTITION BY iri ORDER BY {keys}) AS n
                     FROM r)
            SELECT best.*, resources.label_zh, resources.label_en, resources.types
            FROM best JOIN resources USING (iri)
            WHERE n = 1 ORDER BY {keys} LIMIT :limit"""
        named = {**where.params, **extra_params, "q": folded, "prefix": like_escape(folded) + "%",
                 "word": "% " + like_escape(folded) + "%", "limit": limit}
        return self._connection().execute(sql, named).fetchall()

    @staticmethod
    def _hit(row: sqlite3.Row | dict[str, Any], terms: list[str]) -> Hit:
        """A result row as a Hit, its snippet marking ``terms``."""
        return Hit(
            iri=row["iri"], label_zh=row["label_zh"], label_en=row["label_en"],
            kind=row["kind"], lang=row["lang"], text=row["text"],
            snippet=snippet(row["text"], terms), types=tuple(row["types"].split()),
            source=row["source"])

