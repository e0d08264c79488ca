"""The report's figures, dates and names, province by province, as a researcher queries them.

Figures are found by the sentence they come from and their value, not by IRI, so the tests
check what the report says rather than how the data happens to name things.
"""

from decimal import Decimal

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from govkg.query import run_query
from govkg.vocab import PREFIXES, sentence_iri

XSD = "http://www.w3.org/2001/XMLSchema#"
GK = PREFIXES["gk"]

# (line, sentence, value, datatype, qualifier or None, refDate or None): straight from the report.
FIGURES = [
    # national: 截至2019年11月…10个省级地方政府; 集约至2019年12月初的1.45万家
    (3, 1, "10", "integer", None, "2019-11"),
    (3, 2, "14500", "integer", None, "2019-12"),
    # Beijing: 9大重点民生领域100余个搜索场景; 8成简单咨询类问题基本“秒回”; 19个市级部门44个系统
    (8, 2, "9", "integer", None, "2019-11"),
    (8, 2, "100", "integer", "MoreThan", "2019-11"),
    (8, 3, "80", "decimal", None, "2019-11"),
    (10, 1, "19", "integer", None, None),
    (10, 1, "44", "integer", None, None),
    # Shanghai: 实名用户突破1000万，累计办件量超2489万件; 237类，8000多万份; 16类证照
    (15, 1, "10000000", "integer", "MoreThan", None),
    (15, 1, "24890000", "integer", "MoreThan", None),
    (15, 2, "237", "integer", None, None),
    (15, 2, "80000000", "integer", "MoreThan", None),
    (15, 3, "16", "integer", None, None),
    # Zhejiang: 800多个信息系统; 3066类，190多亿条
    (18, 1, "800", "integer", "MoreThan", None),
    (18, 2, "3066", "integer", None, None),
    (18, 2, "19000000000", "integer", "MoreThan", None),
    # Fujian: 258个省直单位、1万多个部门; 截至今年3月 153个省直单位540多个项目 2561台虚拟服务器; 25类超560项
    (24, 1, "258", "integer", None, None),
    (24, 1, "10000", "integer", "MoreThan", None),
    (25, 2, "153", "integer", None, "2019-03"),
    (25, 2, "540", "integer", "MoreThan", "2019-03"),
    (25, 2, "2561", "integer", None, "2019-03"),
    (26, 1, "25", "integer", None, None),
    (26, 1, "560", "integer", "MoreThan", None),
    # Guangdong: 当天访问用户量就突破1000万，累计进驻489项
    (30, 1, "10000000", "integer", "MoreThan", None),
    (30, 1, "489", "integer", None, None),
    # Sichuan: 七大板块 … 五个统一; 用2到3年时间
    (38, 2, "7", "integer", None, None),
    (38, 2, "5", "integer", None, None),
    (39, 1, "2", "integer", "AtLeast", None),
    (39, 1, "3", "integer", "AtMost", None),
    # Guizhou: 网上可办率达95.13%，市县达80.05%; 59万个政务服务事项
    (41, 2, "95.13", "decimal", None, None),
    (41, 2, "80.05", "decimal", None, None),
    (45, 1, "590000", "integer", None, None),
]

FIGURE_QUERY = """
SELECT ?s ?figure ?value ?qualifier ?date WHERE {
  ?figure a gk:Measurement ; gk:statedIn ?s ; gk:value ?value ; gk:unit ?unit ; gk:measures ?what .
  OPTIONAL { ?figure gk:qualifier ?qualifier }
  OPTIONAL { ?figure gk:refDate ?date }
}"""


def figures_of(store, line: int, number: int) -> list:
    result = store.query(FIGURE_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True,
                         substitutions={Variable("s"): NamedNode(sentence_iri(line, number))})
    assert isinstance(result, QuerySolutions)
    return list(result)


@pytest.mark.parametrize(("line", "number", "value", "datatype", "qualifier", "date"), FIGURES,
                         ids=[f"p{f[0]}s{f[1]}-{f[2]}" for f in FIGURES])
def test_figure(store, line, number, value, datatype, qualifier, date) -> None:
    rows = [r for r in figures_of(store, line, number) if Decimal(r["value"].value) == Decimal(value)]
    assert rows, f"no figure {value} stated in sentence p{line}s{number}"
    row = rows[0]
    assert row["value"].datatype == NamedNode(XSD + datatype)
    got_qualifier = row["qualifier"].value.removeprefix(GK) if row["qualifier"] else "Exactly"
    assert got_qualifier == (qualifier or "Exactly")
    if date:
        assert row["date"] is not None and row["date"].value == date


def test_every_figure_has_unit_indicator_and_sentence(store) -> None:
    bare = run_query(store, """
        SELECT ?f WHERE { ?f a gk:Measurement
          FILTER NOT EXISTS { ?f gk:value ?v ; gk:unit ?u ; gk:measures ?m ; gk:statedIn ?s ;
                                 gk:measuredEntity ?e } }""")
    assert [r["f"].value for r in bare] == []


