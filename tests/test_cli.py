"""The ``govkg`` command as a user runs it: a subprocess, its output and its exit code."""

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph
import pytest
from rdflib import Dataset, Graph
from testbed import run_govkg

from govkg.dump import SELECTIONS
from govkg.query import select_rows
from govkg.vocab import graph_iri

COUNT_PROVINCES = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a gk:Province }"
PROVINCES = "SELECT ?p ?label WHERE { ?p a gk:Province ; rdfs:label ?label FILTER(lang(?label) = 'zh') } ORDER BY ?p"


@pytest.fixture(scope="module")
def govkg(cache_dir: Path):
    def run(*args: str, **kwargs):
        return run_govkg(*args, cache_dir=cache_dir, **kwargs)
    return run


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govkg: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_validate_passes_on_the_embedded_data(govkg) -> None:
    result = govkg("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


def test_query_prints_csv(govkg) -> None:
    result = govkg("query", PROVINCES, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    labels = {row["label"] for row in rows}
    assert {"北京市", "上海市", "浙江省", "福建省", "广东省", "四川省", "贵州省"} <= labels


def expected_provinces(store) -> list[tuple[str, str]]:
    return [(row["p"], row["label"]) for row in select_rows(store, PROVINCES)]


def test_query_json_has_every_row(govkg, store) -> None:
    result = govkg("query", PROVINCES, "--format", "json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["head"]["vars"] == ["p", "label"]
    rows = [(b["p"]["value"], b["label"]["value"]) for b in body["results"]["bindings"]]
    assert rows == expected_provinces(store) and len(rows) >= 7
    assert {b["label"]["xml:lang"] for b in body["results"]["bindings"]} == {"zh"}


def test_query_xml_has_every_row(govkg, store) -> None:
    result = govkg("query", PROVINCES, "--format", "xml")
    assert result.returncode == 0, result.stderr
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(result.stdout)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["p", "label"]
    rows = []
    for solution in root.findall("r:results/r:result", ns):
        iri = solution.find("r:binding[@name='p']/r:uri", ns).text
        label = solution.find("r:binding[@name='label']/r:literal", ns)
        assert label.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
        rows.append((iri, label.text))
    assert rows == expected_provinces(store) and len(rows) >= 7


def test_query_tsv_has_every_row(govkg, store) -> None:
    result = govkg("query", PROVINCES, "--format", "tsv")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.rstrip("\n").split("\n")
    assert header == "?p\t?label"
    rows = [tuple(line.split("\t")) for line in lines]
    assert rows == [(f"<{iri}>", f'"{label}"@zh') for iri, label in expected_provinces(store)]


def test_query_counts_in_every_format(govkg, store) -> None:
    count = select_rows(store, COUNT_PROVINCES)[0]["n"]
    assert govkg("query", COUNT_PROVINCES, "--format", "tsv").stdout == f"?n\n{count}\n"
    xml = govkg("query", COUNT_PROVINCES, "--format", "xml").stdout
    assert f'datatype="http://www.w3.org/2001/XMLSchema#integer">{count}</literal>' in xml


def test_query_table_is_readable(govkg) -> None:
    result = govkg("query", PROVINCES, "--format", "table")
    assert result.returncode == 0
    assert "region:beijing" in result.stdout and "北京市@zh" in result.stdout
    assert result.stdout.strip().endswith("rows)")


@pytest.mark.parametrize(("fmt", "rdflib_format"), [
    ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml"),
])
def test_construct_formats_parse(govkg, fmt: str, rdflib_format: str) -> None:
    query = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a gk:Province ; rdfs:label ?l }"
    result = govkg("query", query, "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format=rdflib_format)
    assert len(graph) >= 14


def test_ask_query(govkg) -> None:
    result = govkg("query", "ASK { region:beijing a gk:Province }")
    assert result.returncode == 0 and result.stdout.strip() == "true"


def test_query_from_file_and_stdin(govkg, tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(COUNT_PROVINCES, encoding="utf-8")
    from_file = govkg("query", f"@{query_file}", "--format", "csv")
    from_stdin = govkg("query", "-", "--format", "csv", input=COUNT_PROVINCES)
    assert from_file.returncode == from_stdin.returncode == 0
    assert from_file.stdout == from_stdin.stdout


def test_malformed_query_is_one_line_with_the_position(govkg) -> None:
    result = govkg("query", "SELECT ?x WHERE { ?x ?y }")
    assert_one_line_error(result, "line 1, column 26")


def test_wrong_format_for_the_query_type(govkg) -> None:
    assert_one_line_error(govkg("query", COUNT_PROVINCES, "--format", "turtle"), "CONSTRUCT")


def test_missing_query_file(govkg, tmp_path: Path) -> None:
    assert_one_line_error(govkg("query", f"@{tmp_path / 'nope.rq'}"), "nope.rq")


@pytest.mark.parametrize("selection", ["asserted", "inferred", "all"])
def test_dump_nquads_keeps_the_named_graphs(govkg, tmp_path: Path, selection: str) -> None:
    out = tmp_path / "dump.nq"
    result = govkg("dump", "--format", "nq", "--graph", selection, "-o", str(out))
    assert result.returncode == 0, result.stderr
    dataset = Dataset()
    dataset.parse(out, format="nquads")
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in dataset.graphs() if len(g)}
    asserted = {"ontology", "data", "editorial", "external", "report", "evidence"}
    expected = {"asserted": asserted, "inferred": {"inferred"},
                "all": asserted | {"shapes", "inferred"}}[selection]
    assert names == expected


@pytest.mark.parametrize("selection", ["asserted", "inferred", "all"])
def test_dump_trig_keeps_every_graph_whole(govkg, store, tmp_path: Path, selection: str) -> None:
    out = tmp_path / "dump.trig"
    result = govkg("dump", "--format", "trig", "--graph", selection, "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "@prefix gk: <https://w3id.org/govkg/ontology#>" in text  # TriG, with prefixes
    counts: dict[str, int] = {}
    for quad in pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TRIG):
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    graphs = [str(graph_iri(name)) for name in SELECTIONS[selection]]
    assert counts == {graph: len(list(store.quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(graph)))) for graph in graphs}


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_dump_graph_formats_parse(govkg, fmt: str, rdflib_format: str) -> None:
    result = govkg("dump", "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format=rdflib_format)
    assert len(graph) > 1000


def test_stats(govkg) -> None:
    result = govkg("stats")
    assert result.returncode == 0, result.stderr
    assert "graph data" in result.stdout and "Figures:" in result.stdout
    assert "Sentences: 77" in result.stdout


def test_sentences_lists_iris_and_text(govkg) -> None:
    result = govkg("sentences")
    lines = result.stdout.splitlines()
    assert len(lines) == 77 and lines[9].startswith("sentence:p6s1\t根据发布结果显示")


def test_sentences_with_their_english(govkg) -> None:
    lines = govkg("sentences", "--english").stdout.splitlines()
    assert len(lines) == 77
    iri, chinese, english = lines[8].split("\t")
    assert (iri, chinese) == ("sentence:p5s1", "北京市") and english == "Beijing"


def test_broken_data_file_names_file_and_line(govkg, source_copy: Path) -> None:
    broken = source_copy / "data" / "common.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines.insert(20, 'region:oops rdfs:label "unterminated .')
    broken.write_text("\n".join(lines), encoding="utf-8")
    for command in (["validate"], ["stats"], ["dump"]):
        result = govkg("--root", str(source_copy), *command)
        assert_one_line_error(result, "common.ttl:21")


def test_shape_violation_fails_validate(govkg, source_copy: Path) -> None:
    common = source_copy / "data" / "common.ttl"
    text = common.read_text(encoding="utf-8")
    common.write_text(text.replace(', "Beijing"@en', ""), encoding="utf-8")
    result = govkg("--root", str(source_copy), "validate")
    assert result.returncode == 1
    assert "region/beijing" in result.stdout
    assert_one_line_error(result, "SHACL violation")


def test_validate_checks_a_store_or_says_in_one_line_why_not(govkg, tmp_path: Path) -> None:
    result = govkg("validate", "--store", str(tmp_path / "missing"))
    assert_one_line_error(result, "no such directory")
    result = govkg("validate", "--endpoint", "ftp://example.org/sparql")
    assert_one_line_error(result, "not an http:// or https:// URL")


def test_a_broken_translation_names_file_and_line(govkg, source_copy: Path) -> None:
    english = source_copy / "data" / "source" / "report.en.txt"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("[p5s1] 北京市", "[p5s1] 北京"), encoding="utf-8")
    line = 1 + text[:text.index("[p5s1]")].count("\n")
    result = govkg("--root", str(source_copy), "validate")
    assert_one_line_error(result, f"report.en.txt:{line}", "p5s1 is not quoted as the report")
