"""The province comparison matrix (``/compare``): the first-tier provinces × their platforms,
clouds and networks, policies, governance models, partner companies and figures.

One SPARQL query over the store (asserted and inferred graphs) fills every cell: which
provinces are compared and what goes where comes from the data, not from lists kept here.
The store does not change while it is served, so each worker asks once per language.
"""

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _  # module-level names: translated when shown
from pyoxigraph import Literal

from govkg.web.display import Labeller, Shown, page_language
from govkg.web.site import current_site
from govkg.web.views.browse import solutions

bp = Blueprint("compare", __name__)

MATRIX = """
SELECT DISTINCT ?province ?aspect ?thing ?value WHERE {
  ?tier a gk:Tier ; gk:member ?province .
  OPTIONAL { ?province gk:statedIn/gk:position ?order }
  {
    ?thing a gk:DigitalPlatform ; gk:province ?province .
    FILTER NOT EXISTS { VALUES ?infra { gk:CloudPlatform gk:GovernmentNetwork } ?thing a ?infra }
    BIND("platforms" AS ?aspect)
  } UNION {
    VALUES ?infra { gk:CloudPlatform gk:GovernmentNetwork }
    ?thing a ?infra ; gk:province ?province .
    BIND("infrastructure" AS ?aspect)
  } UNION {
    ?thing a gk:PolicyDocument ; gk:province ?province .
    BIND("policies" AS ?aspect)
  } UNION {
    ?thing a gk:GovernanceModel ; gk:province ?province .
    BIND("models" AS ?aspect)
  } UNION {
    ?partner gk:province ?province ; gk:builtWith ?thing .
    BIND("companies" AS ?aspect)
  } UNION {
    ?thing a gk:Measurement .
    { ?thing gk:province ?province } UNION { ?thing gk:measuredEntity/gk:province ?province }
    OPTIONAL { ?thing gk:value ?value }
    BIND("figures" AS ?aspect)
  }
} ORDER BY ?province ?aspect ?thing"""

PROVINCE_ORDER = """
SELECT ?province (MIN(?position) AS ?first) WHERE {
  ?tier a gk:Tier ; gk:member ?province .
  OPTIONAL { ?province gk:statedIn/gk:position ?position }
} GROUP BY ?province ORDER BY ?first ?province"""

ASPECTS = (
    ("platforms", _("Platforms")),
    ("infrastructure", _("Clouds and networks")),
    ("policies", _("Policies")),
    ("models", _("Models")),
    ("companies", _("Partner companies")),
    ("figures", _("Figures")),
)


@dataclass(frozen=True)
class Cell:
    thing: Shown
    value: str = ""  # a figure's number


@dataclass
class ProvinceRow:
    province: Shown
    page: str  # the province's page
    cells: dict[str, list[Cell]]


def matrix(labeller: Labeller) -> list[ProvinceRow]:
    rows: dict[str, ProvinceRow] = {}
    for s in solutions(PROVINCE_ORDER):
        slug = s["province"].value.rpartition("/")[2]
        rows[s["province"].value] = ProvinceRow(
            labeller.show(s["province"]), url_for("browse.province", slug=slug),
            {key: [] for key, _name in ASPECTS})
    for s in solutions(MATRIX):
        value = s["value"]
        cell = Cell(labeller.show(s["thing"]),  # the number as people read it: 10,000,000
                    labeller.show(value).text if isinstance(value, Literal) else "")
        bucket = rows[s["province"].value].cells[s["aspect"].value]
        if cell not in bucket:
            bucket.append(cell)
    for row in rows.values():
        for bucket in row.cells.values():
            bucket.sort(key=lambda c: c.thing.text)
    return list(rows.values())


@bp.route("/compare")
def matrix_page() -> str:
    site, lang = current_site(), page_language()
    rows = site.once(f"compare:{lang}", lambda: matrix(Labeller(site.store, lang)))
    return render_template("compare.html", title=_("Compare provinces"),
                           rows=rows, aspects=ASPECTS,
                           query=url_for("sparql.endpoint", query=MATRIX))
