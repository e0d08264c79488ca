"""Descriptions read as prose: a definition, description or comment that mentions a term by
IRI or prefixed name shows the term's label in the prose's language, linked to its page, on
entity, class, ontology and shapes pages and in the statement tables' language-tagged
values; the data keeps its text as written."""

import re
from html import unescape

import pytest
from pyoxigraph import Literal, NamedNode

from govkg.vocab import DCT_NS, ID, RDFS_NS, SKOS_NS
from govkg.web.display import Labeller
from govkg.web.prose import TOKEN, iri_of, is_known, linked

# descriptions as prose, and language-tagged values in the statement tables
PROSE = re.compile(r'<p class="(?:description|definition)"[^>]*>(.*?)</p>'
                   r'|<span class="literal[^"]*" lang="[^"]+"[^>]*>(.*?)</span>', re.S)
DESCRIPTIONS = (SKOS_NS + "definition", DCT_NS + "description", RDFS_NS + "comment")


def raw_terms(html: str, store) -> list[str]:
    """The tokens of a page's prose that name a term the store knows."""
    found = []
    for match in PROSE.finditer(html):
        text = unescape(re.sub(r"<[^>]+>", "", match.group(1) or match.group(2) or ""))
        found += [m.group(0) for m in TOKEN.finditer(text)
                  if (iri := iri_of(m)) and is_known(store, iri)]
    return found


def described_entities(store) -> list[str]:
    return sorted({q.subject.value for p in DESCRIPTIONS
                   for q in store.quads_for_pattern(None, NamedNode(p), None, None)
                   if isinstance(q.subject, NamedNode) and q.subject.value.startswith(ID)
                   and isinstance(q.object, Literal)})


def test_a_known_term_becomes_a_labelled_link_and_the_rest_stays(app, store) -> None:
    text = ("Published on the website (platform:guangdong-government-website); "
            "see <http://xmlns.com/foaf/0.1/Document>, gk:noSuchTerm and e.g. x:y.")
    with app.test_request_context():
        html = str(linked(text, store, Labeller(store, "zh")))
    assert ('(<a href="/id/platform/guangdong-government-website" title="https://w3id.org/'
            'govkg/id/platform/guangdong-government-website" lang="zh">广东省人民政府网站</a>)'
            ) in html
    assert 'title="http://xmlns.com/foaf/0.1/Document" lang="zh">文档</a>' in html
    assert "gk:noSuchTerm and e.g. x:y." in html


def test_the_prose_is_escaped(app, store) -> None:
    with app.test_request_context():
        html = str(linked("a <b>bold</b> gk:partOf & more", store, Labeller(store, "en")))
    assert html.startswith("a &lt;b&gt;bold&lt;/b&gt; <a ") and html.endswith("</a> &amp; more")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_prose_shows_a_raw_known_term(client, store, lang: str) -> None:
    headers = {"Accept": "text/html", "Accept-Language": lang}
    classes = client.get("/classes/", headers=headers).get_data(as_text=True)
    paths = ["/ontology", "/shapes", *sorted(set(re.findall(r'href="(/classes/[^"?#]+)"', classes))),
             *(iri[len(ID) - 3:] + ".html" for iri in described_entities(store))]
    assert len(paths) > 40
    raw = {}
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        if found := raw_terms(response.get_data(as_text=True), store):
            raw[path] = found
    assert raw == {}


def test_the_data_keeps_its_text(client) -> None:
    turtle = client.get("/id/event/guangdong-master-plan-issuance.ttl").get_data(as_text=True)
    assert "(platform:guangdong-government-website)" in turtle
