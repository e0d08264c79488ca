"""Comparable intervals for dates typed by precision.

The data keeps each date as the report gives it: ``xsd:date``, ``xsd:gYearMonth`` or
``xsd:gYear``. SPARQL cannot compare those with each other (``"2017"^^xsd:gYear <
"2018-05"^^xsd:gYearMonth`` is an error, so a FILTER drops the row, and ORDER BY puts them
in no useful order). For each dated statement ``x gk:launchedOn "2018-05"^^xsd:gYearMonth``
the build adds the first and last day the value covers, as ``xsd:date``s, under properties
named after the date property (``x gk:launchedOnStart "2018-05-01"; gk:launchedOnEnd
"2018-05-31"``): "launched before 2018" is ``FILTER(?end < "2018-01-01"^^xsd:date)``,
"possibly in 2018" compares both ends, and ``ORDER BY ?start`` sorts.

They go into ``graph/inferred``: they follow from the asserted dates by rule (as OWL RL's
statements do), so they need no sentence of their own, and the hand-written data never
repeats them. The properties are declared in ``ontology/intervals.ttl``. A big store
reasoned by ``govkg reason`` (``govkg.reason_sparql``) gets them the same way, from its
own asserted graphs (``store_intervals``).
"""

import calendar
import re
from collections.abc import Iterable, Iterator
from datetime import date

import pyoxigraph
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

from govkg.errors import GovkgError
from govkg.vocab import GK, graph_iri

# The date properties and the names of their interval ends.
DATE_PROPERTIES: dict[URIRef, tuple[URIRef, URIRef]] = {
    GK._NS[name]: (GK._NS[name + "Start"], GK._NS[name + "End"])
    for name in ("eventDate", "launchedOn", "issuedOn", "targetDate", "refDate")
}
_TIMEZONE = re.compile(r"(Z|[+-]\d\d:\d\d)$")
_PATTERNS = {
    XSD.date: re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)"),
    XSD.gYearMonth: re.compile(r"(-?\d{4,})-(\d\d)"),
    XSD.gYear: re.compile(r"(-?\d{4,})"),
}


def covered_days(value: Literal) -> tuple[date, date] | None:
    """The first and last day a date literal covers; None if it is not one of the three
    date types. A lexical form its type does not allow raises ``GovkgError``."""
    return days_of(str(value), str(value.datatype) if value.datatype else "")


def days_of(lexical: str, datatype: str) -> tuple[date, date] | None:
    """``covered_days`` of the literal ``lexical`` typed ``datatype`` (an IRI)."""
    pattern = _PATTERNS.get(URIRef(datatype))
    if pattern is None:
        return None
    match = pattern.fullmatch(_TIMEZONE.sub("", lexical))
    try:
        days = _first_and_last(datatype, [int(p) for p in match.groups()]) if match else None
    except ValueError:  # a 13th month, a 30 February
        days = None
    if days is None:
        raise GovkgError(f'"{lexical}" is not a valid xsd:{datatype.rpartition("#")[2]}')
    return days


def _first_and_last(datatype: str, parts: list[int]) -> tuple[date, date]:
    if datatype == str(XSD.date):
        return date(*parts), date(*parts)
    if datatype == str(XSD.gYearMonth):
        year, month = parts
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def interval_triples(statements: Iterable[tuple[Node, Node, Node]]
                     ) -> Iterator[tuple[Node, URIRef, Literal]]:
    """The interval ends of every dated statement among ``statements``."""
    for subject, predicate, value in statements:
        ends = DATE_PROPERTIES.get(URIRef(predicate)) if isinstance(predicate, URIRef) else None
        if ends is None or not isinstance(value, Literal):
            continue
        try:
            days = covered_days(value)
        except GovkgError as error:
            raise GovkgError(f"<{subject}> <{predicate}>: {error}") from None
        if days is None:
            continue
        for end, day in zip(ends, days, strict=True):
            yield subject, end, Literal(day.isoformat(), datatype=XSD.date)


def add_intervals(asserted: Graph, into: Graph) -> None:
    """Add to ``into`` the interval ends of every dated statement of ``asserted``."""
    for predicate in DATE_PROPERTIES:
        for triple in interval_triples(asserted.triples((None, predicate, None))):
            into.add(triple)


STORE_BATCH = 100_000  # quads added to a store in one transaction


def store_intervals(store: pyoxigraph.Store, graphs: Iterable[str]) -> int:
    """Add to the store's ``graph/inferred`` the interval ends of every dated statement in
    ``graphs`` (IRIs), ``STORE_BATCH`` quads a transaction; the number of quads added."""
    batch: list[pyoxigraph.Quad] = []
    added = 0
    for quad in _store_interval_quads(store, graphs):
        batch.append(quad)
        if len(batch) == STORE_BATCH:
            store.extend(batch)
            added, batch = added + len(batch), []
    store.extend(batch)
    return added + len(batch)


def _store_interval_quads(store: pyoxigraph.Store, graphs: Iterable[str]
                          ) -> Iterator[pyoxigraph.Quad]:
    inferred = pyoxigraph.NamedNode(graph_iri("inferred"))
    xsd_date = pyoxigraph.NamedNode(str(XSD.date))
    for graph in graphs:
        for predicate, ends in DATE_PROPERTIES.items():
            for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(str(predicate)),
                                                None, pyoxigraph.NamedNode(graph)):
                value = quad.object
                if not isinstance(value, pyoxigraph.Literal):
                    continue
                try:
                    days = days_of(value.value, value.datatype.value)
                except GovkgError as error:
                    raise GovkgError(f"{quad.subject} <{predicate}>: {error}") from None
                for end, day in zip(ends, days or (), strict=False):
                    yield pyoxigraph.Quad(quad.subject, pyoxigraph.NamedNode(str(end)),
                                          pyoxigraph.Literal(day.isoformat(), datatype=xsd_date),
                                          inferred)
