"""The timeline (``/timeline``, ``?province=<slug>``): every dated statement of the data in
date order (launches, relaunches, issuances, establishments, figures' dates, plans' targets),
each with its entity, its province and the report sentence it comes from.

Events and rankings the report gives no date for are listed apart, never given a guessed
date. A launch or issuance that is also an event (``gk:Launch`` … with ``gk:eventDate``) is shown
once, as the event. Dates keep their precision (``2017``, ``2017-01``, ``2019-10-21``) and
sort as text, so a year comes before its months.
"""

from dataclasses import dataclass, field

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from pyoxigraph import NamedNode
from werkzeug.exceptions import BadRequest

from govkg.vocab import ID
from govkg.web.display import Labeller, Shown
from govkg.web.site import current_site
from govkg.web.views.browse import PROVINCES, solutions

bp = Blueprint("timeline", __name__)

DATED = """
SELECT ?date ?entity ?property ?type ?subject ?province ?sentence ?text %s WHERE {
  GRAPH <https://w3id.org/govkg/graph/data> { ?entity ?property ?date }
  FILTER(ISLITERAL(?date)
         && DATATYPE(?date) IN (xsd:date, xsd:gYearMonth, xsd:gYear, xsd:dateTime))
  FILTER NOT EXISTS { ?event gk:eventSubject ?entity ; gk:eventDate ?date }
  OPTIONAL { GRAPH <https://w3id.org/govkg/graph/data> { ?entity a ?type } }
  OPTIONAL { ?entity gk:eventSubject|gk:measuredEntity ?subject }
  OPTIONAL { ?entity (gk:eventSubject|gk:measuredEntity)?/gk:province ?province }
  OPTIONAL { ?entity gk:statedIn ?sentence . ?sentence gk:text ?text }
  %s
} ORDER BY STR(?date) ?entity ?property"""
IN_PROVINCE = "FILTER EXISTS { ?entity (gk:eventSubject|gk:measuredEntity)?/gk:province ?only }"

# Events and rankings the report gives no date for (the assessment's release, its rankings):
# listed apart, never placed on the line by a guessed date.
UNDATED = """
SELECT DISTINCT ?entity %s WHERE {
  VALUES ?kind { gk:Event gk:Ranking gk:Award gk:Tier }
  ?entity a ?kind .
  FILTER NOT EXISTS {
    GRAPH <https://w3id.org/govkg/graph/data> { ?entity ?property ?date }
    FILTER(ISLITERAL(?date)
           && DATATYPE(?date) IN (xsd:date, xsd:gYearMonth, xsd:gYear, xsd:dateTime))
  }
  %s
} ORDER BY ?entity"""
UNDATED_IN_PROVINCE = """FILTER EXISTS {
    { ?entity (gk:eventSubject|gk:rankedEntity)?/gk:province ?only }
    UNION { ?entity gk:member ?only }
  }"""


@dataclass
class Dated:
    """One dated statement and what the page shows with it."""

    date: str
    entity: Shown
    what: Shown  # the date's property (launched on, event date …)
    types: list[Shown] = field(default_factory=list)
    subjects: list[Shown] = field(default_factory=list)  # what an event or figure is about
    provinces: list[Shown] = field(default_factory=list)
    sentences: list[tuple[Shown, str]] = field(default_factory=list)


def province_choices(labeller: Labeller) -> list[tuple[str, Shown]]:
    """(slug, province) for every province, in the report's order."""
    return [(s["province"].value.rpartition("/")[2], labeller.show(s["province"]))
            for s in solutions(PROVINCES)]


def dated_statements(labeller: Labeller, province: NamedNode | None) -> list[Dated]:
    # pyoxigraph substitutes only projected variables: ?only joins the projection with its filter
    text = DATED % (("?only", IN_PROVINCE) if province is not None else ("", ""))
    bindings = {"only": province} if province is not None else {}
    rows: dict[tuple, Dated] = {}
    for s in solutions(text, **bindings):
        key = (s["entity"], s["property"], s["date"])
        if key not in rows:
            rows[key] = Dated(s["date"].value, labeller.show(s["entity"]),
                              labeller.show(s["property"]))
        row = rows[key]
        for name, bucket in (("type", row.types), ("subject", row.subjects),
                             ("province", row.provinces)):
            if s[name] is not None and (shown := labeller.show(s[name])) not in bucket:
                bucket.append(shown)
        if s["sentence"] is not None:
            quote = (labeller.show(s["sentence"]), s["text"].value)
            if quote not in row.sentences:
                row.sentences.append(quote)
    return list(rows.values())


def undated(labeller: Labeller, province: NamedNode | None) -> list[Shown]:
    text = UNDATED % (("?only", UNDATED_IN_PROVINCE) if province is not None else ("", ""))
    bindings = {"only": province} if province is not None else {}
    return [labeller.show(s["entity"]) for s in solutions(text, **bindings)]


@bp.route("/timeline")
def timeline() -> str:
    labeller = Labeller(current_site().store)
    choices = province_choices(labeller)  # the slug is checked against these before caching
    slug = request.args.get("province", "").strip()
    province = None
    if slug:
        if slug not in {s for s, _shown in choices}:
            known = ", ".join(s for s, _shown in choices)
            raise BadRequest(_("There is no province %(slug)r. Choose one of: %(known)s.",
                               slug=slug[:60], known=known))
        province = NamedNode(f"{ID}region/{slug}")
    site = current_site()
    events, without_date = site.once(
        f"timeline:{labeller.lang}:{slug}",
        lambda: (dated_statements(labeller, province), undated(labeller, province)))
    chosen = labeller.show(province) if province is not None else None
    title = (_("Timeline: %(province)s", province=chosen.text) if chosen else _("Timeline"))
    return render_template("timeline.html", title=title, events=events, undated=without_date,
                           choices=choices,
                           slug=slug, chosen=chosen,
                           json_query=url_for("sparql.endpoint", query=DATED % ("", "")))
