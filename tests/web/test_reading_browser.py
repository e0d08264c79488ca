"""What a researcher reads, in Debian's Chromium against ``govkg serve``, in both languages
and at both sizes: a figure's page opens with its sentence, numbers are grouped and dated
by their precision, inferred repeats fold behind a toggle, quotations use “ ”, and search
tells the true count, pages through every match and facets by type and province."""

import re

import pytest
from live import SIZES, shot
from playwright.sync_api import expect

FIGURE = "/id/figure/guangdong-yueshengshi-first-day-users.html"
LEADS = {"zh": "“粤省事”上线当天访问用户量：超过1000万（10,000,000）访问用户（2018年5月）。",
         "en": "Users visiting Yueshengshi on its launch day: more than 10 million (10,000,000)"
               " visiting users (May 2018)."}


@pytest.fixture
def reader(sized_page):
    """A page in the language and screen size of the test's ``lang`` and ``size``."""
    return sized_page


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_figure_page_opens_with_the_fact(reader, live_server, lang: str, size: str) -> None:
    reader.goto(live_server.url + FIGURE)
    lead = reader.locator("p.lead")
    assert lead.inner_text() == LEADS[lang]
    assert lead.is_visible() and lead.bounding_box()["y"] < SIZES[size][1]  # the first screen
    value = reader.locator("section.properties table.statements").get_by_text(
        "10,000,000", exact=True)
    assert value.count() == 1
    assert value.get_attribute("title") == "10000000"
    date = "2018年5月" if lang == "zh" else "May 2018"
    assert reader.locator("section.properties").get_by_text(date, exact=True).count() >= 1
    quote = reader.locator("section.quotes blockquote p").first.inner_text()
    assert quote.startswith("“") and quote.endswith("”")
    shot(reader, f"figure-{lang}-{SIZES[size][0]}")


@pytest.mark.parametrize("size", ["desktop"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inferred_repeats_fold_behind_a_toggle(reader, live_server, lang: str,
                                               size: str) -> None:
    reader.goto(live_server.url + FIGURE)
    table = reader.locator("section.properties table.statements")
    assert "prov:wasDerivedFrom" not in table.inner_text()
    also = reader.locator("section.properties .also").first
    assert also.inner_text().startswith("亦即" if lang == "zh" else "also")
    folded = reader.locator("details.folded")
    assert not folded.locator("table").is_visible()
    folded.locator("summary").click()
    assert folded.locator("table").is_visible()
    assert ("单位" if lang == "zh" else "unit") in folded.inner_text()  # qudt:unit, by its label


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_counts_pages_and_facets(reader, live_server, lang: str, size: str) -> None:
    reader.goto(live_server.url + "/search?q=政务")
    status = reader.locator("main p.count[role=status]").inner_text()
    total = int(re.search(r"\d+", status).group())
    assert total > 50  # more than one page, all counted
    assert len(reader.locator("ol.results > li").all()) == 50
    shot(reader, f"search-{lang}-{SIZES[size][0]}")
    seen = 50
    while (following := reader.locator("nav.pager a[rel=next]")).count():
        following.click()
        reader.wait_for_load_state()
        seen += len(reader.locator("ol.results > li").all())
    assert seen == total
    reader.goto(live_server.url + "/search?q=政务")
    facet = reader.locator(".facet").nth(1).locator("li").first  # the largest province
    name, count = facet.locator("a").inner_text(), int(facet.locator(".count").inner_text())
    facet.locator("a").click()
    reader.wait_for_load_state()
    assert len(reader.locator("ol.results > li").all()) == min(count, 50)
    assert reader.locator(".facet a[aria-current=true]").inner_text().startswith(name)


@pytest.mark.parametrize("size", ["phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pinyin_matches_show_names_not_keys(reader, live_server, lang: str, size: str) -> None:
    reader.goto(live_server.url + "/search?q=yss")
    snippets = reader.locator("ol.results p.snippet").all_inner_texts()
    assert snippets and all(re.fullmatch(r"[a-z ]+", s) is None for s in snippets)
    assert all("粤省事" in s for s in snippets)
    box = reader.locator("#site-search")
    box.fill("")
    box.click()
    box.press_sequentially("yss", delay=40)
    # retried: on a busy machine the list may first show what "ys" found
    badge = reader.locator("#site-search-list [role=option]").first.locator(".badge")
    expect(badge).to_have_text("微信小程序" if lang == "zh" else "WeChat mini program")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_says_what_this_is_on_its_first_screen(reader, live_server, lang: str,
                                                             size: str) -> None:
    reader.goto(live_server.url + "/")
    height = SIZES[size][1]
    lead = reader.locator("main p.lead")
    assert "中国省级第一梯队“数字政府”建设路线一览" in lead.inner_text()
    fact = reader.locator("figure.example-fact a")
    assert fact.inner_text() == LEADS[lang]
    start = reader.locator("main p.start a")
    assert start.count() == 3
    for element in (lead, fact, start.last):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= height  # all in the first screen
    fact.click()
    reader.wait_for_load_state()
    assert reader.url.endswith(FIGURE)
    shot(reader, f"home-{lang}-{SIZES[size][0]}")
