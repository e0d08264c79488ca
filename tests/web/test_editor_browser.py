"""The query editor at /sparql in a real browser: Debian's Chromium driven by Playwright
against ``govkg serve``. Typing with completion, Ctrl+Enter, rows and a chart, an error marked
at its position, a shared URL reopened, a CONSTRUCT drawn as a graph, a CSV download, a phone
screen, Chinese, and the page without JavaScript. Screenshots go to test-artifacts/.
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from live import shot

from govkg.web.examples import EXAMPLES

EDITOR = ".cm-content"
# CodeMirror ignores Enter on a completion list younger than 75 ms (no accidental accepts)
COMPLETION_SETTLES_MS = 200
PROVINCES = "How many platforms each province has (asserted or inferred)"


def example(slug: str):
    return next(e for e in EXAMPLES if e.slug == slug)


def editor_text(page) -> str:
    return page.locator("#query-text").input_value()  # the form field the editor keeps in step


def replace_query(page, text: str) -> None:
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def rows_of(page) -> list[list[str]]:
    table = page.locator("#results .view-table table.results tbody tr")
    return [row.locator("td").all_inner_texts() for row in table.all()]


def open_editor(page, live_server, path: str = "/sparql") -> None:
    page.goto(live_server.url + path)
    page.wait_for_selector(".query-editor " + EDITOR)


def test_typing_with_completion_and_ctrl_enter_runs_the_query(page, live_server) -> None:
    open_editor(page, live_server)
    replace_query(page, "SELECT ?x WHERE { ?x a gk:Provi")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="gk:Province").first
    option.wait_for()
    assert "province-level division" in option.inner_text()  # the term's label from the ontology
    shot(page, "editor-completion")
    page.wait_for_timeout(COMPLETION_SETTLES_MS)
    page.keyboard.press("Enter")
    assert editor_text(page) == "SELECT ?x WHERE { ?x a gk:Province}"  # the brace closed itself
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#results .summary")
    assert page.locator("#results .summary").inner_text().startswith("8 results · ")
    link = page.locator("#results a[href='/id/region/guangdong']")
    assert link.inner_text() == "Guangdong"  # labelled in the page's language, linked
    assert parse_qs(urlparse(page.url).query)["query"] == [editor_text(page)]
    shot(page, "editor-ctrl-enter")
    assert page.console_errors == []


def test_chinese_text_completes_to_the_term_it_names(page, live_server) -> None:
    open_editor(page, live_server)
    replace_query(page, "DESCRIBE 粤省")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="platform:yueshengshi").first
    option.wait_for()
    assert "粤省事" in option.inner_text()
    page.wait_for_timeout(COMPLETION_SETTLES_MS)
    page.keyboard.press("Enter")
    assert editor_text(page) == "DESCRIBE platform:yueshengshi"
    page.keyboard.press("Control+Enter")
    page.locator("#results svg.node-link").wait_for()
    assert page.console_errors == []


def test_an_example_shows_rows_and_a_bar_chart(page, live_server) -> None:
    open_editor(page, live_server)
    page.get_by_role("link", name=PROVINCES).click()
    page.wait_for_selector("#results .summary")
    rows = rows_of(page)
    assert len(rows) == 7 and rows[0][0].startswith("浙江省")
    assert editor_text(page) == example("06-platforms-per-province").text
    page.get_by_role("tab", name="Bar chart").click()
    chart = page.locator("#results svg.bar-chart")
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() == 7
    assert "浙江省" in chart.inner_html() and ">13<" in chart.inner_html()
    shot(page, "editor-bar-chart")
    page.get_by_role("link", name="Timeline: every dated event, with what it is about").click()
    page.wait_for_selector("#results [role=tab]")
    page.get_by_role("tab", name="Timeline").click()
    timeline = page.locator("#results svg.timeline")
    assert timeline.locator("circle.event").count() == len(rows_of(page)) > 10
    shot(page, "editor-timeline")
    assert page.console_errors == []


def test_a_syntax_error_is_marked_at_its_position(page, live_server) -> None:
    open_editor(page, live_server)
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("SELECT * WHERE {\n  ?s foo:bar ?o }")  # pasted: no auto-closing
    mark = page.locator(".cm-lintRange-error")
    mark.wait_for()  # checked as it is typed, before any run
    assert mark.inner_text() == "foo:"
    page.keyboard.press("Control+Enter")
    error = page.locator("#results .error")
    error.wait_for()
    said = error.locator("p").inner_text()
    assert "Unknown prefix “foo:”" in said and "gk:" in said and "line 2, column 6" in said
    assert "\\u{" not in said  # no character classes from the parser
    error.locator("summary").click()  # the parser's own message, on demand
    assert "Prefix not found" in error.locator("pre").inner_text()
    assert mark.inner_text() == "foo:"
    assert page.locator(".cm-lint-marker-error").count() == 1  # and its line in the gutter
    shot(page, "editor-syntax-error")
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("SELECT * WHERE {\n  ?s gk:bar ?o }")
    page.wait_for_function("document.querySelectorAll('.cm-lintRange-error').length === 0")
    # the endpoint's 400 is the expected answer; nothing else may fail
    assert [e for e in page.console_errors if "400" not in e] == []


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "“FILTR”不是 SPARQL 关键字：是否想写 FILTER？"),
    ("en", "“FILTR” is not a SPARQL keyword: did you mean FILTER?")])
def test_a_misspelt_keyword_is_named_in_plain_words(page, live_server, lang: str,
                                                    said: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/sparql")
    page.wait_for_selector(".query-editor " + EDITOR)
    replace_query(page, "SELECT * WHERE { ?s ?p ?o FILTR(?s) }")
    mark = page.locator(".cm-lintRange-error")
    mark.wait_for()
    assert mark.inner_text() == "FILTR"
    page.locator("#run-query").click()
    error = page.locator("#results .error p")
    error.wait_for()
    assert said in error.inner_text()
    assert ("第 1 行第 27 列" if lang == "zh" else "line 1, column 27") in error.inner_text()
    shot(page, f"editor-misspelt-{lang}")


def test_a_shared_url_reopens_the_same_query_and_rows(page, browser, live_server) -> None:
    open_editor(page, live_server)
    page.get_by_role("link", name="Every figure about Guangdong, with its qualifier and the sentence it comes from").click()
    page.wait_for_selector("#results .summary")
    shared, query, rows = page.url, editor_text(page), rows_of(page)
    assert rows and "/sparql?query=" in shared
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        errors = []
        other.on("console", lambda m: m.type == "error" and errors.append(m.text))
        other.goto(shared)
        other.wait_for_selector("#results .view-table")
        assert editor_text(other) == query
        assert other.locator(".cm-content").inner_text().startswith("SELECT ?value ?qualifier")
        assert rows_of(other) == rows
        shot(other, "editor-shared-url")
        assert errors == []
    finally:
        context.close()
    page.go_back()  # history: back to the page before the example
    page.wait_for_function("!location.search.includes('Guangdong')")
    assert page.console_errors == []


def test_construct_shows_a_node_link_graph(page, live_server) -> None:
    open_editor(page, live_server)
    page.get_by_role("link", name="Graph: Guangdong's platforms and what they are part of").click()
    graph = page.locator("#results svg.node-link")
    graph.wait_for()
    assert graph.locator("g.node").count() >= 5
    assert graph.locator("line.edge").count() >= 4
    assert "Yueshengshi" in graph.inner_html() and "gk:partOf" in graph.inner_html()  # en page
    assert graph.locator("a[href='/id/platform/yueshengshi']").count() == 1
    shot(page, "editor-construct-graph")
    page.get_by_role("tab", name="Table").click()
    assert page.locator("#results .view-table tbody tr").count() >= 5
    assert page.console_errors == []


def test_a_construct_behind_a_comment_and_prefix_is_still_drawn(page, live_server) -> None:
    open_editor(page, live_server)
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("# the apps of Beijing\nPREFIX ex: <http://example.org/>\n"
                              "CONSTRUCT { ?app gk:province region:beijing } "
                              "WHERE { ?app a gk:MobileApp ; gk:province region:beijing }")
    page.keyboard.press("Control+Enter")
    graph = page.locator("#results svg.node-link")
    graph.wait_for()
    assert graph.locator("a[href='/id/region/beijing']").count() == 1
    assert page.console_errors == []


def test_csv_download(page, live_server) -> None:
    open_editor(page, live_server)
    page.get_by_role("link", name=PROVINCES).click()
    page.wait_for_selector("#results .summary")
    with page.expect_download() as download_info:
        page.locator("#results a.download-csv").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["province", "platforms"]
    assert ["浙江省", "13"] in rows and len(rows) == 8
    assert page.console_errors == []


def test_the_page_in_chinese_on_a_phone(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url + "/sparql")
        page.wait_for_selector(".query-editor")
        assert page.locator("#run-query").inner_text() == "运行"
        page.get_by_role("link", name="各省份拥有的平台数量（含推理所得）").click()
        page.wait_for_selector("#results .summary")
        assert page.locator("#results .summary").inner_text().startswith("7 条结果 · ")
        page.get_by_role("tab", name="柱状图").click()
        assert page.locator("#results svg.bar-chart").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
        box = page.locator(".query-editor").bounding_box()
        assert box and box["width"] > 300 and box["x"] + box["width"] <= 390
        shot(page, "editor-phone-zh")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("slug", ["01-apps-in-launch-order", "20-inferred-government-organisations"])
def test_without_javascript_the_form_and_table_still_work(browser, live_server, slug) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/sparql")
        page.locator("textarea#query-text").fill(example(slug).text)
        page.locator("#run-query").click()
        page.wait_for_load_state()
        body = page.locator("#results").inner_text()
        assert ("政务钉钉" in body) if slug.startswith("01") else ("yes" in body)
    finally:
        context.close()


STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'")


def test_the_editor_works_under_a_strict_content_security_policy(page, live_server) -> None:
    """No inline script, no eval, nothing from elsewhere: a policy without 'unsafe-inline'
    for scripts blocks nothing (a blocked script or fetch is a console error)."""
    def with_policy(route) -> None:
        response = route.fetch()
        route.fulfill(response=response,
                      headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route("**/sparql*", with_policy)
    open_editor(page, live_server)
    page.get_by_role("link", name=PROVINCES).click()
    page.wait_for_selector("#results .view-table")
    page.get_by_role("tab", name="Bar chart").click()
    assert page.locator("#results svg.bar-chart rect.bar").count() == 7
    assert page.console_errors == []


def test_a_result_cut_at_the_row_limit_says_so(page, strict_server) -> None:
    from live import STRICT_MAX_ROWS

    open_editor(page, strict_server)
    replace_query(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    page.keyboard.press("Control+Enter")
    note = page.locator("#results p.truncated")
    note.wait_for()
    assert f"{STRICT_MAX_ROWS} rows" in note.inner_text()
    assert len(rows_of(page)) == STRICT_MAX_ROWS
    shot(page, "editor-truncated")
    assert page.console_errors == []


@pytest.mark.parametrize(("lang", "width", "height"), [
    ("zh", 390, 844), ("en", 390, 844), ("zh", 1366, 900), ("en", 1366, 900)])
def test_results_come_right_under_the_editor_and_into_view(browser, live_server, lang: str,
                                                            width: int, height: int) -> None:
    """Run, and the results are the next thing under the editor, scrolled into view, with
    their row count and run time; an example below the results runs the same way."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/sparql")
        page.wait_for_selector(".query-editor " + EDITOR)
        replace_query(page, "SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p")
        page.locator("#run-query").click()
        summary = page.locator("#results .summary")
        summary.wait_for()
        said = re.fullmatch(r"(\d+) (?:条结果|results) · [\d,]+ (?:毫秒|ms)", summary.inner_text())
        assert said and int(said.group(1)) == len(rows_of(page)) > 1
        form = page.locator("#query-form").bounding_box()
        results = page.locator("#results").bounding_box()
        assert 0 <= results["y"] - (form["y"] + form["height"]) < 40  # right under the form
        page.wait_for_function("document.getElementById('results').getBoundingClientRect().top"
                               f" < {height} - 80")
        shot(page, f"editor-results-{lang}-{width}")
        example_link = page.locator("nav.examples a[data-example]").last
        example_link.scroll_into_view_if_needed()
        example_link.click()
        page.wait_for_function("document.getElementById('results').getBoundingClientRect()"
                               f".top < {height} - 80 && document.getElementById('results')"
                               ".getBoundingClientRect().top > -1")
    finally:
        context.close()


