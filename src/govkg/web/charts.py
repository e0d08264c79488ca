"""Geometry for the server-rendered SVG charts: horizontal bar charts and an entity's
neighbourhood graph. Templates (``_charts.html``) draw them; the pages read without
JavaScript, and every mark carries a text label, a ``<title>`` and, where it links, a
keyboard-focusable ``<a>``.

The neighbourhood has two drawings of the same links, and CSS shows one: on a wide screen
the neighbours around the centre (``radial_layout``: room for a short label each, cut with
… and given whole in the ``<title>``); on a phone a stacked list, the centre on top and each
neighbour on its own row under a trunk (``Neighbourhood.stacked``), 360 units wide so that
it is drawn about 1:1 and its 14 px text stays 14 px, every label whole, wrapped onto as
many lines as it needs.
"""

import math
import re
from dataclasses import dataclass

from govkg.web.display import Shown

BAR_WIDTH = 360  # the viewBox width: drawn 1:1 on a 390 px phone, so 13 px text stays 13 px
BAR_ROW = 40  # label line + bar
BAR_TOP = 8
LOG_RATIO = 100  # values spanning more than this factor get a logarithmic scale
LABEL_CHARS = 40
VALUE_FONT_PX = 13

GRAPH_WIDTH = 600
GRAPH_HEIGHT = 460
GRAPH_MARGIN_X = 130  # room for labels left and right
GRAPH_MARGIN_Y = 58  # room for two lines of name and one of relation above and below
NAME_LINES = 2  # a name around the centre takes at most this many lines
LINE_PX = 17
MAX_NEIGHBOURS = 16
FONT_PX = 14  # the labels' font size (govkg.css); a CJK character is about this wide


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


WIDE = set("“”‘’—…")  # drawn full width by the Chinese fonts


def text_width(text: str) -> float:
    """Roughly how wide ``text`` is drawn: CJK characters full width, others about half."""
    return sum(FONT_PX if ord(c) >= 0x2E80 or c in WIDE else FONT_PX * 0.62 for c in text)


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
    label_y: float  # the baseline of the name's first line
    lines: tuple[str, ...]  # the name, in at most NAME_LINES lines (the last cut with …)
    relation_y: float = 0  # the line naming the link's property, under the name

    @property
    def line_ys(self) -> tuple[tuple[str, float], ...]:
        return tuple((line, round(self.label_y + i * LINE_PX, 1))
                     for i, line in enumerate(self.lines))

    @property
    def relation_text(self) -> str:
        """The property with the link's direction: ``← 属于`` (to the centre) or ``属于 →``."""
        return f"← {self.relation}" if self.incoming else f"{self.relation} →"


CLOSING = set("）)」』”’，。、；：！？")
STACK_WIDTH = 360
STACK_TRUNK_X = 10  # the vertical line down from the centre
STACK_NODE_X = 30  # each neighbour's dot
STACK_TEXT_X = 42  # where its relation and its name start
STACK_LINE = 18  # the height of a line of 14 px text
STACK_RELATION = 16  # the height of the relation's 12 px line
STACK_GAP = 10  # between rows


