"""The example queries the home page and the query page offer (edit freely: they are data)."""

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Provinces and the platforms that belong to them", """\
SELECT ?province ?platform ?label WHERE {
  ?platform a gk:DigitalPlatform ; gk:province ?province ; rdfs:label ?label .
  FILTER(LANG(?label) = "zh")
} ORDER BY ?province ?label"""),
    ("Every figure, with its unit, qualifier and date", """\
SELECT ?figure ?value ?unit ?qualifier ?date WHERE {
  ?figure a gk:Measurement ; gk:value ?value .
  OPTIONAL { ?figure gk:unit ?unit }
  OPTIONAL { ?figure gk:qualifier ?qualifier }
  OPTIONAL { ?figure gk:refDate ?date }
} ORDER BY DESC(?value)"""),
    ("Launches by date", """\
SELECT ?event ?label ?date WHERE {
  ?event a gk:Launch ; gk:eventDate ?date ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?date"""),
    ("Which sentence of the report says that 北京通 went live?", """\
SELECT ?sentence ?text WHERE {
  platform:beijingtong gk:statedIn ?sentence .
  ?sentence gk:text ?text .
}"""),
    ("Triples per named graph", """\
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph"""),
    ("Is anything inferred to be a schema:GovernmentOrganization?", """\
ASK { GRAPH <https://w3id.org/govkg/graph/inferred> { ?x a schema:GovernmentOrganization } }"""),
    ("Describe 北京通", "DESCRIBE platform:beijingtong"),
)