# Where an ordered list's number is drawn: by the baseline of its item's first line, which
# a probe at the item's start shares; and the button's first line and its number of lines.
NUMBER_PLACE = """button => {
  const item = button.closest("li"), probe = document.createElement("span");
  probe.textContent = "\\u200b";  // no width: the button stays on the same line
  item.prepend(probe);
  const range = document.createRange();
  range.setStart(button.firstChild, 0);
  range.setEnd(button.firstChild, 1);
  const first = range.getBoundingClientRect(), at = probe.getBoundingClientRect();
  probe.remove();
  return {probe: at.bottom, first: first.bottom, line: first.height,
          lines: Math.round(button.getBoundingClientRect().height / first.height)};
}"""


def test_results_sort_history_keeps_queries_and_code_runs_them(page, live_server) -> None:
    open_editor(page, live_server)
    text = ("SELECT ?figure ?value WHERE { ?figure a gk:Measurement ; gk:value ?value }"
            " ORDER BY ?figure LIMIT 12")
    replace_query(page, text)
    page.locator("#run-query").click()
    page.locator("#results .summary").wait_for()
    value = page.locator("#results table.results th").nth(1)
    value.locator("button").click()
    numbers = [float(r[1].replace(",", "")) for r in rows_of(page)]
    assert numbers == sorted(numbers) and value.get_attribute("aria-sort") == "ascending"
    value.locator("button").click()
    assert [float(r[1].replace(",", "")) for r in rows_of(page)] == sorted(numbers, reverse=True)
    page.goto(live_server.url + "/sparql")  # a new visit: the history is in this browser
    page.wait_for_selector(".query-editor " + EDITOR)
    recent = page.locator("#query-history li button").first
    assert recent.get_attribute("title") == text
    # the list's number stands by the query's first line: a probe put where the number sits
    # (the start of the item's first line) is on the button's first line, not its last
    place = recent.evaluate(NUMBER_PLACE)
    assert place["lines"] >= 2, place  # the query wraps, or the check proves nothing
    assert abs(place["probe"] - place["first"]) < place["line"] / 2, place
    recent.click()
    page.locator("#results .summary").wait_for()
    assert editor_text(page) == text
    page.locator("#query-code summary").click()
    python = page.locator("#query-code section.snippet", has_text="Python").locator("code")
    compile(python.inner_text(), "snippet.py", "exec")  # valid Python
    assert text in python.inner_text()
    assert "--data-urlencode query=" in page.locator("#query-code").inner_text()
    shot(page, "editor-history-code")


