"""Search, timeline, comparison matrix, figures and neighbourhood graphs, in-process: content
from the data (checked against the store), filters, escaping of every parameter, JSON shapes,
and both languages on every page."""

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from govkg.query import select_rows
from govkg.vocab import ID

CATALOGUE = (Path(__file__).resolve().parents[2] / "src" / "govkg" / "web" / "translations"
             / "zh" / "LC_MESSAGES")

ZH = {"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept": "text/html", "Accept-Language": "en"}
NASTY = '"><script>alert(1)</script>'


def html_of(client, url: str, headers: dict = EN, status: int = 200) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


class Links(HTMLParser):
    """Every href, and the hrefs inside <svg> and inside table.matrix."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.svg_links: list[str] = []
        self.matrix_links: list[str] = []
        self.svg = self.matrix = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.svg += tag == "svg"
        self.matrix += tag == "table" and "matrix" in (a.get("class") or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self.svg:
                self.svg_links.append(a["href"])
            if self.matrix:
                self.matrix_links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        self.svg -= tag == "svg" and self.svg > 0
        self.matrix -= tag == "table" and self.matrix > 0


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


# --- Search --------------------------------------------------------------------------------

def test_search_page_finds_substrings(client) -> None:
    html = html_of(client, "/search?q=政务", ZH)
    assert "广东政务服务网" in html
    assert '<a href="/id/' in html and "<mark>政务</mark>" in html


@pytest.mark.parametrize("q", ["yueshengshi", "yss", "粤省事"])
def test_search_json_pinyin(client, q: str) -> None:
    body = client.get(f"/search?q={q}&format=json").get_json()
    assert body["query"] == q
    assert body["count"] == len(body["results"]) > 0
    first = body["results"][0]
    assert first["iri"] == ID + "platform/yueshengshi"
    assert first["url"] == "/id/platform/yueshengshi"
    assert set(first) == {"label", "label_lang", "other", "url", "iri", "kind", "source",
                          "snippet", "types"}
    assert all(set(p) == {"text", "match"} for p in first["snippet"])


def test_search_json_by_accept(client) -> None:
    response = client.get("/search?q=Beijing", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    labels = [r["label"] for r in response.get_json()["results"]]
    assert "Beijing Tong" in labels


def test_search_labels_follow_the_language(client) -> None:
    zh = client.get("/search?q=beijingtong&format=json", headers={"Accept-Language": "zh"})
    en = client.get("/search?q=beijingtong&format=json", headers={"Accept-Language": "en"})
    assert zh.get_json()["results"][0]["label"] == "北京通"
    assert en.get_json()["results"][0]["label"] == "Beijing Tong"
    assert en.get_json()["results"][0]["other"] == "北京通"
    assert "Accept-Language" in en.headers["Vary"] and "Cookie" in en.headers["Vary"]


def test_suggest(client) -> None:
    body = client.get("/search/suggest?q=yue").get_json()
    assert body["query"] == "yue"
    urls = [s["url"] for s in body["suggestions"]]
    assert "/id/platform/yueshengshi" in urls
    assert len(body["suggestions"]) <= 8
    assert client.get("/search/suggest?q=").get_json() == {"query": "", "suggestions": []}


def test_search_without_query(client) -> None:
    assert "yueshengshi" in html_of(client, "/search")
    assert client.get("/search?format=json").get_json()["results"] == []


@pytest.mark.parametrize("url", ["/search?q=", "/timeline?province=", "/search?lang="])
def test_hostile_text_is_escaped_in_pages(client, url: str) -> None:
    response = client.get(url + NASTY, headers=EN)
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400) and response.mimetype == "text/html"
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)" in text or "&#34;&gt;&lt;script&gt;" in text


@pytest.mark.parametrize("url", ["/search?format=json&q=", "/search/suggest?q="])
def test_hostile_text_round_trips_in_json(client, url: str) -> None:
    response = client.get(url + NASTY)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["query"] == NASTY


@pytest.mark.parametrize(("url", "status"), [
    ("/search?q=x&limit=abc", 400), ("/search?q=x&limit=-1", 400),
    ("/search?q=x&lang=fr", 400), ("/search?q=x&format=xml", 400),
    ("/search/suggest?q=x&limit=1e9", 400), ("/timeline?province=atlantis", 400),
])
def test_bad_parameters_are_clear_errors(client, url: str, status: int) -> None:
    response = client.get(url, headers={"Accept": "text/plain"})
    assert response.status_code == status
    assert response.get_data(as_text=True).startswith(f"{status} ")


def test_search_refuses_unknown_media_types(client) -> None:
    assert client.get("/search?q=x", headers={"Accept": "image/png"}).status_code == 406


# --- Timeline ------------------------------------------------------------------------------

DATED = """
SELECT ?entity ?date WHERE {
  GRAPH <https://w3id.org/govkg/graph/data> { ?entity gk:launchedOn|gk:eventDate|gk:issuedOn ?date }
}"""


def test_timeline_lists_every_launch_and_issuance_in_order(client, store) -> None:
    html = html_of(client, "/timeline")
    for row in select_rows(store, DATED):
        assert f'datetime="{row["date"]}"' in html
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    assert dates == sorted(dates) and len(dates) > 40


def test_timeline_links_entities_and_sentences(client) -> None:
    html = html_of(client, "/timeline", ZH)
    assert 'href="/id/event/beijingtong-launch"' in html or "/id/platform/beijingtong" in html
    assert "一站式政务APP“北京通”正式上线" in html
    assert 'href="/id/sentence/' in html


def test_timeline_filter_by_province(client) -> None:
    beijing = html_of(client, "/timeline?province=beijing", ZH)
    assert "北京通" in beijing and "粤省事" not in beijing
    assert '<option value="beijing" selected>' in beijing
    guangdong = html_of(client, "/timeline?province=guangdong", ZH)
    assert "粤省事" in guangdong and "北京通" not in guangdong


def test_timeline_lists_undated_rankings_apart(client) -> None:
    dated, undated = html_of(client, "/timeline?province=beijing").split('class="undated"')
    assert "/id/ranking/beijing-government-website-first" in undated
    assert "/id/ranking/beijing-government-website-first" not in dated
    assert "/id/ranking/guizhou-open-datasets" not in undated  # another province's


# --- Comparison matrix ---------------------------------------------------------------------

TIER = "SELECT ?p WHERE { ?t a gk:Tier ; gk:member ?p }"


def test_matrix_has_every_first_tier_province(client, store) -> None:
    html = html_of(client, "/compare", ZH)
    members = [r["p"].rpartition("/")[2] for r in select_rows(store, TIER)]
    assert len(members) == 7
    for slug in members:
        assert f'href="/provinces/{slug}"' in html
    for column in ("平台", "云和网络", "政策", "模式", "合作企业", "数字"):
        assert f"<th scope=\"col\">{column}</th>" in html


def test_matrix_cells_come_from_the_data(client) -> None:
    html = html_of(client, "/compare", ZH)
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r'<th scope="row"><a href="/provinces/(\w+)"[^>]*>.*?</th>(.*?)</tr>', html, re.S)}
    assert "/id/platform/yueshengshi" in rows["guangdong"]
    assert "/id/platform/zhezhengding" in rows["zhejiang"]
    assert "/id/platform/yueshengshi" not in rows["zhejiang"]
    assert "腾讯公司" in rows["guangdong"]


def test_matrix_links_resolve(client) -> None:
    links = set(links_of(html_of(client, "/compare")).matrix_links)
    assert len(links) > 60
    for link in links:
        response = client.get(link, headers=EN, follow_redirects=True)
        assert response.status_code == 200, link


# --- Figures and charts --------------------------------------------------------------------

FIGURES = "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a gk:Measurement ; gk:value ?v }"


COMPARABLE_FIGURES = """SELECT (SUM(?k) AS ?n) WHERE { SELECT (COUNT(?f) AS ?k) WHERE {
  ?f a gk:Measurement ; gk:value ?v ; gk:measures ?indicator ; gk:unit ?unit }
  GROUP BY ?indicator ?unit HAVING (COUNT(?f) > 1) }"""


def test_figures_lists_every_figure_and_charts_only_like_ones(client, store) -> None:
    html = html_of(client, "/figures")
    n = int(select_rows(store, FIGURES)[0]["n"])
    table = re.search(r'<section class="figures">.*?</section>', html, re.S).group(0)
    assert table.count("<tr>") == n + 1  # every figure listed (and the heading row)
    charts = re.findall(r'<svg id="chart-kind-\d+".*?</svg>', html, re.S)
    comparable = int(select_rows(store, COMPARABLE_FIGURES)[0]["n"])
    assert sum(chart.count("<rect ") for chart in charts) == comparable < n
    assert html.count('role="group" aria-labelledby="chart-') == len(charts) + 1
    assert "logarithmic" in html  # counts span from tens to billions
    assert "19,000,000,000" in html


def test_figures_per_province_chart_links_provinces(client) -> None:
    html = html_of(client, "/figures", ZH)
    chart = re.search(r'<svg id="chart-provinces".*?</svg>', html, re.S).group(0)
    assert 'href="/provinces/fujian"' in chart and "福建省" in chart
    assert "<title" in chart


# --- Neighbourhood graph -------------------------------------------------------------------

def test_neighbourhood_graph_links_neighbours(client) -> None:
    html = html_of(client, "/id/platform/yueshengshi.html", ZH)
    graph = re.search(r'<svg id="neighbourhood".*?</svg>', html, re.S).group(0)
    assert 'aria-labelledby="neighbourhood-title"' in graph
    assert "粤省事" in graph
    links = links_of(html).svg_links
    assert "/id/region/guangdong" in links
    assert all(link.startswith("/id/") for link in links)
    for link in links:
        assert client.get(link + ".html", headers=EN).status_code == 200


# --- Two languages -------------------------------------------------------------------------

def test_entity_labels_in_the_chosen_language(client) -> None:
    zh = html_of(client, "/id/platform/beijingtong.html", ZH)
    en = html_of(client, "/id/platform/beijingtong.html", EN)
    assert re.search(r'<h1><span lang="zh">北京通</span> <span class="en" lang="en">Beijing Tong', zh)
    assert re.search(r'<h1><span lang="en">Beijing Tong</span> <span class="en" lang="zh">北京通', en)


PAGES = ["/", "/search", "/search?q=政务", "/timeline", "/timeline?province=zhejiang", "/compare",
         "/figures", "/provinces/", "/provinces/guangdong", "/classes/", "/classes/gk:Province",
         "/entities/", "/id/platform/yueshengshi.html", "/ontology", "/shapes", "/validation",
         "/dumps/", "/graph/data", "/.well-known/void", "/id/nothing.html"]


@pytest.fixture(scope="module")
def ui_sentences() -> list[str]:
    """Catalogue strings of three words or more without placeholders, with their Chinese."""
    with (CATALOGUE / "messages.po").open("rb") as f:
        return [m.id for m in read_po(f) if isinstance(m.id, str) and len(m.id.split()) >= 3
                and "%(" not in m.id and m.string and m.string != m.id]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_speaks_chinese(client, url: str, ui_sentences: list[str]) -> None:
    status = 404 if "nothing" in url else 200
    en = unescape(html_of(client, url, EN, status))
    zh = unescape(html_of(client, url, ZH, status))
    assert '<html lang="zh">' in zh and '<html lang="en">' in en
    shown = [s for s in ui_sentences if s in en]
    assert shown, "the English page shows no catalogue sentence"
    assert [s for s in shown if s in zh] == []


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_scripts(client, url: str) -> None:
    html = html_of(client, url, EN, 404 if "nothing" in url else 200)
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attrs or 'type="application/ld+json"' in attrs, attrs
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "style=" not in html


def test_sitemap_lists_the_new_pages(client) -> None:
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    for path in ("/search", "/timeline", "/compare", "/figures", "/timeline?province=beijing"):
        assert f"{path}</loc>" in sitemap
