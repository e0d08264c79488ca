"""What real clients get: their exact Accept headers, replayed against each URL family.

The headers are the clients' own defaults, copied from their sources (named beside each) or,
for the Python clients installed with the tests, read from the client itself. The table in
docs/web.md ("What clients get") is checked against this one, so neither can drift.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib.parser import Parser
from rdflib.plugin import plugins
from rdflib.plugins.stores.sparqlconnector import SPARQLConnector
from SPARQLWrapper import JSON, SPARQLWrapper

ENTITY = "/id/platform/beijingtong"
SELECT = "SELECT ?label WHERE { platform:beijingtong rdfs:label ?label }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "web.md"


def sparqlwrapper_accept(query: str, return_format: str | None = None) -> str:
    wrapper = SPARQLWrapper("http://localhost/sparql")
    wrapper.setQuery(query)
    if return_format:
        wrapper.setReturnFormat(return_format)
    return wrapper._createRequest().get_header("Accept")


def rdflib_accept() -> str:
    """What rdflib's ``Graph().parse(url)`` sends without a format (rdflib/parser.py)."""
    return ", ".join(p.name for p in plugins(kind=Parser) if "/" in p.name)


BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")  # Chromium 120+
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Jena's WebContent: defaultSparqlResultsHeader, defaultGraphAcceptHeader, defaultRDFAcceptHeader
JENA_RESULTS = ("application/sparql-results+json,application/sparql-results+xml;q=0.9,"
                "text/tab-separated-values;q=0.7,text/csv;q=0.5,application/json;q=0.2,"
                "application/xml;q=0.2,*/*;q=0.1")
JENA_GRAPH = ("text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,"
              "application/rdf+xml;q=0.7,*/*;q=0.3")
JENA_RDF = ("text/turtle,application/n-triples;q=0.9,application/rdf+xml;q=0.7,"
            "application/trig,application/n-quads;q=0.9,application/ld+json;q=0.8,*/*;q=0.5")
# Comunica's dereferencing (actor-http / rdf-parse media types, as logged by Comunica 2.x)
COMUNICA = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
            "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,"
            "text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,"
            "text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
            "text/shaclc;q=0.1,text/shaclc-ext;q=0.05")
# fetch-sparql-endpoint (Comunica's SPARQL client): CONTENTTYPE_SPARQL, CONTENTTYPE_TURTLE
COMUNICA_SPARQL = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"
LDF_CLIENT = ("application/trig;q=1.0,application/n-quads;q=0.7,text/turtle;q=0.6,"
              "application/n-triples;q=0.3,text/n3;q=0.2")  # ldf-client's HttpClient
YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"  # @triply/yasqe defaults
YASGUI_GRAPH = "text/turtle,*/*;q=0.9"
PYLD = "application/ld+json, application/json"  # pyld's requests document loader
ANY = "*/*"  # curl, wget, Python requests

# URL families: what is asked, and how the answer names the chosen representation
FAMILIES = {
    "entity": ("GET", ENTITY, {}),
    "ontology": ("GET", "/ontology", {}),
    "void": ("GET", "/.well-known/void", {}),
    "select": ("GET", "/sparql", {"query": SELECT}),
    "construct": ("GET", "/sparql", {"query": CONSTRUCT}),
    "service": ("GET", "/sparql", {}),
    "graph": ("GET", "/sparql", {"default": ""}),
    "search": ("GET", "/search", {"q": "北京"}),
}

# (client, Accept, {family: expected}): an extension for documents, a media type otherwise
CLIENTS = [
    ("curl, wget, requests", ANY,
     {"entity": "html", "ontology": "html", "void": "ttl", "select": "application/sparql-results+json",
      "construct": "text/turtle", "service": "text/turtle", "graph": "text/turtle",
      "search": "text/html"}),
    ("Chromium", BROWSER,
     {"entity": "html", "ontology": "html", "void": "html", "select": "text/html",
      "construct": "text/html", "service": "text/html", "graph": "application/rdf+xml",
      "search": "text/html"}),
    ("Firefox", FIREFOX,
     {"entity": "html", "ontology": "html", "void": "html", "select": "text/html",
      "construct": "text/html", "service": "text/html", "search": "text/html"}),
    ("rdflib Graph.parse", rdflib_accept(),
     {"entity": "ttl", "ontology": "ttl", "void": "ttl", "graph": "text/turtle"}),
    ("rdflib SPARQLStore", SPARQLConnector(returnFormat="xml").response_mime_types(),
     {"select": "application/sparql-results+xml", "construct": "application/rdf+xml"}),
    ("SPARQLWrapper", sparqlwrapper_accept(SELECT),
     {"select": "application/sparql-results+xml"}),
    ("SPARQLWrapper JSON", sparqlwrapper_accept(SELECT, JSON),
     {"select": "application/sparql-results+json"}),
    ("SPARQLWrapper CONSTRUCT", sparqlwrapper_accept(CONSTRUCT),
     {"construct": "application/rdf+xml"}),
    ("Jena results", JENA_RESULTS, {"select": "application/sparql-results+json"}),
    ("Jena graph", JENA_GRAPH, {"construct": "text/turtle", "service": "text/turtle",
                                "graph": "text/turtle"}),
    ("Jena RDFDataMgr", JENA_RDF, {"entity": "ttl", "ontology": "ttl", "void": "ttl"}),
    ("Comunica", COMUNICA, {"entity": "nq", "ontology": "nq", "void": "jsonld",
                            "graph": "application/ld+json"}),
    ("Comunica SPARQL", COMUNICA_SPARQL, {"select": "application/sparql-results+json"}),
    ("ldf-client", LDF_CLIENT, {"entity": "trig", "ontology": "trig", "void": "ttl"}),
    ("YASGUI", YASGUI_SELECT, {"select": "application/sparql-results+json"}),
    ("YASGUI graph", YASGUI_GRAPH, {"construct": "text/turtle"}),
    ("pyld", PYLD, {"entity": "jsonld", "ontology": "jsonld", "void": "jsonld",
                    "search": "application/json"}),
]