# (label as the report writes it, date property, value, datatype)
DATES = [
    ("北京通", "launchedOn", "2017-01", "gYearMonth"),
    ("闽政通APP", "launchedOn", "2018", "gYear"),
    ("粤省事", "launchedOn", "2018-05", "gYearMonth"),
    ("广东政务服务网", "launchedOn", "2018-09", "gYearMonth"),
    ("数字福建云计算中心", "launchedOn", "2017-04", "gYearMonth"),
    ("《北京市推进政务服务“一网通办”工作实施方案》", "issuedOn", "2018-07", "gYearMonth"),
    ("《全面推进“一网通办”加快建设智慧政府工作方案》", "issuedOn", "2018-04", "gYearMonth"),
    ("《浙江省数字化转型标准化建设方案（2018-2020年）》", "issuedOn", "2018-07", "gYearMonth"),
    ("《福建省电子政务建设和应用管理办法》", "issuedOn", "2015-04", "gYearMonth"),
    ("《广东省“数字政府”建设总体规划（2018—2020年）》", "issuedOn", "2018-11", "gYearMonth"),
    ("《四川省加快推进“互联网+政务服务”工作方案》", "issuedOn", "2017-10", "gYearMonth"),
    ("《贵州省政务信息系统整合共享工作方案》", "issuedOn", "2017-10", "gYearMonth"),
]


def things_labelled(store, label: str) -> list[str]:
    """IRIs whose zh label or alternative name is ``label`` (with or without 《》)."""
    result = store.query(
        "SELECT DISTINCT ?x ?l WHERE { ?x rdfs:label|skos:altLabel ?name FILTER(STR(?name) = ?l) }",
        prefixes=PREFIXES, use_default_graph_as_union=True,
        substitutions={Variable("l"): Literal(label)})
    found = [r["x"].value for r in result]
    if not found and label.startswith("《"):
        return things_labelled(store, label.strip("《》"))
    return found


@pytest.mark.parametrize(("label", "prop", "value", "datatype"), DATES, ids=[d[0] for d in DATES])
def test_dates_are_typed_by_precision(store, label, prop, value, datatype) -> None:
    iris = things_labelled(store, label)
    assert iris, f"nothing is labelled {label}"
    result = store.query(f"SELECT ?x ?d WHERE {{ ?x gk:{prop} ?d }}", prefixes=PREFIXES,
                         use_default_graph_as_union=True,
                         substitutions={Variable("x"): NamedNode(iris[0])})
    dates = [r["d"] for r in result]
    assert [(d.value, d.datatype.value) for d in dates] == [(value, XSD + datatype)]


@pytest.mark.parametrize(("phrase", "date", "datatype"), [
    ("今年10月28日", "2019-10-28", "date"),
    ("今年11月", "2019-11", "gYearMonth"),
    ("截至今年3月", "2019-03", "gYearMonth"),
])
def test_relative_dates_are_resolved_to_2019_and_say_so(store, phrase, date, datatype) -> None:
    result = store.query(
        """SELECT ?phrase ?type ?x ?d WHERE {
             ?x gk:dateResolvedFrom ?said ; ?p ?d
             FILTER(STR(?said) = ?phrase && isLiteral(?d) && datatype(?d) = ?type)
           }""",
        prefixes=PREFIXES, use_default_graph_as_union=True,
        substitutions={Variable("phrase"): Literal(phrase),
                       Variable("type"): NamedNode(XSD + datatype)})
    assert date in {r["d"].value for r in result}


def test_zhejiang_release_of_zhengwu_dingding_is_a_full_date(store) -> None:
    iris = things_labelled(store, "政务钉钉")
    assert len(iris) == 1
    assert iris != things_labelled(store, "浙政钉"), "the report never says they are one app"
    result = run_query(store, f"""
        SELECT ?d WHERE {{ ?e gk:eventSubject <{iris[0]}> ; gk:eventDate ?d }}""")
    assert "2019-10-21" in {r["d"].value for r in result}


def test_first_tier_keeps_the_reports_nine_and_its_seven_names(store) -> None:
    result = run_query(store, """
        SELECT ?tier ?count (COUNT(DISTINCT ?member) AS ?members) WHERE {
          ?tier a gk:Tier ; gk:statedMemberCount ?count ; gk:member ?member
        } GROUP BY ?tier ?count""")
    rows = list(result)
    assert len(rows) == 1
    assert rows[0]["count"].value == "9" and rows[0]["members"].value == "7"
    flagged = run_query(store, "ASK { ?x a gk:ReportInconsistency ; gk:concerns ?tier . ?tier a gk:Tier }")
    assert bool(flagged)


