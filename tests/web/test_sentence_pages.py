"""A sentence's page shows the report's Chinese beside govkg's English translation, marked
as editorial, in both page languages; in Chromium the two sit side by side on a wide screen
and one above the other on a phone. Search finds a sentence by its English and says whose
English it is."""

import pytest
from live import shot

SENTENCE = "/id/sentence/p33s1"
ZH_TEXT = "在模式方面，广东“数字政府”改革建设提出"
EN_TEXT = "In terms of model, Guangdong&#39;s &#34;digital government&#34; reform"


@pytest.mark.parametrize(("language", "words", "editorial"), [
    ("en", "The report's words", "govkg's English translation: editorial"),
    ("zh", "报告原文", "govkg 的英文译文：属编辑加工"),
])
def test_the_sentence_and_its_translation(client, language: str, words: str,
                                          editorial: str) -> None:
    response = client.get(SENTENCE + ".html", headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    section = html.split('<section class="sentence-text">')[1].split("</section>")[0]
    chinese, english = section.split('<blockquote lang="en" class="translation">')
    assert '<blockquote lang="zh">' in chinese and ZH_TEXT in chinese and words in chinese
    assert EN_TEXT in english and editorial in english


def test_the_translation_is_in_the_sentence_s_rdf(client) -> None:
    turtle = client.get(SENTENCE + ".nt").get_data(as_text=True)
    assert '<https://w3id.org/govkg/ontology#translation> "In terms of model' in turtle
    assert turtle.split("#translation> ")[1].split("\n")[0].endswith('"@en .')


def test_other_pages_have_no_sentence_section(client) -> None:
    html = client.get("/id/platform/beijingtong.html").get_data(as_text=True)
    assert "sentence-text" not in html


@pytest.mark.server
def test_side_by_side_on_a_wide_screen_stacked_on_a_phone(page, live_server) -> None:
    page.goto(live_server.url + SENTENCE + ".html")
    chinese = page.locator(".sentence-text blockquote[lang=zh]")
    english = page.locator(".sentence-text blockquote.translation")
    assert "digital government" in english.inner_text()
    wide_zh, wide_en = chinese.bounding_box(), english.bounding_box()
    assert wide_zh["y"] == wide_en["y"] and wide_zh["x"] < wide_en["x"]
    shot(page, "sentence-wide")
    page.set_viewport_size({"width": 390, "height": 844})
    narrow_zh, narrow_en = chinese.bounding_box(), english.bounding_box()
    assert narrow_zh["x"] == narrow_en["x"] and narrow_zh["y"] < narrow_en["y"]
    shot(page, "sentence-phone")
    assert page.console_errors == []


@pytest.mark.parametrize(("language", "marked"), [
    ("en", "matched: govkg's English translation of a report sentence"),
    ("zh", "govkg 对报告句子的英文译文"),
])
def test_search_finds_a_sentence_by_its_english_and_says_whose(client, language: str,
                                                                marked: str) -> None:
    page = client.get("/search", query_string={"q": "maximum-one-visit reform"},
                      headers={"Accept-Language": language}).get_data(as_text=True)
    hit = page.split('<a href="/id/sentence/p20s1"')[1].split("</li>")[0]
    assert marked in hit and "<mark>maximum-one-visit reform</mark>" in hit
