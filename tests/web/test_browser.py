"""The pages in a real browser: Debian's Chromium driven by Playwright against ``govkg serve``.

Follows links as a person does, from the home page to a province, to an app, to the report
sentence it comes from, with no console error on the way. Screenshots go to test-artifacts/.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"

playwright_sync = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM) and not IN_CI:  # CI installs chromium; never skip there
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def page(live_server) -> Iterator:
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400
                and page.console_errors.append(f"{r.status} {r.url}"))
        yield page
        browser.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"{name}.png"), full_page=True)


def test_home_to_province_to_app_to_sentence(page, live_server) -> None:
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
    textarea = page.locator("textarea").first
    textarea.fill("SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p")
    page.locator("form button, form input[type=submit]").first.click()
    page.wait_for_load_state()
    assert "region/beijing" in page.content()
    shot(page, "sparql-results")
    assert page.console_errors == []
