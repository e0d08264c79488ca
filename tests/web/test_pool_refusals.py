"""A query that finds every query worker busy gets 503 with the reason ``busy``.

In-process: an app with one query worker, which the test takes out of the pool as a long
query would hold it, and no grace beyond the time limit for a worker to come free.
"""

import re
from collections.abc import Iterator

import pytest

from govkg.web.app import create_app
from govkg.web.serve import query_pool
from govkg.web.views.sparql import POOL

ASK = "ASK { platform:beijingtong a gk:MobileApp }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def one_worker_app(settings: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    app = create_app({**settings, "query_workers": 1, "query_timeout": 0.5,
                      "runtime_dir": str(tmp_path_factory.mktemp("runtime"))})
    yield app
    app.extensions[POOL].close()


def test_every_worker_busy_gets_503_busy(one_worker_app, monkeypatch):
    client = one_worker_app.test_client()
    assert client.get("/sparql", query_string={"query": ASK}, headers=JSON).status_code == 200
    pool = one_worker_app.extensions[POOL]
    monkeypatch.setattr(query_pool, "WORKER_WAIT_GRACE_SECONDS", 0)
    held = pool.lanes.take("another client", 60)  # as a long query holds it
    try:
        response = client.get("/sparql", query_string={"query": ASK}, headers=JSON)
    finally:
        pool.lanes.put(held)
    assert response.status_code == 503
    assert "Every query worker is busy" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    metrics = client.get("/metrics").get_data(as_text=True)
    assert re.search(r'govkg_rejections_total\{reason="busy"\} [1-9]', metrics)
    again = client.get("/sparql", query_string={"query": ASK}, headers=JSON)
    assert again.status_code == 200  # the worker back: served again

