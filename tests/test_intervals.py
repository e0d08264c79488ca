"""Dates of any precision compare and sort: the build adds each dated statement's first and
last day (``govkg.intervals``), and the example queries use them with plain SPARQL."""

from datetime import date

import pyoxigraph
import pytest
from pyoxigraph import NamedNode
from rdflib import XSD, Literal, URIRef

from govkg import intervals
from govkg.errors import GovkgError
from govkg.intervals import DATE_PROPERTIES, covered_days, interval_triples
from govkg.query import run_query
from govkg.vocab import GK, REASONED_GRAPHS, graph_iri
from govkg.web.examples import EXAMPLES

INFERRED = NamedNode(str(graph_iri("inferred")))
X = URIRef("https://w3id.org/govkg/id/platform/x")


@pytest.mark.parametrize(("lexical", "datatype", "first", "last"), [
    ("2018", XSD.gYear, date(2018, 1, 1), date(2018, 12, 31)),
    ("2018-05", XSD.gYearMonth, date(2018, 5, 1), date(2018, 5, 31)),
    ("2020-02", XSD.gYearMonth, date(2020, 2, 1), date(2020, 2, 29)),
    ("2019-02", XSD.gYearMonth, date(2019, 2, 1), date(2019, 2, 28)),
    ("2019-10-21", XSD.date, date(2019, 10, 21), date(2019, 10, 21)),
    ("2019-10-21+08:00", XSD.date, date(2019, 10, 21), date(2019, 10, 21)),
])
def test_the_days_a_date_covers(lexical: str, datatype: URIRef, first: date, last: date) -> None:
    assert covered_days(Literal(lexical, datatype=datatype)) == (first, last)


def test_what_is_not_a_date_has_no_interval() -> None:
    assert covered_days(Literal("2018")) is None
    assert covered_days(Literal(2018)) is None
    assert list(interval_triples([(X, GK._NS.launchedOn, Literal("soon"))])) == []


@pytest.mark.parametrize(("lexical", "datatype"), [
    ("2018-13", XSD.gYearMonth), ("2019-02-30", XSD.date), ("18", XSD.gYear),
    ("2018-05", XSD.gYear),
])
def test_a_malformed_date_names_the_statement(lexical: str, datatype: URIRef) -> None:
    with pytest.raises(GovkgError, match=f'<{X}> .*launchedOn.*"{lexical}" is not a valid'):
        list(interval_triples([(X, GK._NS.launchedOn, Literal(lexical, datatype=datatype))]))


def test_every_dated_statement_has_its_interval_in_the_inferred_graph(
        store: pyoxigraph.Store) -> None:
    dated = 0
    for prop, (start, end) in DATE_PROPERTIES.items():
        for quad in store.quads_for_pattern(None, NamedNode(str(prop)), None, None):
            if quad.graph_name == INFERRED:
                continue
            dated += 1
            first, last = covered_days(Literal(quad.object.value,
                                               datatype=URIRef(quad.object.datatype.value)))
            for end_property, day in ((start, first), (end, last)):
                found = [q.object for q in store.quads_for_pattern(
                    quad.subject, NamedNode(str(end_property)), None, INFERRED)]
                assert pyoxigraph.Literal(day.isoformat(), datatype=NamedNode(str(XSD.date))) \
                    in found, (quad, end_property)
    assert dated > 50
    derived = sum(1 for p in DATE_PROPERTIES.values() for e in p
                  for _ in store.quads_for_pattern(None, NamedNode(str(e)), None, None))
    assert derived <= 2 * dated  # nothing else, in no other graph


def example(slug: str) -> str:
    return next(e.text for e in EXAMPLES if e.slug == slug)


def launch_dates(store: pyoxigraph.Store) -> dict[str, pyoxigraph.Literal]:
    return {q.subject.value: q.object for q in store.quads_for_pattern(
        None, NamedNode(str(GK._NS.launchedOn)), None, None)}


def test_launched_before_2018_whatever_the_precision(store: pyoxigraph.Store) -> None:
    """The example finds exactly the platforms whose launch date lies wholly before 2018."""
    before = {iri for iri, d in launch_dates(store).items()
              if covered_days(Literal(d.value, datatype=URIRef(d.datatype.value)))[1]
              < date(2018, 1, 1)}
    assert len(before) >= 2
    query = example("21-launched-before-2018").replace("SELECT ?launched ?platform",
                                                       "SELECT ?launched ?platform ?p")
    rows = list(run_query(store, query))
    assert {r["p"].value for r in rows} == before
    # The precise values alone cannot say it: a gYear compares with gYears only.
    plain = run_query(store, 'SELECT ?p WHERE { ?p gk:launchedOn ?d '
                             'FILTER(?d < "2018"^^xsd:gYear) }')
    assert {r["p"].value for r in plain} < before


def test_everything_dated_sorts_by_the_days_it_covers(store: pyoxigraph.Store) -> None:
    rows = list(run_query(store, example("22-everything-dated-in-order")))
    assert len(rows) > 50
    covered = [covered_days(Literal(r["date"].value, datatype=URIRef(r["date"].datatype.value)))
               for r in rows]
    assert [(date.fromisoformat(r["start"].value), date.fromisoformat(r["end"].value))
            for r in rows] == covered == sorted(covered)
    assert len({r["date"].datatype.value for r in rows}) == 3  # years, months and days mixed


def test_a_store_gets_the_same_intervals_in_batches(store: pyoxigraph.Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``govkg reason --store`` adds them with ``store_intervals``, a batch a transaction."""
    ends = [NamedNode(str(e)) for pair in DATE_PROPERTIES.values() for e in pair]
    built = {q for e in ends for q in store.quads_for_pattern(None, e, None, INFERRED)}
    copy = pyoxigraph.Store()
    copy.extend(q for q in store if q not in built)
    monkeypatch.setattr(intervals, "STORE_BATCH", 3)
    graphs = [str(graph_iri(name)) for name in REASONED_GRAPHS]
    assert intervals.store_intervals(copy, graphs) == len(built)
    assert {q for e in ends for q in copy.quads_for_pattern(None, e, None, INFERRED)} == built
