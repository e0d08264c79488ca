"""The search index: built once with the store, trigram substring matching, pinyin, ranking,
hostile input; on the real data and on a tiny store made here."""

import sqlite3
import threading
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from govkg import search
from govkg.builds import build_id
from govkg.query import select_rows
from govkg.search import (
    Hit,
    SearchIndex,
    build_index,
    fts_phrase,
    like_escape,
    open_index,
    pinyin_forms,
    search_index_path,
)
from govkg.settings import load_settings
from govkg.vocab import GRAPH, ID

HOSTILE = ['"', '""', '"""', "a*", "NEAR(", "' OR 1=1 --", "%", "_", "\\", "(", ")", "AND",
           "OR NOT", "*", "^", "-", ":", "text:x", "{a b}", '"政务" OR "x"', "\x00abc", "粤'",
           "%%%", "___", "a" * 1000]

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_DEF = "http://www.w3.org/2004/02/skos/core#definition"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GK = "https://w3id.org/govkg/ontology#"


def test_sqlite_has_fts5_trigram() -> None:
    assert sqlite3.sqlite_version_info >= (3, 34, 0)
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    connection.execute("INSERT INTO t VALUES ('广东政务服务网')")
    assert connection.execute("SELECT x FROM t WHERE t MATCH '\"政务服\"'").fetchall()


# --- Helpers -------------------------------------------------------------------------------

def test_pinyin_forms() -> None:
    assert pinyin_forms("粤省事") == ["yueshengshi", "yue sheng shi", "yss"]
    assert pinyin_forms("“北京通”APP") == ["beijingtongapp", "bei jing tong app", "bjtapp"]
    assert pinyin_forms("12345热线") == ["12345rexian", "12345 re xian", "12345rx"]
    assert pinyin_forms("Beijing Tong") == []


def test_fold_lowers_character_by_character() -> None:
    for text in ("ABC政务", "ΟΔΟΣ ΣΑ", "İstanbul", "ǅ", "Straße"):
        assert search.fold(text) == "".join(
            low if len(low := c.lower()) == 1 else c for c in text), text
    assert search.fold("ＡＢＣ（政务）①") == "abc（政务）1"  # full-width letters as ASCII
    assert search.fold("ΟΔΟΣ") == "οδοσ"  # not the final ς of "ΟΔΟΣ".lower()


def test_quoting_helpers() -> None:
    assert fts_phrase('a"b') == '"a""b"'
    assert like_escape("5%_\\") == "5\\%\\_\\\\"


# --- A tiny store ----------------------------------------------------------------------------

def _quad(s: str, p: str, o: NamedNode | Literal, graph: str = "data") -> Quad:
    return Quad(NamedNode(ID + s), NamedNode(p), o, NamedNode(GRAPH + graph))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """An index of a handful of resources, independent of the data files."""
    store = pyoxigraph.Store()
    quads = [
        _quad("platform/yueshengshi", RDF_TYPE, NamedNode(GK + "MiniProgram")),
        _quad("platform/yueshengshi", RDFS_LABEL, Literal("粤省事", language="zh")),
        _quad("platform/yueshengshi", RDFS_LABEL, Literal("Yueshengshi", language="en")),
        _quad("platform/gd-portal", RDF_TYPE, NamedNode(GK + "Portal")),
        _quad("platform/gd-portal", RDFS_LABEL, Literal("广东政务服务网", language="zh")),
        _quad("platform/gd-portal", RDFS_LABEL,
              Literal("Guangdong Government Service Portal", language="en")),
        _quad("platform/gd-portal", SKOS_DEF, Literal("A portal with 50% of a_b.", language="en")),
        _quad("platform/gd-portal-app", RDFS_LABEL, Literal("广东政务服务网APP", language="zh")),
        _quad("platform/cloud", RDFS_LABEL, Literal("Portal Cloud", language="en")),
        _quad("platform/cloud", SKOS_ALT, Literal("政务云", language="zh")),
        _quad("sentence/p1s1", RDF_TYPE, NamedNode(GK + "Sentence"), "report"),
        _quad("sentence/p1s1", RDFS_LABEL, Literal("第1行第1句", language="zh"), "report"),
        _quad("sentence/p1s1", GK + "text",
              Literal("2018年5月，“粤省事”上线，当天访问用户量就突破1000万。", language="zh"),
              "report"),
        _quad("shape/x", RDFS_LABEL, Literal("政务 shape", language="zh"), "shapes"),
    ]
    store.extend(quads)
    path = tmp_path_factory.mktemp("tiny") / "search.sqlite"
    return SearchIndex(build_index(store, path))


