"""What a look at the pages' screenshots found, each fix driven in Debian's Chromium in both
languages and at both screen sizes: the comparison's figures read as numbers (10,000,000,
not 10000000); a policy's comment names the website it mentions, not its prefixed name; a
link to Wikidata reads "Wikidata Q15175", not a raw IRI; on a wide screen the neighbourhood's
names take a second line where there is room and never overlap one another; a policy is
dated by its issue, not by its target year (the 2018–2020 plan issued in November 2018); the
header's search box shows its whole hint on a phone."""

import re

import pytest
from live import SIZES, shot


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_groups_the_digits_of_its_figures(sized_page, live_server, lang: str,
                                                         size: str) -> None:
    sized_page.goto(live_server.url + "/compare")
    values = [v.inner_text() for v in sized_page.locator("span.number.value").all()]
    assert "10,000,000" in values
    assert [v for v in values if re.fullmatch(r"\d{5,}", v)] == []
    shot(sized_page, f"compare-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_policy_page_names_what_its_comment_mentions(sized_page, live_server, lang: str,
                                                       size: str) -> None:
    sized_page.goto(live_server.url + "/id/policy/guangdong-digital-government-master-plan.html")
    main = sized_page.locator("main").inner_text()
    assert "platform:guangdong-government-website" not in main
    link = sized_page.locator("table.statements span.literal a[href='/id/platform/"
                              "guangdong-government-website']").first
    assert link.inner_text() == "website of the Guangdong Provincial People's Government"
    assert sized_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(sized_page, f"policy-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_links_to_wikidata_read_as_item_numbers(sized_page, live_server, lang: str,
                                                size: str) -> None:
    sized_page.goto(live_server.url + "/id/region/guangdong.html")
    link = sized_page.locator("a[href='http://www.wikidata.org/entity/Q15175']").first
    assert link.inner_text().rstrip(" ↗") == ("维基数据 Q15175" if lang == "zh" else
                                             "Wikidata Q15175")
    assert "<http" not in sized_page.locator("main").inner_text()


# The drawn boxes of the wide neighbourhood's names and relations, in page pixels.
BOXES = """() => [...document.querySelectorAll("figure.neighbourhood .chart-scroll g.node text")]
  .map(t => { const b = t.getBoundingClientRect();
              return {text: t.textContent, left: b.left, right: b.right, top: b.top,
                      bottom: b.bottom}; })"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("entity", ["region/guangdong",
                                    "policy/guangdong-digital-government-master-plan"])
def test_wide_neighbourhood_names_never_overlap(browser, live_server, lang: str,
                                                entity: str) -> None:
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/id/{entity}.html")
        boxes = page.evaluate(BOXES)
        assert len(boxes) > 4
        overlaps = [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                    if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1
                    and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1]
        assert overlaps == []
        assert any(t.locator("tspan").count() == 2 for t in
                   page.locator("figure.neighbourhood .chart-scroll text.name").all())
        shot(page, f"neighbourhood-wide-{entity.replace('/', '-')}-{lang}")
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_policy_is_dated_by_its_issue_not_its_target(sized_page, live_server, lang: str,
                                                       size: str) -> None:
    issued = "2018年11月" if lang == "zh" else "November 2018"
    sized_page.goto(live_server.url + "/provinces/guangdong")
    summary = sized_page.locator("section.summary").inner_text()
    plan = "广东省“数字政府”建设总体规划" if lang == "zh" else "Master Plan for Building Digital"
    after = summary[summary.index(plan):]
    assert after[:200].count(issued) >= 1 and ("2020年)" not in after[:120])
    sized_page.goto(live_server.url + "/classes/gk:Plan")
    row = sized_page.locator("table.members tr", has_text=plan)
    assert row.locator("td.date").inner_text() == issued
    shot(sized_page, f"province-{lang}-{SIZES[size][0]}")


# The header search box's placeholder: its width in the box's font, and the room the box gives.
PLACEHOLDER_ROOM = """input => {
  const style = getComputedStyle(input), context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  return {text: input.placeholder, width: context.measureText(input.placeholder).width,
          room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)};
}"""


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_header_search_box_shows_its_whole_hint(sized_page, live_server, lang: str,
                                                    size: str) -> None:
    sized_page.goto(live_server.url + "/")
    place = sized_page.locator("#site-search").evaluate(PLACEHOLDER_ROOM)
    assert place["text"] and place["width"] <= place["room"], place
    assert sized_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(sized_page, f"header-{lang}-{SIZES[size][0]}")
