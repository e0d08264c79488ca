"""Run SPARQL queries on the store with Oxigraph, the one query engine.

The default graph is the union of the named graphs unless the caller names graphs; the
usual prefixes (``gk:``, ``platform:``, ``rdfs:``, ``schema:`` …) need not be declared.
"""

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol

import pyoxigraph
from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Variable

from govkg.errors import QueryError
from govkg.sparql_text import CACHED_TEXT_LENGTH, check_nesting, unescape
from govkg.vocab import PREFIXES

QueryResult = QuerySolutions | QueryBoolean | QueryTriples
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


class StoreLike(Protocol):
    """What govkg reads a store through: ``pyoxigraph.Store`` and ``remote_store.RemoteStore``
    (any SPARQL 1.1 endpoint) both have it."""

    def query(self, query: str, **options: Any) -> QueryResult: ...

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,
                          graph_name: Any = None) -> Iterator[pyoxigraph.Quad]: ...


def run_query(
    store: StoreLike,
    text: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    substitutions: dict[Variable, Term] | None = None,
    union_default_graph: bool = True,
    base_iri: str | None = None,
) -> QueryResult:
    """Evaluate ``text``; a query Oxigraph cannot parse (or nested too deep for its
    parser) raises ``QueryError``.

    ``default_graphs`` and ``named_graphs`` set the dataset (an empty list is an empty
    dataset part); ``substitutions`` binds variables to terms (never paste terms into text).
    ``union_default_graph=False`` lets the query's own FROM / FROM NAMED set the dataset.
    ``base_iri`` resolves relative IRIs in a query without a BASE of its own.
    """
    check_nesting(text)  # before the engine's parser, which recursion can crash
    options: dict = {"prefixes": prefixes_named(text)}
    if default_graphs is not None:
        options["default_graph"] = [NamedNode(iri) for iri in default_graphs]
    elif union_default_graph:
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = [NamedNode(iri) for iri in named_graphs]
    if substitutions:
        options["substitutions"] = substitutions
    if base_iri:
        options["base_iri"] = base_iri
    try:
        return store.query(text, **options)
    except SyntaxError as error:
        raise QueryError(describe_syntax_error(error)) from error


def prefixes_named(text: str) -> dict[str, str]:
    """The predeclared prefixes that ``text`` may use (every one whose ``name:`` occurs in
    it). Oxigraph parses each prefix it is given for each query: all 27 took a third of a
    small query's time."""
    return _prefixes_named(text) if len(text) <= CACHED_TEXT_LENGTH else _find_prefixes(text)


def _find_prefixes(text: str) -> dict[str, str]:
    if "\\u" in text or "\\U" in text:  # stores that resolve escapes first see more names
        text = unescape(text)
    return {name: iri for name, iri in PREFIXES.items() if f"{name}:" in text}


_prefixes_named = lru_cache(maxsize=1024)(_find_prefixes)


def describe_syntax_error(error: SyntaxError) -> str:
    """Oxigraph's message with its position spelled out: ``line 1, column 26: expected …``."""
    message = str(error)
    match = _POSITION.match(message)
    if match:
        line, column, rest = match.groups()
        return f"SPARQL syntax error at line {line}, column {column}: {rest}"
    return f"SPARQL syntax error: {message}"


def select(store: StoreLike, text: str, **options: Any) -> QuerySolutions:
    """The solutions of a SELECT query (``run_query``'s options); ``QueryError`` for another
    query form."""
    result = run_query(store, text, **options)
    if not isinstance(result, QuerySolutions):
        raise QueryError("expected a SELECT query")
    return result


def select_rows(store: StoreLike, text: str) -> list[dict[str, object]]:
    """A SELECT query's solutions as dicts of variable name to Python value."""
    result = select(store, text)
    names = [v.value for v in result.variables]
    return [{n: _python_value(row[n]) for n in names} for row in result]


def _python_value(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        if term.datatype.value.endswith(("#integer", "#positiveInteger", "#nonNegativeInteger")):
            return int(term.value)
        return term.value
    return term.value
