"""Documents kept for reuse (``govkg.web.page_cache``): entity pages and RDF documents built
once per key, nothing shared between languages, formats or Accept types, kept bodies equal
to fresh ones, the byte bound, a new build or a new day making them anew, 304s answered
from the key, the same headers on a hit and a 304 as on a fresh answer, and the lookups in
``/metrics``.

In-process on an app of this module's own (an empty cache; a unique query string gives any
test a key no other request has used), with the views' builders wrapped so that each build
is counted; and on a real ``govkg serve`` with two web processes.
"""

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import requests
from flask import Response, g

from govkg.web import page_cache
from govkg.web.app import create_app
from govkg.web.examples import EXAMPLES
from govkg.web.serve.result_cache import cacheable
from govkg.web.site import current_site
from govkg.web.views import pages
from govkg.web.views.sparql import CACHE, POOL

ENTITY = "/id/platform/beijingtong"
JSON = "application/sparql-results+json"
JSONLD = "application/ld+json"
EXPANDED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'
# values new on every response, and headers only a body has (a 304 sends none of them)
PER_RESPONSE = {"date", "x-request-id", "server-timing"}
BODY_HEADERS = {"content-type", "content-length", "content-encoding"}
# (path, request headers): every kind of cached answer
CACHED = [
    (f"{ENTITY}.html", {"Accept-Language": "zh"}),
    (f"{ENTITY}.ttl", {}),
    (f"{ENTITY}.jsonld", {"Accept": EXPANDED}),
    (f"{ENTITY}.nq", {}),
    ("/ontology", {"Accept": "text/html"}),
    ("/void", {"Accept": "application/n-triples"}),
    ("/.well-known/void", {}),
    ("/catalog.ttl", {}),
    ("/sparql?query=" + quote("SELECT * { ?s a gk:Province }"), {"Accept": JSON}),
]


@pytest.fixture(scope="module")
def app(cache_dir, tmp_path_factory):
    return create_app({"cache_dir": str(cache_dir),
                       "runtime_dir": str(tmp_path_factory.mktemp("runtime"))})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The documents built (not taken from the cache) while the test runs."""
    built: list[str] = []
    html, quads = pages.entity_html, pages.describing_quads

    def counted_html(node, path):
        built.append(f"{path}.html")
        return html(node, path)

    def counted_quads(store, node):
        built.append(f"{node.value} quads")
        return quads(store, node)

    monkeypatch.setattr(pages, "entity_html", counted_html)
    monkeypatch.setattr(pages, "describing_quads", counted_quads)
    return built


def unique(path: str) -> str:
    """``path`` with a query string no other request has sent: a key of its own."""
    return f"{path}{'&' if '?' in path else '?'}t={uuid.uuid4().hex}"


def get(client, path: str, **headers: str):
    """GET, then close the response as a WSGI server does once it has sent it (a new
    document is stored then)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def comparable(response) -> dict[str, list[str]]:
    """The response's headers without per-response values (the CSP nonce blanked)."""
    shown = {}
    for name in {n.lower() for n, _ in response.headers.items()} - PER_RESPONSE:
        values = response.headers.getlist(name)
        if name == "content-security-policy":
            values = [re.sub(r"'nonce-[^']+'", "'nonce-…'", v) for v in values]
        shown[name] = values
    return shown


