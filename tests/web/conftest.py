"""Fixtures for the web face: the app in-process (fast), a real ``govkg serve`` process, and
a real browser (Debian's Chromium driven by Playwright) for the pages.

The live server runs gunicorn exactly as a user starts it, on a free port, with its own
cache directory; if it dies, its output is shown. Each browser test gets a fresh page that
records console errors, uncaught exceptions and failed responses in ``page.console_errors``;
``shot(page, name)`` saves a full-page screenshot to test-artifacts/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from govkg.web.app import create_app

STARTUP_LIMIT_SECONDS = 300  # a cold cache builds the graph, the dumps and the SHACL report
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STRICT_TIMEOUT = 2  # seconds: the strict server's query time limit
STRICT_MAX_ROWS = 50


@pytest.fixture(scope="session")
def app(settings: dict):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return requests.get(self.url + path, **kwargs)


def start_server(tmp_path_factory: pytest.TempPathFactory, *options: str,
                 cache: Path | None = None) -> LiveServer:
    """``govkg serve`` with ``options`` on a free port, once it answers on ``/``."""
    port = free_port()
    cache = cache or tmp_path_factory.mktemp("live-cache")
    log = tmp_path_factory.mktemp("live-log") / "server.log"
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "govkg", "serve", "--port", str(port), *options],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"govkg serve exited with {process.returncode}:\n{server.output()}")
        try:
            if requests.get(server.url + "/", timeout=5).status_code == 200:
                break
        except (requests.ConnectionError, requests.Timeout):  # workers still starting
            pass
        if time.monotonic() > deadline:
            process.terminate()
            pytest.fail(f"govkg serve did not answer on / :\n{server.output()}")
        time.sleep(0.2)
    return server


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory, "--workers", "2")
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


def shot(page, name: str) -> None:
    """Save a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def page_text(response) -> str:
    """A response's text with its request id (new on every request) blanked out, so that two
    answers to the same request can be compared."""
    text = response.get_data(as_text=True)
    request_id = response.headers.get("X-Request-Id")
    return text.replace(request_id, "<request-id>") if request_id else text
