"""The views on a real ``govkg serve``: search and suggest over HTTP, the timeline, matrix and
figures pages, and search on a persistent store (``govkg load`` then ``serve --store``)
with its index built before the workers fork, keyed by the build id, opened read-only."""

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from live import start_server, stop_server
from testbed import cache_with_built_graphs

from govkg.builds import build_id
from govkg.prebuilt import prepare
from govkg.query import select_rows
from govkg.search import search_index_path
from govkg.web.site import make_site

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.mark.server
def test_search_and_suggest_over_http(live_server) -> None:
    found = live_server.get("/search", params={"q": "yss"},
                            headers={"Accept": "application/json"}).json()
    assert found["results"][0]["url"] == "/id/platform/yueshengshi"
    suggested = live_server.get("/search/suggest", params={"q": "政务"}).json()
    assert suggested["suggestions"]
    assert all("政务" in s["label"] for s in suggested["suggestions"])
    page = live_server.get("/search", params={"q": "政务"}, headers=ZH)
    assert page.status_code == 200 and "广东政务服务网" in page.text
    assert live_server.get("/search", params={"q": "x", "limit": "many"}).status_code == 400


@pytest.mark.server
@pytest.mark.parametrize(("path", "text"), [
    ("/timeline?province=zhejiang", "政务钉钉"),
    ("/compare", "腾讯公司"),
    ("/figures", '<svg id="chart-provinces"'),
    ("/id/platform/beijingtong.html", 'id="neighbourhood"'),
])
def test_views_over_http(live_server, path: str, text: str) -> None:
    response = live_server.get(path, headers=ZH)
    assert response.status_code == 200
    assert text in response.text and '<html lang="zh">' in response.text


def test_prepare_builds_the_index_and_workers_open_it_read_only(settings: dict, store) -> None:
    build = prepare(settings, store)
    path = search_index_path(settings, build)
    assert path.is_file()
    built_at = path.stat().st_mtime_ns
    site = make_site(settings, store)
    assert site.search.path == path
    assert site.search.search("yss")[0].iri.endswith("/platform/yueshengshi")
    assert path.stat().st_mtime_ns == built_at  # opened, not rebuilt
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        site.search._connection().execute("DELETE FROM meta")


@pytest.mark.server
@pytest.mark.slow
def test_search_on_a_persistent_store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                      settings: dict) -> None:
    cache, store_dir = cache_with_built_graphs(settings, tmp_path / "cache"), tmp_path / "store"
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache)}
    loaded = subprocess.run([sys.executable, "-m", "govkg", "load", "--embedded", "--store",
                             str(store_dir)], capture_output=True, text=True, env=env,
                            timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    server = start_server(tmp_path_factory, "--store", str(store_dir), "--workers", "2",
                          cache=cache)
    try:
        found = server.get("/search", params={"q": "yueshengshi", "format": "json"}).json()
        assert found["results"][0]["iri"] == "https://w3id.org/govkg/id/platform/yueshengshi"
        build = build_id({"root": None, "cache_dir": str(cache), "store": str(store_dir)})
        assert search_index_path({"cache_dir": str(cache)}, build).is_file()
        assert len(list(cache.glob("search-*.sqlite"))) == 1
    finally:
        stop_server(server)


@pytest.mark.server
def test_figures_over_http_chart_every_figure(live_server, store) -> None:
    """One bar per figure in the per-indicator charts, for every figure that shares its
    indicator and unit with another (only like figures are charted together), as in the
    store; and every figure in the table."""
    html = live_server.get("/figures", headers=ZH).text
    rows = select_rows(store, "SELECT DISTINCT ?f ?i ?u WHERE { ?f a gk:Measurement ; "
                              "gk:value ?v ; gk:measures ?i OPTIONAL { ?f gk:unit ?u } }")
    groups = Counter((row["i"], row["u"]) for row in rows)
    charted = sum(n for n in groups.values() if n >= 2)
    charts = re.findall(r'<svg id="chart-kind-\d+".*?</svg>', html, re.S)
    assert len(charts) == sum(1 for n in groups.values() if n >= 2)
    assert charts and sum(chart.count("<rect ") for chart in charts) == charted
    figures = {row["f"] for row in rows}
    assert all(f'href="/id/figure/{f.rpartition("/")[2]}"' in html for f in figures)
    provinces = re.search(r'<svg id="chart-provinces".*?</svg>', html, re.S).group(0)
    assert 'href="/provinces/guangdong"' in provinces and "广东省" in provinces
