"""The SVG geometry: bar lengths and their scale, the neighbourhood's layout and labels."""

import math

from govkg.web.charts import (
    GRAPH_HEIGHT,
    GRAPH_WIDTH,
    MAX_NEIGHBOURS,
    STACK_TEXT_X,
    STACK_WIDTH,
    bar_chart,
    fit,
    radial_layout,
    text_width,
    wrap,
)
from govkg.web.display import Shown


def test_bars_are_proportional_on_a_linear_scale() -> None:
    chart = bar_chart("t", [("a", None, 10, "10"), ("b", "/x", 5, "5"), ("c", None, 0, "0")])
    assert not chart.log
    a, b, c = chart.bars
    assert math.isclose(b.width * 2, a.width)
    assert c.width == 0
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)
    assert chart.height > chart.bars[-1].y


def test_wide_ranges_get_a_logarithmic_scale() -> None:
    chart = bar_chart("t", [("big", None, 19e9, "19,000,000,000"), ("small", None, 2, "2")])
    assert chart.log
    big, small = chart.bars
    assert small.width > big.width / 40  # visible; on a linear scale it would be 1e-9 of it
    assert not bar_chart("t", [("a", None, 19e9, ""), ("b", None, 2, "")], log=False).log


def test_labels_fit_their_room() -> None:
    assert fit("粤省事", 100, 14) == "粤省事"
    assert text_width(fit("“粤省事”累计进驻的高频政务服务事项", 80, 14)) <= 80
    assert fit("“粤省事”累计进驻的高频政务服务事项", 80, 14).endswith("…")
    assert len(fit("a" * 40, 1000, 14)) == 14


def test_neighbourhood_layout_stays_in_the_drawing() -> None:
    centre = Shown("iri", "中心")
    links = [(Shown("iri", f"邻居{i}号很长的名字", link=f"/id/x/{i}"), "p", i % 2 == 0)
             for i in range(MAX_NEIGHBOURS + 3)]
    graph = radial_layout(centre, links)
    assert len(graph.neighbours) == MAX_NEIGHBOURS and graph.more == 3
    for n in graph.neighbours:
        assert 0 <= n.x <= GRAPH_WIDTH and 0 <= n.y <= GRAPH_HEIGHT
        assert 1 <= len(n.lines) <= 2 and n.line_ys[0][1] > 0
        assert n.relation_y <= GRAPH_HEIGHT
        for line in n.lines:
            if n.anchor == "end":
                assert n.label_x - text_width(line) >= 0
            elif n.anchor == "start":
                assert n.label_x + text_width(line) <= GRAPH_WIDTH


def test_wrapped_names_are_whole_and_fit_their_room() -> None:
    english = ("The Guangdong government website publishes the Master Plan for Building "
               "Digital Government (2018–2020)")
    lines = wrap(english, 200)
    assert " ".join(lines) == english and all(text_width(line) <= 200 for line in lines)
    chinese = "广东省“数字政府”建设总体规划（2018—2020年）"
    lines = wrap(chinese, 120)
    assert "".join(lines) == chinese and all(text_width(line) <= 120 for line in lines)
    assert not any(line.startswith(("）", "，", "。")) for line in lines)


def test_the_stacked_drawing_keeps_every_name_whole_inside_it() -> None:
    centre = Shown("iri", "中心")
    links = [(Shown("iri", "很长的名字" * (i + 1), link=f"/id/x/{i}"), "p", i % 2 == 0)
             for i in range(6)]
    stacked = radial_layout(centre, links).stacked
    assert stacked.width == STACK_WIDTH
    for row, (shown, _relation, _incoming) in zip(stacked.rows, links, strict=True):
        assert "".join(line for line, _y in row.lines) == shown.text
        assert all(STACK_TEXT_X + text_width(line) <= STACK_WIDTH for line, _y in row.lines)
        assert row.lines[-1][1] < stacked.height
    tops = [row.relation_y for row in stacked.rows]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
