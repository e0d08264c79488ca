"""The report's sentences: splitting, numbering, the copy we ship, and govkg's English."""

import re
from pathlib import Path

import pytest
from testbed import IN_CI, REPO, ROOT

from govkg.errors import DataFileError
from govkg.report import Sentence, read_report, read_translations, report_graph, split_sentences
from govkg.vocab import GK, sentence_iri

SHARED_REPORT = REPO.parent / "shared" / "report" / "report.zh.txt"


def test_sentences_are_numbered_by_line_and_order() -> None:
    sentences = split_sentences("标题\n第一句。第二句；第三句\n\n下一段。")
    assert [(s.line, s.number, s.position, s.text) for s in sentences] == [
        (1, 1, 1, "标题"),
        (2, 1, 2, "第一句。"),
        (2, 2, 3, "第二句；"),
        (2, 3, 4, "第三句"),
        (4, 1, 5, "下一段。"),
    ]


def test_closing_quote_stays_with_its_sentence() -> None:
    sentences = split_sentences("他说“好。”然后走了。")
    assert [s.text for s in sentences] == ["他说“好。”", "然后走了。"]


def test_the_report_has_77_sentences_that_rebuild_its_text() -> None:
    path = ROOT / "data" / "source" / "report.zh.txt"
    sentences = read_report(path)
    assert len(sentences) == 77
    assert sentences[0].text == "中国省级第一梯队“数字政府”建设路线一览"
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert "".join(s.text for s in sentences if s.line == line_number) == line.strip()


def test_report_graph_gives_each_sentence_text_and_position() -> None:
    graph = report_graph(split_sentences("标题\n一句。"))
    iri = sentence_iri(2, 1)
    assert str(graph.value(iri, GK.text)) == "一句。"
    assert graph.value(iri, GK.position).toPython() == 2


def test_shipped_report_is_the_shared_one() -> None:
    if not SHARED_REPORT.exists() and not IN_CI:  # CI always has shared/ beside the clone
        pytest.skip("no shared/ beside this checkout")
    shipped = (ROOT / "data" / "source" / "report.zh.txt").read_bytes()
    assert shipped == Path(SHARED_REPORT).read_bytes()


# --- govkg's English translation ------------------------------------------------------------

TRANSLATION = ROOT / "data" / "source" / "report.en.txt"
CJK = re.compile(r"[\u3400-\u9fff]")
# One English rendering of each of these terms wherever the report uses them.
TERMS = {"一网通办": "one-stop online government services",
         "最多跑一次": "maximum-one-visit reform",
         "电子政务专网": "dedicated e-government network",
         "12345便民服务平台": "12345 public-service hotline platform"}


@pytest.fixture(scope="module")
def shipped() -> tuple[list[Sentence], dict]:
    sentences = read_report(ROOT / "data" / "source" / "report.zh.txt")
    return sentences, read_translations(TRANSLATION, sentences)


def test_every_sentence_has_an_english_translation(shipped) -> None:
    sentences, translations = shipped
    assert set(translations) == {s.iri for s in sentences} and len(translations) == 77
    for s in sentences:
        english = translations[s.iri]
        assert not CJK.search(english), (s.iri, english)
        assert len(english) >= len(s.text) / 2, (s.iri, english)


def test_the_translation_keeps_the_report_s_terms_and_numbers(shipped) -> None:
    sentences, translations = shipped
    for s in sentences:
        for zh, en in TERMS.items():
            if zh in s.text:
                assert en in translations[s.iri].lower(), (s.iri, en)
        # Every number the report writes as digits, except months and days (November) and
        # those scaled by 万, 亿 or 成 (1.45万 is 14,500, 8000多万 more than 80 million).
        for match in re.finditer(r"(\d+(?:\.\d+)?)(?![\d.]*多?[万亿成月日])", s.text):
            number = match.group(1)
            spelled = f"{int(number):,}" if number.isdigit() else number  # 3066 as 3,066
            english = translations[s.iri]
            assert number in english or spelled in english, (s.iri, number)


def test_the_translation_is_in_the_report_graph_as_editorial_english(shipped) -> None:
    sentences, translations = shipped
    graph = report_graph(sentences, translations)
    english = graph.value(sentence_iri(7, 1), GK.translation)
    assert english.language == "en" and "Beijing Tong" in english
    assert graph.value(sentence_iri(7, 1), GK.text).language == "zh"


def write_translation(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "report.en.txt"
    path.write_text(text, encoding="utf-8")
    return path


SMALL = split_sentences("标题\n一句。二句。")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("[p1s1] 标题\nTitle\n\n[p2s1] 一句。\nOne.\n", None, "no translation of p2s2"),
    ("[p1s1] 标题\nTitle\n[p9s1] 九。\nNine.\n", 3, "p9s1 is no sentence of the report"),
    ("[p1s1] 标题\nTitle\n[p1s1] 标题\nAgain\n", 3, "p1s1 is translated twice"),
    ("[p1s1] 别的\nTitle\n", 1, "p1s1 is not quoted as the report writes it: 标题"),
    ("# notes\n[p1s1] 标题\n\n[p2s1] 一句。\nOne.\n", 2, "p1s1 has no English"),
    ("Title\n", 1, 'expected "[p<line>s<n>] <the sentence>"'),
])
def test_a_broken_translation_file_names_file_line_and_why(tmp_path: Path, text: str,
                                                           line: int | None,
                                                           message: str) -> None:
    path = write_translation(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        read_translations(path, SMALL)
    assert caught.value.line == line and message in caught.value.message


def test_english_may_run_over_several_lines(tmp_path: Path) -> None:
    path = write_translation(tmp_path, "[p1s1] 标题\nThe\ntitle\n\n[p2s1] 一句。\nOne.\n"
                                       "[p2s2] 二句。\nTwo.\n")
    assert read_translations(path, SMALL)[sentence_iri(1, 1)] == "The title"
