"""Synthetic govkg data of any size, in govkg's own model, streamed as N-Triples or N-Quads.

    python bench/synth.py 1000000 -o synth.nq.gz     # about 1 M triples, gzipped N-Quads
    python bench/synth.py 50000 --seed 7 -o -        # N-Triples on standard output

The graph looks like the real one (docs/model.md), only bigger: many provinces (the 31 real
ones first, then numbered synthetic ones), each with its people's government, a big-data
centre and departments (``gk:partOf`` the government), platforms of every kind with
operators, owners, partner companies, launch dates and launch events, policies issued by a
government body with issuance events, and measurements (``gk:value``, ``gk:unit``,
``gk:measures``, ``gk:refDate``, ``gk:statedIn``) that cite generated sentences. Labels
are in Chinese and English. ``gk:province`` is asserted on some things and left for a
reasoner (its property chains) on others. Every resource cites a generated sentence, and
every sentence has its English (``gk:translation``); the synthetic report's lines start at
1001, past the real report's, so that no sentence is both. The data passes govkg's shapes
(``tests/test_load.py``), so a benchmark that validates measures conforming data.

Output is deterministic for a given ``N`` and ``--seed``. It is written line by line in
batches, so 10 M triples need no more memory than 1 000. The format follows the file name:
``.nq`` (or ``.nq.gz``) writes N-Quads with the data in ``graph/data`` and the sentences
in ``graph/report``; anything else writes N-Triples. A name ending ``.gz`` is gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

BASE = "https://w3id.org/govkg/"
GK = BASE + "ontology#"
ID = BASE + "id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
IN_SCHEME = "<http://www.w3.org/2004/02/skos/core#inScheme>"
INDICATOR_SCHEME = f"<{ID}indicator/scheme>"
IS_PART_OF = "<http://purl.org/dc/terms/isPartOf>"
DATA_GRAPH = f"<{BASE}graph/data>"
REPORT_GRAPH = f"<{BASE}graph/report>"
UNIT_NUM = "<http://qudt.org/vocab/unit/NUM>"
UNIT_PERCENT = "<http://qudt.org/vocab/unit/PERCENT>"

# The 31 province-level divisions of the mainland: slug, Chinese name, English name.
PROVINCES = [
    ("beijing", "北京市", "Beijing"), ("tianjin", "天津市", "Tianjin"),
    ("hebei", "河北省", "Hebei"), ("shanxi", "山西省", "Shanxi"),
    ("neimenggu", "内蒙古自治区", "Inner Mongolia"), ("liaoning", "辽宁省", "Liaoning"),
    ("jilin", "吉林省", "Jilin"), ("heilongjiang", "黑龙江省", "Heilongjiang"),
    ("shanghai", "上海市", "Shanghai"), ("jiangsu", "江苏省", "Jiangsu"),
    ("zhejiang", "浙江省", "Zhejiang"), ("anhui", "安徽省", "Anhui"),
    ("fujian", "福建省", "Fujian"), ("jiangxi", "江西省", "Jiangxi"),
    ("shandong", "山东省", "Shandong"), ("henan", "河南省", "Henan"),
    ("hubei", "湖北省", "Hubei"), ("hunan", "湖南省", "Hunan"),
    ("guangdong", "广东省", "Guangdong"), ("guangxi", "广西壮族自治区", "Guangxi"),
    ("hainan", "海南省", "Hainan"), ("chongqing", "重庆市", "Chongqing"),
    ("sichuan", "四川省", "Sichuan"), ("guizhou", "贵州省", "Guizhou"),
    ("yunnan", "云南省", "Yunnan"), ("xizang", "西藏自治区", "Tibet"),
    ("shaanxi", "陕西省", "Shaanxi"), ("gansu", "甘肃省", "Gansu"),
    ("qinghai", "青海省", "Qinghai"), ("ningxia", "宁夏回族自治区", "Ningxia"),
    ("xinjiang", "新疆维吾尔自治区", "Xinjiang"),
]

# Platform classes: class name, slug, Chinese and English label stems.
PLATFORM_KINDS = [
    ("MobileApp", "app", "政务APP", "government app"),
    ("MiniProgram", "miniprogram", "政务小程序", "mini-program"),
    ("Portal", "portal", "政府门户网站", "government portal"),
    ("OnlineServiceHall", "service-hall", "网上政务服务大厅", "online service hall"),
    ("CloudPlatform", "cloud", "政务云", "government cloud"),
    ("GovernmentNetwork", "network", "电子政务外网", "e-government network"),
    ("DataPlatform", "data-platform", "数据共享平台", "data-sharing platform"),
    ("Database", "database", "基础数据库", "base database"),
    ("CollaborationPlatform", "collaboration", "协同办公平台", "collaboration platform"),
    ("SelfServiceTerminal", "terminal", "政务服务一体机", "self-service terminal"),
    ("MapDataPlatform", "map-platform", "地图数据中台", "map data platform"),
    ("ESignaturePlatform", "esignature", "电子签章平台", "e-signature platform"),
    ("ServicePlatform", "service-platform", "政务服务平台", "government service platform"),
    ("InformationSystem", "information-system", "业务信息系统", "information system"),
    ("DigitalPlatform", "platform", "数字平台", "digital platform"),
]
POLICY_KINDS = [
    ("Plan", "plan", "数字政府建设规划", "digital government plan"),
    ("WorkPlan", "work-plan", "工作方案", "work plan"),
    ("Regulation", "regulation", "管理办法", "administrative measures"),
    ("PolicyDocument", "opinions", "指导意见", "guiding opinions"),
]
DEPARTMENTS = [
    ("general-office", "办公厅", "General Office"),
    ("development-reform", "发展和改革委员会", "Development and Reform Commission"),
    ("industry-it", "工业和信息化厅", "Department of Industry and Information Technology"),
    ("public-security", "公安厅", "Department of Public Security"),
    ("human-resources", "人力资源和社会保障厅",
     "Department of Human Resources and Social Security"),
    ("market-regulation", "市场监督管理局", "Administration for Market Regulation"),
    ("health", "卫生健康委员会", "Health Commission"),
    ("finance", "财政厅", "Department of Finance"),
]
INDICATORS = [
    ("registered-users", "注册用户", "registered users", "人", "people", UNIT_NUM),
    ("services-online", "上线服务事项", "services online", "项", "services", UNIT_NUM),
    ("connected-units", "接入单位", "connected units", "个", "units", UNIT_NUM),
    ("daily-visits", "日均访问量", "daily visits", "次", "visits", UNIT_NUM),
    ("online-rate", "网上可办率", "share of services available online", "", "", UNIT_PERCENT),
    ("licences", "电子证照", "electronic licences", "份", "licences", UNIT_NUM),
]
MODELS = [
    ("yiwang-tongban", "Slogan", "一网通办", "one-network service"),
    ("zuiduo-paoyici", "Slogan", "最多跑一次", "at most one trip"),
    ("zhangshang-banshi", "Slogan", "掌上办事", "services in the palm"),
    ("yiwang-tongcha", "Slogan", "一网通查", "one-network search"),
    ("guanyun-fenli", "GovernanceModel", "管运分离", "separating management from operation"),
    ("zhengqi-hezuo", "GovernanceModel", "政企合作", "government-enterprise cooperation"),
    ("yiyun-yiwang-yipingtai", "GovernanceModel", "一云一网一平台",
     "one cloud, one network, one platform"),
]
QUALIFIERS = ["MoreThan", "Approximately", "AtLeast"]
N_COMPANIES = 60
FIRST_LINE = 1001


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def gk(term: str) -> str:
    return f"<{GK}{term}>"


def zh(text: str) -> str:
    return f'"{text}"@zh'


def en(text: str) -> str:
    return f'"{text}"@en'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def lexical(literal: str) -> str:
    """The lexical form of a literal written by ``typed``."""
    return literal.split('"')[1]


class Writer:
    """Buffers N-Triples or N-Quads lines and counts them."""

    def __init__(self, out: IO[str], quads: bool, batch: int = 50_000) -> None:
        self.out = out
        self.quads = quads
        self.batch = batch
        self.lines: list[str] = []
        self.count = 0
        self.graph = DATA_GRAPH

    def add(self, s: str, p: str, o: str) -> None:
        if self.quads:
            self.lines.append(f"{s} {p} {o} {self.graph} .\n")
        else:
            self.lines.append(f"{s} {p} {o} .\n")
        if len(self.lines) >= self.batch:
            self.flush()

    def labels(self, s: str, zh_text: str, en_text: str) -> None:
        self.add(s, LABEL, zh(zh_text))
        self.add(s, LABEL, en(en_text))

    def flush(self) -> None:
        self.count += len(self.lines)
        self.out.write("".join(self.lines))
        self.lines.clear()

    @property
    def written(self) -> int:
        return self.count + len(self.lines)


class Generator:
    """Writes the shared resources, then province after province."""

    def __init__(self, writer: Writer, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
        # report line numbers, as sentence:p<line>s<n>: past the real report's lines, so that
        # no synthetic sentence is also one of its 77
        self.line = FIRST_LINE - 1
        self.position = 0
        self.figures = 0  # numbers figure IRIs, so that none repeats

    # --- shared resources ----------------------------------------------------------------

    def shared(self) -> None:
        w = self.w
        said = self.sentence("合成报告提到多家合成科技公司、各项指标和几种模式。",
                             "The synthetic report mentions technology companies, indicators "
                             "and models.")
        cited = []
        china = iri("region/china")
        w.add(china, RDF_TYPE, gk("Country"))
        w.labels(china, "中国", "China")
        article = iri("report/article")
        w.add(article, RDF_TYPE, gk("Article"))
        w.labels(article, "合成报告", "Synthetic report")
        for k in range(N_COMPANIES):
            company = iri(f"company/company-{k:03d}")
            w.add(company, RDF_TYPE, gk("Company"))
            w.labels(company, f"合成科技公司{k}", f"Synthetic Technology Company {k}")
            cited.append(company)
        for slug, name_zh, name_en, _, _, _ in INDICATORS:
            indicator = iri(f"indicator/{slug}")
            w.add(indicator, RDF_TYPE, gk("Indicator"))
            w.labels(indicator, name_zh, name_en)
            w.add(indicator, IN_SCHEME, INDICATOR_SCHEME)
            cited.append(indicator)
        scheme = iri("model/scheme")
        for slug, cls, name_zh, name_en in MODELS:
            model = iri(f"model/{slug}")
            w.add(model, RDF_TYPE, gk(cls))
            w.labels(model, name_zh, name_en)
            w.add(model, IN_SCHEME, scheme)
            cited.append(model)
        citizens = iri("model/citizens")
        w.add(citizens, RDF_TYPE, gk("Audience"))
        w.labels(citizens, "市民", "citizens")
        w.add(citizens, IN_SCHEME, scheme)
        for thing in (china, *cited, citizens):
            w.add(thing, gk("statedIn"), said)

    # --- helpers ---------------------------------------------------------------------------

    def sentence(self, text: str, english: str) -> str:
        """Write a new sentence of the synthetic report, with its English, and return its
        IRI."""
        w = self.w
        self.line += 1
        self.position += 1
        s = iri(f"sentence/p{self.line}s1")
        w.graph = REPORT_GRAPH
        w.add(s, RDF_TYPE, gk("Sentence"))
        w.labels(s, f"第{self.line}行第1句", f"line {self.line}, sentence 1")
        w.add(s, gk("text"), zh(text))
        w.add(s, gk("translation"), en(english))
        w.add(s, gk("line"), typed(self.line, "positiveInteger"))
        w.add(s, gk("sentenceNumber"), typed(1, "positiveInteger"))
        w.add(s, gk("position"), typed(self.position, "positiveInteger"))
        w.add(s, IS_PART_OF, iri("report/article"))
        w.graph = DATA_GRAPH
        return s

    def date(self) -> tuple[str, str]:
        """A random date at year, month or day precision, and its Chinese form."""
        rng = self.rng
        year = rng.randint(2012, 2020)
        precision = rng.random()
        if precision < 0.3:
            return typed(year, "gYear"), f"{year}年"
        month = rng.randint(1, 12)
        if precision < 0.8:
            return typed(f"{year}-{month:02d}", "gYearMonth"), f"{year}年{month}月"
        day = rng.randint(1, 28)
        return typed(f"{year}-{month:02d}-{day:02d}", "date"), f"{year}年{month}月{day}日"

    # --- one province ----------------------------------------------------------------------

    def province(self, index: int) -> Iterator[None]:
        """Write one province's resources, yielding after each so the caller can stop."""
        w, rng = self.w, self.rng
        if index < len(PROVINCES):
            slug, name_zh, name_en = PROVINCES[index]
        else:
            slug, name_zh, name_en = (f"province-{index:05d}", f"合成省{index}",
                                      f"Synthetic Province {index}")
        region = iri(f"region/{slug}")
        w.add(region, RDF_TYPE, gk("Province"))
        w.labels(region, name_zh, name_en)
        w.add(region, gk("partOf"), iri("region/china"))

        government = iri(f"org/{slug}-government")
        w.add(government, RDF_TYPE, gk("PeoplesGovernment"))
        w.labels(government, f"{name_zh}人民政府", f"{name_en} People's Government")
        w.add(government, gk("province"), region)
        centre = iri(f"org/{slug}-big-data-centre")
        w.add(centre, RDF_TYPE, gk("BigDataCentre"))
        w.labels(centre, f"{name_zh}大数据中心", f"{name_en} Big Data Centre")
        w.add(centre, gk("partOf"), government)
        bodies = [government, centre]
        for dept_slug, dept_zh, dept_en in DEPARTMENTS:
            dept = iri(f"org/{slug}-{dept_slug}")
            w.add(dept, RDF_TYPE, gk("GovernmentDepartment"))
            w.labels(dept, f"{name_zh}{dept_zh}", f"{name_en} {dept_en}")
            w.add(dept, gk("partOf"), government)
            bodies.append(dept)
        said = self.sentence(f"{name_zh}人民政府设有大数据中心和各厅局。",
                             f"The {name_en} People's Government has a big data centre and "
                             "departments.")
        for thing in (region, *bodies):
            w.add(thing, gk("statedIn"), said)
        yield

        series = iri(f"platform/{slug}-series")
        w.add(series, RDF_TYPE, gk("PlatformSeries"))
        w.labels(series, f"{name_zh}政务平台系列", f"{name_en} platform series")
        w.add(series, gk("operatedBy"), government)
        w.add(series, gk("statedIn"), self.sentence(
            f"{name_zh}人民政府运营{name_zh}政务平台系列。",
            f"The {name_en} People's Government operates the {name_en} platform series."))
        platforms: list[str] = []
        for cls, kind_slug, kind_zh, kind_en in PLATFORM_KINDS:
            for k in range(rng.randint(1, 3)):
                platforms.append(self.platform(slug, name_zh, name_en, region, bodies, series,
                                               platforms, cls, kind_slug, kind_zh, kind_en, k))
                yield

        for cls, kind_slug, kind_zh, kind_en in POLICY_KINDS:
            for k in range(rng.randint(1, 3)):
                self.policy(slug, name_zh, name_en, region, bodies, cls, kind_slug, kind_zh,
                            kind_en, k)
                yield

    def platform(self, slug: str, name_zh: str, name_en: str, region: str, bodies: list[str],
                 series: str, others: list[str], cls: str, kind_slug: str, kind_zh: str,
                 kind_en: str, k: int) -> str:
        w, rng = self.w, self.rng
        p_slug = f"{slug}-{kind_slug}-{k + 1}"
        platform = iri(f"platform/{p_slug}")
        label_zh, label_en = f"{name_zh}{kind_zh}{k + 1}", f"{name_en} {kind_en} {k + 1}"
        when, when_zh = self.date()
        said = self.sentence(f"{when_zh}，{label_zh}正式上线。",
                             f"{label_en} went live in {lexical(when)}.")
        operator = rng.choice(bodies)
        w.add(platform, RDF_TYPE, gk(cls))
        w.labels(platform, label_zh, label_en)
        w.add(platform, gk("operatedBy"), operator)
        if rng.random() < 0.3:
            w.add(platform, gk("ownedBy"), bodies[0])
        if rng.random() < 0.4:
            w.add(platform, gk("province"), region)
        if rng.random() < 0.5:
            company = iri(f"company/company-{rng.randrange(N_COMPANIES):03d}")
            w.add(platform, gk("builtWith"), company)
        if rng.random() < 0.3:
            w.add(platform, gk("partOf"), series)
        if others and rng.random() < 0.3:
            w.add(platform, gk("integrates"), rng.choice(others))
        w.add(platform, gk("implements"), iri(f"model/{rng.choice(MODELS)[0]}"))
        w.add(platform, gk("serves"), iri("model/citizens"))
        w.add(platform, gk("covers"), region)
        w.add(platform, gk("launchedOn"), when)
        w.add(platform, gk("statedIn"), said)

        event = iri(f"event/{p_slug}-launch")
        w.add(event, RDF_TYPE, gk("Launch"))
        w.labels(event, f"{label_zh}正式上线", f"{label_en} goes live")
        w.add(event, gk("eventSubject"), platform)
        w.add(event, gk("eventAgent"), operator)
        w.add(event, gk("eventDate"), when)
        w.add(event, gk("statedIn"), said)

        for _ in range(rng.randint(0, 3)):
            self.figure(p_slug, platform, label_zh, label_en)
        return platform

    def figure(self, p_slug: str, platform: str, label_zh: str, label_en: str) -> None:
        w, rng = self.w, self.rng
        ind_slug, ind_zh, ind_en, counted_zh, counted_en, unit = rng.choice(INDICATORS)
        self.figures += 1
        figure = iri(f"figure/{p_slug}-{ind_slug}-{self.figures}")
        when, when_zh = self.date()
        if unit == UNIT_PERCENT:
            value = typed(f"{rng.randint(100, 1000) / 10:.1f}", "decimal")
            said = self.sentence(f"截至{when_zh}，{label_zh}{ind_zh}达{lexical(value)}%。",
                                 f"By {lexical(when)}, the {ind_en} of the {label_en} "
                                 f"reached {lexical(value)}%.")
        else:
            number = rng.randint(1, 5000) * 10 ** rng.randint(0, 4)
            value = typed(number, "integer")
            said = self.sentence(f"截至{when_zh}，{label_zh}{ind_zh}{number}{counted_zh}。",
                                 f"By {lexical(when)}, the {label_en} had {number} "
                                 f"{ind_en}.")
        w.add(figure, RDF_TYPE, gk("Measurement"))
        w.labels(figure, f"{label_zh}{ind_zh}", f"{ind_en} of the {label_en}")
        w.add(figure, gk("measuredEntity"), platform)
        w.add(figure, gk("measures"), iri(f"indicator/{ind_slug}"))
        w.add(figure, gk("value"), value)
        w.add(figure, gk("unit"), unit)
        if counted_zh:
            w.add(figure, gk("countedThing"), zh(counted_zh))
            w.add(figure, gk("countedThing"), en(counted_en))
        if rng.random() < 0.4:
            w.add(figure, gk("qualifier"), gk(rng.choice(QUALIFIERS)))
        w.add(figure, gk("refDate"), when)
        w.add(figure, gk("statedIn"), said)

    def policy(self, slug: str, name_zh: str, name_en: str, region: str, bodies: list[str],
               cls: str, kind_slug: str, kind_zh: str, kind_en: str, k: int) -> None:
        w, rng = self.w, self.rng
        p_slug = f"{slug}-{kind_slug}-{k + 1}"
        policy = iri(f"policy/{p_slug}")
        label_zh, label_en = f"《{name_zh}{kind_zh}（{k + 1}）》", f"{name_en} {kind_en} ({k + 1})"
        issuer = bodies[0] if rng.random() < 0.6 else rng.choice(bodies)
        when, when_zh = self.date()
        said = self.sentence(f"{when_zh}，{name_zh}印发{label_zh}。",
                             f"In {lexical(when)}, {name_en} issued its {label_en}.")
        w.add(policy, RDF_TYPE, gk(cls))
        w.labels(policy, label_zh, label_en)
        w.add(policy, gk("issuedBy"), issuer)
        w.add(policy, gk("issuedOn"), when)
        w.add(policy, gk("covers"), region)
        w.add(policy, gk("implements"), iri(f"model/{rng.choice(MODELS)[0]}"))
        if rng.random() < 0.3:
            w.add(policy, gk("targetDate"), typed(rng.randint(2020, 2025), "gYear"))
        w.add(policy, gk("statedIn"), said)

        event = iri(f"event/{p_slug}-issuance")
        w.add(event, RDF_TYPE, gk("Issuance"))
        w.labels(event, f"{name_zh}印发{label_zh}", f"{name_en} issues its {label_en}")
        w.add(event, gk("eventSubject"), policy)
        w.add(event, gk("eventAgent"), issuer)
        w.add(event, gk("eventDate"), when)
        w.add(event, gk("statedIn"), said)


