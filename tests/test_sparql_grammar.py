"""SERVICE decided on the parse by the SPARQL 1.1 grammar: found in every place the grammar
allows it, in every spelling, never where it is only text; a query the grammar cannot read
is refused; the parse runs in linear time on crafted text. (The W3C syntax tests:
test_sparql_grammar_w3c.py.)"""

import contextlib
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import Store

from govkg import sparql_grammar
from govkg.errors import QueryError
from govkg.sparql_grammar import (
    PARSE_CPU_SECONDS,
    _cached_parse,
    parse_query,
    refused_services,
)
from govkg.web.examples import EXAMPLES

X = "<http://x.example/sparql>"
ATTACK = ("PREFIX e: <http://e/> SELECT * { BIND(e:a\\# AS ?x) "
          "SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } }")


def targets(text: str) -> list[str | None]:
    return [call.target for call in parse_query(text).services]


def test_an_escaped_hash_in_a_prefixed_name_hides_no_service():
    assert targets(ATTACK) == ["http://127.0.0.1:9/x"]
    assert refused_services(ATTACK, []) == ["http://127.0.0.1:9/x"]


@pytest.mark.parametrize("query", [
    f"SELECT * {{ SERVICE {X} {{ ?s ?p ?o }} }}",
    f"SELECT * {{ {{ {{ SERVICE {X} {{ }} }} }} }}",
    f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE {X} {{ }} }} }}",
    f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE {X} {{ ?s ?p ?o }} }} }}",
    f"SELECT * {{ {{ }} UNION {{ SERVICE {X} {{ }} }} }}",
    f"SELECT * {{ GRAPH ?g {{ SERVICE {X} {{ }} }} }}",
    f"SELECT * {{ {{ SELECT ?s {{ SERVICE {X} {{ ?s ?p ?o }} }} }} }}",
    f"SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {X} {{ }} }} }}",
    f"SELECT * {{ ?s ?p ?o FILTER(NOT EXISTS {{ SERVICE {X} {{ }} }}) }}",
    f"SELECT (EXISTS {{ SERVICE {X} {{ }} }} AS ?b) {{ }}",
    f"ASK {{ SERVICE {X} {{ }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {X} {{ ?s ?p ?o }} }}",
    f"DESCRIBE ?s {{ SERVICE {X} {{ ?s ?p ?o }} }}",
    f"SELECT * {{ SERVICE SILENT {X} {{ }} }}",
    f"select * {{ service silent {X} {{ }} }}",
    f"SELECT * {{ \\u0053ERVICE {X} {{ }} }}",
    f"SELECT * {{ SERV\\u0049CE {X} {{ }} }}",
    f"SELECT * {{ \\U00000053ERVICE \\u0053ILENT {X} {{ }} }}",
    f"SELECT * {{ ?s a ?o.SERVICE {X} {{ }} }}",
    f"SELECT * {{ ?s ?p e:x\\#y SERVICE {X} {{ }} }}",
    f"SELECT * {{ ?s ?p e:x\\.y. SERVICE {X} {{ }} }}",
    f"SELECT * {{ ?s ?p '''a\nb''' #\nSERVICE {X} {{ }} }}",
])
def test_service_is_found_wherever_the_grammar_allows_it(query):
    assert targets(query) == ["http://x.example/sparql"]
    assert refused_services(query, []) == ["http://x.example/sparql"]


@pytest.mark.parametrize("query", [
    "SELECT * { VALUES ?e { <http://x/> } SERVICE ?e { } }",
    "PREFIX x: <http://x/> SELECT * { SERVICE x:sparql { } }",
    "SELECT * { SERVICE :sparql { } }",
    "SELECT * { SERVICE SILENT $e { } }",
])
def test_a_target_that_is_not_an_iri_is_never_allowed(query):
    assert targets(query) == [None]
    assert refused_services(query, ["http://x/", "http://x/sparql"]) == ["a non-IRI target"]


@pytest.mark.parametrize("query", [
    "SELECT * { ?s ?p 'SERVICE' }",
    'SELECT * { ?s ?p """x\n SERVICE <http://x/> {} """ }',
    "SELECT * { ?s ?p <http://x/SERVICE> }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT ?SERVICE { ?SERVICE ?p e:SERVICE }",
    "PREFIX SERVICE: <http://e/> SELECT * { SERVICE:x ?p ?o }",
])
def test_service_is_no_keyword_where_it_is_only_text(query):
    assert targets(query) == []


def test_allowed_targets_pass_and_the_rest_are_named():
    query = (f"SELECT * {{ SERVICE {X} {{ ?s ?p ?o }} "
             "SERVICE SILENT <http://b.example/sparql> { } SERVICE ?x { } }")
    assert refused_services(query, ["http://x.example/sparql"]) == [
        "http://b.example/sparql", "a non-IRI target"]
    assert refused_services(f"SELECT * {{ SERVICE {X} {{ }} }}",
                            ["http://x.example/sparql"]) == []


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE:x { } }",  # a prefixed name, then a group: no SPARQL
    "SELECT * { FILTER(?x<5&&?y>3) }",  # by the spec's longest match, <5&&?y> is an IRI
    "SELECT * { ?s ?p ?o } LIMIT 1 SERVICE <http://x/> { }",
    "SELECT * { ?s ?p 北京通 }",  # a name with no prefix
    "SELECT * { ?s ?p é }",
])
def test_a_query_the_grammar_cannot_read_is_refused(query):
    with pytest.raises(QueryError, match="SPARQL syntax error at line 1, column"):
        parse_query(query)


