"""A crawl from / (and from a few search result pages, which no link leads to) that fetches
every internal link: none is broken, every entity is reached, every page type is reached,
and every #anchor a page links to exists on the target page.

The 2,179 statement pages of ``graph/evidence`` (one per reified statement, each linked from
a reference marker) are made by one handler from one template, and reading each with its
documents and citations took most of the crawl (about 26,000 URLs, 330 s of a CI run): the
first ``STATEMENT_PAGES_READ`` are read like any page, and every other statement link is
checked against the store (the statement it names must exist), not fetched."""

import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag in ("a", "link") and attributes.get("href"):
            self.links.append(attributes["href"])


SEEDS = ("/", "/search?q=%E6%94%BF%E5%8A%A1", "/search?q=yss")  # 政务
PAGE_TYPES = ("/search", "/timeline", "/timeline?province=guangdong", "/compare", "/figures")


CRAWLERS = 4  # requests at once: the server's two workers and the link parsing overlap
STATEMENT = "/id/statement/"
STATEMENT_PAGES_READ = 60
EVIDENCE = """SELECT ?s WHERE { GRAPH <https://w3id.org/govkg/graph/evidence> {
                  ?s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> } }"""


def fetch(session: requests.Session, url: str) -> tuple[requests.Response, LinkParser | None]:
    """``url`` as a first visit sees it: no cookie from an earlier page, so a page is read in
    the default language, and a language switch (``/lang/…?next=…``) reads its target page in
    the language it chose (the cookie it sets lives through its own redirect only)."""
    session.cookies.clear()
    response = session.get(url, timeout=60, headers={"Accept": "text/html"})
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return response, None
    parser = LinkParser()
    parser.feed(response.text)
    return response, parser


def crawl(base: str) -> tuple[dict[str, int], dict[str, set[str]], list[tuple[str, str]]]:
    """Status of every internal URL, the ids on each HTML page, and (page, link) pairs.

    Each URL is fetched once, ``CRAWLERS`` at a time; a page read in two languages (itself,
    and through a language switch) keeps only the ids both versions have."""
    status: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str]] = []
    sessions = threading.local()

    def visit(url: str) -> tuple[requests.Response, LinkParser | None]:
        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()
        return fetch(sessions.session, url)

    with ThreadPoolExecutor(CRAWLERS) as pool:
        queued = {base + seed for seed in SEEDS}
        statements: set[str] = set()  # statement links seen: the first ones read
        pending = {pool.submit(visit, url): url for url in queued}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                url = pending.pop(future)
                response, parser = future.result()
                status[url] = response.status_code
                for hop in response.history:
                    status.setdefault(hop.url, hop.status_code)
                if parser is None:
                    continue
                ids[response.url] = (ids[response.url] & parser.ids if response.url in ids
                                     else parser.ids)
                for href in parser.links:
                    target, fragment = urldefrag(urljoin(response.url, href))
                    if urlsplit(target).netloc != urlsplit(base).netloc:
                        continue
                    if fragment:
                        anchors.append((target, fragment))
                    if target not in status and target not in queued:
                        queued.add(target)
                        statement = urlsplit(target).path.startswith(STATEMENT)
                        if statement and len(statements) >= STATEMENT_PAGES_READ:
                            statements.add(target)  # checked against the store below
                            continue
                        if statement:
                            statements.add(target)
                        pending[pool.submit(visit, target)] = target
    for url, exists in statements_exist(base, statements - status.keys()).items():
        status[url] = 200 if exists else 404
    return status, ids, anchors


def statements_exist(base: str, urls: set[str]) -> dict[str, bool]:
    """Whether each statement link names a statement of ``graph/evidence``."""
    answer = requests.get(base + "/sparql", params={"query": EVIDENCE}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"})
    answer.raise_for_status()
    known = {b["s"]["value"].rsplit("/", 1)[1] for b in answer.json()["results"]["bindings"]}
    assert len(known) > 1000
    return {url: urlsplit(url).path.rsplit("/", 1)[1].split(".")[0] in known for url in urls}


@pytest.fixture(scope="module")
def crawled(live_server):
    return crawl(live_server.url)


@pytest.mark.server
@pytest.mark.slow
def test_no_broken_links(crawled):
    status, _, _ = crawled
    broken = {url: code for url, code in status.items() if code >= 400}
    assert not broken
    assert len(status) > 100


@pytest.mark.server
@pytest.mark.slow
def test_every_anchor_exists(crawled):
    _, ids, anchors = crawled
    missing = {(page, fragment) for page, fragment in anchors
               if page in ids and fragment not in ids[page]}
    assert not missing


@pytest.mark.server
@pytest.mark.slow
def test_every_entity_is_reached(live_server, crawled):
    status, _, _ = crawled
    query = """SELECT DISTINCT ?s WHERE { GRAPH <https://w3id.org/govkg/graph/data> { ?s ?p ?o }
               FILTER(ISIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/govkg/id/")) }"""
    response = live_server.get("/sparql", params={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
    entities = [b["s"]["value"] for b in response.json()["results"]["bindings"]]
    assert len(entities) > 100
    pages = {url for url, code in status.items() if code == 200}
    unreached = [iri for iri in entities
                 if live_server.url + iri.removeprefix("https://w3id.org/govkg") + ".html"
                 not in pages]
    assert not unreached


@pytest.mark.server
@pytest.mark.slow
def test_every_page_type_is_reached(live_server, crawled):
    status, _, _ = crawled
    for path in PAGE_TYPES:
        assert status.get(live_server.url + path) == 200, path
    assert status.get(live_server.url + "/search?q=%E6%94%BF%E5%8A%A1") == 200
