"""Citing, in Debian's Chromium against ``govkg serve``: the cite box on an entity page, on
the dataset's pages (/catalog, /void) and on /dumps/ (IRI with a copy button, a formatted citation naming the source article,
BibTeX / CSL-JSON / RIS downloads), the licence in every footer, quotes naming the article."""

import json
from pathlib import Path

import pytest
from live import shot

ENTITY = "/id/platform/yueshengshi"
ARTICLE = "中国省级第一梯队“数字政府”建设路线一览"
DATASET = "https://w3id.org/govkg/void#govkg"


@pytest.mark.parametrize(("lang", "width"), [("zh", 390), ("en", 1366)])
def test_an_entity_page_can_be_cited(browser, live_server, lang: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next={ENTITY}.html")
        box = page.locator("section.cite")
        assert box.locator("#cite-iri").inner_text() == "https://w3id.org/govkg/id/platform/yueshengshi"
        text = box.locator("#cite-text").inner_text()
        assert ARTICLE in text and "CC BY 4.0" in text
        assert ("粤省事" if lang == "zh" else "Yueshengshi") in text.split(".")[1]
        box.locator("button[data-copy='#cite-iri']").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == "https://w3id.org/govkg/id/platform/yueshengshi"
        with page.expect_download() as bib:
            box.get_by_role("link", name="BibTeX").click()
        body = Path(bib.value.path()).read_text(encoding="utf-8")
        assert body.startswith("@misc{govkg-yueshengshi,") and ARTICLE in body
        with page.expect_download() as csl:
            box.get_by_role("link", name="CSL-JSON").click()
        item = json.loads(Path(csl.value.path()).read_text(encoding="utf-8"))[0]
        assert item["URL"].endswith(ENTITY) and item["type"] == "dataset"
        with page.expect_download() as ris:
            box.get_by_role("link", name="RIS").click()
        assert Path(ris.value.path()).read_text(encoding="utf-8").startswith("TY  - DATA")
        footer = page.locator("blockquote footer cite").first.inner_text()
        assert ARTICLE in footer
        assert page.locator("footer.site a[rel=license]").inner_text() == "CC BY 4.0"
        shot(page, f"cite-{lang}-{width}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dumps_page_gives_the_licence_and_a_citation(page, live_server, lang: str) -> None:
    page.goto(f"{live_server.url}/lang/{lang}?next=/dumps/")
    assert "CC BY 4.0" in page.locator("p.licence").inner_text()
    assert "<a" not in page.locator("main").inner_text()  # links, not printed markup
    assert page.locator("section.cite #cite-iri").inner_text() == DATASET
    assert page.console_errors == []


@pytest.mark.parametrize(("path", "lang", "width", "title"), [
    ("/catalog", "zh", 390, "govkg：中国省级数字政府知识图谱"),
    ("/catalog", "en", 1366, "govkg: China's provincial digital government"),
    ("/void", "zh", 1366, "govkg：中国省级数字政府知识图谱"),
])
def test_the_dataset_page_can_be_cited(browser, live_server, path: str, lang: str, width: int,
                                       title: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lang/{lang}?next={path}")
        assert page.locator("#dataset-heading").inner_text() == title
        box = page.locator("section.cite")
        assert box.locator("#cite-iri").inner_text() == DATASET
        text = box.locator("#cite-text").inner_text()
        assert ARTICLE in text and "CC BY 4.0" in text and DATASET in text
        box.locator("button[data-copy='#cite-iri']").click()
        assert page.evaluate("navigator.clipboard.readText()") == DATASET
        box.locator("button[data-copy='#cite-text']").click()
        assert page.evaluate("navigator.clipboard.readText()") == text
        with page.expect_download() as bib:
            box.get_by_role("link", name="BibTeX").click()
        body = Path(bib.value.path()).read_text(encoding="utf-8")
        assert body.startswith("@misc{govkg-dataset,") and ARTICLE in body
        with page.expect_download() as csl:
            box.get_by_role("link", name="CSL-JSON").click()
        item = json.loads(Path(csl.value.path()).read_text(encoding="utf-8"))[0]
        assert item["URL"] == DATASET and item["type"] == "dataset"
        with page.expect_download() as ris:
            box.get_by_role("link", name="RIS").click()
        assert f"UR  - {DATASET}" in Path(ris.value.path()).read_text(encoding="utf-8")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the dataset page scrolls sideways"
        shot(page, f"dataset-{path.strip('/')}-{lang}-{width}")
    finally:
        context.close()
