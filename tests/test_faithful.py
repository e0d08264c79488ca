"""The data is faithful to the report: every number it writes is in the graph, typed.

For each sentence, every Arabic number it contains (with 万 and 亿 multiplied out, also after 多 or 余, and 8成 as 80)
must appear in a statement traced to that sentence: a figure's value, a rank, a date, or a
name that contains it (《…（2018-2020年）》, “123466”).
"""

import re
from decimal import Decimal

import pytest
from pyoxigraph import NamedNode, Variable
from testbed import ROOT

from govkg.report import Sentence, read_report
from govkg.vocab import PREFIXES, sentence_iri

NUMBER = re.compile(r"(\d+(?:\.\d+)?)(?:多|余)?(万|亿|成)?")
MULTIPLIER = {"万": 10_000, "亿": 100_000_000, "成": 10}

SENTENCES = [s for s in read_report(ROOT / "data" / "source" / "report.zh.txt")
             if re.search(r"\d", s.text)]


def numbers_in(text: str) -> set[str]:
    """Each number written in ``text``, as the graph should hold it."""
    found = set()
    for digits, unit in NUMBER.findall(text):
        if unit:
            found.add(normalise(str(Decimal(digits) * MULTIPLIER[unit])))
        else:
            found.add(normalise(digits))
    return found


def normalise(number: str) -> str:
    """One spelling per number: 80.0 and 80 match, 03 and 3 match."""
    value = Decimal(number)
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def numbers_held_for(store, sentence: Sentence) -> set[str]:
    """The numbers in every literal of every resource that cites ``sentence``."""
    solutions = store.query(
        "SELECT DISTINCT ?s ?o WHERE { ?x gk:statedIn ?s ; ?p ?o FILTER(isLiteral(?o)) }",
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={Variable("s"): NamedNode(sentence_iri(sentence.line, sentence.number))},
    )
    held: set[str] = set()
    for row in solutions:
        held.update(normalise(n) for n in re.findall(r"\d+(?:\.\d+)?", row["o"].value))
    return held


@pytest.mark.parametrize("sentence", SENTENCES, ids=lambda s: f"p{s.line}s{s.number}")
def test_every_number_of_the_sentence_is_in_the_graph(store, sentence: Sentence) -> None:
    held = numbers_held_for(store, sentence)
    missing = {n for n in numbers_in(sentence.text) if n not in held}
    assert not missing, f"{sentence.text}\nnot in the graph: {sorted(missing)}"