def test_every_entity_has_zh_and_en_labels_and_a_sentence(store) -> None:
    missing = run_query(store, """
        SELECT DISTINCT ?x WHERE {
          GRAPH <https://w3id.org/govkg/graph/data> { ?x a ?type }
          FILTER(?type != skos:ConceptScheme)
          FILTER (NOT EXISTS { ?x rdfs:label ?zh FILTER(lang(?zh) = "zh") }
               || NOT EXISTS { ?x rdfs:label ?en FILTER(lang(?en) = "en") }
               || NOT EXISTS { ?x gk:statedIn ?s })
        }""")
    assert [r["x"].value for r in missing] == []


def test_facts_of_one_province_never_hang_on_another(store) -> None:
    result = run_query(store, """
        SELECT ?a ?p ?b WHERE {
          GRAPH <https://w3id.org/govkg/graph/data> { ?a ?p ?b }
          ?a gk:province ?pa . ?b gk:province ?pb
          FILTER(?pa != ?pb && ?p != gk:province)
        }""")
    assert [(r["a"].value, r["p"].value, r["b"].value) for r in result] == []


# --- What a review of the data against the report corrected ---------------------------

def ask(store, query: str) -> bool:
    return bool(run_query(store, f"ASK {{ {query} }}"))


def test_indicators_are_grouped_so_data_volume_is_one_query(store) -> None:
    ungrouped = run_query(store, """
        SELECT ?i WHERE { ?i a gk:Indicator
          FILTER NOT EXISTS { ?i skos:broader/skos:topConceptOf indicator:scheme } }""")
    assert [r["i"].value for r in ungrouped] == []
    values = {r["v"].value for r in run_query(store, """
        SELECT ?v WHERE { ?f gk:measures/skos:broader indicator:data-volume ; gk:value ?v }""")}
    assert {"3066", "19000000000", "237", "80000000", "3"} <= values
    assert "10000000" not in values, "users are not data volume"


def test_readings_are_editorial_not_data(store) -> None:
    data, editorial = "<https://w3id.org/govkg/graph/data>", "<https://w3id.org/govkg/graph/editorial>"
    for statement in ("platform:beijingtong gk:operatedBy gorg:beijing-government",
                      "company:shuzi-guangdong gk:builtWith company:huawei",
                      "gorg:shanghai-government rdfs:label \"上海市人民政府\"@zh",
                      "figure:beijing-search-scenarios gk:refDate \"2019-11\"^^xsd:gYearMonth"):
        assert ask(store, f"GRAPH {editorial} {{ {statement} }}"), statement
        assert not ask(store, f"GRAPH {data} {{ {statement} }}"), statement
    assert not ask(store, "?p gk:partOf platform:yue-series ; gk:operatedBy gorg:guangdong-government")


def test_corrected_facts(store) -> None:
    assert ask(store, "platform:beijingtong gk:outcomeOf policy:beijing-smart-city")
    assert not ask(store, "platform:beijingtong gk:partOf policy:beijing-smart-city")
    assert not ask(store, "platform:digital-fujian-cloud gk:distinction gk:NationalFirst")
    assert ask(store, "platform:digital-fujian-cloud gk:implements ?m . ?m gk:distinction gk:NationalFirst")
    assert ask(store, "platform:shanghai-yiwangtongban-portal gk:completedOn \"2018\"^^xsd:gYear")
    assert not ask(store, "platform:shanghai-yiwangtongban-portal gk:launchedOn ?d")
    assert not ask(store, "platform:zhezhengding gk:builtWith company:alibaba")
    assert ask(store, "platform:zhengwu-dingding gk:builtWith company:alibaba ; gk:launchedOn ?d")


def test_facts_that_lived_in_comments_are_data(store) -> None:
    parts = {r["l"].value for r in run_query(store, """
        SELECT ?l WHERE { platform:sichuan-gov-service-network gk:hasPart/rdfs:label ?l
                          FILTER(lang(?l) = "zh") }""")}
    assert {"地市旗舰店", "部门窗口", "办事套餐", "政务数据", "首页", "政务公开"} <= parts
    examples = {r["l"].value for r in run_query(store, """
        SELECT ?l WHERE { figure:shanghai-e-licence-types-in-use gk:namedItem/rdfs:label ?l
                          FILTER(lang(?l) = "zh") }""")}
    assert examples == {"身份证", "驾驶证", "行驶证", "户口本"}
    assert ask(store, "platform:beijingtong gk:offers model:id-card, model:social-security-card")
    assert ask(store, "model:guanyun-fenli-zhengqi-hezuo gk:managementBy gorg:guangdong-government ;"
                      " gk:operationBy model:enterprises")
    assert ask(store, "?f gk:measuredEntity region:china ; gk:value 14500 ; gk:extent \"集约至\"@zh ;"
                      " gk:accordingTo report:china-digital-government-assessment-2019")
