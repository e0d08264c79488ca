"""The query-text reader: linear time on crafted text and the nesting cap that keeps the
engine's parser from crashing (SERVICE is decided by the grammar: test_sparql_grammar.py)."""

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govkg.errors import QueryError
from govkg.sparql_text import (
    MAX_NESTING,
    _keywords,
    check_nesting,
    keywords,
    nesting_depth,
    tokens,
    unescape,
)
from govkg.web.examples import EXAMPLES


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
    with pytest.raises(QueryError, match="nests"):  # the three kinds count together
        check_nesting("ASK { FILTER" + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING + "}")
    check_nesting("ASK { ?s ?p '" + "{[(" * 1000 + "' }")  # many, but in a string: depth 1


def test_the_command_line_refuses_it_in_one_line(cache_dir):
    result = run_govkg("query", "SELECT * " + "{" * 10_000 + "}" * 10_000, cache_dir=cache_dir)
    assert result.returncode == 1  # not 139: no crash
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nests" in result.stderr


def words_token_by_token(text: str) -> tuple[str, ...]:
    """The reference reading of ``keywords``: every token, one at a time."""
    return tuple(t.value.upper() for t in tokens(unescape(text)) if t.kind == "word")


def test_keywords_read_as_the_tokens_do():
    """``keywords`` skips runs of one-character tokens in one step; it must find exactly the
    words the token-by-token reading finds: on the W3C syntax suite, the examples and the
    crafted texts, and on random texts built of the characters that decide a token."""
    texts = [path.read_text(encoding="utf-8", errors="replace")
             for path in sorted((Path(__file__).parent / "data" / "w3c-sparql-syntax")
                                .rglob("*.rq"))]
    texts += [example.text for example in EXAMPLES] + list(CRAFTED.values())
    alphabet = [*"aZ_09 \t\n\u3000\u00a0\u00b7\u00c0\u4e2d#'\"<>?$:.-,;{}()[]\\uU+*%e",
                "SELECT", "service", "\\u0053", "'''", '"""', "<http://x/>", "a:b", "1.5e3"]
    chooser = random.Random(17)
    texts += ["".join(chooser.choice(alphabet) for _ in range(chooser.randrange(1, 60)))
              for _ in range(5000)]
    assert len(texts) > 5000 + len(EXAMPLES)
    for text in texts:
        assert _keywords(text) == words_token_by_token(text), text
