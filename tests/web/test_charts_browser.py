"""Charts as drawn by Debian's Chromium at 390×844 and 1366×900, in both languages: every
label inside its drawing and at least 12 px tall; /figures charts only figures of one
indicator and unit together; every edge of the neighbourhood graph names its property in
the page's language; on a phone every name in the neighbourhood is whole."""

import pytest
from live import ARTIFACTS, SIZES, shot

# For each <text> of the page's charts that is drawn (not in a drawing CSS hides): its
# rendered height and whether it leaves its <svg> (or the frame the <svg> scrolls in).
TEXTS = """sel => [...document.querySelectorAll(sel)]
  .filter(t => t.ownerSVGElement.getBoundingClientRect().width > 0).map(t => {
  const svg = t.ownerSVGElement.getBoundingClientRect(), box = t.getBoundingClientRect();
  const size = parseFloat(getComputedStyle(t).fontSize) * svg.width / t.ownerSVGElement.viewBox.baseVal.width;
  return {text: t.textContent, size, outside: box.left < svg.left - 1 || box.right > svg.right + 1};
})"""


@pytest.fixture
def viewer(sized_page):
    return sized_page


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bar_charts_are_legible_and_never_mix_indicators(viewer, live_server, lang: str,
                                                         size: str) -> None:
    viewer.goto(live_server.url + "/figures")
    texts = viewer.evaluate(TEXTS, "svg.bars text")
    assert texts
    assert [t["text"] for t in texts if t["outside"]] == []
    assert min(t["size"] for t in texts) >= 12
    titles = [c.locator("title").first.text_content()
              for c in viewer.locator("svg[id^=chart-kind]").all()]
    # one chart per indicator and unit: "服务事项数（计数）", "service items (counts)"
    assert titles and all(t.endswith(("）", ")")) for t in titles)
    assert len(set(titles)) == len(titles)
    values = viewer.evaluate(TEXTS, "svg.bars text.value")
    assert all(t["text"].strip() for t in values)
    shot(viewer, f"figures-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_neighbourhood_edge_names_its_property(viewer, live_server, lang: str,
                                                     size: str) -> None:
    viewer.goto(live_server.url + "/id/platform/yueshengshi.html")
    graph = viewer.locator("figure.neighbourhood svg")
    nodes = graph.locator("g.node").count()
    relations = [t.text_content() for t in graph.locator("text.relation").all()]
    assert nodes > 2 and len(relations) == nodes
    assert ("属于 →" if lang == "zh" else "part of →") in relations
    sizes = [t["size"] for t in viewer.evaluate(TEXTS, "figure.neighbourhood text")]
    assert min(sizes) >= 11.5
    shot(viewer, f"neighbourhood-{lang}-{SIZES[size][0]}")


# Each drawn name of the neighbourhood: its text and whether it leaves its <svg>.
NAMES = """() => [...document.querySelectorAll("figure.neighbourhood svg text")]
  .filter(t => t.getBoundingClientRect().width > 0).map(t => {
    const svg = t.ownerSVGElement.getBoundingClientRect(), box = t.getBoundingClientRect();
    return {text: t.textContent, lines: [...t.querySelectorAll("tspan")].map(s => s.textContent),
            title: t.parentElement.querySelector("title")?.textContent || "",
            outside: box.left < svg.left - 1 || box.right > svg.right + 1
                     || box.top < svg.top - 1 || box.bottom > svg.bottom + 1};
  })"""
PHONE = "phone"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("entity", ["platform/yueshengshi", "region/guangdong",
                                    "policy/guangdong-digital-government-master-plan"])
def test_every_neighbourhood_name_is_whole_on_a_phone(browser, live_server, lang: str,
                                                      entity: str) -> None:
    width, height = SIZES[PHONE]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/id/{entity}.html")
        assert page.locator("figure.neighbourhood svg.stacked").is_visible()
        assert not page.locator("figure.neighbourhood .chart-scroll").is_visible()
        names = page.evaluate(NAMES)
        assert len(names) > 4
        assert [n["text"] for n in names if n["text"].rstrip().endswith("…")] == []
        assert [n["text"] for n in names if n["outside"]] == []
        wrapped = [n for n in names if n["lines"]]
        for name in wrapped:  # the drawn lines make up the whole name its <title> gives
            assert "".join(name["lines"]).replace(" ", "") in name["title"].replace(" ", "")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        slug = entity.replace("/", "-")
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("figure.neighbourhood").screenshot(
            path=str(ARTIFACTS / f"neighbourhood-whole-{slug}-{lang}-{width}.png"))
    finally:
        context.close()