def _iris(hits: list[Hit]) -> list[str]:
    return [h.iri.removeprefix(ID) for h in hits]


def test_tiny_substring_and_pinyin(tiny: SearchIndex) -> None:
    assert _iris(tiny.search("政务")) == ["platform/cloud", "platform/gd-portal",
                                          "platform/gd-portal-app"]
    for q in ("yueshengshi", "yue sheng shi", "yss", "YueShengShi", "粤", "粤省"):
        assert _iris(tiny.search(q))[0] == "platform/yueshengshi", q
    assert "sentence/p1s1" in _iris(tiny.search("当天访问用户量"))


def test_tiny_ranking(tiny: SearchIndex) -> None:
    hits = tiny.search("广东政务服务网")
    assert _iris(hits) == ["platform/gd-portal", "platform/gd-portal-app"]
    assert hits[0].kind == "label"
    portal = tiny.search("portal")
    assert _iris(portal)[0] == "platform/cloud"  # "Portal Cloud" starts with the query
    assert tiny.search("粤省事")[1].kind == "sentence"  # labels before sentences


def test_tiny_skips_sentence_labels_and_shapes(tiny: SearchIndex) -> None:
    assert tiny.search("第1行") == []
    assert tiny.search("shape") == []


def test_tiny_hit_fields(tiny: SearchIndex) -> None:
    hit = tiny.search("service portal")[0]
    assert hit.iri == ID + "platform/gd-portal"
    assert (hit.label_zh, hit.label_en) == ("广东政务服务网", "Guangdong Government Service Portal")
    assert hit.types == (GK + "Portal",)
    assert hit.title == "Guangdong Government Service Portal"
    assert [p.text for p in hit.snippet if p.match] == ["Service Portal"]
    assert "".join(p.text for p in hit.snippet) == hit.text
    assert hit.to_dict()["snippet"][-1] == {"text": "Service Portal", "match": True}
    pinyin = tiny.search("yss")[0]
    assert (pinyin.kind, pinyin.source, pinyin.title) == ("pinyin", "粤省事", "粤省事")


def test_tiny_long_sentence_snippet_is_cut(tiny: SearchIndex, monkeypatch) -> None:
    monkeypatch.setattr(search, "SNIPPET_CONTEXT", 3)
    monkeypatch.setattr(search, "SNIPPET_MAX", 10)
    hit = tiny.search("访问用户", lang="zh")[0]
    texts = [(p.text, p.match) for p in hit.snippet]
    assert texts[0] == ("…", False) and texts[-1] == ("…", False)
    assert ("访问用户", True) in texts


def test_tiny_like_wildcards_are_literal(tiny: SearchIndex) -> None:
    assert _iris(tiny.search("%")) == ["platform/gd-portal"]
    assert _iris(tiny.search("_")) == ["platform/gd-portal"]
    assert _iris(tiny.search("0%")) == ["platform/gd-portal"]
    assert tiny.search("%%") == []


def test_tiny_lang_filter(tiny: SearchIndex) -> None:
    assert tiny.search("yueshengshi", lang="en")[0].kind == "label"
    assert tiny.search("yueshengshi", lang="zh")[0].kind == "pinyin"
    assert tiny.search("粤省事", lang="en") == []


def test_tiny_suggest(tiny: SearchIndex) -> None:
    assert [h.title for h in tiny.suggest("广东")] == ["广东政务服务网", "广东政务服务网APP"]
    assert _iris(tiny.suggest("yue")) == ["platform/yueshengshi"]
    assert _iris(tiny.suggest("clo")) == ["platform/cloud"]  # a word of "Portal Cloud"
    assert tiny.suggest("当天访问") == []  # sentences are not suggested


