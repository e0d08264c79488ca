"""Helpers the web tests import: a real ``govkg serve`` on a free port, screenshots, and
page text without its request id.

A module of its own, not ``conftest``: ``from conftest import …`` finds whichever of the two
``conftest`` modules a subset of tests happened to import first.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

STARTUP_LIMIT_SECONDS = 300  # a cold cache builds the graph, the dumps and the SHACL report
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STRICT_TIMEOUT = 2  # seconds: the strict server's query time limit
STRICT_MAX_ROWS = 50
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}  # the screens pages are read on


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def line_with(self, text: str, seconds: float = 5.0) -> str:
        """The output's line holding ``text``, once the server has written it."""
        deadline = time.monotonic() + seconds
        while True:
            found = [line for line in self.output().splitlines() if text in line]
            if found or time.monotonic() > deadline:
                assert found, f"no line with {text!r} in the output"
                return found[0]
            time.sleep(0.05)

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
