"""The editor's completions by kind (``/sparql/terms``), in-process: each kind holds only
that kind, as the store says; labels in the asked language with the other as fallback;
answers bounded and saying how many matched; bad parameters a 400 with the reason."""

import json
import re

import pytest
from pyoxigraph import NamedNode, Variable

from govkg.query import run_query

PROPERTY_TYPES = "rdf:Property owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty"


def terms(client, **params) -> dict:
    response = client.get("/sparql/terms", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def asks(store, text: str, iri: str) -> bool:
    return bool(run_query(store, text, substitutions={
        Variable("t"): NamedNode(iri)}))


IS_PROPERTY = f"""ASK {{ {{ ?t a ?type VALUES ?type {{ {PROPERTY_TYPES} }} }}
  UNION {{ ?t a ?type FILTER(STRSTARTS(STR(?type), STR(owl:)) && STRENDS(STR(?type), "Property")) }}
  UNION {{ ?s ?t ?o }} }}"""  # declared, or a predicate: an rdf:Property by rule rdf1
IS_CLASS = """ASK { { ?t a ?type VALUES ?type { owl:Class rdfs:Class } }
  UNION { ?s a ?t } }"""  # declared, or a type: an rdfs:Class by rdf:type's range


@pytest.mark.parametrize("text", ["", "gk:", "a", "label", "Prov"])
def test_properties_are_properties_only(client, store, text: str) -> None:
    found = terms(client, kind="property", q=text, limit=200)
    assert found["results"], text
    for result in found["results"]:
        assert asks(store, IS_PROPERTY, result["iri"]), result
        assert not asks(store, IS_CLASS, result["iri"]), result


@pytest.mark.parametrize("text", ["", "gk:", "app", "Prov", "schema:"])
def test_classes_are_classes_only(client, store, text: str) -> None:
    found = terms(client, kind="class", q=text, limit=200)
    assert found["results"], text
    for result in found["results"]:
        assert asks(store, IS_CLASS, result["iri"]), result


@pytest.mark.parametrize("text", ["", "bei", "粤省", "platform:", "gk:"])
def test_entities_are_neither_classes_nor_properties(client, store, text: str) -> None:
    found = terms(client, kind="entity", q=text, limit=200)
    assert found["results"], text
    for result in found["results"]:
        assert not asks(store, IS_CLASS, result["iri"]), result
        assert not asks(store, IS_PROPERTY, result["iri"]), result
        assert asks(store, "ASK { ?t ?p ?o }", result["iri"]), result


def test_a_prefixed_name_completes_from_its_start(client) -> None:
    found = terms(client, kind="property", q="gk:launchedOn", lang="en")
    assert [r["name"] for r in found["results"]] == [
        "gk:launchedOn", "gk:launchedOnEnd", "gk:launchedOnStart"]
    first = found["results"][0]
    assert first == {"iri": "https://w3id.org/govkg/ontology#launchedOn",
                     "name": "gk:launchedOn", "label": "launched on", "label_lang": "en",
                     "other": "上线日期", "other_lang": "zh",
                     "type": "http://www.w3.org/2002/07/owl#DatatypeProperty",
                     "type_name": "owl:DatatypeProperty", "type_label": "datatype property",
                     "type_label_lang": "en"}
    assert found["total"] == 3 and found["truncated"] is False


def test_the_class_typed_after_a_is_found_by_name_or_label(client) -> None:
    assert terms(client, kind="class", q="gk:Prov")["results"][0]["name"] == "gk:Province"
    by_label = terms(client, kind="class", q="省级", lang="zh")["results"]
    assert by_label[0]["name"] == "gk:Province" and by_label[0]["label_lang"] == "zh"
    assert by_label[0]["type_label"] == "OWL 类"


@pytest.mark.parametrize(("lang", "label", "type_label"), [
    ("zh", "北京通", "移动应用"), ("en", "Beijing Tong", "mobile app")])
def test_entities_come_with_label_and_type_in_the_language_asked(client, lang: str,
                                                                  label: str,
                                                                  type_label: str) -> None:
    results = terms(client, kind="entity", q="beijingtong", lang=lang)["results"]
    first = results[0]
    assert first["name"] == "platform:beijingtong"
    assert (first["label"], first["label_lang"]) == (label, lang)
    assert first["type_name"] == "gk:MobileApp"
    assert (first["type_label"], first["type_label_lang"]) == (type_label, lang)


def test_chinese_text_finds_the_entity_it_names(client) -> None:
    results = terms(client, kind="entity", q="粤省", lang="en")["results"]
    assert results[0]["name"] == "platform:yueshengshi"
    assert results[0]["label"] == "Yueshengshi"
    assert (results[0]["other"], results[0]["other_lang"]) == ("粤省事", "zh")


def test_a_term_without_labels_is_offered_by_name(client) -> None:
    # every class and property the data uses has labels; a statement of graph/evidence has none
    found = terms(client, kind="entity", q="statement:", limit=3)["results"]
    assert found and all(r["name"].startswith("statement:") and r["label"] is None
                         for r in found)


def test_without_lang_the_page_language_is_used(client) -> None:
    found = client.get("/sparql/terms?kind=entity&q=beijingtong",
                       headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert found.get_json()["lang"] == "zh"
    assert found.get_json()["results"][0]["label"] == "北京通"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in found.headers["Vary"].split(",")}


def test_answers_are_bounded_and_say_how_many_matched(client) -> None:
    found = terms(client, kind="entity", q="", limit=5)
    assert len(found["results"]) == 5 and found["limit"] == 5
    assert found["total"] > 1000 and found["truncated"] is True
    default = terms(client, kind="entity", q="")
    assert len(default["results"]) == default["limit"] == 50
    assert terms(client, kind="entity", q="no such thing at all")["results"] == []


@pytest.mark.parametrize(("query", "said"), [
    ("kind=thing&q=gk:", "kind must be one of class, property, entity, not 'thing'."),
    ("q=gk:", "Say which kind of term: kind=class|property|entity."),
    ("kind=class&lang=fr", "lang must be one of en, zh, not 'fr'."),
    ("kind=class&limit=0", "limit must be a whole number from 1 to 200, not '0'."),
    ("kind=class&limit=201", "limit must be a whole number from 1 to 200, not '201'."),
    ("kind=class&limit=ten", "limit must be a whole number from 1 to 200, not 'ten'."),
    ("kind=class&limit=²", "limit must be a whole number from 1 to 200, not '²'."),
    ("kind=class&limit=" + "9" * 5000, "limit must be a whole number from 1 to 200, not '999"),
    ("kind=class&q=" + "x" * 201, "q is 201 characters long; at most 200 are read."),
])
def test_bad_parameters_are_refused_with_the_reason(client, query: str, said: str) -> None:
    response = client.get("/sparql/terms?" + query)
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_editor_page_names_the_endpoint_it_completes_from(client) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', page, re.S).group(1))
    assert terms(client, kind="class", q="gk:Prov")["results"]
    assert config["terms"] == "/sparql/terms"
    assert "{shown}" in config["strings"]["more_terms"]