def lookups(client, outcome: str, name: str = "govkg_page_cache_lookups_total") -> float:
    text = client.get("/metrics").get_data(as_text=True)
    match = re.search(rf'^{name}{{outcome="{outcome}"}} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


# --- kept and reused ---------------------------------------------------------------------------

def test_an_entity_page_is_built_once(client, builds) -> None:
    path = unique(f"{ENTITY}.html")
    first, second = get(client, path), get(client, path)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and "北京通" in first.get_data(as_text=True)
    assert first.headers["ETag"] == second.headers["ETag"]
    assert re.fullmatch(r'W/"d[0-9a-f]{24}"', first.headers["ETag"])
    assert builds == [f"{ENTITY}.html"]


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt", "rdf", "trig", "nq"])
def test_each_rdf_document_is_built_once(client, builds, ext: str) -> None:
    path = unique(f"{ENTITY}.{ext}")
    first, second = get(client, path), get(client, path)
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert first.headers["Content-Type"] == second.headers["Content-Type"]
    assert len(builds) == 1


def test_kept_answers_are_those_of_a_server_without_the_cache(client, cache_dir) -> None:
    """Bodies and headers alike, the ETag aside (the body's hash there, the key's here)."""
    uncached = create_app({"cache_dir": str(cache_dir), "result_cache_mb": 0}).test_client()
    for path, headers in CACHED:
        path = unique(path)
        get(client, path, **headers)
        kept = get(client, path, **headers)
        fresh = get(uncached, path, **headers)
        if path.startswith("/sparql"):  # a query's answer: its key was the ETag already
            assert kept.headers["ETag"] == fresh.headers["ETag"]
        assert {**comparable(kept), "etag": None} == {**comparable(fresh), "etag": None}, path
        if not path.startswith("/ontology"):  # its property chains come in another order
            assert kept.data == fresh.data, path  # from another opening of the store


def test_languages_get_pages_of_their_own(client, builds) -> None:
    path = unique(f"{ENTITY}.html")
    zh = get(client, path, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    en = get(client, path, **{"Accept-Language": "en"})
    client.set_cookie("lang", "zh")
    chosen = get(client, path, **{"Accept-Language": "en"})
    assert '<html lang="zh">' in zh.get_data(as_text=True)
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert chosen.data == zh.data  # the switch's cookie outranks the browser's language
    assert zh.headers["ETag"] != en.headers["ETag"]
    assert len(builds) == 2
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in zh.headers["Vary"].split(",")}


def test_accept_types_get_documents_of_their_own(client, builds) -> None:
    path = unique(ENTITY + ".jsonld")
    compacted, expanded = get(client, path, Accept=JSONLD), get(client, path, Accept=EXPANDED)
    assert b'"@context"' in compacted.data and b'"@context"' not in expanded.data
    assert compacted.headers["ETag"] != expanded.headers["ETag"]
    assert len(builds) == 2
    negotiated = unique("/void")
    answers = [get(client, negotiated, Accept=accept)
               for accept in ("text/turtle", "application/n-triples", "text/html")]
    assert [a.mimetype for a in answers] == ["text/turtle", "application/n-triples", "text/html"]
    assert [a.headers["Content-Location"] for a in answers] == \
        ["/void.ttl", "/void.nt", "/void.html"]
    assert len({a.headers["ETag"] for a in answers}) == 3
    again = get(client, negotiated, Accept="application/n-triples")
    assert again.data == answers[1].data and again.headers["Content-Location"] == "/void.nt"


def test_the_host_a_document_names_is_part_of_its_key(client) -> None:
    path = unique("/void.ttl")
    here = get(client, path, Host="one.example")
    there = get(client, path, Host="two.example")
    assert b"http://one.example/sparql" in here.data
    assert b"http://two.example/sparql" in there.data and b"one.example" not in there.data


def test_kept_pages_hold_no_value_of_one_response(client) -> None:
    """The pages embed no nonce, request id or token: kept, they hold none of another's."""
    for path in (f"{ENTITY}.html", "/ontology.html", "/shapes.html", "/void.html"):
        response = get(client, unique(path))
        body = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert nonce.group(1) not in body and "nonce=" not in body, path
        assert response.headers["X-Request-Id"] not in body, path


def test_a_body_holding_its_response_s_nonce_is_not_kept(app) -> None:
    with app.test_request_context(f"{ENTITY}.html"):
        key = page_cache.key_of("html", True)
        g.csp_nonce = "n0nce-of-this-response"
        assert not page_cache.keep(key, Response(b'<script nonce="n0nce-of-this-response">'))
        assert page_cache.keep(key, Response(b"<p>nothing of this response</p>"))


def test_a_citation_made_on_another_day_is_made_anew(client, builds, monkeypatch) -> None:
    path = unique(f"{ENTITY}.html")
    today = get(client, path)
    tomorrow = datetime.now(UTC) + timedelta(days=1)

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz=None):
            return tomorrow

    monkeypatch.setattr(page_cache, "datetime", Tomorrow)
    monkeypatch.setattr("govkg.web.entity.datetime", Tomorrow)
    later = get(client, path)
    assert later.data != today.data and later.headers["ETag"] != today.headers["ETag"]
    assert len(builds) == 2


