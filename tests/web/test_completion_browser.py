"""Completion by position in the query editor, in Debian's Chromium against ``govkg serve``,
in both languages and at both screen sizes: entities where a subject or object belongs,
properties where a property belongs, classes after ``a``, each offered with its label and
type in the page's language; a chosen name written with the query's own prefix, or with
the PREFIX line a query that declares its prefixes needs. Screenshots in test-artifacts/.
"""

import os

import pytest
from live import REPO, SIZES, shot

EDITOR = ".cm-content"
LIST = ".cm-tooltip-autocomplete"
COMPLETION_SETTLES_MS = 200  # CodeMirror ignores Enter on a list younger than 75 ms
WHERE = "SELECT * WHERE {\n  "
LANG_SIZES = [(lang, size) for lang in ("zh", "en") for size in SIZES]
SAID = {  # (label, type) of one candidate per position, as each language shows it
    "zh": {"platform:beijingtong": ("北京通", "移动应用"),
           "gk:launchedOn": ("上线日期", "数据类型属性"),
           "gk:MobileApp": ("移动应用", "OWL 类"),
           "gorg:beijing-government": ("北京市人民政府", "人民政府")},
    "en": {"platform:beijingtong": ("Beijing Tong", "mobile app"),
           "gk:launchedOn": ("launched on", "datatype property"),
           "gk:MobileApp": ("mobile app", "OWL class"),
           "gorg:beijing-government": ("Beijing Municipal People's Government",
                                       "people's government")},
}


def open_editor(page, url: str) -> None:
    page.goto(url + "/sparql")
    page.wait_for_selector(".query-editor " + EDITOR)


def editor_text(page) -> str:
    return page.locator("#query-text").input_value()


def type_after(page, before: str, word: str) -> None:
    """The query ``before`` pasted whole, then ``word`` typed as a person types it."""
    page.locator(EDITOR).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(before)
    page.keyboard.type(word)


def offered(page, name: str) -> list[tuple[str, str, str]]:
    """(name, label, type) of each line of the list, once ``name`` is among them."""
    page.locator(f"{LIST} li", has_text=name).first.wait_for()
    lines = page.locator(f"{LIST} li").evaluate_all("""items => items.map(li => [
        li.querySelector('.cm-completionLabel')?.textContent || '',
        li.querySelector('.cm-completionDetail')?.textContent || '',
        li.querySelector('.cm-completionType')?.textContent || ''])""")
    return [tuple(line) for line in lines]


def line_of(options, name: str) -> tuple[str, str]:
    (found,) = [(label, kind) for n, label, kind in options if n == name]
    return found


def fits_on_screen(page, size: str) -> None:
    box = page.locator(LIST).bounding_box()
    width = SIZES[size][0]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


def accept(page, name: str) -> None:
    """Choose ``name`` from the list for the text as typed last: once no answer is on its
    way (a list answering an earlier key may show it too), and the list has settled."""
    page.wait_for_load_state("networkidle")
    offered(page, name)
    page.wait_for_timeout(COMPLETION_SETTLES_MS)
    options = [n for n, _, _ in offered(page, name)]
    for _ in range(options.index(name)):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator(LIST).wait_for(state="detached")


@pytest.mark.parametrize(("lang", "size"), LANG_SIZES)
def test_each_place_in_a_triple_offers_its_kind(sized_page, live_server, lang: str,
                                                size: str) -> None:
    page = sized_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    open_editor(page, live_server.url)
    said = SAID[lang]

    type_after(page, WHERE, "beijingt")  # a subject: entities
    options = offered(page, "platform:beijingtong")
    assert line_of(options, "platform:beijingtong") == said["platform:beijingtong"]
    assert not [n for n, _, _ in options if n.startswith("gk:")]  # no class, no property
    fits_on_screen(page, size)
    shot(page, f"completion-subject-{lang}-{size}")

    type_after(page, WHERE + "?app ", "gk:launch")  # after a subject: properties
    options = offered(page, "gk:launchedOn")
    assert line_of(options, "gk:launchedOn") == said["gk:launchedOn"]
    assert {n for n, _, _ in options} == {"gk:launchedOn", "gk:launchedOnStart",
                                          "gk:launchedOnEnd"}
    shot(page, f"completion-property-{lang}-{size}")

    type_after(page, WHERE + "?app ", "a")  # a property's place: `a` first
    assert offered(page, "rdf:type")[0][:2] == ("a", "rdf:type")

    type_after(page, WHERE + "?app a ", "gk:Mobi")  # after a: classes
    options = offered(page, "gk:MobileApp")
    assert line_of(options, "gk:MobileApp") == said["gk:MobileApp"]
    assert all(n[3].isupper() for n, _, _ in options if n.startswith("gk:"))  # classes only
    fits_on_screen(page, size)
    shot(page, f"completion-class-{lang}-{size}")
    accept(page, "gk:MobileApp")
    assert editor_text(page).endswith("?app a gk:MobileApp")

    page.keyboard.type(" ; gk:opera")  # after ";": properties again
    accept(page, "gk:operatedBy")
    page.keyboard.type(" gorg:beijing-g")  # an object: entities
    options = offered(page, "gorg:beijing-government")
    assert line_of(options, "gorg:beijing-government") == said["gorg:beijing-government"]
    shot(page, f"completion-object-{lang}-{size}")
    accept(page, "gorg:beijing-government")
    assert editor_text(page) == (WHERE + "?app a gk:MobileApp ; gk:operatedBy "
                                 "gorg:beijing-government")
    page.keyboard.type(" }")
    page.keyboard.press("Control+Enter")
    page.locator("#results .summary").wait_for()
    assert "platform/beijingtong" in page.locator("#results").inner_html()
    assert errors == []