@pytest.mark.parametrize("q", HOSTILE)
def test_tiny_hostile_input(tiny: SearchIndex, q: str) -> None:
    assert isinstance(tiny.search(q), list)
    assert isinstance(tiny.suggest(q), list)
    assert isinstance(tiny.search("政务", lang=q), list)


@pytest.mark.parametrize("q", ["", " ", "\t\n", "\x00"])
def test_tiny_empty_query(tiny: SearchIndex, q: str) -> None:
    assert tiny.search(q) == []
    assert tiny.suggest(q) == []


def test_tiny_limit(tiny: SearchIndex) -> None:
    assert len(tiny.search("政务", limit=1)) == 1
    assert tiny.search("政务", limit=0) == []
    assert tiny.search("政务", limit=-5) == []


def test_tiny_threads(tiny: SearchIndex) -> None:
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(_iris(tiny.search("政务"))))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)


# --- The real data ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(settings: dict, store) -> SearchIndex:
    return open_index(settings, store=store)


def _iri_with_label(store, label: str) -> str:
    rows = select_rows(store, f'SELECT ?s WHERE {{ ?s rdfs:label "{label}"@zh }}')
    assert rows, f"no resource labelled {label} in the data"
    return str(rows[0]["s"])


def test_substring_finds_guangdong_portal(index: SearchIndex, store) -> None:
    portal = _iri_with_label(store, "广东政务服务网")
    assert portal in [h.iri for h in index.search("政务", limit=200)]
    assert index.search("广东政务服务网")[0].iri == portal


@pytest.mark.parametrize("q", ["yueshengshi", "yss", "yue sheng shi", "Yue Sheng Shi"])
def test_pinyin_finds_yueshengshi(index: SearchIndex, store, q: str) -> None:
    assert index.search(q)[0].iri == _iri_with_label(store, "粤省事")


def test_ysss_finds_names_starting_with_yueshengshi(index: SearchIndex) -> None:
    # 粤省事 is yss; ysss is the start of the initials of longer names such as “粤省事”上线.
    hits = index.search("ysss")
    assert hits and all("粤省事" in (h.label_zh or "") for h in hits)


def test_english_label(index: SearchIndex, store) -> None:
    hits = index.search("guangdong government service portal")
    assert hits[0].iri == _iri_with_label(store, "广东政务服务网")
    assert hits[0].kind == "label" and hits[0].lang == "en"
    assert index.search("BEIJING TONG")[0].iri == _iri_with_label(store, "北京通")


