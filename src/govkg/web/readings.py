"""Which results of a query rest on a reading-in: the marks of the query page and its editor.

A result (a row of a SELECT, a triple of a CONSTRUCT or DESCRIBE) *rests on a reading-in*
when the same query over the report's own graphs does not give it: every graph of the store
but ``graph/editorial`` (``REPORT_GRAPHS``, as default and as named graphs). Rows are
compared as a multiset, so of two equal rows where the report's graphs give one, one is
marked; a changed count or sum is a different row, so it is marked. Blank nodes are compared
as "some blank node": a CONSTRUCT mints new ones each time it runs. The shown rows are
looked for among all rows of the other answer, not its first as many: a row may come later
there. Rows are compared as the lines of the answers the query page reads (TSV, N-Triples:
one row a line, terms written the same way each time), so nothing is parsed twice.

What this cannot see, said on the page and in docs/web.md: ``graph/inferred`` is the OWL RL
closure of all asserted graphs, ``graph/editorial`` included, and the build keeps no trace of
which statements an inference used. Run over the shipped data without ``graph/editorial``,
OWL RL infers 147 of its 2,738 statements fewer (22 ``gk:province``, 23 ``gk:operates``,
30 ``schema:areaServed`` …), and the 10 editorial dates give 20 interval ends: about 167 of
graph/inferred's 2,872 statements rest on readings-in. Leaving graph/inferred out of the
comparison would mark every result that uses any inference (all 67 rows of "everything
dated, in date order", all 15 of the Guangdong platform tree) as a reading-in, which is
false; keeping it leaves a result that rests only on an inference from a reading-in
unmarked. A mark is therefore always true; its absence means "no statement of
graph/editorial is used directly".

Marking is skipped, and the page says why, when the comparison would not be a fair one: a
result cut at the row limit (the other answer may be cut elsewhere), a LIMIT or OFFSET
without ORDER BY (the two answers may pick different rows), a query that names its own
graphs (FROM: the protocol's graphs would replace them), and a comparison query that failed
or ran out of time.

Cost, measured in-process (the query page of example 22, 67 rows; load average 12 on 2
cores): a median 25.7 ms against 24.2 ms without marks when both answers come from the
result cache, 42.5 against 32.9 ms when both queries run.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum

from govkg.sparql_text import keywords, sets_dataset
from govkg.vocab import GRAPH_NAMES, graph_iri

REPORT_GRAPHS = tuple(str(graph_iri(name)) for name in GRAPH_NAMES if name != "editorial")
# a blank node as a whole TSV cell or N-Triples term
_BLANK_NODE = re.compile(rb"(?<![^\t ])_:[^\t \r\n]+")


class Unmarked(StrEnum):
    """Why a result is shown without marks."""

    TRUNCATED = "truncated"
    UNORDERED_LIMIT = "unordered-limit"
    OWN_DATASET = "own-dataset"
    FAILED = "failed"


def why_unmarkable(query: str, default_graphs: Sequence[str] | None) -> Unmarked | None:
    """Why this query's results cannot be compared fairly, or None if they can."""
    if default_graphs is not None or sets_dataset(query):
        return Unmarked.OWN_DATASET
    words = keywords(query)
    if ("LIMIT" in words or "OFFSET" in words) and "ORDER" not in words:
        return Unmarked.UNORDERED_LIMIT
    return None


def row_lines(body: bytes, kind: str) -> list[bytes]:
    """The rows of a page answer as compared: TSV lines after the header (``kind``
    "results"), N-Triples lines ("graph") or the one yes/no ("boolean"), each blank node
    written ``_:``."""
    if kind == "boolean":
        return [body]
    lines = body.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    # a TSV row whose variables are all unbound is an empty line, and still a row
    rows = lines[1:] if kind == "results" else [line for line in lines if line.strip()]
    return [_BLANK_NODE.sub(b"_:", row.rstrip(b"\r")) for row in rows]


def resting_on_readings(rows: Iterable, report_rows: Iterable) -> list[bool]:
    """For each row, whether it rests on a reading-in: a row beyond the number of times
    the report's graphs give it."""
    left = Counter(report_rows)
    marks = []
    for row in rows:
        marks.append(left[row] <= 0)
        left[row] -= 1
    return marks