CASES = [(client, accept, family, expected) for client, accept, families in CLIENTS
         for family, expected in families.items()]


def chosen(response) -> str:
    """What the server chose: the document's extension, or the media type it sent."""
    location = response.headers.get("Location") if response.status_code == 303 \
        else response.headers.get("Content-Location")
    if location:
        return urlsplit(location).path.rpartition(".")[2]
    return response.mimetype


def ask(client, family: str, accept: str):
    method, path, params = FAMILIES[family]
    return client.open(path, method=method, query_string=params, headers={"Accept": accept})


@pytest.mark.parametrize(("name", "accept", "family", "expected"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_each_client_gets_what_it_prefers(client, name, accept, family, expected):
    response = ask(client, family, accept)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
    assert chosen(response) == expected


@pytest.mark.parametrize(("family", "accept", "expected"), [
    ("select", "application/sparql-results+json;charset=utf-8", "application/sparql-results+json"),
    ("select", "application/sparql-results+xml; charset=UTF-8", "application/sparql-results+xml"),
    ("entity", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', "jsonld"),
    ("entity", "text/turtle;charset=utf-8", "ttl"),
    ("ontology", "text/turtle;charset=utf-8", "ttl"),
    ("ontology", 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"',
     "jsonld"),
    ("void", "text/turtle;charset=utf-8", "ttl"),
    ("construct", "application/n-triples; charset=utf-8", "application/n-triples"),
])
def test_media_type_parameters_never_stop_a_match(client, family, accept, expected):
    response = ask(client, family, accept)
    assert response.status_code in (200, 303)
    assert chosen(response) == expected


@pytest.mark.parametrize(("family", "accept", "expected"), [
    ("select", "text/html;q=0, */*", "application/sparql-results+json"),
    ("entity", "text/html;q=0, */*", "ttl"),
    ("ontology", "application/*", "nt"),  # the first application/ type offered, not HTML
    ("select", "text/*", "text/csv"),  # text/xml is an alias, never reached by a wildcard
    ("construct", "text/*", "text/turtle"),
    ("entity", "text/turtle;q=0.5, */*", "html"),
    ("entity", "*/*;q=0.1, text/turtle;q=0.2", "ttl"),
    ("entity", "application/rdf+xml, */*;q=0", "rdf"),
    ("select", "text/csv;q=0.3, text/*;q=0.9", "text/tab-separated-values"),
    ("search", "text/html;q=0, */*", "application/json"),
    ("search", "application/*", "application/json"),
    ("search", "application/json;charset=utf-8, text/html;q=0.5", "application/json"),
])
def test_wildcards_and_q_zero_follow_rfc_9110(client, family, accept, expected):
    response = ask(client, family, accept)
    assert response.status_code in (200, 303)
    assert chosen(response) == expected


@pytest.mark.parametrize(("family", "accept"), [
    ("entity", "text/html;q=0"), ("select", "application/sparql-results+json;q=0, text/html;q=0"),
    ("ontology", "image/png"), ("graph", "text/html"), ("search", "image/png")])
def test_nothing_acceptable_is_406(client, family, accept):
    response = ask(client, family, accept)
    assert response.status_code == 406
    assert "Available" in response.get_data(as_text=True)


def documented_table() -> dict[tuple[str, str], str]:
    """The client table in docs/web.md, as {(client, family): cell}."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### What clients get", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for family, cell in zip(header[1:], cells[1:], strict=True):
            if cell:
                table[(cells[0], family)] = cell.strip("`")
    return table


def test_the_documented_client_table_is_this_one():
    expected = {(name, family): value for name, _, families in CLIENTS
                for family, value in families.items()}
    assert documented_table() == expected


def test_the_documented_families_are_these():
    section = DOCS.read_text(encoding="utf-8").split("### What clients get", 1)[1]
    header = re.search(r"^\|(.+)\|$", section, re.MULTILINE)
    assert header is not None
    assert [c.strip() for c in header.group(1).split("|")][1:] == list(FAMILIES)