def test_sentence_phrase(index: SearchIndex, store) -> None:
    row = select_rows(store, "SELECT ?s ?t WHERE { ?s a gk:Sentence ; gk:line 30 ; "
                             "gk:sentenceNumber 1 ; gk:text ?t }")[0]
    text = str(row["t"])
    phrase = text[len(text) // 2: len(text) // 2 + 10]
    hits = index.search(phrase, limit=50)
    assert row["s"] in [h.iri for h in hits]
    hit = next(h for h in hits if h.iri == row["s"])
    assert hit.kind == "sentence" and GK + "Sentence" in hit.types
    assert phrase in "".join(p.text for p in hit.snippet if p.match)


def test_a_sentence_is_found_by_its_english(index: SearchIndex) -> None:
    """govkg's translation is searched too: the sentence on 管运分离 by the English term."""
    hits = index.search("separating management from operation", lang="en", limit=50)
    sentence = ID + "sentence/p33s1"
    assert sentence in [h.iri for h in hits]
    hit = next(h for h in hits if h.iri == sentence)
    assert hit.kind == "sentence" and hit.lang == "en"
    assert hit.text.startswith("In terms of model, Guangdong's")


def test_exact_label_first(index: SearchIndex, store) -> None:
    for label in ("北京通", "粤省事", "政务云"):
        hit = index.search(label)[0]
        assert hit.label_zh == label and hit.kind == "label", label


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input(index: SearchIndex, q: str) -> None:
    assert isinstance(index.search(q), list)
    assert isinstance(index.suggest(q), list)


def test_empty_query(index: SearchIndex) -> None:
    assert index.search("") == [] and index.search("   ") == []
    assert index.suggest("") == []


def test_suggest_by_prefix(index: SearchIndex) -> None:
    hits = index.suggest("粤")
    assert hits and len(hits) <= 8
    assert all(h.text.startswith("粤") for h in hits[:3])
    assert "粤省事" in [h.label_zh for h in index.suggest("yue", limit=20)]
    assert {h.kind for h in index.suggest("政务", limit=50)} <= {"label", "altLabel", "pinyin"}


def test_index_built_once(settings: dict, store, index: SearchIndex, monkeypatch) -> None:
    before = index.path.stat().st_mtime_ns
    assert index.path == search_index_path(settings, build_id(settings))
    assert index.path.name == f"search-{build_id(settings)}.v{search.INDEX_FORMAT}.sqlite"

    def fail(*args: object) -> None:
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(search, "build_index", fail)
    again = open_index(settings)
    assert again.path == index.path
    assert again.path.stat().st_mtime_ns == before


@pytest.mark.slow
def test_changed_sources_rebuild_the_index(source_copy: Path, tmp_path: Path) -> None:
    settings = load_settings({"cache_dir": str(tmp_path / "cache"), "root": str(source_copy)})
    first = open_index(settings)
    assert first.search("重建测试平台") == []
    (source_copy / "data" / "zz-search-test.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/govkg/id/platform/search-test> "
        'rdfs:label "重建测试平台"@zh , "Rebuild Test Platform"@en ; '
        "<https://w3id.org/govkg/ontology#statedIn> <https://w3id.org/govkg/id/sentence/p7s1> .\n",
        encoding="utf-8")
    second = open_index(settings)
    assert second.path != first.path and first.path.exists()
    assert second.search("重建测试平台")[0].iri == ID + "platform/search-test"
    assert second.search("cjcs")[0].iri == ID + "platform/search-test"


# --- Short terms: the grams table against the scan it replaced -----------------------------

def _scan(index: SearchIndex, q: str, limit: int = 20, lang: str | None = None,
          suggest: bool = False) -> list[Hit]:
    """What search (or suggest) answered before the grams table: every term of under three
    characters a LIKE scan of the whole index, every match ranked in SQL."""
    folded = search.fold(search.clean_query(q))
    terms = [folded] if suggest else folded.split()
    extra = search.lang_filter(lang) if not suggest else (f" AND {search._IS_LABEL}", {})
    rank, keys = ((search._SUGGEST_RANK, search._SUGGEST_KEYS) if suggest
                  else (search._SEARCH_RANK, search._SEARCH_KEYS))
    rows = index._ranked(search.term_filter(terms), *extra, folded, rank, keys, limit)
    return [index._hit(row, [folded, *terms]) for row in rows]


def _brute_force(index: SearchIndex, q: str) -> set[str]:
    """The resources with a text holding every term of ``q``, by Python substring tests."""
    terms = search.fold(q).split()
    with sqlite3.connect(index.path) as connection:
        return {iri for iri, norm in connection.execute("SELECT iri, norm FROM entries")
                if all(t in norm for t in terms)}


def _short_terms(index: SearchIndex) -> list[str]:
    """One- and two-character terms: common, rare, Latin, digits, punctuation."""
    with sqlite3.connect(index.path) as connection:
        labels = [r[0] for r in connection.execute(
            "SELECT norm FROM entries WHERE kind = 'label' ORDER BY rowid LIMIT 400")]
    terms = {label[i:i + n] for label in labels[::37] for n in (1, 2)
             for i in range(0, len(label) - n + 1, 3)}
    terms |= {"政务", "政", "服务", "省", "平台", "a", "ap", "x", "1", "12", "%", "_", "-", "“",
              "(", "a_", "\\", "龘"}
    return sorted(t for t in terms if t.strip() == t and t)


def test_short_terms_rank_as_the_scan_did(index: SearchIndex) -> None:
    terms = _short_terms(index)
    assert len(terms) > 40
    for term in terms:
        for limit in (1, 7, 200):
            assert index.search(term, limit=limit) == _scan(index, term, limit), (term, limit)
        hits = index.search(term, limit=search.MAX_LIMIT)
        expected = _brute_force(index, term)
        assert {h.iri for h in hits} <= expected, term
        assert len(hits) == min(len(expected), search.MAX_LIMIT), term


@pytest.mark.parametrize("q", ["政务 服务", "服务 政务", "政 务", "省 平台", "广东 政务", "yue s",
                               "g d", "a 1", "% _"])
def test_several_short_terms_rank_as_the_scan_did(index: SearchIndex, q: str) -> None:
    for limit in (3, 20, 200):
        assert index.search(q, limit=limit) == _scan(index, q, limit), limit
    hits = index.search(q, limit=search.MAX_LIMIT)
    assert len(hits) == min(len(_brute_force(index, q)), search.MAX_LIMIT)


@pytest.mark.parametrize("q", ["政务 服务网", "广东 政务服务网", "yu sheng", "北京通 app",
                               "政务服务 省 平台"])
def test_short_and_long_terms_together(index: SearchIndex, q: str) -> None:
    hits = index.search(q, limit=search.MAX_LIMIT)
    assert hits and hits == _scan(index, q, search.MAX_LIMIT)
    assert {h.iri for h in hits} == _brute_force(index, q) or len(hits) == search.MAX_LIMIT


@pytest.mark.parametrize("lang", ["zh", "en", "zh-latn-pinyin", "fr"])
def test_short_terms_with_a_language(index: SearchIndex, lang: str) -> None:
    for q in ("政务", "务", "a", "g", "yu", "政 务"):
        assert index.search(q, limit=50, lang=lang) == _scan(index, q, 50, lang), q


def test_short_suggest_ranks_as_the_scan_did(index: SearchIndex) -> None:
    for term in [*_short_terms(index), "yu", "bj", "gd", "y", "b"]:
        for limit in (1, 8, 50):
            assert index.suggest(term, limit) == _scan(index, term, limit, suggest=True), term


def test_tiny_short_terms_rank_as_the_scan_did(tiny: SearchIndex) -> None:
    for q in ("政", "政务", "广东", "po", "p", "%", "_", "a_", "50", "y", "粤", "portal 政务",
              "政务 网", "服 务", "a b"):
        assert tiny.search(q, limit=50) == _scan(tiny, q, 50), q
        assert tiny.suggest(q, 50) == _scan(tiny, q, 50, suggest=True), q


def test_pinyin_by_runs_is_pinyin_of_the_whole_text(index: SearchIndex) -> None:
    """Converting runs of characters one by one (and caching them) changes nothing."""
    def whole(text: str) -> list[str]:
        if not search._HAN.search(text):
            return []
        syllables: list[str] = []
        initials: list[str] = []
        for item in search.lazy_pinyin(text, errors=lambda run: [search._NOT_HAN + run]):
            words = search._ALNUM.findall(item.lower())
            syllables.extend(words)
            initials.extend(words if item.startswith(search._NOT_HAN)
                            else [w[0] for w in words])
        forms = ["".join(syllables), " ".join(syllables), "".join(initials)]
        return list(dict.fromkeys(f for f in forms if f))

    with sqlite3.connect(index.path) as connection:
        labels = [r[0] for r in connection.execute(
            "SELECT text FROM entries WHERE kind IN ('label', 'altLabel') AND lang LIKE 'zh%'")]
    assert len(labels) > 100
    for text in [*labels, "“北京通”APP", "重庆12345热线", "银行行长", "a 重 b"]:
        assert pinyin_forms(text) == whole(text), text


def test_short_terms_do_not_scan(index: SearchIndex, monkeypatch) -> None:
    def fail(terms: list[str]) -> None:
        raise AssertionError(f"{terms} went to the scan")

    monkeypatch.setattr(search, "term_filter", fail)
    assert index.search("政务") and index.search("政 务", lang="zh") and index.suggest("政")