def wrap(text: str, room: float) -> tuple[str, ...]:
    """``text`` in lines of at most ``room`` px: broken at spaces where there are any, else
    (Chinese) between characters; never cut."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if text_width(line + word.rstrip()) <= room:
            line += word
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = ""
        for char in word:  # a word wider than the room, or Chinese: by character
            if text_width(line + char) > room and line.strip():
                # a closing mark never starts a line: it takes the character before along
                carry = line[-1] if char in CLOSING and len(line) > 1 else ""
                lines.append(line[:len(line) - len(carry)].rstrip())
                line = carry
            line += char
    if line.strip():
        lines.append(line.rstrip())
    return tuple(lines) or ("",)


@dataclass(frozen=True)
class Row:
    """A neighbour in the stacked drawing."""
    shown: Shown
    relation_text: str
    incoming: bool
    y: float  # of its dot and its branch from the trunk
    relation_y: float
    lines: tuple[tuple[str, float], ...]  # its name's lines with their baselines


@dataclass(frozen=True)
class Stacked:
    centre_lines: tuple[tuple[str, float], ...]
    rows: tuple[Row, ...]
    height: float
    width: int = STACK_WIDTH
    trunk_x: int = STACK_TRUNK_X
    node_x: int = STACK_NODE_X
    text_x: int = STACK_TEXT_X

    @property
    def trunk_top(self) -> float:
        return STACK_LINE / 2 + 4

    @property
    def trunk_bottom(self) -> float:
        return self.rows[-1].y if self.rows else self.trunk_top


def stacked_layout(centre: Shown, neighbours: tuple["Neighbour", ...]) -> Stacked:
    """The centre on top, then one row per neighbour: its relation, then its whole name."""
    room = STACK_WIDTH - STACK_TEXT_X - 4
    y = STACK_LINE - 4
    centre_lines = []
    for line in wrap(centre.text, STACK_WIDTH - STACK_TRUNK_X - 14):
        centre_lines.append((line, y))
        y += STACK_LINE
    rows = []
    for n in neighbours:
        top = y + STACK_GAP
        relation_y = top + STACK_RELATION - 4
        lines = []
        baseline = top + STACK_RELATION + STACK_LINE - 4
        for line in wrap(n.shown.text, room):
            lines.append((line, baseline))
            baseline += STACK_LINE
        rows.append(Row(n.shown, n.relation_text, n.incoming, round(relation_y - 4, 1),
                        relation_y, tuple(lines)))
        y = baseline - STACK_LINE + 4
    return Stacked(tuple(centre_lines), tuple(rows), y + STACK_GAP)


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

    @property
    def centre_lines(self) -> tuple[tuple[str, float], ...]:
        """The centre's name under it, in at most NAME_LINES lines."""
        return tuple((line, round(self.cy + 30 + i * LINE_PX, 1))
                     for i, line in enumerate(name_lines(self.centre.text, self.width / 3)))

    @property
    def stacked(self) -> Stacked:
        """The same links drawn for a narrow screen."""
        return stacked_layout(self.centre, self.neighbours)


def name_lines(text: str, room: float) -> tuple[str, ...]:
    """``text`` wrapped to ``room`` px in at most NAME_LINES lines, the last cut with …"""
    lines = wrap(text, room)
    if len(lines) <= NAME_LINES:
        return lines
    rest = "".join(lines[NAME_LINES - 1:]) if not re.search(r"\s", text) else \
        " ".join(lines[NAME_LINES - 1:])
    return (*lines[:NAME_LINES - 1], fit(rest, room, len(rest) - 1))


def radial_layout(centre: Shown, links: list[tuple[Shown, str, bool]]) -> Neighbourhood:
    """The centre in the middle, up to MAX_NEIGHBOURS around it on an ellipse. A name takes
    a second line only where the next neighbour on its side leaves room for it."""
    shown = links[:MAX_NEIGHBOURS]
    cx, cy = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
    rx, ry = cx - GRAPH_MARGIN_X, cy - GRAPH_MARGIN_Y
    places = []
    for i in range(len(shown)):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(shown), 1)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        places.append((angle, cx + rx * cos, cy + ry * math.sin(angle), anchor))
    neighbours = []
    for (node, relation, incoming), (angle, x, y, anchor) in zip(shown, places, strict=True):
        offset = 0 if anchor == "middle" else (10 if anchor == "start" else -10)
        above = anchor == "middle" and math.sin(angle) <= 0.3
        label_x = x + offset
        room = {"start": GRAPH_WIDTH - label_x, "end": label_x}.get(anchor, GRAPH_WIDTH / 3)
        below = [py - y for _a, _px, py, pa in places if pa == anchor and py > y]
        two_lines = anchor == "middle" or min(below, default=GRAPH_HEIGHT) >= 3 * LINE_PX + 4
        lines = name_lines(node.text, room - 4) if two_lines else (fit(node.text, room - 4,
                                                                        len(node.text)),)
        height = (len(lines) - 1) * LINE_PX
        label_y = y + (22 if math.sin(angle) > 0.3 and anchor == "middle" else
                       -27 - height if above else 5)
        neighbours.append(Neighbour(node, relation, incoming, round(x, 1), round(y, 1), anchor,
                                    round(label_x, 1), round(label_y, 1), lines,
                                    round(label_y + height + 15, 1)))
    return Neighbourhood(centre, tuple(neighbours), max(0, len(links) - len(shown)))
