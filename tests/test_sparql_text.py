"""The query-text reader: linear time on crafted text and the nesting cap that keeps the
engine's parser from crashing (SERVICE is decided by the grammar: test_sparql_grammar.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govkg.errors import QueryError
from govkg.sparql_text import (
    MAX_NESTING,
    check_nesting,
    keywords,
    nesting_depth,
)


def run_govkg(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    """The ``govkg`` command as a user runs it, in a subprocess."""
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    return subprocess.run([sys.executable, "-m", "govkg", *args], capture_output=True,
                          text=True, env=env, timeout=300)


SIZE = 48_000  # 48 KB of the crafted texts took 34 s with the earlier reader
CRAFTED = {
    "escaped quotes": 'SELECT * { BIND("' + '\\"\\"\\"' * (SIZE // 6) + '" AS ?x) }',
    "unclosed escaped quotes": 'SELECT * { BIND("' + '\\"\\"\\"' * (SIZE // 6),
    "dotted names": "SELECT * { " + "a." * (SIZE // 2) + " }",
    "unclosed long string": "SELECT * { '''" + "\\'" * (SIZE // 2),
    "unclosed strings": "SELECT * {" + "'a" * (SIZE // 2),
    "unclosed IRIs": "SELECT * {" + "<a" * (SIZE // 2),
    "prefixed names": "SELECT * { " + "a:" * (SIZE // 2) + " }",
}


def cpu_seconds(function, text: str) -> float:
    started = time.process_time()
    function(text)
    return time.process_time() - started


@pytest.mark.alone  # CPU time, which a busy neighbour still inflates
@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_text_is_read_in_linear_time(name):
    text = CRAFTED[name]
    keywords(text[:len(text) // 4] + " ")  # warm up
    quarter = max(cpu_seconds(keywords, text[:len(text) // 4] + "  "), 1e-3)
    whole = cpu_seconds(keywords, text + "  ")
    # quadratic reading would take 16 times as long for four times the text
    assert whole < 2.0
    assert whole < 8 * quarter + 0.05, (quarter, whole)


def test_nesting_is_measured_outside_strings_and_comments():
    assert nesting_depth("SELECT * { { ?s ?p ?o FILTER((1)) } }") == 4
    assert nesting_depth("SELECT * { ?s ?p '{{{{' } # {{{{") == 1


def test_over_deep_nesting_is_refused_before_the_engine_reads_it():
    check_nesting("ASK " + "{" * MAX_NESTING + "}" * MAX_NESTING)
    with pytest.raises(QueryError, match="nests"):
        check_nesting("ASK " + "{" * 10_000 + "}" * 10_000)


def test_the_command_line_refuses_it_in_one_line(cache_dir):
    result = run_govkg("query", "SELECT * " + "{" * 10_000 + "}" * 10_000, cache_dir=cache_dir)
    assert result.returncode == 1  # not 139: no crash
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nests" in result.stderr
