"""The SVG geometry: bar lengths and their scale, the neighbourhood's layout and labels."""

import math

from govkg.web.charts import (
    GRAPH_HEIGHT,
    GRAPH_WIDTH,
    MAX_NEIGHBOURS,
    bar_chart,
    fit,
    radial_layout,
    text_width,
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
        if n.anchor == "end":
            assert n.label_x - text_width(n.short) >= 0
        elif n.anchor == "start":
            assert n.label_x + text_width(n.short) <= GRAPH_WIDTH
