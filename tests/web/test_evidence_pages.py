"""Per-statement references on entity pages and in entity documents, Wikidata-style.

Each value carries a small marker (``<details>``, so it works without JavaScript) that opens
to the quoted sentence, its place in the article and a link to the sentence page; readings
of graph/editorial are marked and give their reason. The RDF documents carry the same
reified statements. The last test opens a marker in Chromium.
"""

import re

from live import shot
from rdflib import RDF, Graph, Literal, Namespace, URIRef

GK = Namespace("https://w3id.org/govkg/ontology#")
ID = "https://w3id.org/govkg/id/"
EN = {"Accept-Language": "en"}


def row_of(html: str, property_label: str) -> str:
    """The table row of the entity page's statements for one property."""
    match = re.search(rf'<tr><th><a href="/ontology#\w+"[^>]*>{property_label}</a>.*?</tr>',
                      html, re.S)
    assert match, property_label
    return match.group(0)


def test_each_value_opens_to_its_own_sentence(client) -> None:
    html = client.get("/id/platform/yueshengshi.html", headers=EN).get_data(as_text=True)
    launched = row_of(html, "launched on")
    assert '<details class="refs"><summary' in launched and ">p30s1</summary>" in launched
    assert "“在平台建设方面，2018年5月，全国首个集成民生服务微信小程序“粤省事”上线" in launched
    assert '<p class="translation" lang="en">“In platform building: in May 2018' in launched
    assert "Line 30, sentence 1 (sentence 48 of the article)" in launched
    assert '<a href="/id/sentence/p30s1">' in launched
    assert "p32s1" not in launched, "the launch month is p30s1's alone"
    part_of = row_of(html, "part of")
    assert ">p32s1</summary>" in part_of and "广东陆续推出“粤系列”" in part_of


def test_editorial_readings_are_marked_with_their_reason(client) -> None:
    html = client.get("/id/platform/beijingtong.html", headers=EN).get_data(as_text=True)
    operated = row_of(html, "operated by")
    assert '<span class="editorial"' in operated
    assert "Editorial reading:" in operated and "does not say who operates it" in operated
    launched = row_of(html, "launched on")
    assert 'class="editorial"' not in launched


def test_the_markers_speak_chinese_on_chinese_pages(client) -> None:
    html = client.get("/id/platform/beijingtong.html",
                      headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "第7行第1句（全文第12句）" in html and "编者解读" in html


def test_reified_statements_do_not_show_as_links_in(client) -> None:
    html = client.get("/id/platform/beijingtong.html", headers=EN).get_data(as_text=True)
    incoming = html[html.index('class="incoming"'):]
    assert "/id/statement/" not in incoming
    assert "/id/statement/" not in html[html.index('class="graph"'):html.index('class="properties"')]


def test_the_rdf_document_carries_the_same_evidence(client) -> None:
    turtle = client.get("/id/platform/beijingtong.ttl").get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    node = URIRef(ID + "platform/beijingtong")
    launch = [st for st in graph.subjects(RDF.subject, node)
              if (st, RDF.predicate, GK.launchedOn) in graph]
    assert len(launch) == 1
    assert (launch[0], GK.statedIn, URIRef(ID + "sentence/p7s1")) in graph
    assert (launch[0], RDF.object, Literal("2017-01", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYearMonth"))) in graph
    readings = [st for st in graph.subjects(GK.assertedIn,
                                            URIRef("https://w3id.org/govkg/graph/editorial"))]
    assert readings and all(graph.value(st, GK.editorialNote) for st in readings)


def test_a_statement_iri_dereferences(client) -> None:
    turtle = client.get("/id/platform/beijingtong.ttl").get_data(as_text=True)
    statement = re.search(r"statement:([0-9a-f]{16})", turtle).group(1)
    response = client.get(f"/id/statement/{statement}.html", headers=EN)
    assert response.status_code == 200
    assert "Statement" in response.get_data(as_text=True)


def test_a_reference_opens_in_the_browser(page, live_server) -> None:
    page.set_extra_http_headers(EN)
    page.goto(live_server.url + "/id/platform/yueshengshi.html")
    marker = page.locator("section.properties details.refs summary", has_text="p30s1").first
    body = marker.locator("xpath=..").locator(".refs-body")
    assert not body.is_visible()
    marker.click()
    assert body.is_visible()
    assert "2018年5月" in body.inner_text()
    shot(page, "entity-reference-open")
    body.get_by_role("link", name="line 30, sentence 1").click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/sentence/p30s1.html")
    assert page.console_errors == []
