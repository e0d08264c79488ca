"""Charts as drawn by Debian's Chromium at 390×844 and 1366×900, in both languages: every
label inside its drawing and at least 12 px tall; /figures charts only figures of one
indicator and unit together; every edge of the neighbourhood graph names its property in
the page's language."""

import pytest
from live import SIZES, shot

# For each <text> of the page's charts: its rendered height and whether it leaves its <svg>
# (or the frame the <svg> scrolls in).
TEXTS = """sel => [...document.querySelectorAll(sel)].map(t => {
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
