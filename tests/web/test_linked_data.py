"""Dereferencing: 303 to documents, per-format URLs, ETags, Link headers, 404s, terms."""

import json
import re
import shutil

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

ENTITY = "/id/platform/beijingtong"
IRI = URIRef("https://w3id.org/govkg/id/platform/beijingtong")
RDF_DOCS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
            "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml"),
            "trig": ("application/trig", "trig"), "nq": ("application/n-quads", "nquads")}
SCHEMA = "http://schema.org/"


def parse(body: bytes, rdflib_format: str) -> Graph:
    if rdflib_format in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=body, format=rdflib_format)
        merged = Graph()
        for quad in dataset.quads((None, None, None, None)):
            merged.add(quad[:3])
        return merged
    return Graph().parse(data=body, format=rdflib_format)


@pytest.mark.server
@pytest.mark.parametrize("ext", RDF_DOCS)
def test_303_to_the_document_the_client_asks_for(live_server, ext):
    media_type, rdflib_format = RDF_DOCS[ext]
    response = live_server.get(ENTITY, headers={"Accept": media_type}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{live_server.url}{ENTITY}.{ext}"
    assert "Accept" in response.headers["Vary"]
    document = live_server.get(ENTITY, headers={"Accept": media_type})
    assert document.url.endswith(f".{ext}")
    assert document.headers["Content-Type"].startswith(media_type)
    graph = parse(document.content, rdflib_format)
    assert (IRI, RDFS.label, Literal("北京通", lang="zh")) in graph
    assert (IRI, RDFS.label, Literal("Beijing Tong", lang="en")) in graph


@pytest.mark.server
@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8",
                                    "*/*", None])
