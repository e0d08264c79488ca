"""SIGTERM during a long query: the client gets 503 with Retry-After, then the server exits."""

import signal
import threading
import time

import pytest
import requests
from live import start_server, stop_server

pytestmark = pytest.mark.server

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_query_running_at_sigterm_is_answered_503(tmp_path_factory, cache_dir):
    server = start_server(tmp_path_factory, "--workers", "1", "--query-timeout", "30",
                          cache=cache_dir)
    try:
        answers: list[requests.Response] = []
        asking = threading.Thread(target=lambda: answers.append(requests.get(
            server.url + "/sparql", params={"query": ENDLESS}, timeout=60,
            headers={"Accept": "application/sparql-results+json"})))
        asking.start()
        time.sleep(1.0)  # the query is running (it runs for the whole 30 s limit)
        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        asking.join(30)
        assert answers, "no answer"
        assert answers[0].status_code == 503
        assert "restarting" in answers[0].text
        assert answers[0].headers["Retry-After"]
        assert server.process.wait(30) == 0
        assert time.monotonic() - stopped < 10  # within gunicorn's graceful timeout
    finally:
        stop_server(server)
