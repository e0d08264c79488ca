"""The query page shows a bounded part of a big result (bytes, and characters per value);
the rest is in the downloads, and the web process's work stays small."""

import time

from govkg.web.views.sparql import MAX_HTML_BYTES, MAX_HTML_VALUE_CHARS

COPIES = " ".join(str(n) for n in range(60))
HUGE_VALUE = ("SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) VALUES ?n { "
              + COPIES + " } }")
MANY_ROWS = "SELECT ?s ?p ?o ?n WHERE { ?s ?p ?o VALUES ?n { " + COPIES + " } }"


def page(client, query: str):
    started = time.process_time()
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "text/html"})
    return response, time.process_time() - started


def test_a_huge_value_is_shown_cut_with_its_download(client):
    whole = client.get("/sparql", query_string={"query": HUGE_VALUE, "format": "tsv"})
    assert len(whole.data) > 4 * MAX_HTML_BYTES  # the download is whole
    response, _ = page(client, HUGE_VALUE)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert len(text) < MAX_HTML_BYTES
    assert "format=tsv" in text


def test_a_long_value_is_cut_to_its_cap(client):
    response, _ = page(client, 'SELECT ?x WHERE { BIND(CONCAT(' + ", ".join(
        ['"' + "y" * 1000 + '"'] * 5) + ") AS ?x) }")
    text = response.get_data(as_text=True)
    assert "y" * MAX_HTML_VALUE_CHARS + " …" in text
    assert "y" * (MAX_HTML_VALUE_CHARS + 1) not in text


def test_many_rows_show_the_first_that_fit(client):
    response, _ = page(client, MANY_ROWS)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "shown" in text  # "N results, the first k shown"