def test_a_new_build_makes_documents_anew(client, builds, monkeypatch) -> None:
    path = unique(f"{ENTITY}.ttl")
    old = get(client, path)
    with client.application.app_context():
        monkeypatch.setattr(current_site(), "build", "another-build")
    new = get(client, path)
    assert new.data == old.data and new.headers["ETag"] != old.headers["ETag"]
    assert len(builds) == 2


def test_the_cache_stays_within_its_bound(cache_dir, tmp_path, builds) -> None:
    bound = 96 * 1024
    small = create_app({"cache_dir": str(cache_dir), "runtime_dir": str(tmp_path),
                        "result_cache_mb": bound / 2**20})
    client, cache = small.test_client(), small.extensions[CACHE]
    sizes = []
    for _ in range(40):
        sizes.append(len(get(client, unique(f"{ENTITY}.ttl")).data))
        assert cache.held_bytes() <= bound
    assert cache.entries() < 40 and cache.entries() >= bound // (2 * max(sizes))
    big = unique("/graph/evidence.nt")  # over an eighth of the bound: sent, never kept
    first = get(client, big)
    assert first.status_code == 200 and len(first.data) > bound // 8
    assert get(client, big, **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert cache.held_bytes() <= bound


def test_a_conditional_get_builds_nothing_and_looks_nothing_up(app, client, builds,
                                                               monkeypatch) -> None:
    path = unique(f"{ENTITY}.html")
    etag = get(client, path).headers["ETag"]
    looked_up = []
    monkeypatch.setattr(app.extensions[CACHE], "get", lambda key: looked_up.append(key))
    again = get(client, path, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert looked_up == [] and len(builds) == 1
    other = get(client, path, **{"If-None-Match": etag, "Accept-Language": "zh"})
    assert other.status_code == 200  # the Chinese page is another representation


def test_metrics_count_document_lookups(client) -> None:
    before = {o: lookups(client, o) for o in ("hit", "miss", "stored", "not-modified")}
    path = unique(f"{ENTITY}.ttl")
    etag = get(client, path).headers["ETag"]
    get(client, path), get(client, path)
    get(client, path, **{"If-None-Match": etag})
    after = {o: lookups(client, o) for o in before}
    assert {o: after[o] - before[o] for o in before} == \
        {"hit": 2, "miss": 1, "stored": 1, "not-modified": 1}
    text = client.get("/metrics").get_data(as_text=True)
    held = re.search(r"^govkg_result_cache_bytes (\S+)$", text, re.MULTILINE).group(1)
    assert float(held) == client.application.extensions[CACHE].held_bytes() > 0


def test_without_a_cache_documents_are_built_each_time(cache_dir, builds) -> None:
    client = create_app({"cache_dir": str(cache_dir), "result_cache_mb": 0}).test_client()
    path = f"{ENTITY}.ttl"
    first, second = get(client, path), get(client, path)
    assert first.data == second.data and len(builds) == 2
    assert not first.headers["ETag"].startswith('W/"d')  # the body's hash
    assert get(client, path, **{"If-None-Match": first.headers["ETag"]}).status_code == 304


# --- the same headers, fresh, kept or not modified -----------------------------------------------

@pytest.mark.parametrize(("path", "headers"), CACHED)
def test_a_hit_and_a_304_carry_the_headers_of_a_fresh_answer(client, path, headers) -> None:
    path = unique(path)
    headers = {"Accept-Encoding": "gzip", **headers}
    fresh = get(client, path, **headers)
    kept = get(client, path, **headers)
    unchanged = get(client, path, **headers, **{"If-None-Match": fresh.headers["ETag"]})
    assert (fresh.status_code, kept.status_code, unchanged.status_code) == (200, 200, 304)
    assert comparable(kept) == comparable(fresh)
    expected = {k: v for k, v in comparable(fresh).items() if k not in BODY_HEADERS}
    assert comparable(unchanged) == expected
    for name in ("etag", "vary", "x-content-type-options", "referrer-policy"):
        assert name in expected
    if fresh.mimetype == "text/html":
        assert "content-security-policy" in expected and "x-frame-options" in expected
    else:
        assert "cache-control" in expected


@pytest.mark.parametrize(("path", "headers"), [*CACHED[:4], CACHED[-1]])
def test_a_head_carries_the_headers_of_a_get(client, path, headers) -> None:
    path = unique(path)
    got = get(client, path, **headers)
    head = client.head(path, headers=headers)
    assert head.status_code == 200 and head.data == b""
    assert comparable(head) == comparable(got)


# --- the example queries ----------------------------------------------------------------------------

def test_the_example_queries_are_answered_from_the_cache(app, client, monkeypatch) -> None:
    runs = []
    pool = app.extensions[POOL]

    class Counting:
        def run(self, job, client_address, timeout):
            runs.append(job.query)
            return pool.run(job, client_address, timeout)

    monkeypatch.setitem(app.extensions, POOL, Counting())
    repeatable = [e for e in EXAMPLES if cacheable(e.text)]
    assert len(repeatable) == len(EXAMPLES)  # none asks for NOW(), RAND() …
    for example in EXAMPLES:
        url = "/sparql?query=" + quote(example.text)
        first, second = (get(client, url, Accept=f"{JSON}, text/turtle") for _ in "12")
        assert first.status_code == second.status_code == 200, example.slug
        assert first.data == second.data
    assert len(runs) <= len(EXAMPLES)  # at most one run each (another test may have run one)


# --- a real server: one cache for its web processes ---------------------------------------------

@pytest.mark.server
def test_the_web_processes_share_kept_documents(live_server) -> None:
    def total(outcome: str) -> float:
        text = live_server.get("/metrics").text
        pattern = rf'^govkg_page_cache_lookups_total{{outcome="{outcome}"}} (\S+)$'
        return sum(float(m) for m in re.findall(pattern, text, re.MULTILINE))

    path = unique(f"{ENTITY}.html")
    before = {outcome: total(outcome) for outcome in ("miss", "hit", "stored")}
    first = live_server.get(path)
    deadline = time.monotonic() + 30
    while total("stored") == before["stored"]:  # stored once the response has gone out
        assert time.monotonic() < deadline, "the page was never stored"
        time.sleep(0.05)
    again = [requests.get(live_server.url + path, timeout=60) for _ in range(6)]
    assert {r.content for r in again} == {first.content}
    assert total("miss") - before["miss"] == 1
    assert total("hit") - before["hit"] == 6


@pytest.mark.server
@pytest.mark.parametrize(("path", "headers"), [CACHED[0], CACHED[1], CACHED[5], CACHED[-1]])
def test_a_real_server_s_304_carries_the_headers_of_its_200(live_server, path, headers) -> None:
    path = unique(path)
    headers = {"Accept-Encoding": "gzip", **headers}
    fresh = live_server.get(path, headers=headers)
    unchanged = live_server.get(path, headers={**headers, "If-None-Match": fresh.headers["ETag"]})
    assert (fresh.status_code, unchanged.status_code) == (200, 304)
    assert "Date" in unchanged.headers

    def shown(response) -> dict:
        return {k.lower(): re.sub(r"'nonce-[^']+'", "", v) for k, v in response.headers.items()
                if k.lower() not in PER_RESPONSE | BODY_HEADERS | {"connection"}}

    assert shown(unchanged) == shown(fresh)


# --- the query page of a GET query ------------------------------------------------------------------

@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The query pages rendered (not taken from the cache) while the test runs."""
    from govkg.web.views import sparql

    rendered: list[str] = []
    render = sparql.query_page

    def counted(query, **context):
        rendered.append(query)
        return render(query, **context)

    monkeypatch.setattr(sparql, "query_page", counted)
    return rendered


def example_page(example, **params: str) -> str:
    query = example.text + f"\n# {uuid.uuid4().hex}"  # a comment: a query no test has asked
    return "/sparql?query=" + quote(query) + "".join(f"&{k}={quote(v)}" for k, v in params.items())


def test_an_example_s_query_page_is_rendered_once_per_language(client, renders) -> None:
    url = example_page(EXAMPLES[0])
    en = [get(client, url, Accept="text/html") for _ in range(2)]
    zh = [get(client, url, Accept="text/html", **{"Accept-Language": "zh"}) for _ in range(2)]
    assert en[0].data == en[1].data and zh[0].data == zh[1].data and en[0].data != zh[0].data
    assert "北京通" in en[0].get_data(as_text=True)
    assert len(renders) == 2
    assert comparable(en[1]) == comparable(en[0])


def test_a_query_page_kept_says_when_its_answer_was_cut(cache_dir, tmp_path, renders) -> None:
    client = create_app({"cache_dir": str(cache_dir), "runtime_dir": str(tmp_path),
                         "max_rows": 2}).test_client()
    url = example_page(EXAMPLES[0])
    first, again = (get(client, url, Accept="text/html") for _ in "12")
    for response in (first, again):
        assert response.headers["X-Govkg-Truncated"] == "true"
        assert response.headers["X-Govkg-Max-Rows"] == "2"
    assert first.data == again.data and len(renders) == 1


def test_query_pages_of_other_datasets_and_posts_are_their_own(client, renders) -> None:
    url = example_page(EXAMPLES[0])
    union = get(client, url, Accept="text/html")
    ontology = get(client, url + "&default-graph-uri=" + quote(
        "https://w3id.org/govkg/graph/ontology"), Accept="text/html")
    assert union.data != ontology.data  # no apps in the ontology graph
    assert len(renders) == 2
    query = EXAMPLES[0].text + f"\n# {uuid.uuid4().hex}"
    for _ in range(2):  # a POST's query is in its body, not in the URL: never kept
        posted = client.post("/sparql", data={"query": query}, headers={"Accept": "text/html"})
        assert posted.status_code == 200 and posted.get_data()
        posted.close()
    assert len(renders) == 4


def test_a_server_opened_on_a_new_build_drops_the_kept_documents(app, client, builds) -> None:
    """What a restart on new data does: the cache, opened for another build, is emptied."""
    from govkg.web.serve.result_cache import ResultCache

    path = unique(f"{ENTITY}.html")
    get(client, path)
    cache = app.extensions[CACHE]
    assert cache.entries() > 0
    ResultCache(cache.path, "the-next-build", cache.max_bytes)
    assert cache.entries() == 0 and cache.held_bytes() == 0
    get(client, path)
    assert len(builds) == 2


@pytest.mark.server
def test_a_real_server_keeps_languages_and_formats_apart(live_server) -> None:
    path = unique(f"{ENTITY}.html")
    pages = {lang: [live_server.get(path, headers={"Accept-Language": lang}) for _ in "12"]
             for lang in ("zh", "en")}
    for lang, (first, again) in pages.items():
        assert f'<html lang="{lang}">' in first.text and again.content == first.content
    assert pages["zh"][0].headers["ETag"] != pages["en"][0].headers["ETag"]
    jsonld = unique(f"{ENTITY}.jsonld")
    compacted = live_server.get(jsonld, headers={"Accept": JSONLD})
    expanded = live_server.get(jsonld, headers={"Accept": EXPANDED})
    assert '"@context"' in compacted.text and '"@context"' not in expanded.text


@pytest.mark.server
def test_a_real_server_s_kept_documents_stay_within_its_bound(tmp_path_factory,
                                                              cache_dir) -> None:
    from live import start_server, stop_server

    server = start_server(tmp_path_factory, "--workers", "2", "--result-cache-mb", "1",
                          cache=cache_dir)
    try:
        sitemap = server.get("/sitemap.xml").text
        paths = [p for p in re.findall(r"<loc>http://[^/]+(/id/[^<]+)</loc>", sitemap)][:150]
        sent = sum(len(server.get(p).content) for p in paths)
        assert sent > 2 * 2**20  # twice the bound went out
        deadline = time.monotonic() + 30
        while True:
            held = float(re.search(r"^govkg_result_cache_bytes (\S+)$",
                                   server.get("/metrics").text, re.MULTILINE).group(1))
            assert held <= 2**20
            if held > 2**19 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert held > 2**19  # filled, not left empty
    finally:
        stop_server(server)