def colour_of(page, text: str) -> str:
    """The colour the editor draws ``text`` in (the innermost element holding it)."""
    return page.locator(f"{EDITOR} span", has_text=text).last.evaluate(
        "node => getComputedStyle(node).color")


def test_sparql_is_highlighted_by_kind_of_token(page, live_server) -> None:
    open_editor(page, live_server)
    replace_query(page, 'SELECT ?who WHERE { ?who rdfs:label "北京通"@zh } # comment')
    plain = page.locator(f"{EDITOR} .cm-line").first.evaluate(
        "node => getComputedStyle(node).color")
    colours = {token: colour_of(page, token)
               for token in ("SELECT", "?who", '"北京通"', "# comment")}
    assert plain not in colours.values(), colours  # every kind is drawn apart from text
    assert len(set(colours.values())) == 4, colours  # and apart from each other
    assert page.console_errors == []


def test_ctrl_space_opens_completion(page, live_server) -> None:
    open_editor(page, live_server)
    replace_query(page, "SELECT ?x WHERE { ?x a gk:Provi")
    options = page.locator(".cm-tooltip-autocomplete li", has_text="gk:Province")
    options.first.wait_for()  # opened by typing
    page.keyboard.press("Escape")
    options.first.wait_for(state="detached")
    page.keyboard.press("Control+Space")
    options.first.wait_for()  # opened again, by the key alone
    assert "province-level division" in options.first.inner_text()
    assert editor_text(page) == "SELECT ?x WHERE { ?x a gk:Provi}"  # the key typed nothing
    assert page.console_errors == []
