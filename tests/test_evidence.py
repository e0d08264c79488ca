"""govkg.evidence: the data files' blocks expand into statements with their sentences.

The build refuses data without evidence, naming file and line, in process and on the
command line; the reified statements are queryable with plain SPARQL and are not fed to
OWL RL.
"""

from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from rdflib import RDF, URIRef
from testbed import run_govkg

from govkg.build import read_graphs
from govkg.errors import DataFileError
from govkg.evidence import split_blocks, statement_iri
from govkg.query import run_query
from govkg.resources import find_sources
from govkg.vocab import GK, GRAPH, ID, PREFIXES

PLATFORM = PREFIXES["platform"]
SENTENCE = PREFIXES["sentence"]


def test_blocks_end_at_a_dot_outside_strings_iris_comments_and_numbers() -> None:
    text = '''@prefix ex: <http://example.org/a.b#> .
# a comment with a dot. in it
ex:a ex:p "one. two" , """three.
four""" ;
    ex:q 80.0 ; ex:r [ ex:s ex:t ] ;   # trailing comment .
    ex:u <http://example.org/x.y> .

ex:b ex:p 1 .'''
    blocks = split_blocks(text)
    assert [b.line for b in blocks] == [1, 3, 8]
    assert blocks[0].is_directive and not blocks[1].is_directive
    assert blocks[1].text.endswith("<http://example.org/x.y> .")
    assert blocks[2].text == "ex:b ex:p 1 ."
    assert not split_blocks("base:a base:p 1 .")[0].is_directive


def test_a_block_with_blank_nodes_keeps_its_evidence(source_copy: Path) -> None:
    append(source_copy / "data" / "common.ttl",
           'region:china gk:concerns [ rdfs:label "测试"@zh ] ; gk:statedIn sentence:p2s1 .')
    graphs = read_graphs(find_sources(source_copy))
    node = graphs["data"].value(URIRef(ID + "region/china"), URIRef(str(GK) + "concerns"))
    assert graphs["data"].value(node, URIRef(PREFIXES["rdfs"] + "label")) is not None
    statements = set(graphs["evidence"].subjects(RDF.subject, node))
    assert statements and all((s, GK.statedIn, URIRef(SENTENCE + "p2s1")) in graphs["evidence"]
                              for s in statements)


def append(path: Path, text: str) -> int:
    """Add ``text`` at the end of the file; the line it starts on."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, "", text, ""]), encoding="utf-8")
    return len(lines) + 2


@pytest.mark.parametrize(("file", "block", "reason"), [
    ("common.ttl", 'region:china rdfs:label "中华"@zh .', "no evidence"),
    ("common.ttl", 'region:china rdfs:label "中国"@zh ; gk:statedIn sentence:p99s9 .',
     "no such sentence"),
    ("editorial/readings.ttl", "region:china gk:partOf region:china ; gk:readFrom sentence:p2s1 .",
     "gives no reason"),
    ("editorial/readings.ttl", 'region:china rdfs:label "中国"@zh ; gk:editorialNote "x"@en .',
     "both in graph/data and graph/editorial"),
])
def test_the_build_refuses_a_statement_without_evidence(source_copy: Path, file: str, block: str,
                                                         reason: str) -> None:
    line = append(source_copy / "data" / file, block)
    with pytest.raises(DataFileError) as error:
        read_graphs(find_sources(source_copy))
    assert f"{file}:{line}: " in str(error.value) and reason in str(error.value)


def test_the_command_line_names_file_and_line(source_copy: Path, tmp_path: Path) -> None:
    line = append(source_copy / "data" / "beijing.ttl",
                  'platform:beijingtong gk:launchedOn "2017"^^xsd:gYear .')
    result = run_govkg("--root", str(source_copy), "validate", cache_dir=tmp_path)
    assert result.returncode != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert f"beijing.ttl:{line}: " in message and "platform/beijingtong" in message


def test_each_statement_names_its_own_sentence(store) -> None:
    """粤省事's launch month comes from p30s1, its membership of the 粤系列 from p32s1."""
    query = """SELECT ?p ?o ?sentence WHERE { GRAPH ?evidence {
        ?st rdf:subject platform:yueshengshi ; rdf:predicate ?p ; rdf:object ?o ;
            gk:statedIn ?sentence } }"""
    rows = {(r["p"].value, r["o"].value, r["sentence"].value) for r in run_query(
        store, query, named_graphs=[GRAPH + "evidence"], default_graphs=[])}
    assert (str(GK) + "launchedOn", "2018-05", SENTENCE + "p30s1") in rows
    assert (str(GK) + "partOf", PLATFORM + "yue-series", SENTENCE + "p32s1") in rows
    assert (str(GK) + "launchedOn", "2018-05", SENTENCE + "p32s1") not in rows


def test_editorial_statements_carry_their_reason_and_stay_out_of_graph_data(store) -> None:
    query = f"""SELECT ?note WHERE {{
        GRAPH <{GRAPH}editorial> {{ platform:beijingtong gk:operatedBy gorg:beijing-government }}
        FILTER NOT EXISTS {{ GRAPH <{GRAPH}data> {{
            platform:beijingtong gk:operatedBy gorg:beijing-government }} }}
        GRAPH <{GRAPH}evidence> {{ ?st rdf:subject platform:beijingtong ;
            rdf:predicate gk:operatedBy ; gk:assertedIn <{GRAPH}editorial> ;
            gk:readFrom sentence:p7s1 ; gk:editorialNote ?note }} }}"""
    notes = [r["note"].value for r in run_query(store, query)]
    assert notes and "does not say who operates" in notes[0]


def test_statement_iris_are_stable_and_per_graph() -> None:
    triple = (URIRef(PLATFORM + "beijingtong"), RDF.type, GK.DigitalPlatform)
    assert statement_iri(triple, "data") == statement_iri(triple, "data")
    assert statement_iri(triple, "data") != statement_iri(triple, "editorial")
    assert str(statement_iri(triple, "data")).startswith(ID + "statement/")


def test_reasoning_is_not_fed_the_reified_statements(store) -> None:
    statements = store.quads_for_pattern(None, None, None, NamedNode(GRAPH + "inferred"))
    assert not any(q.subject.value.startswith(ID + "statement/") for q in statements)
