"""Results that rest on a reading-in are marked on the query page (``govkg.web.readings``),
in-process: the rule itself, the server-rendered table, the notes where nothing can be
marked, and machine clients' answers left standard.
"""

import json
import re
from urllib.parse import quote

import pytest
from pyoxigraph import NamedNode
from werkzeug.exceptions import ServiceUnavailable

from govkg.vocab import graph_iri
from govkg.web.readings import (
    REPORT_GRAPHS,
    Unmarked,
    resting_on_readings,
    row_lines,
    why_unmarkable,
)
from govkg.web.views import sparql

HTML = {"Accept": "text/html"}
BEIJINGTONG = "https://w3id.org/govkg/id/platform/beijingtong"
OPERATOR = "SELECT ?who WHERE { platform:beijingtong gk:operatedBy ?who }"
PROVINCES = "SELECT ?p WHERE { ?p a gk:Province } ORDER BY ?p"
BUILT_WITH = ("SELECT ?x ?c WHERE { ?x gk:builtWith ?c } ORDER BY ?x ?c")


def page(client, query: str, lang: str = "en") -> str:
    client.get(f"/lang/{lang}")
    response = client.get("/sparql?query=" + quote(query), headers=HTML)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows(html: str) -> list[tuple[bool, str]]:
    """Each shown row: whether it is marked, and its text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = re.findall(r'<tr( class="reading-in")?>(.*?)</tr>', body, re.DOTALL)
    return [(bool(marked), re.sub(r"<[^>]+>", " ", cells)) for marked, cells in found]


def editorial_triples(store) -> set[tuple[str, str, str]]:
    quads = store.quads_for_pattern(None, None, None, NamedNode(str(graph_iri("editorial"))))
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}


def test_a_row_beyond_what_the_report_graphs_give_is_marked() -> None:
    a, b = ("a",), ("b",)
    assert resting_on_readings([a, b, a], [a]) == [False, True, True]
    assert resting_on_readings([a, a], [a, a]) == [False, False]
    assert resting_on_readings([b], []) == [True]


def test_rows_are_the_lines_of_the_page_answer_with_any_blank_node_alike() -> None:
    tsv = b'?s\t?o\n_:x1\t"1"\n\t\n<https://e.org/a>\t"_:x2"\n'
    assert row_lines(tsv, "results") == [b'_:\t"1"', b"\t", b'<https://e.org/a>\t"_:x2"']
    nt = b"_:b1 <https://e.org/p> _:b2 .\n<https://e.org/a> <https://e.org/p> _:b3 .\n"
    assert row_lines(nt, "graph") == [b"_: <https://e.org/p> _: .",
                                      b"<https://e.org/a> <https://e.org/p> _: ."]
    assert row_lines(b"true", "boolean") == [b"true"]


def test_more_rows_than_the_page_shows_are_marked_row_by_row(client) -> None:
    """Past the rows the page shows: each shown row is marked exactly when it is a
    statement of graph/editorial."""
    query = ("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             "BIND(?g = <https://w3id.org/govkg/graph/editorial> AS ?read) } "
             "ORDER BY DESC(?read) ?s ?p ?o ?g LIMIT 1500")
    shown = [(marked, "graph/editorial&gt;" in re.sub(r"\s", "", text))
             for marked, text in rows(page(client, query))]
    assert len(shown) == sparql.MAX_HTML_ROWS
    assert shown[0] == (True, True) and shown[-1] == (False, False)
    assert all(marked == editorial for marked, editorial in shown)


@pytest.mark.parametrize(("query", "reason"), [
    (OPERATOR, None),
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5", None),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 5", Unmarked.UNORDERED_LIMIT),
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 5", Unmarked.UNORDERED_LIMIT),
    ("SELECT * FROM <https://w3id.org/govkg/graph/data> WHERE { ?s ?p ?o }",
     Unmarked.OWN_DATASET),
    ('SELECT * WHERE { ?s rdfs:label "LIMIT" } # LIMIT', None),  # words in strings, comments
])
def test_why_a_query_cannot_be_marked(query: str, reason: Unmarked | None) -> None:
    assert why_unmarkable(query, None) == reason


def test_the_report_graphs_are_every_graph_but_the_editorial_one() -> None:
    assert str(graph_iri("editorial")) not in REPORT_GRAPHS
    assert {str(graph_iri(n)) for n in ("data", "inferred", "evidence")} <= set(REPORT_GRAPHS)


def test_an_operator_read_into_the_report_is_marked_with_a_legend(client) -> None:
    html = page(client, OPERATOR)
    assert rows(html) == [(True, rows(html)[0][1])]
    assert "beijing-government" in html and 'class="editorial"' in html
    assert "A reading-in, not the report" in html


def test_only_the_read_in_row_is_marked_among_others(client, store) -> None:
    shown = rows(page(client, BUILT_WITH))
    read_in = {(s, o) for s, p, o in editorial_triples(store) if p.endswith("#builtWith>")}
    assert len(shown) > len(read_in) >= 1
    marked = [text for is_marked, text in shown if is_marked]
    assert len(marked) == len(read_in)
    assert all("Huawei" in text for text in marked)  # 数字广东 built with Huawei: a reading


def test_rows_the_report_gives_are_not_marked_and_the_page_says_so(client) -> None:
    html = page(client, PROVINCES)
    assert rows(html) and not any(marked for marked, _ in rows(html))
    assert "No result rests on a reading-in" in html


def test_a_describe_marks_exactly_the_triples_of_graph_editorial(client, store) -> None:
    html = page(client, "DESCRIBE platform:beijingtong")
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    marked = len(re.findall(r'<tr class="reading-in">', body))
    about = {t for t in editorial_triples(store) if t[0] == f"<{BEIJINGTONG}>"}
    assert marked == len(about) >= 1


def test_a_yes_that_rests_on_a_reading_in_is_marked(client) -> None:
    html = page(client, "ASK { platform:beijingtong gk:operatedBy ?who }")
    assert re.search(r'<p class="boolean">.*class="editorial"', html)
    html = page(client, "ASK { ?p a gk:Province }")
    assert 'class="boolean"' in html and "No result rests on a reading-in" in html


@pytest.mark.parametrize(("query", "reason"), [
    ("SELECT ?s WHERE { ?s a gk:Province } LIMIT 3", "unordered-limit"),
    ("SELECT ?s FROM <https://w3id.org/govkg/graph/editorial> WHERE { ?s ?p ?o }",
     "own-dataset"),
])
def test_where_nothing_can_be_marked_the_page_says_why(client, query: str,
                                                       reason: str) -> None:
    html = page(client, query)
    assert f'data-unmarked="{reason}"' in html
    assert 'class="reading-in"' not in html


def test_a_comparison_that_fails_leaves_the_rows_unmarked_and_says_so(client, monkeypatch
                                                                      ) -> None:
    run = sparql.run_user_query

    def failing_comparison(protocol, fmt, key=None):
        if protocol.default_graphs is not None:
            raise ServiceUnavailable("The query timed out.")
        return run(protocol, fmt, key)

    monkeypatch.setattr(sparql, "run_user_query", failing_comparison)
    html = page(client, OPERATOR)
    assert rows(html) == [(False, rows(html)[0][1])]
    assert 'data-unmarked="failed"' in html


def test_a_cut_result_is_not_marked(tmp_path, cache_dir) -> None:
    from govkg.web.app import create_app

    strict = create_app({"cache_dir": str(cache_dir), "max_rows": 2,
                         "runtime_dir": str(tmp_path)}).test_client()
    html = page(strict, "SELECT ?s WHERE { ?s gk:operatedBy ?o } ORDER BY ?s")
    assert 'data-unmarked="truncated"' in html and 'class="reading-in"' not in html


def test_the_marks_and_notes_are_in_chinese_on_the_chinese_page(client) -> None:
    html = page(client, OPERATOR, "zh")
    assert "编者解读，并非报告原文" in html and 'class="reading-in"' in html
    assert "未标出编者解读" in page(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "zh")
    client.get("/lang/en")


def test_the_editor_is_given_the_report_graphs_and_the_strings(client) -> None:
    html = page(client, OPERATOR)
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', html, re.DOTALL)[1])
    assert config["report_graphs"] == list(REPORT_GRAPHS)
    assert {"reading_badge", "reading_legend", "unmarked_failed"} <= set(config["strings"])


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_machine_clients_get_standard_results_without_marks(client, accept: str) -> None:
    response = client.get("/sparql?query=" + quote(OPERATOR), headers={"Accept": accept})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "reading" not in text and "editorial" not in text
    if accept.endswith("json"):
        assert set(json.loads(text)) == {"head", "results"}
