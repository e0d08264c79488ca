"""Running queries with the predeclared prefixes (``govkg.query``)."""

from govkg.query import prefixes_named, run_query
from govkg.vocab import PREFIXES


def test_only_the_prefixes_a_query_names_are_passed():
    named = prefixes_named("SELECT ?s { ?s a gk:MobileApp ; schema:name ?n }")
    assert named == {"gk": PREFIXES["gk"], "schema": PREFIXES["schema"]}
    assert prefixes_named("ASK { <https://w3id.org/govkg/id/platform/beijingtong> ?p ?o }") == {}
    # a store that resolves \u escapes before parsing reads g\u006B: as gk:
    assert "gk" in prefixes_named(r"ASK { ?s a g\u006B:MobileApp }")


def test_queries_still_see_every_predeclared_prefix(store):
    for name, iri in PREFIXES.items():
        rows = list(run_query(store, f"SELECT ({name}:x AS ?x) {{}}"))
        assert rows[0]["x"].value == iri + "x"
