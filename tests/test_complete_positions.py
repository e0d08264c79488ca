"""Where the editor's completion thinks the cursor stands in a triple (``js/src/position.js``,
run by node): a subject, a property, an object, a class after ``a``, or no place for a term.
Needs node (Debian's nodejs); under CI=true it never skips."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

POSITION_JS = Path(__file__).resolve().parents[1] / "js" / "src" / "position.js"
Q = "SELECT ?x WHERE { "
CASES = [  # the text before the cursor, and what belongs there
    (Q, "entity subject"),
    (Q + "?x ", "property"),
    (Q + "?x a ", "class"),
    (Q + "?x rdf:type ", "class"),
    (Q + "?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ", "class"),
    (Q + "?x a gk:App , ", "class"),
    (Q + "?x a gk:App ; ", "property"),
    (Q + "?x gk:partOf ", "entity"),
    (Q + "?x gk:partOf platform:a ; ", "property"),
    (Q + "?x gk:partOf platform:a , ", "entity"),
    (Q + "?x gk:partOf platform:a . ", "entity subject"),
    (Q + "?x gk:partOf platform:a. ", "entity subject"),  # a name never ends with its dot
    (Q + "?x gk:province/", "property"),
    (Q + "?x gk:province/rdfs:label ", "entity"),
    (Q + "?x ^", "property"),
    (Q + "?x (gk:a|", "property"),
    (Q + "?x (gk:a|gk:b) ", "entity"),
    (Q + "?x gk:a* ", "entity"),
    (Q + '?x rdfs:label "x"@zh ; ', "property"),
    (Q + '?x gk:value "1"^^xsd:integer ; ', "property"),
    (Q + '?x gk:value "1"^^', None),  # a datatype, not an object
    (Q + '?x rdfs:label "abc ', None),  # inside a string
    (Q + "?x gk:a 12 ; ", "property"),
    (Q + "?x gk:a 1.5 . ", "entity subject"),
    (Q + "?x a gk:App FILTER(?x != ", None),
    (Q + "?x a gk:App FILTER(?x != gk:b) ", "entity subject"),
    (Q + "BIND(1 AS ?y) ", "entity subject"),
    (Q + "OPTIONAL { ", "entity subject"),
    (Q + "OPTIONAL { ?x gk:a ?y } ?x ", "property"),
    (Q + "?s ?p ?o FILTER NOT EXISTS { ?s ", "property"),
    (Q + "GRAPH ", None),  # a graph's name
    (Q + "GRAPH ?g { ?x ", "property"),
    (Q + "VALUES ?k { ", None),  # any term: the whole list
    (Q + "VALUES ?k { gk:A } ?x ", "property"),
    (Q + "?x gk:a [ ", "property"),
    (Q + "?x gk:a [ gk:b ", "entity"),
    (Q + "?x gk:a [ gk:b ?c ] ; ", "property"),
    (Q + "?x gk:a ( ", "entity"),
    (Q + "{ SELECT ?y WHERE { ?y ?p ?o } } ?x ", "property"),
    (Q + "# a comment { ?x \n?x ", "property"),
    (Q + "?x gk:a ?c } ", None),
    (Q + "?x gk:a ?c } ORDER BY ", None),
    ("SELECT ", None),
    ("DESCRIBE ", "entity"),
    ("DESCRIBE platform:a ", "entity"),
    ("PREFIX g: <http://example.org/> SELECT * WHERE { ?s ?p ", "entity"),
    ("CONSTRUCT { ?s ", "property"),
]
SCRIPT = """
import { readFileSync } from "node:fs";
const { positionAt } = await import(process.argv[1]);
const texts = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(texts.map((text) => {
  const p = positionAt(text);
  return p ? p.kind + (p.subject ? " subject" : "") : null;
})));
"""


def test_the_place_of_the_next_term_is_read_from_the_text(tmp_path: Path) -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing: .ci/run installs it (Debian package nodejs)")
        pytest.skip("node is not installed (Debian package nodejs)")
    module = tmp_path / "position.mjs"  # an ES module by its name, wherever it is
    shutil.copy(POSITION_JS, module)
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT, module.as_uri()],
                          input=json.dumps([text for text, _ in CASES]), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    wrong = [(text, want, got) for (text, want), got in zip(CASES, found, strict=True)
             if want != got]
    assert wrong == []
