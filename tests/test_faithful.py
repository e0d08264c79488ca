"""The data is faithful to the report, statement by statement, as graph/evidence traces it.

- Every number a sentence writes (万 and 亿 multiplied out, also after 多 or 余, 8成 as 80) is
  a typed data value (a figure's value, a rank, a count, a date) of a statement whose
  evidence is that sentence, or part of a name the sentence writes. Comments never count.
- Every statement of graph/data with a literal is supported by each sentence it cites:
  numbers and dates appear in it (a relative date through its ``gk:dateResolvedFrom``
  phrase), names (zh labels) appear in it word for word.
- Every link of graph/data names both ends in each sentence it cites, by a zh label or
  alternative label written whole: not only inside a longer name of something else
  (数字福建 inside 数字福建云计算中心), unless that is the link's other end (数字福建 covers
  福建) or the end is a place (浙江省人民政府 names 浙江省). The few places where a sentence
  refers to a thing without writing its name whole are listed in ``UNNAMED`` with the reason.

Labels of things govkg describes rather than names (figures, events, rankings, tiers,
indicators, inconsistencies) are govkg's wording, so their zh labels and their own side of
a link are not looked for in the sentence. English literals are translations and free
text (comments, definitions, descriptions) is not a value; both are only required to
have evidence, which the build guarantees.
"""

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

import pytest
from pyoxigraph import Literal, NamedNode
from testbed import ROOT

from govkg.query import run_query
from govkg.report import Sentence, read_report
from govkg.vocab import GRAPH, PREFIXES, sentence_iri