def test_fail_closed_even_where_the_engine_would_run_it():
    assert list(Store().query("SELECT * { FILTER(?x<5&&?y>3) }")) == []  # Oxigraph reads it
    query = "SELECT * { FILTER(?x<5&&?y>3) SERVICE <http://127.0.0.1:9/x> { } }"
    with pytest.raises(QueryError, match=r"SPARQL 1\.1 grammar"):
        refused_services(query, [])
    with pytest.raises(QueryError, match=r"SPARQL 1\.1 grammar"):  # the word anywhere will do
        refused_services("SELECT * { FILTER(?x<5&&?y>3) ?s ?p 'service' }", [])


def test_a_text_without_the_word_is_not_parsed():
    """No reading of it can find the keyword: the engine decides what it means."""
    before = _cached_parse.cache_info()
    assert refused_services("SELECT * { FILTER(?x<5&&?y>3) } # not parsed", []) == []
    assert _cached_parse.cache_info() == before


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.slug)
def test_every_example_query_parses(example):
    parse_query(example.text)


def test_over_deep_nesting_is_refused_before_parsing():
    parse_query("ASK " + "{" * 100 + "}" * 100)
    with pytest.raises(QueryError, match="nests"):
        parse_query("ASK " + "{" * 10_000 + "}" * 10_000)


SIZE = 48_000  # the 24 and 48 KB texts, and others that rescan a naive lexer
CRAFTED = {
    "escaped quotes": 'SELECT * { BIND("' + '\\"' * (SIZE // 2) + '" AS ?x) }',
    "unclosed escaped quotes": 'SELECT * { BIND("' + '\\"\\"\\"' * (SIZE // 6),
    "unclosed long strings": 'SELECT * { BIND("""' + '\\"""' * (SIZE // 4),
    "dotted names": "SELECT * { ?s a" + ".a" * (SIZE // 2) + " }",
    "name runs without a colon": "SELECT * { FILTER(true" + "-true" * (SIZE // 5) + ") }",
    "prefixed names": "SELECT * { ?s ?p ?o " + "FILTER(a:a)" * (SIZE // 11) + " }",
    "unclosed IRIs": "SELECT * { FILTER(1" + "<1+1" * (SIZE // 4) + ") }",
    "long sum": "SELECT * { FILTER(1" + "+1" * (SIZE // 2) + ") }",
}


def cpu_seconds(text: str) -> float:
    """The parse's CPU time, with no garbage collection of the whole test process (which
    holds many stores in a full run) landing inside it."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        with contextlib.suppress(QueryError):
            parse_query(text)
        return time.process_time() - started
    finally:
        gc.enable()


@pytest.mark.alone  # CPU time, which a busy neighbour still inflates
@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_text_is_parsed_in_linear_time(name):
    text = CRAFTED[name]
    cpu_seconds(text[:len(text) // 8] + " ")  # warm up
    quarter = max(cpu_seconds(text[:len(text) // 4] + "  "), 1e-3)
    whole = cpu_seconds(text + "  ")
    # quadratic parsing would take 16 times as long for four times the text
    assert whole < 5.0
    assert whole < 8 * quarter + 0.05, (quarter, whole)


def run_govkg(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    env.pop("GOVKG_SERVICE_ALLOW", None)
    return subprocess.run([sys.executable, "-m", "govkg", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.mark.parametrize(("query", "says"), [
    (ATTACK, "SERVICE to http://127.0.0.1:9/x is not allowed"),
    ("SELECT * { FILTER(?x<5&&?y>3) SERVICE <http://127.0.0.1:9/x> { } }",
     "SPARQL syntax error at line 1, column 21"),
])
def test_the_command_line_refuses_in_one_line(cache_dir, query, says):
    result = run_govkg("query", query, cache_dir=cache_dir)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert says in result.stderr


def test_a_text_too_long_to_check_in_time_is_refused_in_bounded_time():
    text = "SELECT * { FILTER(1" + "+1" * 500_000 + ") } # service"  # 1 MB, the body limit
    started = time.thread_time()
    with pytest.raises(QueryError, match="too long to check for SERVICE"):
        refused_services(text, [])
    assert time.thread_time() - started < PARSE_CPU_SECONDS + 0.5


def test_the_parser_s_tables_are_kept_and_read_back(tmp_path, monkeypatch) -> None:
    attack = r"PREFIX e: <http://e/> SELECT * { BIND(e:a\# AS ?x) SERVICE <http://x/> {} }"
    monkeypatch.setattr(sparql_grammar, "_parser", None)
    built = sparql_grammar.load_parser(tmp_path)
    (kept,) = tmp_path.glob("sparql-parser-*.lark")
    monkeypatch.setattr(sparql_grammar, "_parser", None)
    read = sparql_grammar.load_parser(tmp_path)
    assert read is not built and read.parse(attack) == built.parse(attack)
    kept.write_bytes(b"not a parser")  # damaged: built and written again
    monkeypatch.setattr(sparql_grammar, "_parser", None)
    assert sparql_grammar.load_parser(tmp_path).parse(attack) == built.parse(attack)
    assert kept.stat().st_size > 1000
