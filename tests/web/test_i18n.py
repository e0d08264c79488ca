"""Two languages: the catalogue is complete and compiled, each request gets its language, and
every class, property and datatype a page names is labelled in the page's language."""

import re
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]

CATALOGUE = REPO / "src" / "govkg" / "web" / "translations" / "zh" / "LC_MESSAGES"


def read_catalogue(path: Path, reader) -> dict:
    """msgid → translation; a plural message by its singular id, translated only when every
    plural form is (its value is then the tuple of forms)."""
    def text(string):
        return string if isinstance(string, str) else (tuple(string) if all(string) else "")
    with path.open("rb") as f:
        return {(m.id if isinstance(m.id, str) else m.id[0]): text(m.string)
                for m in reader(f) if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Every UI string marked for translation in govkg's code and templates."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "--no-location", "-F", "babel.cfg", "-o", str(pot),
                    "."], cwd=REPO, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_every_ui_string_has_a_chinese_translation(extracted: set[str]) -> None:
    po = read_catalogue(CATALOGUE / "messages.po", read_po)
    missing = sorted(s for s in extracted if not po.get(s))
    assert not missing, f"untranslated (run the commands in docs/i18n.md): {missing}"


def test_compiled_catalogue_matches_its_source() -> None:
    po = read_catalogue(CATALOGUE / "messages.po", read_po)
    mo = read_catalogue(CATALOGUE / "messages.mo", read_mo)
    assert mo == {k: v for k, v in po.items() if v}, "run: pybabel compile -d src/govkg/web/translations"


@pytest.mark.parametrize(("accept", "lang", "word"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh", "省份"),
    ("en-GB,en;q=0.9", "en", "Provinces"),
    ("fr-FR", "en", "Provinces"),
])
def test_language_follows_accept_language(client, accept: str, lang: str, word: str) -> None:
    page = client.get("/", headers={"Accept": "text/html", "Accept-Language": accept})
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert word in html
    assert "Accept-Language" in page.headers["Vary"]


def test_switch_is_remembered_over_accept_language(app) -> None:
    client = app.test_client()
    switched = client.get("/lang/zh?next=/provinces/")
    assert switched.status_code == 303
    assert switched.headers["Location"].endswith("/provinces/")
    page = client.get("/provinces/", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert '<html lang="zh">' in page.get_data(as_text=True)
    client.get("/lang/en?next=/")
    page = client.get("/", headers={"Accept": "text/html", "Accept-Language": "zh"})
    assert '<html lang="en">' in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_switch_never_sends_the_browser_elsewhere(client, target: str) -> None:
    response = client.get("/lang/zh", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_unknown_language_is_a_404(client) -> None:
    assert client.get("/lang/fr").status_code == 404


@pytest.mark.server
def test_language_switch_on_a_real_server(live_server) -> None:
    import requests

    session = requests.Session()
    page = session.get(live_server.url + "/classes/", headers={"Accept-Language": "en"}, timeout=60)
    assert "Classes" in page.text
    switched = session.get(live_server.url + "/lang/zh?next=/classes/",
                           headers={"Accept-Language": "en"}, timeout=60)
    assert switched.url == live_server.url + "/classes/"
    assert '<html lang="zh">' in switched.text and "全部实体" in switched.text


class TermParser(HTMLParser):
    """The links of a page, and each term it names: (IRI in ``title``, ``lang``, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.terms: list[tuple[str, str, str]] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        title = attributes.get("title") or ""
        if tag in ("a", "span") and title.startswith(("http://", "https://")):
            self._open = [title, attributes.get("lang") or "", ""]

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag in ("a", "span"):
            self.terms.append((self._open[0], self._open[1], self._open[2].strip()))
            self._open = None


NOT_PAGES = ("/sparql", "/lang/", "/cite.", "/dumps/", "/static", "/metrics", "/search")
ENTITIES_PER_KIND = 3  # entity pages name the same classes and properties, kind by kind


def is_vocabulary_term(iri: str) -> bool:
    """A class, property, datatype or unit: a term of a vocabulary govkg declares a prefix
    for (entities under ``/id/`` are the data's, named by its own labels)."""
    from govkg.vocab import ID, PREFIXES

    return not iri.startswith(ID) and any(iri.startswith(ns) for ns in PREFIXES.values())


def crawl_terms(client, store, lang: str) -> dict[str, set[str]]:
    """Every vocabulary term the pages reachable from / name that has no label in ``lang``:
    IRI → the pages naming it."""
    from pyoxigraph import NamedNode

    from govkg.web.display import Labeller

    labeller = Labeller(store, lang)
    seen: set[str] = set()
    per_kind: dict[str, int] = {}
    queue = deque(["/"])
    unlabelled: dict[str, set[str]] = {}
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, headers={"Accept": "text/html", "Accept-Language": lang},
                              follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = TermParser()
        parser.feed(response.get_data(as_text=True))
        for iri, shown_lang, _text in parser.terms:
            if shown_lang == lang or not is_vocabulary_term(iri):
                continue
            if not labeller.labels(NamedNode(iri))[("zh", "en").index(lang)]:
                unlabelled.setdefault(iri, set()).add(url)
        for href in parser.links:
            target = urldefrag(href)[0]
            path = urlsplit(target).path
            if urlsplit(target).netloc or not target.startswith("/") or target in seen:
                continue
            if target.startswith(NOT_PAGES) or re.search(r"\.(?!html$)[a-z]+$", path):
                continue
            kind = path.split("/")[2] if path.startswith("/id/") else ""
            if kind:
                per_kind[kind] = per_kind.get(kind, 0) + 1
                if per_kind[kind] > ENTITIES_PER_KIND:
                    continue
            queue.append(target)
    assert len(seen) > 100 and sum(per_kind.values()) > 50, "the crawl reached too little"
    return unlabelled


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_term_a_page_names_is_labelled_in_its_language(client, store, lang: str) -> None:
    unlabelled = crawl_terms(client, store, lang)
    listed = [f"{iri} (on {sorted(pages)[0]} and {len(pages) - 1} more)"
              for iri, pages in sorted(unlabelled.items())]
    assert not listed, (f"named without a label in {lang} (give it one in "
                        f"ontology/labels.ttl):\n" + "\n".join(listed))