XSD = PREFIXES["xsd"]
GK = PREFIXES["gk"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
NUMBER = re.compile(r"(\d+(?:\.\d+)?)(?:多|余)?(万|亿|成)?")
MULTIPLIER = {"万": 10_000, "亿": 100_000_000, "成": 10}
CHINESE_DIGITS = {1: "一", 2: "二两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
                  9: "九", 10: "十"}
NUMERIC = {XSD + t for t in ("integer", "decimal", "positiveInteger", "nonNegativeInteger")}
DATES = {XSD + t for t in ("date", "gYearMonth", "gYear")}
NAMES = {RDFS + "label", SKOS + "altLabel"}
# zh literals that are quoted words of the sentence, not free text
WORDED = NAMES | {GK + "countedThing", GK + "rankingCategory", GK + "grade",
                  GK + "dateResolvedFrom", GK + "extent"}
FREE_TEXT = {RDFS + "comment", SKOS + "definition", PREFIXES["dcterms"] + "description",
             SKOS + "scopeNote", SKOS + "note"}
# Classes whose members govkg describes rather than the report naming them.
DESCRIBED = {GK + c for c in ("Measurement", "Event", "Ranking", "Award", "Tier", "Indicator",
                              "ReportInconsistency")} | {SKOS + "ConceptScheme"}
# Links whose object is a term of govkg's vocabulary, not a thing the report names.
VOCABULARY_LINKS = {PREFIXES["rdf"] + "type", SKOS + "inScheme", GK + "unit", GK + "measures",
                    GK + "qualifier", GK + "statedIn", SKOS + "topConceptOf",
                    SKOS + "hasTopConcept"}

# (sentence, resource): why the sentence refers to the resource without writing its name.
UNNAMED = {
    ("p8s2", "platform:beijing-government-website"): "网站: the website of p8s1",
    ("p8s3", "platform:beijing-government-website"): "the website's messages (网上留言) of p8s1-2",
    ("p17s1", "gorg:zhejiang-government"): "浙江: the province acting through its government",
    ("p33s2", "model:guanyun-fenli-zhengqi-hezuo"): "该模式: the model of p33s1",
    ("p36s2", "platform:sichuan-integrated-service-platform"): "“一网”: the first part of p36s1's platform",
    ("p36s3", "platform:sichuan-integrated-service-platform"): "“三平台”: part of p36s1's platform",
    ("p36s2", "model:yiwang-sanpingtai-santixi"): "“一网” refers back to p36s1's 一网三平台三体系",
    ("p36s3", "model:yiwang-sanpingtai-santixi"): "“三平台” refers back to p36s1's 一网三平台三体系",
    ("p36s4", "model:yiwang-sanpingtai-santixi"): "“三体系” refers back to p36s1's 一网三平台三体系",
    ("p38s2", "platform:sichuan-gov-service-network"): "改版后: after the relaunch of p38s1's 四川政务服务网",
    ("p41s2", "model:yiyun-yiwang-yipingtai"): "“一朵云”/“一张网”: the parts of p41s1's 一云一网一平台",
    ("p43s2", "platform:yunshangguizhou"): "通过手机登录: logging in to p43s1's app",
    ("p25s2", "platform:digital-fujian-cloud"): "已经为…提供了: the subject is p25s1's 数字福建云计算中心",
    ("p45s1", "gorg:guizhou-government"): "贵州省级政府: the provincial-level government",
    ("p30s3", "platform:guangdong-gov-service-portal"): "continues p30s2 with no subject of its own",
    ("p33s1", "gorg:guangdong-government"): "政府: the government of the Guangdong reform the sentence is about",
    ("p3s2", "report:china-digital-government-assessment-2019"): "据…显示 of p3s1 governs all of line 3",
    ("p3s3", "report:china-digital-government-assessment-2019"): "据…显示 of p3s1 governs all of line 3",
    ("p3s4", "report:china-digital-government-assessment-2019"): "据…显示 of p3s1 governs all of line 3",
    # written only inside the name of something else, as its owner or its subject
    ("p30s2", "gorg:guangdong-government"): "only in 广东省人民政府办公厅, its general office",
    ("p31s1", "gorg:guangdong-government"): "only in 广东省人民政府网站, its website",
    ("p6s2", "platform:beijing-government-website"): "only in the case name 北京市政府门户网站‘一网通查’搜索服务",
    ("p6s2", "model:yiwang-tongcha"): "only in the case name 北京市政府门户网站‘一网通查’搜索服务",
    ("p9s1", "model:internet-plus-government-services"): "only in “互联网+政务服务”体系, the system to build",
}

SENTENCES = read_report(ROOT / "data" / "source" / "report.zh.txt")
TEXT = {str(s.iri): s.text for s in SENTENCES}


def short(iri: str) -> str:
    """``platform:beijingtong`` for the full IRI, as the exceptions are written."""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and prefix not in ("rdf", "rdfs", "xsd"):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def normalise(number: str) -> str:
    """One spelling per number: 80.0 and 80 match, 03 and 3 match."""
    value = Decimal(number)
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def numbers_in(text: str) -> set[str]:
    """Each number written in ``text``, as the graph should hold it."""
    found = set()
    for digits, unit in NUMBER.findall(text):
        value = Decimal(digits) * MULTIPLIER[unit] if unit else Decimal(digits)
        found.add(normalise(str(value)))
    return found


def says_number(text: str, value: str) -> bool:
    """Whether ``text`` writes the number, in Arabic digits or (one to ten) in Chinese."""
    if normalise(value) in numbers_in(text):
        return True
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number in CHINESE_DIGITS and any(c in text for c in CHINESE_DIGITS[int(number)])


@pytest.fixture(scope="module")
def statements(store) -> list[dict]:
    """Every statement of graph/data with the sentence it cites and that sentence's text."""
    query = f"""
    SELECT ?s ?p ?o ?sentence WHERE {{
      GRAPH <{GRAPH}evidence> {{
        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
            gk:assertedIn <{GRAPH}data> ; gk:statedIn ?sentence }}
    }}"""
    return [{"s": r["s"].value, "p": r["p"].value, "o": r["o"], "sentence": r["sentence"].value}
            for r in run_query(store, query, default_graphs=[GRAPH + "evidence"])]


@pytest.fixture(scope="module")
def names(store) -> dict[str, set[str]]:
    """Every resource's zh names (labels and alternative labels) in data and ontology."""
    query = """SELECT ?x ?name WHERE { ?x rdfs:label|skos:altLabel ?name FILTER(lang(?name) = "zh") }"""
    found: dict[str, set[str]] = defaultdict(set)
    for row in run_query(store, query, default_graphs=[GRAPH + "data", GRAPH + "ontology"]):
        found[row["x"].value].add(row["name"].value)
    return found


@pytest.fixture(scope="module")
def described(store) -> set[str]:
    """The resources whose labels are govkg's descriptions, not the report's names."""
    classes = " ".join(f"<{c}>" for c in DESCRIBED)
    query = f"SELECT DISTINCT ?x WHERE {{ ?x a ?c VALUES ?c {{ {classes} }} }}"
    graphs = [GRAPH + "data", GRAPH + "inferred"]
    return {row["x"].value for row in run_query(store, query, default_graphs=graphs)}


def test_every_statement_has_evidence(store) -> None:
    query = f"""
    SELECT (COUNT(*) AS ?n) WHERE {{
      GRAPH <{GRAPH}data> {{ ?s ?p ?o FILTER(?p != gk:statedIn) }}
      FILTER NOT EXISTS {{ GRAPH <{GRAPH}evidence> {{
        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; gk:statedIn [] }} }}
    }}"""
    rows = list(run_query(store, query, default_graphs=[GRAPH + "data"]))
    assert rows[0]["n"].value == "0"


def test_the_resource_summary_is_derived_from_the_statements(store) -> None:
    """gk:statedIn on a resource is exactly the sentences behind its statements."""
    summary = f"SELECT ?s ?sentence WHERE {{ GRAPH <{GRAPH}data> {{ ?s gk:statedIn ?sentence }} }}"
    derived = f"""SELECT DISTINCT ?s ?sentence WHERE {{ GRAPH <{GRAPH}evidence> {{
        ?st rdf:subject ?s ; gk:assertedIn <{GRAPH}data> ; gk:statedIn ?sentence }} }}"""
    pairs = [{(r["s"].value, r["sentence"].value) for r in run_query(store, q, default_graphs=[])}
             for q in (summary, derived)]
    assert pairs[0] == pairs[1]


@pytest.mark.parametrize("sentence", [s for s in SENTENCES if re.search(r"\d", s.text)],
                         ids=lambda s: f"p{s.line}s{s.number}")
def test_every_number_of_the_sentence_is_a_typed_value(statements, sentence: Sentence) -> None:
    iri = str(sentence_iri(sentence.line, sentence.number))
    held: set[str] = set()
    for row in (r for r in statements if r["sentence"] == iri):
        o = row["o"]
        if not isinstance(o, Literal):
            continue
        datatype = o.datatype.value
        if datatype in NUMERIC:
            assert "." not in o.value or datatype == XSD + "decimal", f"{o} should be xsd:decimal"
            held.add(normalise(o.value))
        elif datatype in DATES:
            held.update(normalise(n) for n in re.findall(r"\d+", o.value))
        elif o.language == "zh" and row["p"] in NAMES:
            held.update(numbers_in(o.value))
    missing = numbers_in(sentence.text) - held
    assert not missing, f"{sentence.text}\nno typed value or name holds: {sorted(missing)}"


def literal_problem(row: dict, text: str, resolved: set[str], described: set[str]) -> str | None:
    """Why the sentence does not support this literal statement, or None when it does."""
    o, p = row["o"], row["p"]
    if o.datatype.value in NUMERIC:
        return None if says_number(text, o.value) else f"{o.value} is not in the sentence"
    if o.datatype.value in DATES:
        year, *rest = o.value.split("-")
        if any(normalise(part) not in numbers_in(text) for part in rest):
            return f"the month or day of {o.value} is not in the sentence"
        if year not in text and not any(phrase in text for phrase in resolved):
            return f"the year {year} is not in the sentence, nor a phrase it is resolved from"
        return None
    if o.language != "zh" or p not in WORDED or p in FREE_TEXT:
        return None
    if p in NAMES and row["s"] in described:
        return None
    words = o.value.replace("“", "").replace("”", "")
    if o.value in text or words in text.replace("“", "").replace("”", ""):
        return None
    if p == GK + "countedThing" and all(w in text for w in o.value.split()):
        return None
    return f"「{o.value}」 is not in the sentence"


def test_every_literal_is_in_its_sentence(statements, described) -> None:
    resolved: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in statements:
        if row["p"] == GK + "dateResolvedFrom":
            resolved[row["s"], row["sentence"]].add(row["o"].value)
    problems = []
    for row in (r for r in statements if isinstance(r["o"], Literal)):
        text = TEXT[row["sentence"]]
        why = literal_problem(row, text, resolved[row["s"], row["sentence"]], described)
        if why:
            problems.append(f"{short(row['sentence'])} {short(row['s'])} {short(row['p'])}: {why}")
    assert not problems, "\n".join(sorted(problems))


def unquoted(text: str) -> str:
    return text.replace("“", "").replace("”", "")


def spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` occurs in ``text`` (overlapping occurrences too)."""
    found, at = [], text.find(name)
    while at >= 0:
        found.append((at, at + len(name)))
        at = text.find(name, at + 1)
    return found


def writes_whole(text: str, name: str, all_names: set[str]) -> bool:
    """Whether ``text`` writes ``name`` as a whole name: an occurrence that is not part of
    a longer name of something else written there (数字福建 inside 数字福建云计算中心,
    广东 inside 广东省政务服务网). Chinese has no spaces, so the known names are the
    boundaries there are."""
    longer = [span for other in all_names if name in other and other != name
              for span in spans(text, other)]
    return any(not any(a <= start and end <= b for a, b in longer)
               for start, end in spans(text, name))


def named_in(iri: str, sentence: str, names: dict[str, set[str]], described: set[str],
             partner: str) -> bool:
    """Whether the sentence writes a name of ``iri`` whole, or inside a name of ``partner``
    (the link's other end: 数字福建 covers 福建)."""
    if iri in described or (short(sentence).removeprefix("sentence:"), short(iri)) in UNNAMED:
        return True
    text = unquoted(TEXT[sentence])
    mine = {unquoted(name) for name in names.get(iri, ())}
    if iri.startswith(PREFIXES["region"]):  # a place names itself inside a name: 浙江省人民政府
        return any(name in text for name in mine)
    others = {unquoted(name) for other, held in names.items()
              if other not in (iri, partner) and other not in described for name in held} - mine
    return any(writes_whole(text, name, others) for name in mine)


def test_every_link_names_both_ends_in_its_sentence(statements, names, described) -> None:
    problems = []
    for row in statements:
        if not isinstance(row["o"], NamedNode) or row["p"] in VOCABULARY_LINKS:
            continue
        for end, partner in ((row["s"], row["o"].value), (row["o"].value, row["s"])):
            if not named_in(end, row["sentence"], names, described, partner):
                problems.append(f"{short(row['sentence'])} does not name {short(end)} "
                                f"({short(row['s'])} {short(row['p'])} {short(row['o'].value)})")
    assert not problems, f"{len(problems)} links:\n" + "\n".join(sorted(set(problems)))


def test_the_exceptions_are_still_needed(statements, names) -> None:
    """An entry of UNNAMED whose sentence now names the thing, or is not cited, is stale."""
    cited = {(short(r["sentence"]).removeprefix("sentence:"), short(e)) for r in statements
             for e in (r["s"], r["o"].value if isinstance(r["o"], NamedNode) else None) if e}
    stale = [key for key in UNNAMED if key not in cited]
    assert not stale, f"not cited any more: {stale}"


def test_a_name_inside_a_longer_name_is_not_written_whole() -> None:
    longer = {"数字福建云计算中心"}
    assert not writes_whole("数字福建云计算中心已经提供服务", "数字福建", longer)
    assert writes_whole("数字福建云计算中心是数字福建的一部分", "数字福建", longer)
    assert writes_whole("建设数字福建", "数字福建", longer)
