"""Geometry for the server-rendered SVG charts: horizontal bar charts and an entity's
neighbourhood graph. Templates (``_charts.html``) draw them; the pages read without
JavaScript, and every mark carries a text label, a ``<title>`` and, where it links, a
keyboard-focusable ``<a>``.
"""

import math
from dataclasses import dataclass

from govkg.web.display import Shown

BAR_WIDTH = 360  # the viewBox width: drawn 1:1 on a 390 px phone, so 13 px text stays 13 px
BAR_ROW = 40  # label line + bar
BAR_TOP = 8
LOG_RATIO = 100  # values spanning more than this factor get a logarithmic scale
LABEL_CHARS = 40
VALUE_FONT_PX = 13

GRAPH_WIDTH = 600
GRAPH_HEIGHT = 440
GRAPH_MARGIN_X = 130  # room for labels left and right
GRAPH_MARGIN_Y = 40
MAX_NEIGHBOURS = 16
NODE_CHARS = 20
FONT_PX = 14  # the labels' font size (govkg.css); a CJK character is about this wide


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_width(text: str) -> float:
    """Roughly how wide ``text`` is drawn: CJK characters full width, others about half."""
    return sum(FONT_PX if ord(c) >= 0x2E80 else FONT_PX * 0.62 for c in text)


def fit(text: str, room: float, limit: int) -> str:
    """``text`` shortened (with …) to at most ``limit`` characters and about ``room`` px."""
    short = shorten(text, limit)
    while len(short) > 2 and text_width(short) > room:
        short = short[:-2] + "…"
    return short


@dataclass(frozen=True)
class Bar:
    label: str  # in full (for <title>)
    short: str  # as drawn
    link: str | None
    value: float
    value_text: str
    y: float  # top of the label line
    width: float  # of the bar


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    log: bool  # whether bar lengths follow log10(value)
    width: int = BAR_WIDTH

    @property
    def height(self) -> int:
        return BAR_TOP * 2 + BAR_ROW * len(self.bars)


def bar_chart(title: str, items: list[tuple[str, str | None, float, str]],
              log: bool | None = None) -> BarChart:
    """Bars for (label, link, value, value as text); ``log`` None picks the scale by range."""
    positive = [v for _l, _k, v, _t in items if v > 0]
    if log is None:
        log = bool(positive) and max(positive) / min(positive) > LOG_RATIO

    def length(v: float) -> float:
        return math.log10(v + 1) if log else v

    top = max((length(v) for _l, _k, v, _t in items if v > 0), default=0) or 1
    # Every value label fits after its bar inside the chart: the longest one sets the room.
    widest = max((text_width(t) * VALUE_FONT_PX / FONT_PX for _l, _k, _v, t in items), default=0)
    room = BAR_WIDTH - widest - 10
    bars = tuple(
        Bar(label, fit(label, BAR_WIDTH, LABEL_CHARS), link, value, text,
            BAR_TOP + i * BAR_ROW, max(2.0, room * length(value) / top) if value > 0 else 0)
        for i, (label, link, value, text) in enumerate(items))
    return BarChart(title, bars, log)


@dataclass(frozen=True)
class Neighbour:
    shown: Shown
    relation: str  # the property's label
    incoming: bool  # whether the link points from this neighbour to the centre
    x: float
    y: float
    anchor: str  # text-anchor for the label: start, middle or end
    label_x: float
    label_y: float
    short: str
    relation_y: float = 0  # the line naming the link's property, under (or over) the name

    @property
    def relation_text(self) -> str:
        """The property with the link's direction: ``← 属于`` (to the centre) or ``属于 →``."""
        return f"← {self.relation}" if self.incoming else f"{self.relation} →"


@dataclass(frozen=True)
class Neighbourhood:
    centre: Shown
    neighbours: tuple[Neighbour, ...]
    more: int  # neighbours left out
    width: int = GRAPH_WIDTH
    height: int = GRAPH_HEIGHT

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2


def radial_layout(centre: Shown, links: list[tuple[Shown, str, bool]]) -> Neighbourhood:
    """The centre in the middle, up to MAX_NEIGHBOURS around it on an ellipse."""
    shown = links[:MAX_NEIGHBOURS]
    cx, cy = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
    rx, ry = cx - GRAPH_MARGIN_X, cy - GRAPH_MARGIN_Y
    neighbours = []
    for i, (node, relation, incoming) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(shown), 1)
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        offset = 0 if anchor == "middle" else (10 if anchor == "start" else -10)
        above = anchor == "middle" and math.sin(angle) <= 0.3
        label_y = y + (22 if math.sin(angle) > 0.3 and anchor == "middle" else
                       -27 if above else 5)
        label_x = x + offset
        room = {"start": GRAPH_WIDTH - label_x, "end": label_x}.get(anchor, GRAPH_WIDTH / 3)
        neighbours.append(Neighbour(node, relation, incoming, round(x, 1), round(y, 1), anchor,
                                    round(label_x, 1), round(label_y, 1),
                                    fit(node.text, room - 4, NODE_CHARS),
                                    round(label_y + 15, 1)))
    return Neighbourhood(centre, tuple(neighbours), max(0, len(links) - len(shown)))