def test_chinese_typed_as_an_object_finds_the_entity_it_names(page, live_server) -> None:
    open_editor(page, live_server.url)
    type_after(page, WHERE + "?figure gk:measuredEntity ", "粤省")
    options = offered(page, "platform:yueshengshi")
    assert options[0][:2] == ("platform:yueshengshi", "粤省事 Yueshengshi")  # en page
    assert all(not n.startswith("gk:") for n, _, _ in options)
    accept(page, "platform:yueshengshi")
    assert editor_text(page).endswith("gk:measuredEntity platform:yueshengshi")
    assert page.console_errors == []


def test_a_query_that_declares_prefixes_gets_the_line_it_needs(page, live_server) -> None:
    open_editor(page, live_server.url)
    declared = "PREFIX o: <https://w3id.org/govkg/ontology#>\n"
    type_after(page, declared + WHERE + "?p a ", "o:Prov")  # its own name for gk:
    accept(page, "o:Province")
    page.keyboard.type(" ; o:operatedBy ")
    page.keyboard.type("gorg:beijing-g")
    accept(page, "gorg:beijing-government")
    assert editor_text(page) == (
        declared + "PREFIX gorg: <https://w3id.org/govkg/id/org/>\n" + WHERE
        + "?p a o:Province ; o:operatedBy gorg:beijing-government")
    assert page.console_errors == []


@pytest.mark.parametrize(("lang", "said"), [
    ("zh", "显示 50 项：继续输入以缩小范围"), ("en", "50 of {total} shown: type more to narrow")])
def test_a_long_list_says_how_many_more_there_are(page, live_server, lang: str,
                                                  said: str) -> None:
    total = live_server.get("/sparql/terms?kind=entity&q=statement:").json()["total"]
    assert total > 50
    page.goto(f"{live_server.url}/lang/{lang}?next=/sparql")
    page.wait_for_selector(".query-editor " + EDITOR)
    type_after(page, WHERE + "?s ?p ", "statement:")
    options = offered(page, "…")
    assert len(options) == 51 and options[-1][0] == "…"
    assert said.format(total=f"{total:,}") in options[-1][1]
    page.locator(f"{LIST} li").last.scroll_into_view_if_needed()
    shot(page, f"completion-more-{lang}")
    assert page.console_errors == []


AXE = REPO / "js" / "node_modules" / "axe-core" / "axe.min.js"
# The list is CodeMirror's ARIA combobox: the editor keeps the focus and moves through the
# options with the arrow keys (aria-activedescendant), scrolling the list as it goes; axe's
# rule that a scrolling region take the focus itself does not know that pattern, so it is
# waived for the listbox alone, and every other rule holds for it and the page.
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21aa"]});
  const combobox = (v) => v.id === "scrollable-region-focusable" && v.nodes.every(
    (n) => document.querySelector(n.target[0])?.matches("ul[role=listbox]"));
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .filter(v => !combobox(v))
    .map(v => `${v.id}: ${v.help} e.g. ${v.nodes[0].target.join(" ")}`);
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_open_list_passes_the_accessibility_check(browser, live_server, lang: str) -> None:
    """axe-core (``cd js && npm ci``) finds no serious violation with the list open: its
    names, labels and type boxes read against the list and the highlighted line."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: run `cd js && npm ci`")
        pytest.skip("axe-core is not installed (cd js && npm ci)")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/lang/{lang}?next=/sparql")
        page.wait_for_selector(".query-editor " + EDITOR)
        type_after(page, WHERE, "beijing")
        offered(page, "platform:beijingtong")
        assert page.locator(EDITOR).get_attribute("aria-activedescendant")  # the combobox
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        assert page.evaluate(AXE_RUN) == []
    finally:
        context.close()
