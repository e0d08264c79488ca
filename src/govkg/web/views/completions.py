"""What the query editor completes, as one JSON document generated from the store.

``/sparql/completions.json`` lists the prefixes every query may use without declaring them
(``govkg.vocab.PREFIXES``) and every term of the store that those prefixes can shorten:
the ontology's classes and properties, the predicates and types in use, and the entities,
each with its kind and its labels in Chinese and English.
"""

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pyoxigraph import Literal, NamedNode

from govkg.query import run_query
from govkg.vocab import PREFIXES
from govkg.web.site import current_site

bp = Blueprint("completions", __name__)

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
# Kinds in order of precedence: a term used both as a class and as a subject is a class.
KINDS = ("class", "property", "entity")
TERMS = """
SELECT DISTINCT ?term ?kind WHERE {
  { ?term a ?classType . VALUES ?classType { owl:Class rdfs:Class } BIND("class" AS ?kind) }
  UNION { ?x a ?term . BIND("class" AS ?kind) }
  UNION { ?term a ?propertyType . BIND("property" AS ?kind)
          VALUES ?propertyType { rdf:Property owl:ObjectProperty owl:DatatypeProperty
                                 owl:AnnotationProperty } }
  UNION { ?x ?term ?y . BIND("property" AS ?kind) }
  UNION { GRAPH ?g { ?term ?p ?o } BIND("entity" AS ?kind)
          FILTER(?g != <https://w3id.org/govkg/graph/shapes>) }
  FILTER(isIRI(?term))
}"""
LABELS = """
SELECT ?term ?label WHERE {
  ?term rdfs:label ?label .
  FILTER(isIRI(?term) && (langMatches(lang(?label), "zh") || langMatches(lang(?label), "en")))
}"""


def prefixed_name(iri: str) -> str | None:
    """``gk:Province`` for an IRI the prefixes shorten to a valid name, else None."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            return f"{prefix}:{local}" if _LOCAL_NAME.fullmatch(local) else None
    return None


def build_completions(store) -> dict[str, Any]:
    """The document: ``{"prefixes": {name: IRI}, "terms": [{name, kind, zh, en}]}``."""
    kinds: dict[str, str] = {}
    for row in run_query(store, TERMS):
        iri, kind = row["term"].value, row["kind"].value
        if iri not in kinds or KINDS.index(kind) < KINDS.index(kinds[iri]):
            kinds[iri] = kind
    labels: dict[str, dict[str, str]] = {}
    for row in run_query(store, LABELS):
        label = row["label"]
        assert isinstance(label, Literal) and isinstance(row["term"], NamedNode)
        language = "zh" if label.language.lower().startswith("zh") else "en"
        mine = labels.setdefault(row["term"].value, {})
        mine[language] = min(mine.get(language, label.value), label.value)
    terms = []
    for iri, kind in kinds.items():
        name = prefixed_name(iri)
        if name is None:
            continue
        terms.append({"name": name, "kind": kind, **labels.get(iri, {})})
    terms.sort(key=lambda term: (KINDS.index(term["kind"]), term["name"]))
    return {"prefixes": dict(PREFIXES), "terms": terms}


@bp.route("/sparql/completions.json")
def completions() -> Response:
    site = current_site()
    response = jsonify(site.once("completions", lambda: build_completions(site.store)))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.set_etag(f"completions-{site.build}")  # the store changes only with a new build
    return response.make_conditional(request)
