"""The query editor's server side, in-process: completions, examples, the page and its escaping."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape

from govkg.vocab import PREFIXES
from govkg.web.examples import EXAMPLES, ExampleError, parse_example

STATIC = Path(__file__).resolve().parents[2] / "src" / "govkg" / "web" / "static"
HTML = {"Accept": "text/html"}


class Scripts(HTMLParser):
    """Every <script> of a page: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts_of(html: str) -> list[tuple[dict, str]]:
    parser = Scripts()
    parser.feed(html)
    return parser.scripts


def editor_config(html: str) -> dict:
    (text,) = [t for a, t in scripts_of(html) if a.get("id") == "editor-config"]
    return json.loads(text)


@pytest.fixture(scope="module")
def completions(app) -> dict:
    response = app.test_client().get("/sparql/completions.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_completions_hold_the_predeclared_prefixes(completions) -> None:
    assert completions["prefixes"] == PREFIXES


def test_completions_hold_ontology_terms_and_entities_with_labels(completions) -> None:
    terms = {t["name"]: t for t in completions["terms"]}
    assert terms["gk:Province"]["kind"] == "class"
    assert terms["gk:Province"]["zh"] and terms["gk:Province"]["en"]
    assert terms["gk:launchedOn"]["kind"] == "property"
    assert terms["rdfs:label"]["kind"] == "property"
    assert terms["schema:MobileApplication"]["kind"] == "class"  # an alignment, via reasoning
    assert terms["platform:beijingtong"] == {"name": "platform:beijingtong", "kind": "entity",
                                              "zh": "北京通", "en": "Beijing Tong"}
    for term in completions["terms"]:
        prefix, _, local = term["name"].partition(":")
        assert prefix in PREFIXES and re.fullmatch(r"[\w.\-]+", local), term


def test_completions_are_cached_by_the_build(client) -> None:
    first = client.get("/sparql/completions.json")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/sparql/completions.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_there_are_at_least_fifteen_examples_with_both_titles() -> None:
    assert len(EXAMPLES) >= 15
    for example in EXAMPLES:
        assert example.title("en") and example.title("zh") != example.title("en")
        assert re.search(r"[\u4e00-\u9fff]", example.title("zh")), example.slug
        assert not example.text.startswith("#")
    assert len({e.text for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.slug for e in EXAMPLES])
def test_every_example_returns_results(client, example) -> None:
    graph = re.match(r"\s*(CONSTRUCT|DESCRIBE)", example.text, re.IGNORECASE)
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    response = client.get("/sparql", query_string={"query": example.text},
                          headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    if graph:
        assert len(response.get_data(as_text=True).strip().splitlines()) >= 2
        return
    result = response.get_json()
    if "boolean" in result:
        assert result["boolean"] is True
    else:
        assert result["results"]["bindings"], f"{example.slug} returned no rows"


def test_an_example_without_both_titles_is_refused() -> None:
    with pytest.raises(ExampleError, match="zh"):
        parse_example("broken", "# en: Only English\nSELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(ExampleError):
        parse_example("empty", "# en: A\n# zh: 甲\n")


def test_the_page_shows_the_query_from_the_url_and_its_results(client) -> None:
    query = "SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p"
    page = client.get("/sparql?query=" + quote(query), headers=HTML)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    textarea = re.search(r'<textarea id="query-text" name="query"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea and textarea.group(1) == "SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p"
    assert 'href="/id/region/beijing"' in html  # the server-rendered table, for no JavaScript
    assert "8 results" in html
    assert re.search(r'href="/sparql\?query=SELECT[^"]*Province[^"]*&amp;format=csv"', html)


def test_the_page_without_a_query_offers_the_first_example(client) -> None:
    html = client.get("/sparql", headers=HTML).get_data(as_text=True)
    assert EXAMPLES[0].text.split("\n")[0] in html
    for example in EXAMPLES:
        assert str(escape(example.title("en"))) in html


def test_a_query_is_escaped_in_the_page_and_in_the_json_block(client) -> None:
    evil = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    html = client.get("/sparql", query_string={"query": evil}, headers=HTML).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for attrs, _text in scripts_of(html):
        assert attrs.get("src") or attrs.get("type") == "application/json"


def test_a_syntax_error_is_a_400_page_with_its_position(client) -> None:
    page = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o "}, headers=HTML)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "line 1, column 27" in html
    assert "SELECT * WHERE { ?s ?p ?o </textarea>" in html


def test_no_inline_script_and_the_bundle_is_referenced(client) -> None:
    html = client.get("/sparql", headers=HTML).get_data(as_text=True)
    sources = [a["src"] for a, _ in scripts_of(html) if a.get("src")]
    assert any(re.fullmatch(r"/static/query-editor\.[0-9a-f]{10}\.js", s) for s in sources)
    assert all(src.startswith("/static/") for src in sources)
    for attrs, text in scripts_of(html):
        assert attrs.get("src") or attrs.get("type") == "application/json", (attrs, text[:80])
    assert re.search(r'href="/static/query\.[0-9a-f]{10}\.css"', html)
    with client.get("/static/query-editor.js") as response:
        assert response.status_code == 200
        bundle = response.get_data(as_text=True)
    assert len(bundle) > 100_000 and "query-editor.LICENSES.txt" in bundle[:300]
    licences = (STATIC / "query-editor.LICENSES.txt").read_text(encoding="utf-8")
    for package in ("codemirror", "@codemirror/view", "@codemirror/legacy-modes", "@lezer/common"):
        assert f"== {package} " in licences
    assert "Permission is hereby granted" in licences
    assert not re.search(r"https?://(?!www\.w3\.org|w3id\.org)[a-z0-9.-]+/[^\s\"']*\.js\b",
                         bundle)  # nothing loaded from elsewhere


@pytest.mark.parametrize(("language", "run", "title"), [
    ("en", "Run", "Every figure about Guangdong"),
    ("zh", "运行", "关于广东的每个数字"),
])
def test_the_page_and_its_script_strings_follow_the_language(app, language, run, title) -> None:
    client = app.test_client()
    client.get(f"/lang/{language}")
    html = client.get("/sparql", headers=HTML).get_data(as_text=True)
    assert f'<button type="submit" id="run-query">{run}</button>' in html
    assert title in html
    config = editor_config(html)
    assert config["lang"] == language
    assert config["completions"] == "/sparql/completions.json"
    assert config["base"] == "https://w3id.org/govkg/"
    if language == "zh":
        assert config["strings"]["bar_chart"] == "柱状图"
        assert config["strings"]["results_many"] == "{n} 条结果"
    assert all(config["strings"].values())


def test_the_home_page_lists_the_examples_in_its_language(app) -> None:
    client = app.test_client()
    en = client.get("/", headers={**HTML, "Accept-Language": "en"}).get_data(as_text=True)
    zh = client.get("/", headers={**HTML, "Accept-Language": "zh"}).get_data(as_text=True)
    for example in EXAMPLES:
        assert str(escape(example.title("en"))) in en
        assert str(escape(example.title("zh"))) in zh