def test_browsers_get_the_html_page(live_server, accept):
    headers = {"Accept": accept} if accept else {}
    response = live_server.get(ENTITY, headers=headers, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{ENTITY}.html")


@pytest.mark.server
def test_q_values_choose(live_server):
    accept = "text/html;q=0.5, application/rdf+xml;q=0.9, text/turtle;q=0.7"
    response = live_server.get(ENTITY, headers={"Accept": accept}, allow_redirects=False)
    assert response.headers["Location"].endswith(".rdf")


@pytest.mark.server
@pytest.mark.parametrize("ext", RDF_DOCS)
def test_per_format_urls_parse(live_server, ext):
    media_type, rdflib_format = RDF_DOCS[ext]
    response = live_server.get(f"{ENTITY}.{ext}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    graph = parse(response.content, rdflib_format)
    assert (IRI, RDF.type, None) in graph
    assert (None, None, IRI) in graph  # incoming links are part of the description


@pytest.mark.server
def test_link_headers_list_every_format(live_server):
    response = live_server.get(f"{ENTITY}.html")
    alternates = {link["url"]: link.get("type") for link in _links(response)
                  if link.get("rel") == "alternate"}
    for ext, (media_type, _) in RDF_DOCS.items():
        assert alternates[f"{ENTITY}.{ext}"] == media_type
    assert alternates[f"{ENTITY}.html"] == "text/html"


def _links(response) -> list[dict]:
    links = []
    for value in response.raw.headers.getlist("Link"):
        links.extend(_parse_link(part) for part in value.split(", <"))
    return links


def _parse_link(text: str) -> dict:
    url, *params = text.strip().lstrip("<").split(";")
    link = {"url": url.rstrip(">")}
    for param in params:
        key, _, value = param.strip().partition("=")
        link[key] = value.strip('"')
    return link


@pytest.mark.server
@pytest.mark.parametrize("path", [f"{ENTITY}.html", f"{ENTITY}.ttl", "/ontology.ttl", "/"])
def test_etag_and_304(live_server, path):
    first = live_server.get(path)
    etag = first.headers["ETag"]
    again = live_server.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = live_server.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


@pytest.mark.server
def test_entity_page_content(live_server):
    page = live_server.get(f"{ENTITY}.html").text
    assert "北京通" in page and "Beijing Tong" in page
    assert f'<link rel="canonical" href="{live_server.url}{ENTITY}.html">' in page
    assert 'href="/ontology#MobileApp"' in page  # types link to the ontology
    assert "<blockquote lang=\"zh\"><p>“" in page  # quotes the report, with mainland quotation marks
    assert "What links here" in page
    assert 'class="inferred"' in page  # inferred statements are marked
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["@id"] == str(IRI)
    graph = Graph().parse(data=block.group(1), format="json-ld")
    assert (IRI, URIRef(SCHEMA + "name"), Literal("北京通", lang="zh")) in graph
    assert (IRI, RDF.type, URIRef(SCHEMA + "MobileApplication")) in graph


@pytest.mark.server
def test_figures_table(live_server):
    page = live_server.get("/id/figure/shanghai-realname-users.html")
    assert page.status_code == 200
    assert "10000000" in page.text
    assert "unit:NUM" in page.text or "NUM" in page.text


@pytest.mark.server
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/json"])
def test_unknown_iri_is_404(live_server, accept):
    response = live_server.get("/id/platform/beijingtongg", headers={"Accept": accept},
                               allow_redirects=False)
    assert response.status_code == 404
    if accept == "text/html":
        assert 'href="/id/platform/beijingtong"' in response.text  # a suggestion


@pytest.mark.server
def test_ontology_terms_dereference(live_server):
    response = live_server.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/ontology.ttl"
    graph = Graph().parse(data=response.content, format="turtle")
    province = URIRef("https://w3id.org/govkg/ontology#Province")
    assert (province, RDFS.subClassOf, None) in graph
    page = live_server.get("/ontology", headers={"Accept": "text/html"})
    assert page.headers["Content-Location"] == "/ontology.html"
    assert 'id="Province"' in page.text and 'id="operatedBy"' in page.text


SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.mark.server
def test_the_validation_report_says_the_data_conforms(live_server):
    page = live_server.get("/validation", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert '<p class="ok">The data conforms to the shapes.</p>' in page.text
    assert 'class="error"' not in page.text and "<table>" not in page.text
    report = Graph().parse(data=live_server.get("/validation.ttl").content, format="turtle")
    assert list(report.subjects(RDF.type, SH.ValidationReport))
    assert set(report.objects(None, SH.conforms)) == {Literal(True)}
    assert not list(report.objects(None, SH.result))


@pytest.fixture(scope="module")
def broken_app(tmp_path_factory: pytest.TempPathFactory):
    """The app over a copy of the sources in which Beijing has lost its Chinese name."""
    from govkg.resources import default_root
    from govkg.web.app import create_app
    from govkg.web.views.sparql import POOL

    copy = tmp_path_factory.mktemp("broken") / "sources"
    for part in ("ontology", "data", "shapes"):
        shutil.copytree(default_root() / part, copy / part)
    common = copy / "data" / "common.ttl"
    text = common.read_text(encoding="utf-8")
    assert text.count('"北京市"@zh , "Beijing"@en') == 1
    common.write_text(text.replace('"北京市"@zh , "Beijing"@en', '"Beijing"@en'), encoding="utf-8")
    app = create_app({"root": str(copy), "cache_dir": str(tmp_path_factory.mktemp("cache")),
                      "query_workers": 1})
    yield app
    app.extensions[POOL].close()


def test_the_validation_report_names_what_breaks_the_shapes(broken_app):
    client = broken_app.test_client()
    page = client.get("/validation", headers={"Accept": "text/html", "Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "conforms to the shapes" not in html
    assert '<p class="error">1 result.</p>' in html
    row = re.search(r"<tr><td>Violation</td><td><a href=\"([^\"]+)\">([^<]+)</a>", html)
    assert row and row.group(1).endswith("/id/region/beijing")
    assert "rdfs:label" in html
    report = Graph().parse(data=client.get("/validation.ttl").data, format="turtle")
    assert set(report.objects(None, SH.conforms)) == {Literal(False)}
    assert set(report.objects(None, SH.focusNode)) == {
        URIRef("https://w3id.org/govkg/id/region/beijing")}


@pytest.mark.parametrize(("lang", "message", "absent"), [
    ("zh", "缺少中文标签：该实体至少需要一个语言标记为 @zh 的 rdfs:label。", "Missing Chinese label"),
    ("en", "Missing Chinese label: the entity needs at least one rdfs:label", "缺少中文标签"),
])
def test_the_validation_report_speaks_the_page_language(broken_app, lang: str, message: str,
                                                        absent: str) -> None:
    html = broken_app.test_client().get("/validation", headers={
        "Accept": "text/html", "Accept-Language": lang}).get_data(as_text=True)
    assert f'<td lang="{lang}">{message}' in html
    assert absent not in html and "(only in" not in html and "（仅有" not in html


@pytest.mark.server
def test_the_shapes_page_shows_every_shape_and_the_shapes_document_is_the_file(live_server):
    from rdflib.compare import isomorphic

    from govkg.resources import default_root

    source = Graph().parse(default_root() / "shapes" / "govkg-shapes.ttl", format="turtle")
    shapes = set(source.subjects(RDF.type, SH.NodeShape)) | \
        set(source.subjects(RDF.type, SH.PropertyShape))
    page = live_server.get("/shapes", headers={"Accept": "text/html",
                                                "Accept-Language": "en"}).text
    assert f"<p>{len(shapes)} shapes." in page
    for shape in shapes:
        if isinstance(shape, URIRef):
            assert f'id="{shape.split("#")[-1]}"' in page, shape
    served = Graph().parse(data=live_server.get("/shapes.ttl").content, format="turtle")
    assert isomorphic(served, source)


def test_iris_do_not_depend_on_the_host(client):
    response = client.get(f"{ENTITY}.nt", base_url="http://example.net:9999")
    assert str(IRI).encode() in response.data
    assert b"example.net" not in response.data
    redirect = client.get(ENTITY, base_url="http://example.net:9999",
                          headers={"Accept": "text/turtle"})
    assert redirect.headers["Location"] == f"http://example.net:9999{ENTITY}.ttl"


def test_base_url_setting_makes_absolute_urls(settings):
    from govkg.web.app import create_app

    app = create_app({**settings, "base_url": "https://kg.example.org"})
    response = app.test_client().get(ENTITY, headers={"Accept": "text/turtle"})
    assert response.headers["Location"] == f"https://kg.example.org{ENTITY}.ttl"


def test_every_province_has_a_page(client):
    home = client.get("/").text
    provinces = re.findall(r'href="(/provinces/[a-z-]+)"', home)
    assert len(set(provinces)) >= 7
    for path in set(provinces):
        assert client.get(path).status_code == 200
