"""The report's sentences: splitting, numbering, and the copy we ship."""

from pathlib import Path

import pytest
from testbed import IN_CI, REPO, ROOT

from govkg.report import read_report, report_graph, split_sentences
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
