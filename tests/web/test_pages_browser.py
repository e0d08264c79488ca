"""The pages as people use them, in Debian's Chromium driven by Playwright against
``govkg serve``: both languages, search with autocomplete, the timeline's province filter,
the comparison matrix, the neighbourhood graph, a phone-sized screen and no console errors
on any kind of page. Screenshots go to test-artifacts/."""

import re

import pytest
from live import shot

ENTITY = "/id/platform/yueshengshi"
PAGE_TYPES = ["/", "/search?q=政务", "/timeline", "/timeline?province=fujian", "/compare",
              "/figures", "/provinces/", "/provinces/guangdong", "/classes/",
              "/classes/gk:Province", "/entities/", ENTITY + ".html", "/id/event/beijingtong-launch",
              "/ontology", "/shapes", "/validation", "/dumps/", "/graph/data",
              "/.well-known/void", "/catalog"]


def test_home_page_in_each_language(page, live_server) -> None:
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.get_by_role("link", name="省份").first.is_visible()
    shot(page, "home-zh")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Provinces").first.is_visible()
    page.reload()  # the switch is remembered over Accept-Language
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "home-en")
    page.get_by_role("link", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.console_errors == []


def test_accept_language_english(page, live_server) -> None:
    page.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
    page.goto(live_server.url + "/provinces/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Guangdong", exact=True).is_visible()
    assert page.console_errors == []


def test_search_with_autocomplete_to_an_entity_page(page, live_server) -> None:
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox")
    box.click()
    box.press_sequentially("yss", delay=50)
    listbox = page.locator("#site-search-list")
    listbox.get_by_role("option").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "粤省事" in listbox.inner_text()
    shot(page, "search-autocomplete")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "site-search-option-0"
    assert listbox.get_by_role("option").first.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith(ENTITY + ".html")
    assert "粤省事" in page.locator("h1").inner_text()
    assert page.console_errors == []


def test_escape_closes_the_suggestions_and_enter_searches(page, live_server) -> None:
    page.goto(live_server.url + "/figures")
    box = page.get_by_role("combobox")
    box.click()
    box.press_sequentially("政务", delay=50)
    page.locator("#site-search-list [role=option]").first.wait_for()
    box.press("Escape")
    assert page.locator("#site-search-list").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    with page.expect_navigation():
        box.press("Enter")
    assert "/search?q=" in page.url
    assert "广东政务服务网" in page.locator("ol.results").inner_text()
    shot(page, "search-results")
    assert page.console_errors == []


def test_timeline_filtered_by_a_province(page, live_server) -> None:
    page.set_extra_http_headers({"Accept-Language": "zh-CN"})
    page.goto(live_server.url + "/timeline")
    everything = page.locator("ol.timeline > li").count()
    page.get_by_label("省份").select_option("guangdong")
    with page.expect_navigation():
        page.get_by_role("button", name="显示").click()
    assert "province=guangdong" in page.url
    events = page.locator("ol.timeline > li")
    assert 0 < events.count() < everything
    body = page.locator("ol.timeline").inner_text()
    assert "粤省事" in body and "北京通" not in body
    dates = page.locator("ol.timeline time").all_inner_texts()
    assert dates == sorted(dates)
    shot(page, "timeline-guangdong")
    page.get_by_role("link", name="粤省事", exact=True).first.click()
    page.wait_for_load_state()
    assert ENTITY in page.url
    assert page.console_errors == []


def test_matrix_links_lead_to_entity_pages(page, live_server) -> None:
    page.set_extra_http_headers({"Accept-Language": "zh-CN"})
    page.goto(live_server.url + "/compare")
    shot(page, "compare")
    row = page.locator("table.matrix tr", has=page.get_by_role("link", name="浙江省"))
    links = row.locator("td a")
    assert links.count() > 10
    row.get_by_role("link", name="浙政钉").click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/platform/zhezhengding.html")
    assert "浙政钉" in page.locator("h1").inner_text()
    page.go_back()
    page.locator("table.matrix").get_by_role("link", name="腾讯公司").first.click()
    page.wait_for_load_state()
    assert "/id/company/tencent" in page.url and "腾讯" in page.locator("h1").inner_text()
    assert page.console_errors == []


def test_neighbourhood_graph_links_are_keyboard_focusable(page, live_server) -> None:
    page.goto(live_server.url + ENTITY + ".html")
    graph = page.locator("svg#neighbourhood")
    assert graph.get_attribute("aria-labelledby") == "neighbourhood-title"
    shot(page, "entity-neighbourhood")
    link = graph.locator('a[href="/id/region/guangdong"]')
    link.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/id/region/guangdong"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/id/region/guangdong.html")
    assert page.locator("svg#neighbourhood").count() == 1
    assert page.console_errors == []


def test_phone_screen_has_no_horizontal_scrolling(browser, live_server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    try:
        for path in PAGE_TYPES:
            phone.goto(live_server.url + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
        phone.goto(live_server.url + "/compare")
        shot(phone, "compare-390")
        phone.goto(live_server.url + ENTITY + ".html")
        shot(phone, "entity-390")
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_console_errors_on_any_page(page, live_server, lang: str) -> None:
    page.set_extra_http_headers({"Accept-Language": lang})
    for path in PAGE_TYPES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == lang
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        if lang == "zh":
            shot(page, f"page-{name}")
    assert page.console_errors == []
