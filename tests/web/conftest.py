"""Fixtures for the web face: the app in-process (fast), a real ``govkg serve`` process, and
a real browser (Debian's Chromium driven by Playwright) for the pages.

The live server runs gunicorn exactly as a user starts it, on a free port, with its own
cache directory; if it dies, its output is shown. Each browser test gets a fresh page that
records console errors, uncaught exceptions and failed responses in ``page.console_errors``.
Helpers that tests import (``start_server``, ``shot``, ``page_text`` …) are in ``live``.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from live import SIZES, STRICT_MAX_ROWS, STRICT_TIMEOUT, LiveServer, start_server, stop_server

from govkg.web.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def app(settings: dict):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
                ) -> Iterator[LiveServer]:
    """``govkg serve`` on the session's cache: what one start builds (graphs, dumps, the
    SHACL report, the search index) every later start and the in-process app reuse."""
    server = start_server(tmp_path_factory, "--workers", "2", cache=cache_dir)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def strict_server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
                  ) -> Iterator[LiveServer]:
    """A server with short limits, for the timeout, row-cap and abuse tests."""
    server = start_server(tmp_path_factory, "--workers", "2", "--query-workers", "4",
                          "--query-timeout", str(STRICT_TIMEOUT), "--max-rows",
                          str(STRICT_MAX_ROWS), cache=cache_dir)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session; CI installs it, so there it never skips."""
    in_ci = os.environ.get("CI") == "true"
    try:
        from playwright import sync_api
    except ImportError:
        if in_ci:
            pytest.fail("Playwright is not installed, and under CI=true browser tests must run")
        pytest.skip("Playwright is not installed")
    if not os.path.exists(CHROMIUM) and not in_ci:
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh browser page (own cookies) that records every console error and failed load."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400
            and page.console_errors.append(f"{r.status} {r.url}"))
    yield page
    context.close()



@pytest.fixture
def sized_page(browser, live_server, request) -> Iterator:
    """A page in the language and screen size of the test's ``lang`` and ``size`` (a key of
    ``SIZES``), its language chosen through the site's own switch."""
    lang, size = request.getfixturevalue("lang"), request.getfixturevalue("size")
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/lang/{lang}?next=/")
    yield page
    context.close()
