"""Prometheus metrics at ``/metrics``: requests, latency, query timeouts, rejections, and
the result cache (lookups by outcome, whose ratio is the hit rate, and the bytes it holds,
read from the cache at each scrape). The cache's documents are counted apart
(``govkg_page_cache_lookups``, defined with them in ``govkg.web.page_cache``).

``govkg serve`` gives the server processes a shared directory (``PROMETHEUS_MULTIPROC_DIR``)
before any of them imports ``prometheus_client``, so the numbers add up across workers;
without it (tests in one process) the process's own registry is shown.
"""

import os
from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from werkzeug.exceptions import HTTPException

from govkg.web.security import request_seconds
from govkg.web.serve.result_cache import APP_EXTENSION

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("govkg_http_requests", "HTTP requests answered, by route, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("govkg_http_request_duration_seconds",
                    "Time from request to response, by route.", ["route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                             2.5, 5.0, 10.0, 30.0, 60.0))
TIMEOUTS = Counter("govkg_query_timeouts", "SPARQL queries stopped at the time limit.")
REJECTIONS = Counter("govkg_rejections", "Requests refused on purpose, by reason.", ["reason"])
CACHE_LOOKUPS = Counter(
    "govkg_result_cache_lookups",
    "SPARQL answers asked of the result cache, by outcome: hit, miss, stored (a miss's answer "
    "kept), not-modified (a conditional GET answered 304 without a lookup).", ["outcome"])
CACHE_BYTES = Gauge("govkg_result_cache_bytes",
                    "Bytes of answers and documents the result cache holds.",
                    multiprocess_mode="mostrecent")
METHODS = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"}  # others: "other"
REASONS_BY_STATUS = {413: "body-too-large", 414: "url-too-long", 406: "not-acceptable"}


def refuse(error: HTTPException, reason: str) -> HTTPException:
    """Count a deliberate refusal, then hand the error back to be raised."""
    REJECTIONS.labels(reason).inc()
    g.refusal_counted = True
    return error


def count_timeout() -> None:
    TIMEOUTS.inc()


def count_cache(outcome: str) -> None:
    _cache_series(outcome).inc()  # the bytes held are read at each scrape


@cache
def _cache_series(outcome: str) -> Any:
    return CACHE_LOOKUPS.labels(outcome)


@cache
def _series(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one kind of request (prometheus_client
    looks them up by their labels; remembered here, as the same few come again and again)."""
    return REQUESTS.labels(route, method, str(status)), LATENCY.labels(route)


@cache
def replay_counter(route: str, method: str, status: int,
                   outcome: str) -> Callable[[float], None]:
    """What an answer sent again by the server worker (``govkg.web.serve.replay``) counts:
    the request, its latency and the result-cache outcome, as the app's hooks would."""
    requests, latency = _series(route, method, status)
    lookups = _cache_series(outcome)

    def count(seconds: float) -> None:
        requests.inc()
        latency.observe(seconds)
        lookups.inc()

    return count


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    requests, latency = _series(route, method, status)
    requests.inc()
    latency.observe(seconds)


@bp.after_app_request
def record(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "(no route)"
    status = response.status_code
    method = request.method if request.method in METHODS else "other"
    count_request(route, method, status, request_seconds())
    if status in REASONS_BY_STATUS and not g.get("refusal_counted"):
        REJECTIONS.labels(REASONS_BY_STATUS[status]).inc()
    return response


@bp.route("/metrics")
def metrics() -> Response:
    cache = current_app.extensions.get(APP_EXTENSION)
    if cache is not None:
        CACHE_BYTES.set(cache.held_bytes())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})
