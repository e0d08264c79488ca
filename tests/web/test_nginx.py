"""The shipped nginx configuration (``docs/nginx.conf``) in front of a real ``govkg serve``,
started the way the benchmark starts it (``bench/harness.py``'s ``start_nginx``): repeated
GET answers come from nginx's cache, each Accept type keeps its own, pages and POSTs are
never served from it, and an expired copy is revalidated with govkg's ETag for a 304.
"""

import importlib.util
import os
import re
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
JSON = "application/sparql-results+json"


def load_harness():
    """``bench/harness.py`` (the benchmarks are scripts, not a package)."""
    name = "govkg_bench_harness"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "harness.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # its dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def nginx(live_server, tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) and not IN_CI:
        pytest.skip("nginx is not installed (Debian package nginx)")
    harness = load_harness()
    work = tmp_path_factory.mktemp("nginx")
    (work / "logs").mkdir()
    upstream = harness.Server("govkg", live_server.url, None, work / "logs" / "none", 0.0)
    with ExitStack() as stack:
        yield harness.start_nginx(stack, upstream, work, log_dir=work / "logs")


def fresh_query(tag: str) -> str:
    return f'SELECT ?s ?tag WHERE {{ ?s a gk:Province BIND("{tag}" AS ?tag) }}'


def get(server, query: str, accept: str = JSON, **headers) -> requests.Response:
    return requests.get(server.url + "/sparql?query=" + quote(query, safe=""),
                        headers={"Accept": accept, **headers}, timeout=60)


@pytest.mark.server
def test_repeated_gets_come_from_the_proxy_cache(nginx, tmp_path) -> None:
    query = fresh_query(tmp_path.name)
    first, second = get(nginx, query), get(nginx, query)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS"
    assert second.headers["X-Cache-Status"] == "HIT"
    assert first.content == second.content and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["X-Request-Id"] == second.headers["X-Request-Id"]  # govkg not asked


@pytest.mark.server
def test_each_accept_type_keeps_its_own_answer(nginx, tmp_path) -> None:
    query = fresh_query(tmp_path.name)
    answers = {accept: [get(nginx, query, accept) for _ in range(2)]
               for accept in (JSON, "text/csv", JSON)}
    json_answer, csv_answer = answers[JSON][-1], answers["text/csv"][-1]
    assert json_answer.headers["Content-Type"].startswith(JSON)
    assert json_answer.content.startswith(b"{") and json_answer.headers["X-Cache-Status"] == "HIT"
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    assert csv_answer.content.startswith(b"s,tag") and csv_answer.headers["X-Cache-Status"] == "HIT"


@pytest.mark.server
def test_pages_and_posts_are_never_served_from_the_proxy_cache(nginx, tmp_path) -> None:
    query = fresh_query(tmp_path.name)
    pages = [get(nginx, query, "text/html") for _ in range(2)]
    assert all(p.status_code == 200 and p.headers["X-Cache-Status"] == "MISS" for p in pages)
    nonces = [re.search(r"'nonce-([^']+)'", p.headers["Content-Security-Policy"]).group(1)
              for p in pages]
    assert nonces[0] != nonces[1]  # each page its own script nonce
    posts = [requests.post(nginx.url + "/sparql", data=query.encode(), timeout=60, headers={
        "Content-Type": "application/sparql-query", "Accept": JSON}) for _ in range(2)]
    assert all(p.status_code == 200 and p.headers.get("X-Cache-Status") != "HIT"
               for p in posts)
    for pair in (pages, posts):  # each answered by govkg itself: a request id of its own
        assert pair[0].headers["X-Request-Id"] != pair[1].headers["X-Request-Id"]


@pytest.mark.server
def test_the_etag_nginx_revalidates_with_costs_govkg_no_evaluation(nginx, live_server,
                                                                   tmp_path) -> None:
    """What nginx sends govkg when its copy has expired: the ETag it holds."""
    query = fresh_query(tmp_path.name)
    etag = get(nginx, query).headers["ETag"]
    # as nginx asks: with its $host, the name without the port (the job, so the key, depends
    # on the endpoint's URL; production sets base_url, which fixes it)
    revalidation = get(live_server, query, **{"If-None-Match": etag, "Host": "127.0.0.1"})
    assert revalidation.status_code == 304 and revalidation.content == b""
    assert "engine" not in revalidation.headers["Server-Timing"]  # no query ran
