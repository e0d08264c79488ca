"""Browsing pages in Debian's Chromium against ``govkg serve``, both languages: /classes/ as
a tree with govkg's classes first, a class page's definition, hierarchy and sortable member
table, /entities/ headings in the page's language."""

import re

import pytest
from live import shot


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_classes_form_a_tree_with_govkgs_first(page, live_server, lang: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/classes/")
    iris = page.eval_on_selector_all("main > ul.tree > li", "lis => lis.map(l => l.dataset.iri)")
    own = [i.startswith("https://w3id.org/govkg/ontology#") for i in iris]
    assert own[0] and own == sorted(own, reverse=True)  # govkg's first, then the others
    platform = page.locator('main > ul.tree > li[data-iri$="#DigitalPlatform"]')
    assert platform.locator('li[data-iri$="#Portal"]').count() == 1
    shot(page, f"classes-{lang}")


@pytest.mark.parametrize(("lang", "width"), [("zh", 390), ("en", 1366)])
def test_a_class_page_defines_places_and_sorts_its_members(browser, live_server, lang: str,
                                                           width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/classes/gk:Event")
        assert page.locator("p.description").inner_text()
        assert page.locator("dl.hierarchy dd").last.locator("a").count() >= 5  # subclasses
        header = page.locator("table.members th").nth(1)
        header.locator("a").click()
        page.wait_for_load_state()
        years = [int(re.search(r"\d{4}", d).group()) for d in
                 page.locator("table.members td.date").all_inner_texts() if d.strip()]
        assert years and years == sorted(years)
        assert page.locator("table.members th").nth(1).get_attribute("aria-sort") == "ascending"
        page.locator("table.members th").nth(1).locator("a").click()
        page.wait_for_load_state()
        again = [int(re.search(r"\d{4}", d).group()) for d in
                 page.locator("table.members td.date").all_inner_texts() if d.strip()]
        assert again == sorted(years, reverse=True)
        shot(page, f"class-event-{lang}-{width}")
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "heading"), [("zh", "平台"), ("en", "Platforms")])
def test_entities_headings_are_in_the_pages_language(page, live_server, lang: str,
                                                      heading: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/entities/")
    headings = page.locator("main h2").all_inner_texts()
    assert heading in headings and "platform" not in headings
    assert page.locator("section#platform h2").inner_text() == heading


@pytest.mark.parametrize(("lang", "width"), [("zh", 390), ("en", 1366)])
def test_a_province_page_opens_with_a_summary(browser, live_server, lang: str,
                                              width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next=/provinces/guangdong")
        summary = page.locator("section.summary")
        assert summary.bounding_box()["y"] < 900  # before the lists, in the first screen
        kinds = summary.locator("ul.counts a").all_inner_texts()
        assert kinds == [h for h in page.locator("main section[id^=kind-] h2").all_inner_texts()]
        assert ("粤省事" if lang == "zh" else "Yueshengshi") in summary.inner_text()
        assert summary.locator("ul.key-figures li").count() >= 1
        earliest = summary.locator("p").inner_text()
        assert "2018年5月" in earliest if lang == "zh" else "May 2018" in earliest
        shot(page, f"province-guangdong-{lang}-{width}")
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "title"), [("zh", "govkg 本体"), ("en", "govkg")])
def test_the_ontology_page_has_a_title_and_contents(page, live_server, lang: str,
                                                    title: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/ontology")
    heading = page.locator("main h1").inner_text()
    assert not heading.startswith("<") and title.split()[0] in heading
    toc = page.locator("nav.toc")
    entries = toc.locator("details")
    assert entries.count() >= 3
    entries.first.locator("summary").click()
    first = entries.first.locator("ul a").first
    target = first.get_attribute("href")
    first.click()
    assert page.url.endswith(target)
    assert page.locator(f"[id=\"{target[1:]}\"]").is_visible()
    assert page.locator("#class-hierarchy .class-tree li").count() > 20
