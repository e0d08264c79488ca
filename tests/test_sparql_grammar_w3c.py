"""The SPARQL 1.1 grammar against the W3C syntax tests: every positive query parses, every
negative one is refused (``tests/data/w3c-sparql-syntax``: the query syntax directories of
w3c/rdf-tests, commit ad541a5, under the W3C Software Notice and License in its LICENSE)."""

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from govkg.errors import QueryError
from govkg.sparql_grammar import parse_query

SUITE = Path(__file__).parent / "data" / "w3c-sparql-syntax"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
KINDS = {MF + "PositiveSyntaxTest": True, MF + "PositiveSyntaxTest11": True,
         MF + "NegativeSyntaxTest": False, MF + "NegativeSyntaxTest11": False}
# Negative tests that break no rule of the grammar but one of the rules the spec states
# beside it (blank node labels shared between basic graph patterns, §19.6; variables in
# scope for SELECT … AS, BIND and GROUP BY, §18.2.1, §19.8 notes 12-13): Oxigraph, which runs
# the query after the endpoint's parse, refuses each of them.
BLANK_NODE_SCOPE = "a blank node label used in two basic graph patterns"
BEYOND_THE_GRAMMAR = {
    **{f"syntax-sparql3/syn-blabel-cross-{name}-bad.rq": BLANK_NODE_SCOPE
       for name in ("graph", "optional", "union")},
    **{f"syntax-sparql4/syn-bad-{name}.rq": BLANK_NODE_SCOPE
       for name in ("34", "35", "36", "37", "38", "OPT-breaks-BGP", "UNION-breaks-BGP",
                    "GRAPH-breaks-BGP")},
    **{f"syntax-query/syn-bad-0{n}.rq": "a variable outside GROUP BY in the projection"
       for n in (1, 2, 3)},
    **{f"syntax-query/syntax-BINDscope{n}.rq": "BIND to a variable already in scope"
       for n in (6, 7, 8)},
    "syntax-query/syntax-SELECTscope2.rq": "SELECT … AS a variable already in scope",
}

def cases() -> list:
    found = []
    for manifest in sorted(SUITE.glob("*/*/manifest.ttl")):
        base = manifest.as_uri()
        quads = list(parse(path=str(manifest), format=RdfFormat.TURTLE, base_iri=base))
        kinds = {q.subject: KINDS[q.object.value] for q in quads
                 if q.predicate == RDF_TYPE and q.object.value in KINDS}
        for quad in quads:
            if quad.predicate.value == MF + "action" and quad.subject in kinds:
                path = Path(quad.object.value.removeprefix("file://"))
                name = f"{manifest.parent.name}/{path.name}"
                found.append(pytest.param(path, kinds[quad.subject], id=name))
    return found


CASES = cases()


def test_the_suite_is_all_there():
    assert len(CASES) == 296
    assert all(path.exists() for path, _ in (case.values for case in CASES))


@pytest.mark.parametrize(("path", "positive"), CASES)
def test_w3c_syntax(path: Path, positive: bool):
    text = path.read_text(encoding="utf-8")
    if positive:
        parse_query(text)
    elif f"{path.parent.name}/{path.name}" in BEYOND_THE_GRAMMAR:
        parse_query(text)  # grammatical: the engine's own checks refuse it
        with pytest.raises(SyntaxError):
            Store().query(text)
    else:
        with pytest.raises(QueryError, match="SPARQL syntax error"):
            parse_query(text)