def generate(n: int, out: IO[str], *, quads: bool = False, seed: int = 1) -> int:
    """Write about ``n`` triples (stopping at the first resource boundary past ``n``)."""
    writer = Writer(out, quads)
    generator = Generator(writer, seed)
    generator.shared()
    index = 0
    while writer.written < n:
        for _ in generator.province(index):
            if writer.written >= n:
                break
        index += 1
    writer.flush()
    return writer.count


@contextmanager
def open_output(name: str) -> Iterator[IO[str]]:
    """Standard output for ``-``; a gzip stream for ``*.gz``; else a plain file."""
    if name == "-":
        yield sys.stdout
    elif name.endswith(".gz"):
        with gzip.open(name, "wt", compresslevel=3, encoding="utf-8", newline="\n") as out:
            yield out
    else:
        with open(name, "w", encoding="utf-8", newline="\n") as out:
            yield out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="about how many triples to write")
    parser.add_argument("-o", "--output", default="-",
                        help="file to write (.nt, .nq, optionally .gz); - for standard output")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    quads = args.output.removesuffix(".gz").endswith(".nq")
    started = time.perf_counter()
    with open_output(args.output) as out:
        count = generate(args.n, out, quads=quads, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"Wrote {count} {'quads' if quads else 'triples'} to {args.output} in {seconds:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
