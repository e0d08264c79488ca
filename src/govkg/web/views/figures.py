"""The figures (``/figures``): every number the report gives, charted per province and per
indicator, and listed with what it measures, its date and its province.

Charts are hand-placed server-rendered SVG (``charts.py``, ``_charts.html``), not a charting
library: the pages read without JavaScript, the few chart kinds need about a hundred lines,
and the geometry (text inside the drawing, 1:1 on a phone) is tested directly. Only figures
of one indicator in one unit share a chart: users, forms and records are never ranked on one
axis; a figure with nothing like it to compare is listed, not charted. Each worker reads
the figures once per language: the store does not change while it is served.
"""

from dataclasses import dataclass, field

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from pyoxigraph import Literal, NamedNode

from govkg.web.charts import BarChart, bar_chart
from govkg.web.display import Labeller, Shown, page_language
from govkg.web.readable import amount, literal_text
from govkg.web.site import current_site
from govkg.web.views.browse import solutions

bp = Blueprint("figures", __name__)

QUDT_UNIT = "http://qudt.org/vocab/unit/"


def unit_names() -> dict[str, str]:
    """Names for the QUDT units the data uses (QUDT's own labels are not in the store)."""
    return {"NUM": _("counts"), "PERCENT": _("percent"), "YR": _("years"), "HR": _("hours")}

FIGURES = """
SELECT DISTINCT ?figure ?value ?unit ?qualifier ?entity ?province ?date ?indicator WHERE {
  ?figure a gk:Measurement ; gk:value ?value .
  OPTIONAL { ?figure gk:measures ?indicator }
  OPTIONAL { ?figure gk:unit ?unit }
  OPTIONAL { ?figure gk:qualifier ?qualifier }
  OPTIONAL { ?figure gk:measuredEntity ?entity }
  OPTIONAL { ?figure gk:measuredEntity?/gk:province ?province }
  OPTIONAL { ?figure gk:refDate ?date }
} ORDER BY ?figure ?province"""


@dataclass
class Figure:
    node: NamedNode
    shown: Shown
    value: float
    value_text: str
    unit: Shown
    unit_key: str
    qualifier: Shown | None
    entity: Shown | None
    date: str
    indicator: Shown | None = None
    brief: str = ""  # the value as a chart labels it
    provinces: list[Shown] = field(default_factory=list)


def number_text(literal: Literal, unit: str, qualifier: Shown | None, lang: str
                ) -> tuple[str, str]:
    """The value as read in a table (``超过1000万（10,000,000）``) and on a chart."""
    said = amount(literal.value, unit, qualifier.text if qualifier else "",
                  qualifier.iri if qualifier else "", lang)
    return said.text(lang), said.brief(lang)


def read_figures(labeller: Labeller) -> list[Figure]:
    figures: dict[str, Figure] = {}
    for s in solutions(FIGURES):
        key = s["figure"].value
        if key not in figures:
            value = s["value"]
            try:
                number = float(value.value)
            except ValueError:
                continue
            unit = s["unit"]
            qualifier = labeller.show(s["qualifier"]) if s["qualifier"] is not None else None
            date = s["date"]
            text, brief = number_text(value, unit.value if unit is not None else "",
                                      qualifier, labeller.lang)
            figures[key] = Figure(
                s["figure"], labeller.show(s["figure"]), number, text,
                labeller.show(unit) if unit is not None else Shown("literal", "—"),
                unit.value if unit is not None else "", qualifier,
                labeller.show(s["entity"]) if s["entity"] is not None else None,
                literal_text(date.value, date.datatype.value, labeller.lang)
                if isinstance(date, Literal) else "",
                labeller.show(s["indicator"]) if s["indicator"] is not None else None, brief)
        if s["province"] is not None:
            shown = labeller.show(s["province"])
            if shown not in figures[key].provinces:
                figures[key].provinces.append(shown)
    return list(figures.values())


def per_province(figures: list[Figure]) -> BarChart:
    counts: dict[str, tuple[Shown | None, int]] = {}
    for f in figures:
        for p in f.provinces or [None]:
            name = p.text if p is not None else _("No province (national)")
            shown, n = counts.get(name, (p, 0))
            counts[name] = (shown, n + 1)
    items = [(name, province_link(shown), float(n), str(n))
             for name, (shown, n) in sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))]
    return bar_chart(_("Figures per province"), items, log=False)


def province_link(shown: Shown | None) -> str | None:
    if shown is None or not shown.iri:
        return None
    return url_for("browse.province", slug=shown.iri.rpartition("/")[2])


def per_indicator(figures: list[Figure]) -> list[BarChart]:
    """One chart per indicator and unit that has two figures or more, largest first."""
    groups: dict[tuple[str, str], list[Figure]] = {}
    for f in figures:
        if f.indicator is not None:
            groups.setdefault((f.indicator.iri, f.unit_key), []).append(f)
    charts = []
    for _key, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(group) < 2:
            continue
        group.sort(key=lambda f: (-f.value, f.shown.text))
        indicator = group[0].indicator
        assert indicator is not None
        unit = unit_names().get(group[0].unit_key.removeprefix(QUDT_UNIT), group[0].unit.text)
        items = [(f.shown.text, f.shown.link, f.value, f.brief) for f in group]
        charts.append(bar_chart(_("%(indicator)s (%(unit)s)", indicator=indicator.text,
                                  unit=unit), items))
    return charts


@bp.route("/figures")
def figures() -> str:
    site, lang = current_site(), page_language()

    def compute() -> tuple[list[Figure], BarChart, list[BarChart]]:
        found = read_figures(Labeller(site.store, lang))
        found.sort(key=lambda f: (f.indicator.text if f.indicator else "", -f.value))
        return found, per_province(found), per_indicator(found)

    found, by_province, by_kind = site.once(f"figures:{lang}", compute)
    return render_template("figures.html", title=_("Figures"), figures=found,
                           by_province=by_province, by_kind=by_kind,
                           query=url_for("sparql.endpoint", query=FIGURES))
