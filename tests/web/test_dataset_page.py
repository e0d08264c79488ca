"""The dataset as /catalog and /void describe it: titles and descriptions in both languages
in the RDF, and in the page's language on the HTML pages, which open with the dataset and a
box to cite it."""

import pytest
from rdflib import DCAT, DCTERMS, RDF, Graph, URIRef

from govkg.distributions import DISTRIBUTIONS

DATASET = URIRef("https://w3id.org/govkg/void#govkg")


@pytest.fixture(scope="module")
def catalog(app) -> Graph:
    body = app.test_client().get("/catalog.ttl").get_data(as_text=True)
    return Graph().parse(data=body, format="turtle")


def languages(graph: Graph, node: URIRef, predicate: URIRef) -> set[str]:
    return {value.language for value in graph.objects(node, predicate)}


def test_the_catalogue_titles_everything_in_both_languages(catalog: Graph) -> None:
    titled = [DATASET, *catalog.subjects(RDF.type, DCAT.Distribution),
              *catalog.subjects(RDF.type, DCAT.Catalog), *catalog.subjects(RDF.type, DCAT.DataService)]
    assert len(titled) == 3 + len(DISTRIBUTIONS)
    for node in titled:
        assert languages(catalog, node, DCTERMS.title) == {"en", "zh"}, node
    assert languages(catalog, DATASET, DCTERMS.description) == {"en", "zh"}


def test_void_describes_the_dataset_in_both_languages(app) -> None:
    void = Graph().parse(data=app.test_client().get("/void.ttl").get_data(as_text=True),
                         format="turtle")
    assert languages(void, DATASET, DCTERMS.title) == {"en", "zh"}
    assert languages(void, DATASET, DCTERMS.description) == {"en", "zh"}


@pytest.mark.parametrize(("lang", "title", "holds", "absent"), [
    ("zh", "govkg：中国省级数字政府知识图谱", "合并的断言图（Turtle）", "The asserted graphs merged"),
    ("en", "govkg: China&#39;s provincial digital government", "The asserted graphs merged (Turtle)",
     "合并的断言图"),
])
@pytest.mark.parametrize("path", ["/catalog", "/void"])
def test_the_dataset_pages_speak_the_page_language(client, path: str, lang: str, title: str,
                                                   holds: str, absent: str) -> None:
    html = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang}
                      ).get_data(as_text=True)
    main = html[html.index("<main"):html.index('<pre class="turtle">')]
    assert f'<h2 id="dataset-heading" lang="{lang}">{title}' in main
    assert f"<td>{holds}</td>" in main and absent not in main
    assert '<code id="cite-iri">https://w3id.org/govkg/void#govkg</code>' in main


def test_the_dataset_citation_downloads_name_the_dataset(client) -> None:
    bib = client.get("/cite.bib").get_data(as_text=True)
    assert bib.startswith("@misc{govkg-dataset,") and "void\\#govkg" not in bib
    assert "\\url{https://w3id.org/govkg/void#govkg}" in bib
