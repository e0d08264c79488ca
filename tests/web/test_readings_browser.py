"""The editor marks results that rest on a reading-in, in a real browser (Debian's Chromium
driven by Playwright against ``govkg serve``), in both languages: an example with one
editorial row among others, one with none, a DESCRIBE, and the notes where nothing can be
marked. The editor's marks agree with the server-rendered page's, and a page with marks
passes axe. Screenshots go to test-artifacts/.
"""

import os
import re
from urllib.parse import quote

import pytest
from live import shot

from govkg.web.examples import EXAMPLES

EDITOR = ".cm-content"
BADGE = {"en": "editorial", "zh": "编者解读"}
LEGEND = {"en": "A reading-in, not the report", "zh": "编者解读，并非报告原文"}
NONE = {"en": "No result rests on a reading-in", "zh": "没有结果依据编者解读"}
UNMARKED = {"en": "Readings-in are not marked", "zh": "未标出编者解读"}


def example(slug: str):
    return next(e for e in EXAMPLES if e.slug == slug)


def open_editor(page, server, lang: str) -> None:
    page.goto(f"{server.url}/lang/{lang}?next=/sparql")
    page.wait_for_selector(".query-editor " + EDITOR)


def run_example(page, slug: str, lang: str) -> None:
    page.locator("nav.examples a", has_text=example(slug).title(lang)).click()
    page.locator("#results .summary").wait_for()


def run_text(page, text: str) -> None:
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.keyboard.press("Control+Enter")
    page.locator("#results .summary").wait_for()


def marked_rows(page) -> list[bool]:
    """Whether each row of the results table is marked, in order."""
    rows = page.locator("#results .view-table table.results tbody tr")
    return [row.get_attribute("class") == "reading-in" for row in rows.all()]


def server_marks(server, query: str, lang: str) -> list[bool]:
    """The same marks as the server-rendered page gives them."""
    html = server.get("/sparql?query=" + quote(query), headers={
        "Accept": "text/html", "Cookie": f"lang={lang}"}).text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [bool(m) for m in re.findall(r'<tr( class="reading-in")?>', body)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_example_with_a_reading_in_marks_that_row(page, live_server, lang: str) -> None:
    open_editor(page, live_server, lang)
    run_example(page, "03-built-with-companies", lang)
    marks = marked_rows(page)
    assert marks.count(True) == 1 and len(marks) > 1
    row = page.locator("#results tr.reading-in")
    assert "华为" in row.inner_text()  # 数字广东 built with Huawei: the report says the model is
    badge = row.locator("td").first.locator(".editorial")
    assert badge.inner_text() == BADGE[lang] and badge.is_visible()
    legend = page.locator("#results .readings-legend")
    assert LEGEND[lang] in legend.inner_text()
    assert marks == server_marks(live_server, example("03-built-with-companies").text, lang)
    shot(page, f"editor-reading-in-{lang}")
    assert page.console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_example_without_readings_in_has_no_marks(page, live_server, lang: str) -> None:
    open_editor(page, live_server, lang)
    run_example(page, "09-rankings", lang)
    marks = marked_rows(page)
    assert marks and not any(marks)
    assert NONE[lang] in page.locator("#results .readings-legend.none").inner_text()
    assert page.locator("#results .editorial").count() == 0
    assert page.console_errors == []


def test_a_sorted_table_keeps_each_mark_on_its_row(page, live_server) -> None:
    open_editor(page, live_server, "en")
    run_example(page, "03-built-with-companies", "en")
    page.locator("#results th button", has_text="company").click()  # the column with 华为
    page.locator("#results th button", has_text="company").click()  # descending
    row = page.locator("#results tr.reading-in")
    assert "华为" in row.inner_text() and row.count() == 1


def test_a_describe_marks_the_triples_of_graph_editorial(page, live_server) -> None:
    open_editor(page, live_server, "en")
    query = example("19-describe-beijingtong").text
    run_text(page, query)
    drawn = page.locator("#results svg.node-link line.edge.reading-in")
    assert drawn.count() >= 1  # the graph view draws a read-in link dashed
    assert "gk:operatedBy (editorial)" in page.locator("#results svg.node-link").inner_html()
    page.locator("#tab-table").click()
    marks = marked_rows(page)
    assert 1 <= marks.count(True) < len(marks)
    assert sorted(marks) == sorted(server_marks(live_server, query, "en"))
    assert page.console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_where_nothing_can_be_marked_the_editor_says_why(page, live_server, lang: str) -> None:
    open_editor(page, live_server, lang)
    run_text(page, "SELECT ?who WHERE { ?p gk:operatedBy ?who } LIMIT 5")
    note = page.locator("#results .readings-note")
    assert note.get_attribute("data-unmarked") == "unordered-limit"
    assert UNMARKED[lang] in note.inner_text()
    assert page.locator("#results tr.reading-in").count() == 0


def test_a_cut_result_is_not_marked(page, strict_server) -> None:
    open_editor(page, strict_server, "en")
    run_text(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    page.locator("#results p.truncated").wait_for()
    assert page.locator("#results .readings-note").get_attribute("data-unmarked") == "truncated"
    assert page.locator("#results tr.reading-in").count() == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_marked_results_pass_the_accessibility_check(browser, live_server, lang: str) -> None:
    from test_accessibility_browser import AXE, RUN

    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: run `cd js && npm ci`")
        pytest.skip("axe-core is not installed (cd js && npm ci)")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/")
        page.goto(live_server.url + "/sparql?query="
                  + quote(example("03-built-with-companies").text))
        page.locator("#results tr.reading-in").wait_for()
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        assert page.evaluate(RUN) == []
    finally:
        context.close()
