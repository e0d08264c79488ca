"""The pages in a real browser: Debian's Chromium driven by Playwright against ``govkg serve``.

Follows links as a person does, from the home page to a province, to an app, to the report
sentence it comes from, with no console error on the way. Screenshots go to test-artifacts/.
"""

from live import shot


def test_home_to_province_to_app_to_sentence(page, live_server) -> None:
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})  # labels in Chinese
    page.goto(live_server.url + "/")
    assert "govkg" in page.title()
    shot(page, "home")
    page.get_by_role("link", name="北京市").first.click()
    page.wait_for_load_state()
    assert "北京市" in page.content()
    shot(page, "province-beijing")
    page.get_by_role("link", name="北京通").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/platform/beijingtong") or "/id/platform/beijingtong" in page.url
    body = page.content()
    assert "北京通" in body and "Beijing Tong" in body
    assert "一站式政务APP“北京通”正式上线" in body  # the sentence it comes from, quoted
    shot(page, "entity-beijingtong")
    assert page.console_errors == []


def test_query_form_runs_a_query(page, live_server) -> None:
    page.goto(live_server.url + "/sparql")
    page.locator(".query-editor .cm-content").click()  # the editor stands in for the textarea
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#results table.results")
    assert "region/beijing" in page.content()
    shot(page, "sparql-results")
    assert page.console_errors == []
